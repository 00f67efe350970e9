"""Sending the digest mail through Flask-Mailman. Settings are read at each send (MAIL_SERVER …,
interfaces.md); with no MAIL_SERVER the mail is printed to the console. (The accounts domain's
mail module may take this over; the digest only needs `send_mail`.)"""
from __future__ import annotations

from flask import Flask, current_app
from flask_mailman import EmailMessage, Mail


def init_app(app: Flask) -> None:
    if "mailman" not in app.extensions:
        Mail(app)


def send_mail(to: str, subject: str, body: str) -> None:
    """Sends one plain-text mail; raises when the server refuses it."""
    cfg = current_app.config
    mail = current_app.extensions["mailman"]
    if cfg.get("MAIL_SERVER"):
        connection = mail.get_connection(backend="smtp", host=cfg["MAIL_SERVER"], port=cfg["MAIL_PORT"],
                                         username=cfg.get("MAIL_USERNAME"), password=cfg.get("MAIL_PASSWORD"),
                                         use_tls=cfg.get("MAIL_USE_TLS", False), timeout=30)
    else:
        connection = mail.get_connection(backend="console")
    EmailMessage(subject=subject, body=body, from_email=cfg.get("MAIL_DEFAULT_SENDER"), to=[to],
                 connection=connection).send()
