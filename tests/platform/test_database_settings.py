"""The per-connection database settings of caseflow/database.py are in force on the app's engine."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Note, Participant
from caseflow.participants.search import search
from caseflow.reports.models import ReportFacts
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
            assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
            assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"


def test_moments_come_back_in_utc_whatever_the_servers_time_zone(dialect, app):
    """A PostgreSQL server (or database, or role) set to Europe/Berlin would hand timestamptz values
    back at +01:00/+02:00; the app's connections answer UTC, as SQLite does."""
    if dialect != "postgresql":
        pytest.skip("SQLite keeps no time zone; TZDateTime reads its text as UTC")
    from caseflow.database import _listen_settings
    berlin = sa.create_engine(db.engine.url, connect_args={"options": "-c timezone=Europe/Berlin"},
                              poolclass=sa.pool.NullPool)
    try:
        with berlin.connect() as conn:
            assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "Europe/Berlin"  # the stand-in works
        _listen_settings(berlin)
        with berlin.connect() as conn:
            moment = conn.execute(sa.select(sa.literal_column("TIMESTAMPTZ '2026-07-01 12:00:00+02'"))).scalar()
        assert moment.utcoffset().total_seconds() == 0 and moment.hour == 10
    finally:
        berlin.dispose()


def test_searches_and_reports_are_planned_for_their_values_and_everything_else_keeps_its_plan(dialect, org):
    """psycopg prepares a statement after its fifth run; PostgreSQL may then plan every search with
    one word's generic plan, every report with one period's. A statement that reads the search key,
    or a select over the report tables, is never prepared (planned for its own values); any other
    is (PostgreSQL's plan cache saves planning it on every request)."""
    if dialect != "postgresql":
        pytest.skip("prepared statements and plan caching are PostgreSQL's")
    ParticipantFactory(organisation=org, last_name="Petrova")
    db.session.commit()
    with db.engine.connect() as conn:
        for term in ("ova", "pet", "4567", "ova", "rov", "ova", "pet", "ova"):
            found = conn.execute(search(sa.select(Participant.id).where(Participant.organisation_id == org.id),
                                        term)).scalars().all()
            assert len(found) == (0 if term == "4567" else 1)
            assert len(conn.execute(sa.select(ReportFacts.participant_id)
                                    .where(ReportFacts.organisation_id == org.id)).all()) == 1
            conn.execute(sa.select(Participant.id).where(Participant.organisation_id == org.id)).all()
        prepared = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
    # reads only: the pooled connection may hold the test fixture's own "DELETE FROM report_facts"
    reads = [s for s in prepared if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert not [s for s in reads if "search_key" in s or "report_facts" in s]
    assert [s for s in prepared if "FROM participants" in s and "search_key" not in s]


def test_settings_survive_a_new_pool(app, dialect):
    """Every new connection gets them, not only the first one (several workers, recycled pools)."""
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as conn:
        setting = "PRAGMA foreign_keys" if dialect == "sqlite" else "SHOW jit"
        assert str(conn.exec_driver_sql(setting).scalar()) in ("1", "off")
