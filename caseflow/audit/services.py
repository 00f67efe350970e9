"""Writing audit entries. Entries are added to the caller's unit of work, never committed here, so
an entry exists exactly when the change it describes does."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db

# The actions of the access log (GDPR Art. 15: who opened or exported a case file).
ACCESS_ACTIONS = ("case.view", "case.export", "document.view", "document.download")

# Values never written into an audit entry, whatever the caller passes.
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash"})


def client_address() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def diff(obj: Any, data: Mapping[str, Any], fields: Iterable[str] | None = None) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field in `data` whose value differs from `obj`'s."""
    changes = {}
    for name in fields or data.keys():
        if name not in data or name in SECRET_FIELDS:
            continue
        old, new = getattr(obj, name, None), data[name]
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


REDACTED = "…"  # a secret field's old and new value in the changes apply_changes answers


def apply_changes(obj: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Sets on `obj` each of `values` that differs from its current value and answers those
    differences as `diff` does ({field: [old, new]}). Equal values are not set at all, so an update
    that changes nothing leaves `obj` untouched: no UPDATE, and its `version` stays (setting even an
    equal value on a column the object was loaded without, a deferred one, is written and raises it).
    A secret field (SECRET_FIELDS) that changes is answered as [REDACTED, REDACTED]: the update is
    not empty, so it is audited, and the entry leaves the field out (record)."""
    changes = diff(obj, values)
    for name, value in values.items():
        if name in SECRET_FIELDS:
            if getattr(obj, name, None) == value:
                continue
            changes[name] = [REDACTED, REDACTED]
        elif name not in changes:
            continue
        setattr(obj, name, value)
    return changes


def record_changes(action: str, changes: dict[str, Any], *, actor: Any, obj: Any,
                   participant_id: int | None = None, organisation_id: int | None = None) -> AuditEntry | None:
    """The audit entry of an update, written only when `changes` holds anything. The rule of every
    update (a PATCH, an edit form): when nothing actually changes, nothing is written: no audit
    entry, and the object's version stays (see `apply_changes`)."""
    if not changes:
        return None
    return record(action, actor=actor, obj=obj, participant_id=participant_id, organisation_id=organisation_id,
                  changes=changes)


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, list[Any]]:
    """{field: [None, value]}: the audit form of a created object."""
    return {f: [None, _plain(getattr(obj, f))] for f in fields if f not in SECRET_FIELDS
            and getattr(obj, f) not in (None, "", False)}


def _entry_values(action: str, *, actor: Any, object_type: str | None, object_id: int | None,
                  participant_id: int | None, organisation_id: int | None,
                  changes: dict[str, Any] | None) -> dict[str, Any]:
    """The columns of one audit entry: what `record` adds and `record_access` inserts."""
    return {
        "action": action,
        "actor_id": getattr(actor, "id", None),
        "organisation_id": getattr(actor, "organisation_id", None) if organisation_id is None else organisation_id,
        "object_type": object_type,
        "object_id": object_id,
        "participant_id": participant_id,
        "address": client_address(),
        "changes": {k: v for k, v in (changes or {}).items() if k not in SECRET_FIELDS} or None,
    }


def record(action: str, *, actor: Any = None, obj: Any = None, object_type: str | None = None,
           object_id: int | None = None, participant_id: int | None = None,
           organisation_id: int | None = None, changes: dict[str, Any] | None = None) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj.__tablename__
        if object_id is None:
            db.session.flush([obj]) if obj in db.session.new else None
            object_id = obj.id
    entry = AuditEntry(**_entry_values(action, actor=actor, object_type=object_type, object_id=object_id,
                                       participant_id=participant_id, organisation_id=organisation_id,
                                       changes=changes))
    db.session.add(entry)
    return entry


@functools.cache
def _entry_insert() -> sa.Insert:
    return sa.insert(AuditEntry.__table__)


def record_access(action: str, *, actor: Any, obj: Any, participant_id: int | None,
                  organisation_id: int | None) -> None:
    """An access-log entry (ACCESS_ACTIONS) about an object already in the database: the row
    `record` would add, written with one INSERT built once per process, in the caller's unit of
    work. Every case file view writes one; the ORM's flush of one new object (and its RETURNING of
    the id, which no one reads) cost about as much CPU as the rest of the view's commit (issue 19)."""
    db.session.execute(_entry_insert(), _entry_values(
        action, actor=actor, object_type=obj.__tablename__, object_id=obj.id, participant_id=participant_id,
        organisation_id=organisation_id, changes=None))
