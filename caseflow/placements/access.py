"""Loading outcome records for an account: always through the participant they belong to, so that
`caseflow.participants.access` stays the one place that decides visibility."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.participants.access import get_participant_with, require_casework
from caseflow.participants.models import Participant
from caseflow.placements.models import Placement
from caseflow.translation import gettext as _


def get_placement_for(actor, placement_id: int, *, writing: bool = False) -> tuple[Placement, Participant]:
    """(placement, its participant) if `actor` may see the participant; NotFound otherwise, and when
    `writing` also for an anonymised case. Takes no lock: the services lock what they change."""
    placement, participant, _row = get_placement_with(actor, placement_id, (), writing=writing)
    return placement, participant


def get_placement_with(actor, placement_id: int, columns: tuple[sa.ColumnElement[Any], ...], *,
                       writing: bool = False) -> tuple[Placement, Participant, sa.Row[Any]]:
    """get_placement_for, and the values of `columns` selected with the participant's row
    (participants.access.get_participant_with): the placement's pages show the case's summary
    header without a statement of their own for it."""
    require_casework(actor)
    participant_id = db.session.scalar(sa.select(Placement.participant_id).where(Placement.id == placement_id))
    if participant_id is None:
        raise NotFound(_("No such placement."))
    # changes to an anonymised case's outcomes are refused like a missing case
    participant, row = get_participant_with(actor, participant_id, columns, allow_anonymised=not writing)
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        raise NotFound(_("No such placement."))
    return placement, participant, row
