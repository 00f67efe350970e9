"""The yardstick for bench/load.py: the cheapest case page Flask and SQLAlchemy can serve.

Issue 19 states its throughput target beside "a bare Flask + SQLAlchemy case page does about
1,400 requests/s on this machine". Machines differ by a factor of three from session to session
(a shared virtual machine), so bench/load.py measures this page on the same machine, under the
same gunicorn and wrk settings, right before the mix, and prints the mix as a share of it.

What it does per request, and nothing more: one ORM select of a participant by primary key in
a pooled PostgreSQL connection, and a small Jinja template with a few of its fields. No login,
no session, no CSRF, no audit, no translations, no metrics, no logging.

    DATABASE_URL=postgresql+psycopg://… gunicorn --workers 4 bench.bare_app:app
"""
from __future__ import annotations

import os
from datetime import date

import sqlalchemy as sa
from flask import Flask, abort
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Participant(db.Model):  # type: ignore[name-defined]  # a few columns of Caseflow's table
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(sa.String(20))
    first_name: Mapped[str | None] = mapped_column(sa.String(100))
    last_name: Mapped[str | None] = mapped_column(sa.String(100))
    nationality: Mapped[str] = mapped_column(sa.String(9))
    entry_date: Mapped[date] = mapped_column()


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ p.case_number }}</title></head>
<body><main><h1>{{ p.first_name }} {{ p.last_name }}</h1>
<dl><dt>Case number</dt><dd>{{ p.case_number }}</dd><dt>Nationality</dt><dd>{{ p.nationality }}</dd>
<dt>Entry</dt><dd>{{ p.entry_date }}</dd></dl></main></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    page = app.jinja_env.from_string(PAGE)  # compiled once, as Flask does for template files

    @app.get("/participants/<int:participant_id>")
    def case_page(participant_id: int):
        participant = db.session.get(Participant, participant_id)
        if participant is None:
            abort(404)
        return page.render(p=participant)

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
