"""Indexes the reports need on other domains' tables (no tables of their own).

The report queries read a handful of columns of every participant in a period. These covering
indexes hold exactly those columns, so SQLite and PostgreSQL answer from the index alone instead
of visiting every (wide) participant row; the period column comes first so that a period narrows
the range read. Registered on the shared metadata when caseflow.reports is imported (and from
caseflow/models.py for Alembic).
"""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.participants.models import Participant as P

# ESF+ outputs and the placement report's per-participant rows (entered/active in a period).
ix_participants_report_entry = sa.Index(
    "ix_participants_report_entry",
    P.entry_date, P.organisation_id, P.restricted_at, P.status, P.exit_date, P.gender,
    P.labour_status_at_entry, P.unemployed_since, P.age_at_entry, P.education_isced, P.nationality,
    P.disability, P.foreign_background, P.minority, P.homeless, P.counsellor_id, P.residence_status,
    P.german_level, P.anonymised_at)

# ESF+ results and placement exits (final exit in a period).
ix_participants_report_exit = sa.Index(
    "ix_participants_report_exit",
    P.exit_date, P.status, P.organisation_id, P.restricted_at, P.gender, P.labour_status_at_entry,
    P.entry_date)
