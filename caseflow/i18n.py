"""Languages: German (default) and English; dates and numbers in the user's locale.

Each domain keeps its own catalogue in `caseflow/<domain>/translations` (plus `caseflow/translations`
for the shared layout); Flask-Babel merges them. `python dev.py i18n` extracts and compiles.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, numbers, support
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_decimal, format_percent, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from wtforms.i18n import messages_path

from caseflow.extensions import babel
from caseflow.i18n_catalogues import catalogue_dirs
from caseflow.translation import gettext as _


def translation_directories() -> list[str]:
    return [str(d) for d in catalogue_dirs()]


def _environment_locale(languages) -> str | None:
    """The command line follows the shell's language (LC_ALL, LC_MESSAGES, LANG) when it is one of ours."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in languages else None
    return None


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, demo data: no session, no browser
        return _environment_locale(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    user = getattr(g, "api_user", None) or (current_user if current_user and current_user.is_authenticated else None)
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=8)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=8)
def country_choices(code: str) -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 countries, named and sorted in the given language."""
    territories = _locale(code).territories
    items = [(k, v) for k, v in territories.items() if len(k) == 2 and k.isalpha() and k not in ("EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ")]
    return sorted(items, key=lambda kv: kv[1])


@lru_cache(maxsize=8)
def language_choices(code: str) -> list[tuple[str, str]]:
    """ISO 639-1 languages, named and sorted in the given language."""
    names = _locale(code).languages
    return sorted(((k, v) for k, v in names.items() if len(k) in (2, 3) and k.isalpha() and k.islower()),
                  key=lambda kv: kv[1])


def country_name(iso: str | None, locale: Locale | None = None) -> str:
    """A country's name in the reader's language (`locale`: the reader's, when the caller has it)."""
    if not iso:
        return ""
    if iso == "stateless":
        return _("stateless")
    return _locale(str(locale or get_locale())).territories.get(iso, iso)


def language_name(iso: str | None) -> str:
    if not iso:
        return ""
    return _locale(str(get_locale())).languages.get(iso, iso)


@lru_cache(maxsize=1)
def valid_country_codes() -> frozenset[str]:
    return frozenset(k for k, _ in country_choices("en"))


@lru_cache(maxsize=1)   # the validators ask once per record: an import asks 70,000 times
def valid_language_codes() -> frozenset[str]:
    return frozenset(k for k, _ in language_choices("en"))


def task_title(kind: str | None, stored: str, params: dict | None = None,
               translated: dict[str, str] | None = None) -> str:
    """A task's title in the reader's language: Caseflow's own tasks (vocabulary.SYSTEM_TASK_TITLES)
    by their kind and title_params, a title a person typed as it was typed. A task made before its
    kind kept its values (no params) keeps its stored title. `translated`: the kinds' titles
    translated already, added to as they are translated (bound_task_title)."""
    from caseflow.vocabulary import SYSTEM_TASK_TITLES
    if kind not in SYSTEM_TASK_TITLES:
        return stored
    if translated is None:
        template = str(SYSTEM_TASK_TITLES[kind])
    else:
        template = translated.get(kind) or translated.setdefault(kind, str(SYSTEM_TASK_TITLES[kind]))
    if "%(" not in template:
        return template
    try:
        return template % (params or {})
    except (KeyError, TypeError, ValueError):
        return stored


def bound_task_title() -> Callable[..., str]:
    """task_title for one page (the request's language): each kind's title is translated once, not
    once per task (the caseload lists dozens of tasks of a few kinds)."""
    translated: dict[str, str] = {}

    def title(kind: str | None, stored: str, params: dict | None = None) -> str:
        return task_title(kind, stored, params, translated)
    return title


@lru_cache(maxsize=32)
def _date_pattern(locale: Locale, fmt: str) -> dates.DateTimePattern:
    """A date format of a language ("medium", "short", … or a pattern such as "MMMM yyyy"), parsed
    once per process: Babel's format_date looks the format up and parses it on every call, and the
    caseload shows over a hundred dates."""
    return dates.parse_pattern(dates.get_date_format(fmt, locale=locale)  # type: ignore[arg-type]
                               if fmt in ("short", "medium", "long", "full") else fmt)


@lru_cache(maxsize=4096)
def _formatted_day(locale: Locale, value: date, fmt: str) -> str:
    return _date_pattern(locale, fmt).apply(value, locale)


def format_day(value: date | None, fmt: str = "medium", locale: Locale | None = None) -> str:
    """A date in the reader's language (the templates' `date` filter): what Flask-Babel's
    format_date gives, faster. Each language's formats are parsed once per process, and a day's
    text is remembered per language and format (a bounded LRU): a caseload of 50 rows and 50 tasks
    shows over a hundred dates, most of them a handful of days, and Babel writes each one field by
    field. A datetime goes through Flask-Babel, which first converts it to the reader's time zone.
    `locale`: the reader's, when the caller has it already (the template filters)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_date(value, fmt)
    if locale is None:
        locale = get_locale()
    if locale is None:  # no locale to be had (no app context): Flask-Babel's answer, or its error
        return format_date(value, fmt)
    return _formatted_day(locale, value, fmt)


_CACHED_NUMBERS = (int, float, Decimal)


@lru_cache(maxsize=4096)
def _formatted_number(locale: Locale, value, _exactly: str, fmt: str | None, percent: bool) -> str:
    return (numbers.format_percent if percent else numbers.format_decimal)(value, format=fmt, locale=locale)


def format_number(value, fmt: str | None = None, *, percent: bool = False, locale: Locale | None = None) -> str:
    """Flask-Babel's format_decimal (format_percent), the text remembered per language, value and
    format: Babel applies its pattern digit by digit, and a report page shows some 400 numbers and
    rates, most of them repeated (0, 1, 0.5 …): a tenth of the placement report page's time. The
    value is keyed with its repr too, as -0.0 equals 0.0 but is written "-0". `locale`: the
    reader's, when the caller has it already (the template filters: _render_locale)."""
    if locale is None:
        locale = get_locale()
    if type(value) in _CACHED_NUMBERS and locale is not None:
        return _formatted_number(locale, value, repr(value), fmt, percent)
    return format_percent(value, format=fmt) if percent else format_decimal(value, format=fmt)


def format_hours(minutes: int | None) -> str:
    """Minutes as hours in the reader's language, to a tenth: 90 → "1.5 h" ("1,5 h" in German)."""
    if minutes is None:
        return ""
    return _("%(hours)s h", hours=format_decimal(round(minutes / 60, 1), format="#,##0.#"))


def bound_template_translations() -> dict[str, object]:
    """`gettext` and `ngettext` for one template render, bound to the request's catalogue.

    Flask-Babel installs template callables that look the catalogue up again on every call (the
    app context, the locale, the domain: about ten context-local lookups), and a page such as the
    caseload translates some 450 strings: about a quarter of its time. The catalogue cannot change
    while one template renders, so this context processor looks it up once per render and the
    template's `_()`, `gettext`, `ngettext` and `{% trans %}` blocks (which the i18n extension
    resolves from the render's context first) use it directly. They behave exactly as the i18n
    extension's "newstyle" callables: the result is Markup under autoescaping, then %-formatted
    with the keyword arguments (`num` too for ngettext). Templates rendered outside a request or
    imported without context keep Flask-Babel's callables, with the same result."""
    translations = get_translations()
    ugettext, ungettext = translations.ugettext, translations.ungettext
    locale = get_locale()

    @pass_context
    def gettext(__context, __string: str, **variables):
        rv = ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def ngettext(__context, __singular: str, __plural: str, __num: int, **variables):
        variables.setdefault("num", __num)
        rv = ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return {"gettext": gettext, "ngettext": ngettext, _RENDER_LOCALE: locale}


# The reader's locale, looked up once per template render (bound_template_translations) for the
# filters below: Flask-Babel's get_locale() walks about five context-local lookups on every call
# (3 µs here), and a caseload page formats some 120 dates. A template rendered without the context
# processor (a macro imported without context, a template outside a request) has no such variable,
# and the filters ask Flask-Babel, with the same result.
_RENDER_LOCALE = "_caseflow_render_locale"


def _render_locale(context) -> Locale | None:
    return context.get(_RENDER_LOCALE)


@pass_context
def _date_filter(context, value: date | None, fmt: str = "medium") -> str:
    return format_day(value, fmt, locale=_render_locale(context))


@pass_context
def _number_filter(context, value, digits: int | None = None) -> str:
    """The templates' `number` filter: `digits` decimals when given, Babel's default otherwise."""
    if value is None:
        return ""
    fmt = ("#,##0." + "0" * digits if digits else "#,##0") if digits is not None else None
    return format_number(value, fmt, locale=_render_locale(context))


@pass_context
def _percent_filter(context, value) -> str:
    return "" if value is None else format_number(value, "#,##0.0 %", percent=True, locale=_render_locale(context))


@pass_context
def _country_filter(context, iso: str | None) -> str:
    return country_name(iso, locale=_render_locale(context))


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: Locale) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WtformsMessages:
    """WTForms' own messages ("This field is required.", and the label of every field that has
    none, such as the CSRF token's) in the request's language, from a catalogue loaded once per
    process and language. Flask-WTF reads it from `request.wtforms_translations` when it is set;
    otherwise it loads the catalogue from disk again in every request that builds a form (issue 19).
    Were a later Flask-WTF to stop reading that attribute, it would load the catalogue itself: the
    same messages, only slower."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalogue(get_locale()).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(get_locale()).ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WtformsMessages()


def _wtforms_messages() -> None:
    request.wtforms_translations = _WTFORMS_MESSAGES  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(bound_template_translations)
    app.before_request(_wtforms_messages)

    app.jinja_env.filters.update(date=_date_filter, number=_number_filter, percent=_percent_filter,
                                 country=_country_filter, language=language_name, hours=format_hours)
    app.jinja_env.globals.update(task_title=task_title)
    app.jinja_env.globals.update(get_locale=get_locale)
