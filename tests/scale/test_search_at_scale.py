"""The search stays on its indexes, and the bulk load (demo-data) leaves them complete.

A million rows cannot be made in a test; what makes search fast at a million can be checked on a
few: the query plans use the trigram index (PostgreSQL) or the FTS5 tables (SQLite), and the demo
data's bulk path (COPY, the GIN index built after the load) leaves the same keys and index entries
as the services would. The timings themselves: bench/run.py and README's Performance section."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.demo import generate
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.participants.names import search_key
from caseflow.participants.search import search
from tests.databases import query_plan


def _search_plan(dialect: str, query: str) -> str:
    """The plan of one organisation's search (every search is one organisation's: visible_participants).

    PostgreSQL: which index the planner takes depends on the sizes. With a test's handful of rows
    the organisation's B-trees always look cheaper than the search index, whose first column is the
    organisation as well; at a million participants it takes the search index (README,
    Performance). What is tested here is that the search index can answer the query at all: the
    plan is made in a transaction of its own in which the other indexes on participants are
    dropped (but those of constraints), and which is rolled back."""
    stmt = search(sa.select(Participant.id).where(Participant.organisation_id == 1), query)
    if dialect != "postgresql":
        return query_plan(stmt)
    db.session.commit()
    with db.engine.connect() as conn, conn.begin() as transaction:
        others = conn.exec_driver_sql(
            "SELECT i.indexrelid::regclass::text FROM pg_index i "
            "WHERE i.indrelid = 'participants'::regclass "
            "AND i.indexrelid <> 'ix_participants_search_trgm'::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)").scalars().all()
        for name in others:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
        transaction.rollback()
    return plan


@pytest.mark.parametrize("query", ["kovalenko", "ova", "jana m", "0151 234"])
def test_long_words_are_looked_up_in_the_index(dialect, query):
    plan = _search_plan(dialect, query)
    if dialect == "postgresql":
        assert "ix_participants_search_trgm" in plan and "Seq Scan" not in plan, plan
    else:
        assert "participants_search VIRTUAL TABLE INDEX" in plan, plan
        assert "SCAN participants\n" not in plan + "\n", plan


@pytest.mark.parametrize("query", ["al", "a", "li w"])
def test_short_words_are_looked_up_as_word_starts(dialect, query):
    plan = _search_plan(dialect, query)
    if dialect == "postgresql":
        assert "ix_participants_search_trgm" in plan and "Seq Scan" not in plan, plan
    else:
        assert "participants_search_words VIRTUAL TABLE INDEX" in plan, plan


def test_demo_data_keys_and_index_entries_are_those_of_the_services(dialect):
    generate(participants=300, seed=3, today=date(2026, 11, 22))
    rows = db.session.execute(sa.select(Participant)).scalars().all()
    assert len(rows) == 300
    for p in rows:
        assert p.search_key == search_key(p.case_number, p.first_name, p.last_name, p.phone, p.email)
    if dialect == "postgresql":
        definition = db.session.scalar(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_participants_search_trgm'"))
        assert definition and "gin_trgm_ops" in definition  # built again after the load
    else:
        assert db.session.scalar(sa.text("SELECT count(*) FROM participants_search")) == 300
        check = "INSERT INTO participants_search(participants_search, rank) VALUES ('integrity-check', 1)"
        db.session.execute(sa.text(check))  # raises when the index differs from the table
        # The triggers, dropped for the load, are back: later writes keep the tables in step.
        assert db.session.scalar(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'participants_search_%'")) == 3
    # Every demo participant is found by its phone number (in either form) and its surname.
    for p in rows[:20]:
        found = set(db.session.scalars(search(sa.select(Participant.id), p.phone)))
        assert p.id in found
        assert p.id in set(db.session.scalars(search(sa.select(Participant.id), p.last_name)))
