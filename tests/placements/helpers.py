"""Small readers shared by the outcome tests."""
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import StatusChange


def history(participant):
    """[(date, status, source)] of the participant's status history, in record order."""
    rows = db.session.execute(sa.select(StatusChange.date, StatusChange.status, StatusChange.source)
                              .where(StatusChange.participant_id == participant.id)
                              .order_by(StatusChange.id)).all()
    return [(r.date, r.status, r.source) for r in rows]
