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


def consent_summary(participant):
    """The case file's summary header: is there consent to case management (the consent every
    record of the case needs)? Without it the header says so at the top."""
    from flask import url_for
    from flask_babel import gettext as _

    from caseflow.participants.panels import SummaryFact

    if participant.anonymised_at is not None:
        return []
    consents = list(db.session.scalars(sa.select(Consent).where(Consent.participant_id == participant.id)))
    status = consent_status(consents)
    given = status.get("case_management")
    special = status.get("special_categories")
    url = url_for("participants.case_file_section", participant_id=participant.id, section="data-protection")
    if given is None:
        return [SummaryFact("consent", _("Consent"), _("missing"), warn=True, url=url,
                            alert=_("No consent to case management is recorded. Record it before adding "
                                    "further data."))]
    value = _("given") if special is None else _("given, including special categories")
    return [SummaryFact("consent", _("Consent"), value, url=url)]
