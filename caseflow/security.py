"""Security headers on every response (CSP without inline script, nosniff, referrer policy, HSTS in
production), `Cache-Control: no-store` on everything that is not a static file, and the request
guard that refuses what no view should ever see.

The guard (`guard_request`, the app's first `before_request`) answers before any view runs, and so
before anything reaches the database:

- a body larger than the route allows → 413 (`MAX_CONTENT_LENGTH`, 1 MB by default; a route that
  takes uploads raises its own limit with `@allow_body(max_bytes)`);
- a JSON body that cannot be parsed, or nests deeper than `MAX_JSON_DEPTH` → 400 `malformed_json`;
- a NUL byte, another control character (tab and line breaks aside) or a lone surrogate anywhere in
  the path, the query string, the form fields or the JSON strings (keys included) → 422.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_talisman import Talisman
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from caseflow.errors import DomainError
from caseflow.translation import gettext as _
from caseflow.validation import unsafe_text

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}

# Requests (forms and JSON) are small: 1 MB. Routes that take files allow more with @allow_body.
DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024
# No JSON document of the API nests deeper than a few levels.
MAX_JSON_DEPTH = 32

F = TypeVar("F", bound=Callable[..., Any])


def allow_body(max_bytes: int | Callable[[], int],
               too_large: Callable[[], Exception] | None = None) -> Callable[[F], F]:
    """Lets one view accept a body of up to `max_bytes` (e.g. a document upload) instead of the
    app's MAX_CONTENT_LENGTH; the guard applies it before anything reads the body.

    `max_bytes` may be a function (called in the request) when the limit comes from the
    configuration; `too_large` gives the exception raised instead of the generic 413 (e.g. a
    DomainError that names the domain's own limit)."""
    def decorator(view: F) -> F:
        view.max_content_length = max_bytes  # type: ignore[attr-defined]
        if too_large is not None:
            view.too_large = too_large  # type: ignore[attr-defined]
        return view
    return decorator


def _json_depth_ok(raw: bytes) -> bool:
    """False when brackets nest deeper than MAX_JSON_DEPTH (counted outside strings), without
    parsing: the parser itself would recurse once per level."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _unsafe_json_field(value: Any) -> str | None:
    """Where the first unsafe string of a parsed JSON document sits, as the dotted path of the
    field that holds it ("title", "languages.0.level"), so that the 422 names the field like any
    other validation error; "_body" for a bad key at the top level. None when every string is
    safe. Iterative: the depth is bounded anyway."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if unsafe_text(item):
                return path or "_body"
        elif isinstance(item, dict):
            for key, child in item.items():
                if unsafe_text(key):
                    return path or "_body"
                stack.append((f"{path}.{key}" if path else key, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item))
    return None


def _refuse_text(where: str) -> DomainError:
    message = _("The request contains characters that cannot be stored (a NUL byte, a control "
                "character or a broken Unicode character). Remove them and try again.")
    return DomainError(message, code="validation_error", status=422, fields={where: [message]})


def _malformed() -> DomainError:
    return DomainError(_("The request body is not valid JSON."), code="malformed_json", status=400)


def guard_request() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    allowed = getattr(view, "max_content_length", None)
    if allowed is not None:
        request.max_content_length = allowed() if callable(allowed) else allowed
    too_large = getattr(view, "too_large", None)
    if too_large is None:
        _guard()
        return
    try:
        _guard()
    except RequestEntityTooLarge:
        raise too_large() from None


def _guard() -> None:
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()

    if unsafe_text(request.path):
        raise _refuse_text("_path")
    for name, value in request.args.items(multi=True):
        if unsafe_text(name) or unsafe_text(value):
            raise _refuse_text(name if not unsafe_text(name) else "_query")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        raw = request.get_data(cache=True)  # 413 beyond the limit
        if not raw.strip():
            return
        if not _json_depth_ok(raw):
            raise _malformed()
        try:
            data = request.get_json()  # parsed once and cached by the request for the view
        except BadRequest:
            raise _malformed() from None
        where = _unsafe_json_field(data)
        if where is not None:
            raise _refuse_text(where)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):  # 413 beyond the limit
            if unsafe_text(name) or unsafe_text(value):
                raise _refuse_text(name if not unsafe_text(name) else "_form")
        for name, upload in request.files.items(multi=True):
            if unsafe_text(name) or unsafe_text(upload.filename or ""):
                raise _refuse_text(name if not unsafe_text(name) else "_form")


def init_app(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    # The guard runs before every other before_request function (this is called first).
    app.before_request(guard_request)

    production = app.config["ENV_NAME"] == "production"
    # One Talisman per app: it keeps its settings on itself, so a shared instance would carry the
    # last app's settings (e.g. production's force_https) into every other app of the process.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=production,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    @app.after_request
    def no_store(response):
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def add_security_headers(response: Any) -> Any:
    """The headers Talisman sets, for a response built outside the normal request cycle (the last
    resort page when even the error page failed)."""
    talisman = current_app.extensions.get("talisman")
    if talisman is not None:
        talisman._set_response_headers(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
