"""Languages: German (default) and English; dates and numbers in the user's locale.

Each domain keeps its own catalogue in `caseflow/<domain>/translations` (plus `caseflow/translations`
for the shared layout); Flask-Babel merges them. `python dev.py i18n` extracts and compiles.
"""
from __future__ import annotations

import os
from datetime import date
from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.extensions import babel
from caseflow.i18n_catalogues import catalogue_dirs


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


def country_name(iso: str | None) -> str:
    if not iso:
        return ""
    if iso == "stateless":
        from flask_babel import gettext
        return gettext("stateless")
    return _locale(str(get_locale())).territories.get(iso, iso)


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


def task_title(kind: str | None, stored: str, params: dict | None = None) -> str:
    """A task's title in the reader's language: Caseflow's own tasks (vocabulary.SYSTEM_TASK_TITLES)
    by their kind and title_params, a title a person typed as it was typed. A task made before its
    kind kept its values (no params) keeps its stored title."""
    from caseflow.vocabulary import SYSTEM_TASK_TITLES
    if kind not in SYSTEM_TASK_TITLES:
        return stored
    template = str(SYSTEM_TASK_TITLES[kind])
    if "%(" not in template:
        return template
    try:
        return template % (params or {})
    except (KeyError, TypeError, ValueError):
        return stored


def format_hours(minutes: int | None) -> str:
    """Minutes as hours in the reader's language, to a tenth: 90 → "1.5 h" ("1,5 h" in German)."""
    if minutes is None:
        return ""
    return _("%(hours)s h", hours=format_decimal(round(minutes / 60, 1), format="#,##0.#"))


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale)

    def fmt_date(value: date | None, fmt: str = "medium") -> str:
        return format_date(value, fmt) if value else ""

    def fmt_number(value, digits: int | None = None) -> str:
        if value is None:
            return ""
        if digits is not None:
            return format_decimal(value, format="#,##0." + "0" * digits) if digits else format_decimal(value, format="#,##0")
        return format_decimal(value)

    def fmt_percent(value) -> str:
        return "" if value is None else format_percent(value, format="#,##0.0 %")

    app.jinja_env.filters.update(date=fmt_date, number=fmt_number, percent=fmt_percent,
                                 country=country_name, language=language_name, hours=format_hours)
    app.jinja_env.globals.update(task_title=task_title)
    app.jinja_env.globals.update(get_locale=get_locale)
