"""Loading documents for an account: always through the participant they belong to, so that
`caseflow.participants.access.get_participant_for` stays the one place that decides visibility
(another organisation's document does not exist: 404; analysts and admins: 403).

Restricted cases (GDPR Art. 18) refuse uploads and downloads to everyone but the team lead, who
may need them to answer the person or a court; looking at the list stays possible (read-only).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from caseflow.documents.models import Document
from caseflow.errors import Conflict, NotFound
from caseflow.extensions import db
from caseflow.participants.access import get_participant_for, get_participant_with, require_casework
from caseflow.participants.models import Participant
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID


def participant_for(actor, participant_id: int, *, allow_anonymised: bool = True) -> Participant:
    """get_participant_for, with ids beyond what the databases store answering 404 (not a 500 from
    PostgreSQL's integer range)."""
    if participant_id > MAX_ID:
        require_casework(actor)
        raise NotFound(_("No such participant."))
    return get_participant_for(actor, participant_id, allow_anonymised=allow_anonymised)


def require_unrestricted_or_lead(actor, participant: Participant) -> None:
    """409 `restricted` for a restricted case unless `actor` is a team lead; 404 for an anonymised one."""
    if participant.anonymised_at is not None:
        raise NotFound(_("No such participant."))
    if participant.restricted_at is not None and actor.role != "team_lead":
        raise Conflict(_("Processing of this case is restricted; only the team lead may upload or download "
                         "its documents."), code="restricted")


def get_document_for(actor, document_id: int) -> tuple[Document, Participant]:
    """(document, its participant) if `actor` may see the participant; NotFound otherwise."""
    document, participant, _row = get_document_with(actor, document_id, ())
    return document, participant


def get_document_with(actor, document_id: int, columns: tuple[sa.ColumnElement[Any], ...]
                      ) -> tuple[Document, Participant, sa.Row[Any]]:
    """get_document_for, and the values of `columns` selected with the participant's row
    (participants.access.get_participant_with): the document's page shows the case's summary header
    without a statement of its own for it."""
    require_casework(actor)
    if document_id > MAX_ID:
        raise NotFound(_("No such document."))
    participant_id = db.session.scalar(sa.select(Document.participant_id).where(Document.id == document_id))
    if participant_id is None:
        raise NotFound(_("No such document."))
    participant, row = get_participant_with(actor, participant_id, columns)
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound(_("No such document."))
    return document, participant, row
