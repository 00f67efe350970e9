"""The data protection events of the case file's timeline: consents given and withdrawn, and the
restriction of processing. One query per case file."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from caseflow.accounts.models import User
from caseflow.extensions import db
from caseflow.participants.timeline import TimelineEvent
from caseflow.privacy.models import Consent
from caseflow.privacy.vocabulary import CONSENT_PURPOSE_LABELS
from caseflow.translation import gettext as _


def consent_events(participant):
    rows = db.session.execute(
        sa.select(Consent, User.name).outerjoin(User, User.id == Consent.recorded_by_id)
        .where(Consent.participant_id == participant.id).order_by(Consent.id)).all()
    url = url_for("privacy.consents", participant_id=participant.id)
    events = []
    for consent, author in rows:
        purpose = str(CONSENT_PURPOSE_LABELS.get(consent.purpose, consent.purpose))
        events.append(TimelineEvent(date=consent.given_on, kind="consent", author=author, url=url,
                                    title=_("Consent given: %(purpose)s", purpose=purpose),
                                    recorded_at=consent.created_at, order=1))
        if consent.withdrawn_on:
            events.append(TimelineEvent(date=consent.withdrawn_on, kind="consent",
                                        title=_("Consent withdrawn: %(purpose)s", purpose=purpose),
                                        url=url, order=1))
    if participant.restricted_at is not None:
        events.append(TimelineEvent(date=participant.restricted_at.date(), kind="restriction",
                                    title=_("Processing restricted (GDPR Art. 18)"),
                                    detail=participant.restriction_reason or "", order=99))
    return events
