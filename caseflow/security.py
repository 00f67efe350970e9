"""Security headers on every response (CSP without inline script, nosniff, referrer policy, HSTS in
production) and `Cache-Control: no-store` on everything that is not a static file."""
from __future__ import annotations

from flask import Flask, request
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def init_app(app: Flask) -> None:
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
