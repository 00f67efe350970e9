"""Saved caseload filters: an account names a set of the caseload's filters, lists them, applies one
(a link with its query string) and deletes it. Each account sees only its own.

Only the non-personal filters are kept (status, counsellor, measure, nationality, sort and order),
as the caseload's address carries them; a search term is personal data and is never saved.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.audit.services import record
from caseflow.database import plain_rows, transactional
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.participants.access import require_casework
from caseflow.participants.models import SavedFilter
from caseflow.translation import gettext as _
from caseflow.validation import Checker

MAX_PER_ACCOUNT = 30
NAME_LENGTH = 80
# The query-string filters of the caseload that a saved filter may hold (participants/views.py).
FILTER_NAMES = ("status", "counsellor", "measure", "nationality", "sort", "dir")
_VALUE = 20  # longest value: an id or "case_number"


@functools.cache
def _saved_filters_statement() -> sa.Select:
    """Built once per process (bound parameter `user_id`): every caseload page lists them (issue 19)."""
    return (sa.select(SavedFilter).where(SavedFilter.user_id == sa.bindparam("user_id"))
            .order_by(SavedFilter.name, SavedFilter.id))


def saved_filters_of(actor: User) -> Sequence[Any]:
    """The account's saved filters by name: plain rows (the caseload only lists them), with the
    columns of SavedFilter."""
    return plain_rows(_saved_filters_statement(), {"user_id": actor.id}).all()


def get_saved_filter_for(actor: User, filter_id: int) -> SavedFilter:
    """The actor's own saved filter, or NotFound (another account's is not there for them)."""
    saved = db.session.scalar(sa.select(SavedFilter).where(SavedFilter.id == filter_id,
                                                          SavedFilter.user_id == actor.id))
    if saved is None:
        raise NotFound()
    return saved


def _kept(filters: Mapping[str, Any]) -> dict[str, str]:
    """Only the known filters, as short strings (the caseload parses them again when applied)."""
    return {name: str(filters[name])[:_VALUE] for name in FILTER_NAMES
            if name in filters and filters[name] not in (None, "")}


@transactional
def save_filter(name: Any, filters: Mapping[str, Any], *, actor: User) -> SavedFilter:
    """Saves the caseload filters under `name`; a filter of the same name is replaced.

    Raises DomainError (422) for a missing or too long name, or when the account has
    MAX_PER_ACCOUNT filters already; Forbidden for roles without a caseload."""
    require_casework(actor)
    check = Checker({"name": name}, summary=_("Please correct the marked fields."))
    clean_name = check.text("name", required=True, max_length=NAME_LENGTH)
    existing = None
    if clean_name:
        existing = db.session.scalar(sa.select(SavedFilter).where(SavedFilter.user_id == actor.id,
                                                                  SavedFilter.name == clean_name))
        count = db.session.scalar(sa.select(sa.func.count()).where(SavedFilter.user_id == actor.id)) or 0
        check.require(existing is not None or count < MAX_PER_ACCOUNT, "name",
                      _("You can keep at most %(num)s saved filters; delete one first.", num=MAX_PER_ACCOUNT))
    check.done()
    kept = _kept(filters)
    if existing is not None:
        before = existing.filters
        existing.filters = kept
        record("saved_filter.update", actor=actor, obj=existing, changes={"filters": [before, kept]})
        return existing
    saved = SavedFilter(user_id=actor.id, name=clean_name, filters=kept)
    db.session.add(saved)
    record("saved_filter.create", actor=actor, obj=saved,
           changes={"name": [None, clean_name], "filters": [None, kept]})
    return saved


@transactional
def delete_saved_filter(saved: SavedFilter, *, actor: User) -> None:
    require_casework(actor)
    record("saved_filter.delete", actor=actor, obj=saved, changes={"name": [saved.name, None]})
    db.session.delete(saved)
