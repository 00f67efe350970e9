"""The per-connection database settings of caseflow/database.py are in force on the app's engine."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Note
from tests.factories import ParticipantFactory


def test_sqlite_enforces_foreign_keys_and_cascades(dialect, org):
    """Without PRAGMA foreign_keys SQLite would store a note of a participant that does not exist
    and keep a deleted participant's notes; PostgreSQL refuses and cascades. Both must behave alike."""
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.insert(Note.__table__).values(
            participant_id=987654, author_id=None, date=sa.func.current_date(), kind="other",
            text="orphan", created_at=sa.func.current_timestamp()))
    participant = ParticipantFactory(organisation=org)
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Note.__table__).values(
            participant_id=participant.id, author_id=None, date=sa.func.current_date(), kind="other",
            text="kept with its participant", created_at=sa.func.current_timestamp()))
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM participants WHERE id = :id"), {"id": participant.id})
        left = conn.execute(sa.select(sa.func.count()).select_from(Note.__table__)
                            .where(Note.participant_id == participant.id)).scalar()
    assert left == 0  # ON DELETE CASCADE ran


def test_connection_settings(dialect):
    with db.engine.connect() as conn:
        if dialect == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        else:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"


def test_settings_survive_a_new_pool(app, dialect):
    """Every new connection gets them, not only the first one (several workers, recycled pools)."""
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as conn:
        setting = "PRAGMA foreign_keys" if dialect == "sqlite" else "SHOW jit"
        assert str(conn.exec_driver_sql(setting).scalar()) in ("1", "off")
