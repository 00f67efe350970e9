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


def _plan(stmt) -> str:
    conn = db.session.connection()
    compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
    if conn.dialect.name == "postgresql":
        # With a handful of rows a scan is cheaper, so the planner is told not to scan: what is
        # shown is whether the index can answer this shape of query at all.
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        return "\n".join(conn.execute(sa.text(f"EXPLAIN {compiled}")).scalars())
    return "\n".join(str(r[-1]) for r in conn.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))


@pytest.mark.parametrize("query", ["kovalenko", "ova", "jana m", "0151 234"])
def test_long_words_are_looked_up_in_the_index(dialect, query):
    plan = _plan(search(sa.select(Participant.id), query))
    if dialect == "postgresql":
        assert "ix_participants_search_trgm" in plan and "Seq Scan" not in plan, plan
    else:
        assert "participants_search VIRTUAL TABLE INDEX" in plan, plan
        assert "SCAN participants\n" not in plan + "\n", plan


@pytest.mark.parametrize("query", ["al", "a", "li w"])
def test_short_words_are_looked_up_as_word_starts(dialect, query):
    plan = _plan(search(sa.select(Participant.id), query))
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
