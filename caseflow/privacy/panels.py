"""The "Data protection" panel of the case file: consent status at a glance, the restriction, and
the links to consents, export, restriction and anonymisation."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.privacy.models import Consent
from caseflow.privacy.services import consent_status


def data_protection_panel(participant, actor):
    consents = list(db.session.scalars(sa.select(Consent).where(Consent.participant_id == participant.id)))
    # The case file passes `participant` to every panel itself.
    return {"consent_status": consent_status(consents), "may_lead": getattr(actor, "role", None) == "team_lead"}
