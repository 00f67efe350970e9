"""Sending mail: Flask-Mailman over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME,
MAIL_PASSWORD, MAIL_DEFAULT_SENDER), or printed to the console when no MAIL_SERVER is set.

Every mail is rendered from three templates in the recipient's language — `<name>.subject.html`,
`<name>.text.html` (plain text: it turns autoescaping off) and `<name>.html` — kept in the sending
domain's template folder (e.g. `templates/accounts/mail/`), so their strings join its catalogue. A mail
carries only what its template shows: links and account facts, never a participant's personal data.
Links are absolute, built from CASEFLOW_BASE_URL (`absolute_url`), since a mail is not read at the
address the request came from. The settings are read at each send, so a test can point them at
its own SMTP server.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives, Mail

mail = Mail()


def init_app(app: Flask) -> None:
    mail.init_app(app)


def absolute_url(endpoint: str, **values: object) -> str:
    """`url_for(endpoint)` under CASEFLOW_BASE_URL (works outside a request, e.g. on the command line)."""
    adapter = current_app.url_map.bind("caseflow.invalid", script_name="/")
    return current_app.config["CASEFLOW_BASE_URL"] + adapter.build(endpoint, values)


def _connection():
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return mail.get_connection(backend="console")
    return mail.get_connection(backend="smtp", host=cfg["MAIL_SERVER"], port=cfg["MAIL_PORT"],
                               username=cfg.get("MAIL_USERNAME"), password=cfg.get("MAIL_PASSWORD"),
                               use_tls=cfg.get("MAIL_USE_TLS", False), timeout=10)


def send(template: str, *, to: str, locale: str | None, **context: object) -> None:
    """Renders `<template>.subject.html`, `.text.html` and `.html` in `locale` (default: German) and sends it
    to the one address `to`. Raises on SMTP errors, so the caller's unit of work rolls back."""
    locale = locale if locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = " ".join(render_template(f"{template}.subject.html", **context).split())
        text = render_template(f"{template}.text.html", **context).strip() + "\n"
        html = render_template(f"{template}.html", locale=locale, **context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=current_app.config["MAIL_DEFAULT_SENDER"],
                                     to=[to], connection=_connection())
    message.attach_alternative(html, "text/html")
    message.send()
