"""Timestamps (models_base.TZDateTime): every database answers aware UTC datetimes, SQLite keeps
the text it always stored (so files written before compare and sort as before), and PostgreSQL gets
no processing per row."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.jobs.models import JobRun
from caseflow.models_base import TZDateTime, UTCDateTime

BERLIN = ZoneInfo("Europe/Berlin")
# 02:30 in Berlin on the day summer time starts is 00:30 UTC (the offset is already +02:00).
SUMMER = datetime(2026, 3, 29, 3, 30, 5, 123, tzinfo=BERLIN)


def _run(name: str, started_at: datetime) -> JobRun:
    return JobRun(name=name, started_at=started_at, duration_ms=1, outcome="ok")


def _stored_text() -> dict[str, str]:
    return dict(db.session.execute(sa.text("SELECT name, started_at FROM job_runs")).tuples().all())


def test_a_moment_comes_back_aware_utc_as_the_same_instant():
    with unit_of_work():
        db.session.add_all([_run("berlin", SUMMER), _run("utc", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))])
    db.session.expire_all()
    runs = {r.name: r.started_at for r in db.session.scalars(sa.select(JobRun))}
    assert runs["berlin"] == SUMMER and runs["berlin"].utcoffset() == timedelta(0)
    assert runs["berlin"] == datetime(2026, 3, 29, 1, 30, 5, 123, tzinfo=UTC)
    assert runs["utc"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) and runs["utc"].utcoffset() == timedelta(0)
    # Core selects, and SQL functions over the column, answer through the type as well.
    assert db.session.execute(sa.select(JobRun.started_at).where(JobRun.name == "utc")).scalar_one().tzinfo
    latest, earliest = db.session.execute(sa.select(sa.func.max(JobRun.started_at),
                                                    sa.func.min(JobRun.started_at))).one()
    assert latest.utcoffset() == earliest.utcoffset() == timedelta(0)
    assert (latest, earliest) == (runs["berlin"], runs["utc"])
    assert datetime.now(UTC) - latest > timedelta(0)  # naive would raise TypeError here


def test_sqlite_keeps_the_text_it_always_stored(dialect):
    if dialect != "sqlite":
        return
    with unit_of_work():
        db.session.add_all([_run("berlin", SUMMER), _run("utc", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))])
        # A row written as before the type (SQLAlchemy's DateTime on SQLite: UTC, no zone).
        db.session.execute(sa.text("INSERT INTO job_runs (name, started_at, duration_ms, outcome) "
                                   "VALUES ('old', '2026-02-01 10:00:00.000000', 1, 'ok')"))
    plain = sa.DateTime(timezone=True).dialect_impl(db.engine.dialect).bind_processor(db.engine.dialect)
    assert plain is not None
    assert _stored_text() == {"berlin": "2026-03-29 01:30:05.000123", "utc": plain(datetime(2026, 1, 2, 3, 4, 5)),
                              "old": "2026-02-01 10:00:00.000000"}
    old = db.session.scalars(sa.select(JobRun.started_at).where(JobRun.name == "old")).one()
    assert old == datetime(2026, 2, 1, 10, tzinfo=UTC) and old.tzinfo is not None


def test_sql_compares_and_orders_moments_as_instants(dialect):
    with unit_of_work():
        db.session.add_all([_run("a", datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),
                            _run("b", SUMMER),                                      # 01:30:05 UTC
                            _run("c", datetime(2026, 3, 29, 2, 0, tzinfo=UTC))])
        db.session.execute(sa.text("INSERT INTO job_runs (name, started_at, duration_ms, outcome) "
                                   "VALUES ('old', :at, 1, 'ok')"),
                           {"at": "2026-03-29 01:00:00.000000" if dialect == "sqlite"  # as stored before
                            else datetime(2026, 3, 29, 1, 0, tzinfo=UTC)})

    def names(*where) -> list[str]:
        return list(db.session.scalars(sa.select(JobRun.name).where(*where).order_by(JobRun.started_at)))

    assert names() == ["a", "old", "b", "c"]
    # 03:00 in Berlin is 01:00 UTC: bound values are compared as the instant they name.
    assert names(JobRun.started_at >= datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)) == ["old", "b", "c"]
    assert names(JobRun.started_at > datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)) == ["b", "c"]
    assert names(JobRun.started_at.between(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), SUMMER)) == ["old", "b"]
    assert names(JobRun.started_at == SUMMER) == ["b"]
    assert names(JobRun.started_at < sa.literal(SUMMER, TZDateTime)) == ["a", "old"]
    # Column against column (a self-join), and against the latest run of all.
    later = sa.orm.aliased(JobRun)
    pairs = db.session.execute(sa.select(JobRun.name, sa.func.count(later.id))
                               .join(later, later.started_at > JobRun.started_at)
                               .group_by(JobRun.name).order_by(JobRun.name)).all()
    assert [tuple(p) for p in pairs] == [("a", 3), ("b", 1), ("old", 2)]
    latest = sa.select(sa.func.max(JobRun.started_at)).scalar_subquery()
    assert names(JobRun.started_at == latest) == ["c"]


def test_postgresql_gets_no_processing_per_row():
    """psycopg answers aware datetimes itself: the type adds no bind or result function there, and
    the SQL is that of the plain DateTime (with its bind cast)."""
    from sqlalchemy.dialects.postgresql import psycopg
    pg = psycopg.dialect()
    impl = TZDateTime.dialect_impl(pg)
    assert isinstance(impl, UTCDateTime)
    assert impl.bind_processor(pg) is None and impl.result_processor(pg, None) is None
    table = sa.Table("t", sa.MetaData(), sa.Column("new", TZDateTime), sa.Column("old", sa.DateTime(timezone=True)))
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert (str((table.c.new > moment).compile(dialect=pg)).replace("new", "x")
            == str((table.c.old > moment).compile(dialect=pg)).replace("old", "x"))
    assert str(sa.schema.CreateTable(table).compile(dialect=postgresql.dialect())).count(
        "TIMESTAMP WITH TIME ZONE") == 2


def test_every_timestamp_column_is_a_tz_datetime(app):
    """A plain DateTime column would answer naive datetimes on SQLite again."""
    plain = sorted(f"{table.name}.{column.name}" for table in db.metadata.tables.values()
                   for column in table.columns
                   if isinstance(column.type, sa.DateTime) and not isinstance(column.type, UTCDateTime))
    assert plain == []
    assert any(isinstance(c.type, UTCDateTime) for t in db.metadata.tables.values() for c in t.columns)
