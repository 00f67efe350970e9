"""One schema per API resource: the marshmallow schema that parses the request also serialises the
answer and is what the OpenAPI document shows (flask-smorest builds the document from the routes'
decorators, so the document cannot drift from the code).

Why flask-smorest: it is marshmallow + webargs + apispec (the stack Indico uses) already wired to
Flask blueprints by the same maintainers, so a route states its input and output once, in the
decorators, instead of a parser, a serialiser and a hand-written OpenAPI dict.

How a domain's API module uses it::

    from caseflow.api.blueprint import bp
    from caseflow.api.schemas import Schema, fields, Id, Date, Text, Choice, Version, page_of, errors

    class MeasureSchema(Schema):
        id = Id(dump_only=True)
        title = Text(max_length=200, required=True)
        ...

    @bp.route("/measures", methods=["POST"])
    @bp.arguments(MeasureSchema)                 # the JSON body, parsed and typed, or 400/422
    @bp.response(201, MeasureSchema)             # the answer, serialised (and documented)
    @errors(403, 422)                            # the error answers this route documents
    def measures_create(data): ...

Every parse error becomes the fixed error shape of docs/interfaces.md: 400 `malformed_json` for a body
that is not a JSON object, 422 `validation_error` with `fields` for bad values. Messages are
translated (the API answers in the language of `Accept-Language`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, NoReturn

import marshmallow as ma
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from caseflow.errors import DomainError
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import MAX_ID, unsafe_text

__all__ = ["Schema", "fields", "validate", "Id", "QueryId", "Date", "Text", "Choice", "Version",
           "Flag", "PageArgs", "page_of", "errors", "CaseflowBlueprint", "ErrorSchema", "load_query"]


# --- fields ----------------------------------------------------------------------------------------

class _Translated:
    """Field mixin: error messages are translated when they are raised."""

    def make_error(self, key: str, **kwargs: Any) -> ma.ValidationError:
        message = self.error_messages[key]  # type: ignore[attr-defined]
        return ma.ValidationError(str(message).format(**kwargs))


class Id(_Translated, fields.Integer):
    """An object id in a JSON body or answer: a JSON integer from 1 to 2³¹−1 (no strings, no
    booleans), so that any value given can be stored and looked up on both databases."""

    default_error_messages = {"invalid": _l("Enter a whole number."),
                              "required": _l("This field is required."),
                              "null": _l("This field may not be empty.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(1, MAX_ID, error=_l("No such object.")), **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class QueryId(_Translated, fields.Integer):
    """An id in a query string or form: ASCII digits only (no `²`, no Arabic-Indic digits), at most
    2³¹−1 (ids beyond that cannot exist; they answer 404 from the loader, not a 500)."""

    default_error_messages = {"invalid": _l("Enter a whole number."),
                              "required": _l("This field is required.")}
    _DIGITS = re.compile(r"[0-9]{1,12}")

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if not isinstance(value, str) or not self._DIGITS.fullmatch(value):
            raise self.make_error("invalid")
        number = int(value)
        if number < 1 or number > MAX_ID:
            raise ma.ValidationError(_("No such object."))
        return number


class Date(_Translated, fields.Date):
    """`YYYY-MM-DD`, exactly."""

    default_error_messages = {"invalid": _l("Use the date format YYYY-MM-DD."),
                              "format": _l("Use the date format YYYY-MM-DD."),
                              "required": _l("This field is required."),
                              "null": _l("This field may not be empty.")}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> date:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Timestamp(fields.DateTime):
    """A moment, answered as RFC 3339 with its offset (the document says `date-time`). What the
    database answers is aware on every database (models_base.TZDateTime). A naive datetime did not
    come through that type and would read as a local time to a client: it raises (a 500, and a
    failing test on SQLite) instead of answering without an offset."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | float | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{attr}: a moment without an offset (read it through TZDateTime)")
        return super()._serialize(value, attr, obj, **kwargs)


class Text(_Translated, fields.String):
    """Text of at most `max_length` characters, stripped; no NUL byte, no other control character
    (tab and line breaks aside), no lone surrogate. An empty string reads as None unless
    `required`."""

    default_error_messages = {"invalid": _l("Enter text."),
                              "required": _l("This field is required."),
                              "null": _l("This field may not be empty."),
                              "control": _l("Remove the control characters from this text."),
                              "too_long": _l("Use at most {max} characters.")}

    def __init__(self, *, max_length: int = 10_000, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(**kwargs)
        self.max_length = max_length
        self.metadata = {"maxLength": max_length, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,  # type: ignore[override]
                     **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if unsafe_text(text):
            raise self.make_error("control")
        text = text.strip()
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        if not text:
            if self.required:
                raise self.make_error("required")
            return None
        return text


class Choice(_Translated, fields.String):
    """One of the codes of a vocabulary (the keys of a `{code: label}` mapping or a tuple)."""

    default_error_messages = {"invalid": _l("Choose one of: {choices}."),
                              "required": _l("This field is required."),
                              "null": _l("This field may not be empty.")}

    def __init__(self, codes: Iterable[str], **kwargs: Any) -> None:
        self.codes = tuple(codes)
        super().__init__(**kwargs)
        self.metadata = {"enum": list(self.codes), **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if not isinstance(value, str) or value not in self.codes:
            raise self.make_error("invalid", choices=", ".join(self.codes))
        return value


class Flag(_Translated, fields.Boolean):
    """A JSON boolean (true/false only: no "yes", no 1); in a query string also `true`/`false`."""

    default_error_messages = {"invalid": _l("Answer true or false."),
                              "required": _l("This field is required."),
                              "null": _l("This field may not be empty.")}
    truthy = {True, "true"}
    falsy = {False, "false"}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        # `1 in {True}` holds in Python, so numbers are refused before the set look-up.
        if value is True or value is False or value in ("true", "false"):
            return value is True or value == "true"
        raise self.make_error("invalid")


class Version(Id):
    """The `version` a client read; required on every PATCH (409 when stale, see check_version)."""

    default_error_messages = {"invalid": _l("Send the version you read."),
                              "required": _l("Send the version you read."),
                              "null": _l("Send the version you read.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", True)
        kwargs.setdefault("load_only", True)
        super().__init__(**kwargs)


# --- schemas ---------------------------------------------------------------------------------------

class Schema(ma.Schema):
    """Base of every API schema: unknown keys are left out (never poured into a model), so a client
    may send back what it read."""

    class Meta:
        unknown = ma.EXCLUDE


class DuplicateMatchSchema(Schema):
    id = fields.Integer(required=True)
    reasons = fields.List(fields.String(), metadata={
        "description": "why this participant may be the same person: a name reason (same_name, names_swapped, "
                       "similar_spelling, transliteration, one_letter_apart) and a date-of-birth reason "
                       "(same_birth_date, birth_date_one_day_apart, birth_date_day_month_swapped, "
                       "birth_date_placeholder)"})
    systems = fields.List(fields.String(), metadata={
        "description": "for a transliteration: the systems of the name sent and of the one registered "
                       "(de, en, fr, pl)"})


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field_messages = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                                 metadata={"description": "messages per field (validation errors only)"})
    candidates = fields.List(fields.Integer(), metadata={"description": "possible duplicates' ids"})
    matches = fields.List(fields.Nested(DuplicateMatchSchema), metadata={
        "description": "possible duplicates with the reasons (same order as candidates)"})
    current_version = fields.Integer(metadata={"description": "the object's version now (stale version)"})


class ErrorSchema(Schema):
    """The one error shape of docs/interfaces.md."""
    error = fields.Nested(ErrorDetailSchema, required=True)


class PageArgs(Schema):
    """`?page=1&per_page=50`: per_page above 200 is refused (422), as the document says."""
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000_000, error=_l("Enter a page from 1.")),
                          metadata={"description": "page number, from 1"})
    per_page = fields.Integer(load_default=50,
                              validate=validate.Range(1, 200, error=_l("Enter a page size from 1 to 200.")),
                              metadata={"description": "items per page, at most 200"})

    @ma.pre_load
    def _ascii_digits(self, data: Any, **_kw: Any) -> Any:
        for name in ("page", "per_page"):
            value = data.get(name)
            if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,9}", value):
                raise ma.ValidationError({name: [_("Enter a whole number.")]})
        return data


_PAGES: dict[type, type[Schema]] = {}


def page_of(item: type[ma.Schema]) -> type[Schema]:
    """The schema of a page of `item`s: `{"items", "page", "per_page", "total", "total_is_capped"}`."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        _PAGES[item] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
            "total_is_capped": fields.Boolean(metadata={"description": "true when total is a lower bound"}),
        })
    return _PAGES[item]


def errors(*codes: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Documents the error answers a route gives (each in the one error shape)."""
    descriptions = {400: "Malformed JSON", 401: "No token or a bad one", 403: "The role may not do this",
                    404: "No such object, or not visible to this account", 409: "Stale version or state conflict",
                    413: "Request too large", 422: "Invalid field values", 429: "Throttled"}

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        doc = getattr(func, "_apidoc", {})
        responses = doc.setdefault("response", {}).setdefault("responses", {})
        for code in (401, 429, *codes):
            # flask-smorest keeps a list of answers per status code (several content types)
            responses[code] = [{"description": descriptions.get(code, "Error"), "schema": ErrorSchema,
                                "content_type": None}]
        func._apidoc = doc  # type: ignore[attr-defined]
        return func
    return decorator


# --- parsing ---------------------------------------------------------------------------------------

def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested `{location: {field: [..]}}` messages as `{field: [..]}` (nested fields dotted)."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                out.setdefault(name, []).extend(value)
            else:
                out.update(_flatten(value, name))
    elif isinstance(messages, list):
        out.setdefault(prefix or "_body", []).extend(str(m) for m in messages)
    else:
        out.setdefault(prefix or "_body", []).append(str(messages))
    return out


class CaseflowParser(FlaskParser):
    """webargs' Flask parser, answering in the fixed error shape."""

    DEFAULT_VALIDATION_STATUS = 422
    # A multipart body (an upload with its fields) read by one schema: flask-smorest documents one
    # request body per operation, so a body split over the `form` and `files` locations would lose
    # one of the two in the OpenAPI document.
    __location_map__ = {**FlaskParser.__location_map__, "form_and_files": "load_form_and_files"}

    def load_form_and_files(self, req: Any, schema: ma.Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)

    def handle_error(self, error: ma.ValidationError, req: Any, schema: ma.Schema, *,
                     error_status_code: int | None, error_headers: Mapping[str, str] | None) -> NoReturn:
        messages = error.messages
        if isinstance(messages, Mapping) and set(messages) <= {"json", "query", "form", "files", "form_and_files", "view_args"}:
            messages = {k: v for location in messages.values() for k, v in
                        (location.items() if isinstance(location, Mapping) else [("_body", location)])}
        if isinstance(messages, Mapping) and set(messages) == {"_schema"}:
            raise DomainError(_("The request body must be a JSON object."), code="malformed_json", status=400)
        fields_ = _flatten(messages)
        first = next(iter(fields_.values()))[0] if fields_ else _("Invalid input.")
        raise DomainError(first, code="validation_error", status=error_status_code or 422, fields=fields_)

    def _handle_invalid_json_error(self, error: Exception, req: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise DomainError(_("The request body is not valid JSON."), code="malformed_json", status=400)

    def load_json(self, req: Any, schema: ma.Schema) -> Any:
        try:
            data = super().load_json(req, schema)
        except RecursionError:  # e.g. 100,000 nested brackets: not a body any client means
            raise DomainError(_("The request body is not valid JSON."), code="malformed_json", status=400) from None
        if data is not ma.missing and not isinstance(data, dict):
            raise DomainError(_("The request body must be a JSON object."), code="malformed_json", status=400)
        return data


def load_query(schema: type[ma.Schema], args: Mapping[str, Any]) -> dict[str, Any]:
    """Converts a web page's query string (or form) with an API schema: the page and the API read
    their parameters by the same rules. A value that cannot be converted raises DomainError (422,
    `validation_error`, a message per field), as the API answers."""
    try:
        # An empty field of a GET form ("all organisations") is a parameter not given.
        return schema().load({k: v for k, v in args.items() if v != ""})
    except ma.ValidationError as error:
        fields_ = _flatten(error.messages)
        first = next(iter(fields_.values()))[0] if fields_ else _("Invalid input.")
        raise DomainError(first, code="validation_error", status=422, fields=fields_) from None


class CaseflowBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = CaseflowParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "form_and_files": "multipart/form-data"}
