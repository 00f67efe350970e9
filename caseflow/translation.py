"""Caseflow's `gettext` and `lazy_gettext` (the labels of forms, vocabularies and the navigation,
translated when they are written out): Flask-Babel's, with one lookup of the catalogue per request.

A leaf module (Flask and Flask-Babel only), so that every layer can import it: the API's schemas
are loaded while `caseflow.extensions`, and with it `caseflow.i18n`, is still being imported.
Templates translate through `i18n.bound_template_translations` instead."""
from __future__ import annotations

from flask import g, has_app_context
from flask_babel import get_translations
from flask_babel import gettext as babel_gettext
from flask_babel.speaklater import LazyString


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext` (the same result), with the request's catalogue remembered for the
    request's locale on Flask-Babel's own per-request namespace.

    Flask-Babel looks the catalogue up again on every call (the app context, the locale, the
    domain, the catalogue cache keyed by the locale's name: about ten context-local lookups), and
    every message pays it: a case file translates some 35 in Python, most of them lazily translated
    labels that its template writes out (issue 19). The catalogue is remembered with the locale
    object it is for, so a `force_locale` block (a mail in its recipient's language) or
    `flask_babel.refresh()` finds another locale and looks up afresh."""
    babel_ctx = g.get("_flask_babel") if has_app_context() else None
    if babel_ctx is not None:
        remembered = getattr(babel_ctx, "caseflow_catalogue", None)
        if remembered is not None and remembered[0] is getattr(babel_ctx, "babel_locale", None):
            s = remembered[1](string)
            return s if not variables else s % variables
    s = babel_gettext(string, **variables)
    babel_ctx = g.get("_flask_babel") if has_app_context() else None
    if babel_ctx is not None and getattr(babel_ctx, "babel_locale", None) is not None:
        babel_ctx.caseflow_catalogue = (babel_ctx.babel_locale, get_translations().ugettext)
    return s


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's `lazy_gettext`, translated through `gettext` above when written out."""
    return LazyString(gettext, string, **variables)
