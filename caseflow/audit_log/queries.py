"""The audit and access log of one organisation, filtered and paginated."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.audit.models import AuditEntry
from caseflow.audit.services import ACCESS_ACTIONS
from caseflow.participants.models import Participant
from caseflow.web import rows_and_total


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_log_select(organisation_id: int, *, participant_id: int | None = None, action: str | None = None,
                     date_from: date | None = None, date_to: date | None = None) -> sa.Select:
    """(AuditEntry, actor name, case number) rows of one organisation, newest first."""
    stmt = (sa.select(AuditEntry, User.name, Participant.case_number)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .outerjoin(Participant, Participant.id == AuditEntry.participant_id)
            .where(AuditEntry.organisation_id == organisation_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if participant_id is not None:
        stmt = stmt.where(AuditEntry.participant_id == participant_id)
    if action == "access":
        stmt = stmt.where(AuditEntry.action.in_(ACCESS_ACTIONS))
    elif action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if date_from:
        stmt = stmt.where(AuditEntry.at >= _start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditEntry.at < _start_of(date_to + timedelta(days=1)))
    return stmt


def audit_log_page(organisation_id: int, page: int, per_page: int, **filters):
    """(rows, total) for one page."""
    return rows_and_total(audit_log_select(organisation_id, **filters), page, per_page)
