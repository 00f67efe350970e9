"""One way to validate, for every domain: forms and API schemas convert, services judge.

A service receives typed values (dates as `date`, ids as `int`) from a WTForms form or an API schema
and checks its business rules with a `Checker`, which collects every field error at once and raises
one `DomainError` (422, code `validation_error`, `fields`) at `done()`. A version check is
`check_version(obj, sent)`, the same everywhere. Messages are translated at the moment they are
raised, so the web pages and the API answer in the reader's language.

Text that reaches a service has passed `clean_text`: stripped, and refused when it holds a NUL byte,
another control character (tab and line breaks aside) or a lone surrogate, none of which PostgreSQL
or the exports can store.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from caseflow.errors import Conflict, DomainError, FieldErrors
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l

# The largest id either database stores in an INTEGER primary key column (PostgreSQL's int4).
MAX_ID = 2**31 - 1

REQUIRED = _l("This field is required.")
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def unsafe_text(value: str) -> bool:
    """True when `value` holds a character no text column may hold (NUL, other C0 controls except
    tab and line breaks, DEL, lone surrogates)."""
    return _FORBIDDEN_CHARACTERS.search(value) is not None


def text_message() -> str:
    return _("Remove the control characters from this text.")


def _day(value: date) -> str:
    """A date in a message, as the reader writes dates (i18n.format_day; imported here, as
    caseflow.i18n needs the extensions, which import this module)."""
    from caseflow.i18n import format_day
    return format_day(value)


class Checker(FieldErrors):
    """Reads typed values out of `values` (a mapping of already converted input) and collects every
    field error; `done()` raises them together under `summary` (default: the first message)."""

    def __init__(self, values: Mapping[str, Any], summary: str | None = None) -> None:
        super().__init__()
        self.values = values
        self.summary = summary

    # --- single fields ---------------------------------------------------------------------------

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(name, str(REQUIRED))
            return None
        if not isinstance(value, str):
            self.add(name, _("Enter text."))
            return None
        value = value.strip()
        if unsafe_text(value):
            self.add(name, text_message())
            return None
        if max_length is not None and len(value) > max_length:
            self.add(name, _("Use at most %(max)s characters.", max=max_length))
            return None
        return value

    def choice(self, name: str, allowed: Collection[str], *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value in (None, ""):
            if required:
                self.add(name, str(REQUIRED))
            return None
        if not isinstance(value, str) or value not in allowed:
            self.add(name, _("Choose one of the offered values."))
            return None
        return value

    def date(self, name: str, *, required: bool = False, not_before: date | None = None,
             not_after: date | None = None, before_message: str | None = None,
             after_message: str | None = None) -> date | None:
        value = self.values.get(name)
        if value is None:
            if required:
                self.add(name, str(REQUIRED))
            return None
        if not isinstance(value, date):
            self.add(name, _("Enter a valid date."))
            return None
        if not_before is not None and value < not_before:
            self.add(name, before_message or _("The date may not be before %(day)s.", day=_day(not_before)))
        elif not_after is not None and value > not_after:
            self.add(name, after_message or _("The date may not be after %(day)s.", day=_day(not_after)))
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None:
            if required:
                self.add(name, str(REQUIRED))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(name, _("Enter a whole number."))
            return None
        if minimum is not None and value < minimum:
            self.add(name, _("Enter at least %(min)s.", min=minimum))
        elif maximum is not None and value > maximum:
            self.add(name, _("Enter at most %(max)s.", max=maximum))
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self.values.get(name, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(name, _("Answer yes or no."))
            return default
        return value

    # --- rules across fields ---------------------------------------------------------------------

    def require(self, condition: bool, name: str, message: str) -> bool:
        """Adds `message` to `name` unless `condition` holds (and no error is on `name` yet)."""
        if not condition and name not in self:
            self.add(name, message)
        return condition

    def ok(self, *names: str) -> bool:
        """True when none of `names` has an error yet (to skip rules that need valid values)."""
        return not any(n in self for n in names)

    def done(self) -> None:
        self.raise_if_any(self.summary)


def check_version(obj: Any, sent: Any) -> None:
    """The client's `sent` version must be the object's current one: 422 when it is not an integer,
    409 `stale_version` (with `current_version`) when the object changed since it was read."""
    if isinstance(sent, bool) or not isinstance(sent, int):
        raise DomainError.field("version", _("Send the version you read."))
    if obj.version != sent:
        raise Conflict(_("Someone else saved this record in the meantime. Nothing was changed."),
                       code="stale_version", current_version=obj.version)
