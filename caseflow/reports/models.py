"""Indexes the reports need on other domains' tables (no tables of their own).

The report queries read a handful of columns of every participant in a period. These covering
indexes hold exactly those columns, so SQLite and PostgreSQL answer from the index alone instead
of visiting every (wide) participant row; the period column comes first so that a period narrows
the range read. Registered on the shared metadata when caseflow.reports is imported (and from
caseflow/models.py for Alembic).
"""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.measures.models import Enrolment
from caseflow.participants.models import Participant as P
from caseflow.placements.models import FollowUp, Placement

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

# The placement report's joins from placements/follow-ups/enrolments to the participant: the
# participant's columns the filters read, by id (a seek into this narrow index instead of the
# wide table row).
ix_participants_report_scope = sa.Index(
    "ix_participants_report_scope",
    P.id, P.organisation_id, P.restricted_at, P.counsellor_id, P.entry_date)

# "Placed exit": a job placement of the participant between entry and exit + 28 days (type covered).
ix_placements_report = sa.Index(
    "ix_placements_report", Placement.participant_id, Placement.start_date, Placement.type)

# Placements by type / by month / first placement: placements starting in the period.
ix_placements_report_period = sa.Index(
    "ix_placements_report_period", Placement.start_date, Placement.type, Placement.participant_id)

# The latest six-month follow-up on or after the exit, with its status, from the index alone.
ix_follow_ups_report = sa.Index(
    "ix_follow_ups_report", FollowUp.participant_id, FollowUp.kind, FollowUp.date, FollowUp.id, FollowUp.status)

# The measure types a participant was enrolled in (non-cancelled enrolments), from the index alone.
ix_enrolments_report = sa.Index(
    "ix_enrolments_report", Enrolment.participant_id, Enrolment.measure_id, Enrolment.status)
