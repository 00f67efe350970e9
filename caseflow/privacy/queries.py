"""Read-only selects of the data protection pages."""
from __future__ import annotations

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.services import retention_due


def retention_page(page: int, per_page: int):
    """Case numbers and exit dates of the cases due for anonymisation, oldest exit first."""
    stmt = retention_due().order_by(Participant.exit_date, Participant.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
