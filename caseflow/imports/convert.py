"""Cell values to typed values, as the forms and the API schemas convert text (docs/architecture.md:
forms convert, services judge). A value that cannot be converted gets a message for its cell."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from flask_babel import force_locale

from caseflow.imports.spec import Column, normalise
from caseflow.translation import gettext as _

_TRUE = {"yes", "y", "ja", "j", "true", "wahr", "1", "x"}
_FALSE = {"no", "n", "nein", "false", "falsch", "0"}
# The three-valued answers (participants/vocabulary.py ANSWERS): besides the codes and the labels in
# either language, the spellings a programme's spreadsheet is likely to hold.
_DECLINED = {"declined", "declinedtoanswer", "keineangabe", "keineangabegewunscht", "ka", "verweigert",
             "refused", "prefernottosay", "nichtangegeben"}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class Invalid(ValueError):
    """A cell that cannot be converted; the message is for the reader."""


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 12043 typed into a cell is a postcode, not 12043.0
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    result = str(value).strip()
    return result or None


def to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value) or ""
    match = _ISO.match(raw)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = _GERMAN.match(raw)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise Invalid(_("This date does not exist.")) from None
    raise Invalid(_("Enter a date like 2024-03-15 or 15.03.2024."))


def to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = text(value) or ""
    if re.fullmatch(r"[+-]?[0-9]{1,9}", raw):
        return int(raw)
    raise Invalid(_("Enter a whole number."))


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid(_("Enter a number."))
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(_("Enter a number.")) from None


def to_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    raw = (text(value) or "").casefold()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise Invalid(_("Enter yes or no."))


def to_answer(column: Column, value: Any) -> str | None:
    """yes / no / declined (codes, labels in either language, ja/nein/keine Angabe, true/false, 1/0)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    raw = (text(value) or "").casefold()
    if raw in _TRUE:
        return "yes"
    if raw in _FALSE:
        return "no"
    if normalise(raw) in _DECLINED:
        return "declined"
    try:
        return to_choice(column, value)
    except Invalid:
        raise Invalid(_("Enter yes, no or declined (ja, nein or keine Angabe).")) from None


@lru_cache(maxsize=64)
def _labels(choices_id: int, pairs: tuple[tuple[str, Any], ...]) -> dict[str, str]:
    """{normalised code or label in either language: code}."""
    index: dict[str, str] = {}
    for lang in ("en", "de"):
        with force_locale(lang):
            for code, label in pairs:
                index.setdefault(normalise(str(label)), code)
    for code, _label in pairs:
        index[normalise(code)] = code
    return index


def to_choice(column: Column, value: Any) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    choices = column.choices or {}
    if raw in choices:
        return raw
    code = _labels(id(choices), tuple(choices.items())).get(normalise(raw))
    if code is None:
        raise Invalid(_("Choose one of the listed values (see the explanation sheet)."))
    return code


def convert(column: Column, value: Any) -> Any:
    """The typed value of one cell; raises Invalid."""
    if isinstance(value, str) and value.strip() == "":
        value = None
    kind = column.kind
    if kind == "date":
        return to_date(value)
    if kind == "int":
        return to_int(value)
    if kind == "decimal":
        return to_decimal(value)
    if kind == "bool":
        return to_bool(value)
    if kind == "choice":
        return to_choice(column, value)
    if kind == "answer":
        return to_answer(column, value)
    if kind == "country":
        raw = text(value)
        return None if raw is None else ("stateless" if raw.casefold() in ("stateless", "staatenlos") else raw.upper())
    if kind == "language":
        raw = text(value)
        return None if raw is None else raw.lower()
    return text(value)
