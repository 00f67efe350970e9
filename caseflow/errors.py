"""The one domain error type services raise, and the HTTP error pages and JSON error shape."""
from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A business rule was violated. Web views show `message`/`fields` next to the form; the API
    answers `{"error": {"code", "message", "fields"}}` with `status`.

    `fields` maps field names to lists of messages. `extra` adds keys to the JSON error object
    (e.g. `candidates` for possible duplicates).
    """

    def __init__(self, message: str, *, code: str = "invalid", status: int = 422,
                 fields: dict[str, list[str]] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or {}
        self.extra = extra
        self.headers: dict[str, str] = {}

    @classmethod
    def field(cls, name: str, message: str, **kw: Any) -> DomainError:
        return cls(message, fields={name: [message]}, code=kw.pop("code", "validation_error"), **kw)


class FieldErrors:
    """Collects field messages so that one answer names every bad field (services and API parsers)."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def raise_if_any(self, message: str | None = None) -> None:
        """Raises one DomainError (422, `validation_error`) carrying every field message; its message
        is `message`, or else the first field message."""
        if self.fields:
            message = message or next(iter(self.fields.values()))[0]
            raise DomainError(message, code="validation_error", fields=self.fields)


class NotFound(DomainError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found", status=404)


class Forbidden(DomainError):
    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(message, code="forbidden", status=403)


class Conflict(DomainError):
    def __init__(self, message: str, code: str = "conflict", **extra: Any) -> None:
        super().__init__(message, code=code, status=409, **extra)


def error_body(code: str, message: str, fields: dict | None = None, **extra: Any) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    error.update(extra)
    return {"error": error}


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation_error",
              429: "throttled", 500: "internal_error"}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_page(status: int, message: str | None = None, headers: Mapping[str, str] | None = None) -> Response:
    """The error page (web) with `status`; when even the page cannot be rendered (a broken template,
    a database that fails while the layout loads the user), a plain page with the same security
    headers, never the server's bare one."""
    try:
        response = make_response(render_template("errors/error.html", status=status, message=message), status)
    except Exception as exc:  # the last resort: log it (without its message), answer anyway
        log_without_message(current_app.logger, exc, f"the error page failed for status {status}")
        from caseflow.security import add_security_headers
        text = (f"<!doctype html><html lang=\"en\"><title>Caseflow</title><h1>Error {status}</h1>"
                "<p>Please go back and try again.</p></html>")
        response = add_security_headers(Response(text, status=status, content_type="text/html; charset=utf-8"))
    response.headers.update(headers or {})
    return response


def _passed_headers(exc: HTTPException) -> dict[str, str]:
    """Headers an HTTP error brings that the answer must keep (`Allow` on 405, `Retry-After`)."""
    return {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after", "www-authenticate")}


def _statement_of(exc: BaseException) -> str:
    """For a database error: the failed SQL statement (its text only, never the parameters)."""
    from sqlalchemy.exc import StatementError
    if isinstance(exc, StatementError) and exc.statement:
        orig = type(exc.orig).__qualname__ if exc.orig is not None else ""
        return f" ({orig}) in: {exc.statement.strip()[:500]}"
    return ""


def qualified_name(exc: BaseException) -> str:
    kind = type(exc)
    return f"{kind.__module__}.{kind.__qualname__}"


def log_without_message(logger: Any, exc: BaseException, context: str) -> None:
    """Logs `exc` with its type and stack but without its message: messages may hold data
    (openpyxl and the database drivers quote the values they refuse, e.g. a name). No exc_info,
    since the formatter would print the message; the stack names the file and line."""
    logger.error("%s: %s\n%s", context, qualified_name(exc), "".join(traceback.format_tb(exc.__traceback__)).rstrip(),
                 extra={"exc_type": type(exc).__name__})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        if wants_json():
            response = jsonify(error_body(exc.code, exc.message, exc.fields, **exc.extra))
            if exc.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="caseflow"'
            response.headers.update(exc.headers)
            return response, exc.status
        return error_page(exc.status, exc.message, exc.headers)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(exc: CSRFError):
        # Usually a form left open too long or a lost session cookie: say what to do.
        if wants_json():
            return jsonify(error_body("bad_request", exc.description)), 400
        from caseflow.translation import gettext as _
        message = _("The form has expired or did not come from Caseflow. Please go back, reload the page "
                    "and send it again.")
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        from caseflow.translation import gettext as _
        status = exc.code or 500
        headers = _passed_headers(exc)
        message = None
        if status == 413:
            limit = request.max_content_length or 0
            message = _("The request is too large (at most %(size)s kB).", size=limit // 1024)
        elif status == 429:
            # Flask-Limiter's description is only the limit ("600 per 1 minute"); its
            # Retry-After and X-RateLimit-* headers are added to this response after the handler.
            message = _("Too many requests (%(limit)s). Wait a moment and try again.", limit=exc.description)
        if wants_json():
            if message is None:
                message = (exc.description or exc.name) if status < 500 else "Internal error."
            response = jsonify(error_body(HTTP_CODES.get(status, "error"), message))
            response.headers.update(headers)
            return response, status
        return error_page(status, message if status in (413,) else None, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        # Logged with the stack but without the exception's message: messages may hold data
        # (openpyxl and the database drivers quote the values they refuse, e.g. a name). The stack
        # names the file and line; the code there shows what failed. The request's database
        # session may be unusable (PostgreSQL refuses every statement after a failed one): it is
        # discarded, as at teardown, so that the error page can load the signed-in user.
        log_without_message(app.logger, exc, f"unhandled on {request.method} {request.url_rule}{_statement_of(exc)}")
        from caseflow.extensions import db
        db.session.remove()
        if wants_json():
            return jsonify(error_body("internal_error", "Internal error.")), 500
        return error_page(500)
