"""The case file's "Outcomes" panel: placements, exits and re-entries, certificates, follow-ups and
the ESF+ preview (status upon leaving, qualification gained). Six queries whatever the history, plus
the contract store's (contracts.py: the contracts linked to the placements, or why there are none)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseflow.extensions import db
from caseflow.measures.models import Enrolment
from caseflow.participants.models import StatusChange
from caseflow.placements.indicators import leaving_preview_from
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.placements.vocabulary import EVIDENCE_KINDS, FOLLOW_UP_KINDS, IMPROVEMENT_KINDS
from caseflow.vocabulary import EXIT_REASONS, FOLLOW_UP_STATUSES, LABOUR_STATUSES, PLACEMENT_TYPES


def outcomes(participant) -> dict:
    pid = participant.id
    placements = db.session.scalars(
        sa.select(Placement).where(Placement.participant_id == pid)
        .options(joinedload(Placement.employer), joinedload(Placement.enrolment).joinedload(Enrolment.measure))
        .order_by(Placement.start_date.desc(), Placement.id.desc())).all()
    exits = db.session.scalars(sa.select(Exit).where(Exit.participant_id == pid).order_by(Exit.exit_date, Exit.id)).all()
    re_entries = db.session.scalars(sa.select(ReEntry).where(ReEntry.participant_id == pid)
                                    .order_by(ReEntry.date, ReEntry.id)).all()
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.participant_id == pid)
        .options(joinedload(Certificate.enrolment).joinedload(Enrolment.measure))
        .order_by(Certificate.date.desc(), Certificate.id.desc())).all()
    follow_ups = db.session.scalars(sa.select(FollowUp).where(FollowUp.participant_id == pid)
                                    .order_by(FollowUp.date.desc(), FollowUp.id.desc())).all()
    status_changes = db.session.scalars(sa.select(StatusChange).where(StatusChange.participant_id == pid)).all()
    return {"placements": placements, "exits": exits, "re_entries": re_entries, "certificates": certificates,
            "follow_ups": follow_ups,
            "preview": leaving_preview_from(participant, status_changes, certificates, follow_ups, date.today())}


def outcomes_panel(participant, actor):
    from caseflow.placements import contracts
    history = sorted([("exit", e.exit_date, e) for e in outcomes_cache(participant)["exits"]]
                     + [("re_entry", r.date, r) for r in outcomes_cache(participant)["re_entries"]],
                     key=lambda item: (item[1], 0 if item[0] == "exit" else 1))
    return {**outcomes_cache(participant), "exit_history": history,
            "placement_types": PLACEMENT_TYPES, "labour_statuses": LABOUR_STATUSES,
            "follow_up_statuses": FOLLOW_UP_STATUSES, "exit_reasons": EXIT_REASONS,
            "evidence_labels": EVIDENCE_KINDS, "improvement_labels": IMPROVEMENT_KINDS,
            "follow_up_kinds": FOLLOW_UP_KINDS,
            "contracts": contracts.contracts_of(participant, outcomes_cache(participant)["placements"], actor),
            "with_contracts": contracts.store() is not None,
            "read_only": participant.restricted_at is not None or participant.anonymised_at is not None}


def outcomes_cache(participant) -> dict:
    """The outcomes of `participant`, loaded once per request (the panel and the timeline share them)."""
    from flask import g
    cache = g.setdefault("_placement_outcomes", {})
    if participant.id not in cache:
        cache[participant.id] = outcomes(participant)
    return cache[participant.id]


def register() -> None:
    """What the outcomes domain shows on a lower domain's page: on a measure's page, the placements
    that followed it (the case file's "Outcomes" panel is registered by placements.init_app)."""
    from caseflow.measures.queries import register_placements_after
    from caseflow.placements.queries import placements_after_measure
    register_placements_after(placements_after_measure)
