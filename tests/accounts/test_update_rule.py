"""The rule of every update (docs/architecture.md, section 1) for fields that are never written
into an audit entry: a change of a secret field alone is still a change."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.audit.services import REDACTED, apply_changes, record_changes
from caseflow.database import unit_of_work
from caseflow.extensions import db


def test_a_secret_field_alone_is_a_change_audited_without_its_values(counsellor):
    with unit_of_work():
        unchanged = apply_changes(counsellor, {"name": counsellor.name, "password_hash": counsellor.password_hash})
        assert unchanged == {}
        changes = apply_changes(counsellor, {"name": counsellor.name, "password_hash": "argon2-new-hash"})
        assert changes == {"password_hash": [REDACTED, REDACTED]}
        assert counsellor.password_hash == "argon2-new-hash"
        record_changes("user.update", changes, actor=counsellor, obj=counsellor)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert entry.object_id == counsellor.id
    assert not entry.changes or "password_hash" not in entry.changes  # the values are never written
    db.session.expire_all()
    assert db.session.get(type(counsellor), counsellor.id).password_hash == "argon2-new-hash"
