"""Platform test helpers: a second app instance with other settings, compiled catalogues."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from caseflow.extensions import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """`python3 dev.py test` compiles the catalogues; this keeps a bare `pytest` run honest too."""
    for po_path in ROOT.glob("caseflow/**/translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as f:
                catalog = read_po(f)
            with mo_path.open("wb") as f:
                write_mo(f, catalog, use_fuzzy=True)


@pytest.fixture
def make_app(database_url, monkeypatch):
    """Builds another Caseflow app (e.g. with the production settings) on the test database."""
    from caseflow import create_app

    made = []

    def build(config):
        config.SQLALCHEMY_DATABASE_URI = database_url
        application = create_app(config)
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
