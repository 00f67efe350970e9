"""Imports from spreadsheets (issue 16): a programme's workbook (XLSX or CSV) becomes Caseflow cases.

- `spec.py`: the record kinds (one sheet each), their columns and headers in German and English;
- `reader.py`: XLSX (values only, formulas never evaluated) and CSV (comma or semicolon, UTF-8 with
  or without BOM, Windows-1252) read row by row;
- `convert.py`: cell values to typed values (dates, numbers, yes/no, codes or labels);
- `engine.py`: one pass over the workbook that checks every row with the domains' own rules and, on
  an import, writes them in bulk with their audit entries;
- `services.py`: the verbs (create a batch, check, import, undo) and the background runner;
- `template.py`: the downloadable XLSX template per language;
- `views.py`, `api.py`, `cli.py`: the page, `POST /api/v1/imports`, `participants import FILE`.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The import pages, `POST /api/v1/imports` and `participants import` (into the group the privacy
    commands create: caseflow/cli.py registers the privacy commands before the domains' own)."""
    from caseflow import api as api_v1
    from caseflow.imports import api, cli, views
    from caseflow.privacy import anonymisation

    app.register_blueprint(views.bp)
    api_v1.include(app, api)
    cli.register(app)
    if _forget_external_id not in anonymisation.ERASERS:
        anonymisation.ERASERS.append(_forget_external_id)


def _forget_external_id(participant) -> None:
    """Anonymisation: the programme's own number of the case goes with its link. It points into the
    programme's spreadsheets, i.e. back to the person; and scrubbed to "[removed]" like other text,
    a second anonymised case of the organisation collided with the first on the unique
    (organisation, external id). A later import of the same row finds no case and makes a new one,
    as it did for an anonymised case before."""
    import sqlalchemy as sa

    from caseflow.extensions import db
    from caseflow.imports.models import ImportedParticipant
    db.session.execute(sa.delete(ImportedParticipant).where(ImportedParticipant.participant_id == participant.id))
