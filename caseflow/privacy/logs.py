"""Keeping personal data out of the application logs.

SQLAlchemy puts a failed statement's parameters into the exception's message, and the error handler
logs unexpected exceptions with their message: a database error while saving a participant would
write the name, birth date or note text into the log. Engines therefore hide parameters in their
errors. (The setting belongs in config.py's SQLALCHEMY_ENGINE_OPTIONS as "hide_parameters": True;
until it is there, the privacy blueprint applies it when it is registered.)
"""
from __future__ import annotations

from flask import Flask

from caseflow.extensions import db


def hide_sql_parameters(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.hide_parameters = True
