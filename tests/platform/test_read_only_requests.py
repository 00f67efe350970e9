"""A request that only read ends its transaction with COMMIT; anything that could have written is
rolled back as before (caseflow/database.py, "a request that only read ends with COMMIT").

Why it matters: psycopg forgets every prepared statement of a connection at a ROLLBACK, so with
the teardown's ROLLBACK PostgreSQL parsed and planned every statement of every read-only page
again (issue 19's load: 3.1 → 1.6 ms of PostgreSQL CPU per request)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Note, Participant
from tests.factories import ParticipantFactory


@pytest.fixture
def transaction_ends():
    """The COMMITs and ROLLBACKs the app's engine sends while the test runs."""
    ends: list[str] = []

    def commit(_conn):
        ends.append("commit")

    def rollback(_conn):
        ends.append("rollback")

    engine = db.engine
    sa.event.listen(engine, "commit", commit)
    sa.event.listen(engine, "rollback", rollback)
    yield ends
    sa.event.remove(engine, "commit", commit)
    sa.event.remove(engine, "rollback", rollback)


@pytest.fixture
def pid(org, transaction_ends) -> int:
    """A saved participant named Amina, by id; the transaction ends seen so far are forgotten."""
    participant = ParticipantFactory(organisation=org, first_name="Amina")
    db.session.commit()
    transaction_ends.clear()
    return participant.id


def _in_request(app, work, *, fail: bool = False):
    """Runs `work()` in a request of its own (own app context, own session) and lets Flask tear it
    down, as after a real request; with `fail`, the request ends with an unhandled error."""
    app_ctx, request_ctx = app.app_context(), app.test_request_context("/")
    app_ctx.push()
    request_ctx.push()
    error = None
    try:
        work()
        if fail:
            raise RuntimeError("the view failed")
    except RuntimeError as exc:
        error = exc
    finally:
        request_ctx.pop(error)
        app_ctx.pop(error)


def _text(participant_id: int) -> str | None:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(Participant.first_name).where(Participant.id == participant_id)).scalar()


def test_a_page_that_only_reads_commits_and_never_rolls_back(client, auth, counsellor, transaction_ends):
    ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    db.session.commit()
    auth.login(counsellor)
    transaction_ends.clear()
    assert client.get("/caseload").status_code == 200
    assert "commit" in transaction_ends
    assert "rollback" not in transaction_ends


def test_a_read_in_a_request_ends_with_commit(app, pid, transaction_ends):
    _in_request(app, lambda: db.session.get(Participant, pid))
    assert transaction_ends == ["commit"]


@pytest.mark.parametrize("how", ["unflushed", "orm_flush", "core_update", "text_update", "text_cte", "savepoint"])
def test_a_request_that_wrote_without_committing_is_rolled_back(app, pid, transaction_ends, how, dialect):
    """Whatever wrote (a flush, a Core or textual statement, a savepoint) or changed an object
    without flushing it, and was not committed by a unit of work, is rolled back at the end of the
    request: nothing of it stays (the commit would have flushed the unflushed change)."""
    if dialect == "sqlite" and how in ("text_cte", "savepoint"):
        pytest.skip("Python's sqlite3 runs a statement beginning with WITH, and a SAVEPOINT, outside any "
                    "transaction (its legacy transaction handling), so there is nothing to roll back; "
                    "Caseflow writes neither")

    def work():
        if how == "unflushed":
            with db.session.no_autoflush:
                db.session.get(Participant, pid).first_name = "Changed"
        elif how == "orm_flush":
            db.session.get(Participant, pid).first_name = "Changed"
            db.session.flush()
        elif how == "core_update":
            db.session.execute(sa.update(Participant).where(Participant.id == pid).values(first_name="Changed"))
        elif how == "text_update":
            db.session.execute(sa.text("UPDATE participants SET first_name = 'Changed' WHERE id = :id"), {"id": pid})
        elif how == "text_cte":
            db.session.execute(sa.text("WITH chosen AS (SELECT id FROM participants WHERE id = :id) "
                                       "UPDATE participants SET first_name = 'Changed' "
                                       "WHERE id IN (SELECT id FROM chosen)"), {"id": pid})
        else:
            with db.session.begin_nested():
                db.session.get(Participant, pid).first_name = "Changed"

    _in_request(app, work)
    assert transaction_ends == ["rollback"]
    assert _text(pid) == "Amina"


def test_a_request_that_failed_is_rolled_back(app, pid, transaction_ends):
    _in_request(app, lambda: db.session.get(Participant, pid), fail=True)
    assert transaction_ends == ["rollback"]


def test_a_unit_of_work_commits_and_the_reads_after_it_commit_too(app, counsellor, pid, transaction_ends):
    """A request's own unit of work commits its note; the page's reads after it begin a new
    transaction, which the request's end commits (and nothing is written twice)."""
    from caseflow.database import unit_of_work
    author = counsellor.id

    def work():
        with unit_of_work():
            db.session.add(Note(participant_id=pid, author_id=author, date=sa.func.current_date(), kind="other",
                                text="Telefonat"))
        db.session.get(Participant, pid)

    _in_request(app, work)
    assert transaction_ends == ["commit", "commit"]
    with db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Note).where(Note.participant_id == pid)).scalar() == 1


def test_prepared_statements_outlive_read_only_requests(client, auth, counsellor, dialect):
    """PostgreSQL: psycopg prepares a statement on its fifth run on a connection and forgets them all
    at a ROLLBACK. After a dozen caseload pages the pool's connections hold prepared statements."""
    if dialect != "postgresql":
        pytest.skip("SQLite has no server-side prepared statements")
    ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    db.session.commit()
    auth.login(counsellor)
    used = set()

    def note_connection(conn, *_args):
        used.add(conn.connection.dbapi_connection)

    sa.event.listen(db.engine, "after_cursor_execute", note_connection)
    try:
        for _ in range(12):
            assert client.get("/caseload").status_code == 200
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", note_connection)
    prepared = 0
    for dbapi_connection in used:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            prepared += cursor.fetchone()[0]
        dbapi_connection.commit()
    assert prepared > 0


def test_a_write_after_the_requests_unit_of_work_is_rolled_back(app, pid, transaction_ends):
    """The unit of work commits; a write after it, outside any unit, is not saved by the end."""
    from caseflow.database import unit_of_work

    def work():
        with unit_of_work():
            db.session.get(Participant, pid).last_name = "Saved"
        db.session.execute(sa.update(Participant).where(Participant.id == pid).values(first_name="Changed"))

    _in_request(app, work)
    assert transaction_ends == ["commit", "rollback"]
    assert _text(pid) == "Amina"


def test_a_flush_that_sent_nothing_still_ends_with_rollback(app, pid, transaction_ends):
    """An attribute set to its own value flushes without a statement, but a flush may leave work for
    the commit (the report facts' refresh): the request is rolled back, nothing runs at its end."""

    def work():
        found = db.session.get(Participant, pid)
        found.first_name = "Amina"
        db.session.flush()

    _in_request(app, work)
    assert transaction_ends == ["rollback"]


def test_a_write_before_a_savepoint_still_counts(app, pid, transaction_ends, dialect):
    """A savepoint begins inside the transaction: the write before it is not forgotten, even while
    the savepoint is still open when the request ends."""
    if dialect == "sqlite":
        pytest.skip("Python's sqlite3 runs a SAVEPOINT outside any transaction (its legacy transaction handling)")

    def work():
        db.session.execute(sa.update(Participant).where(Participant.id == pid).values(first_name="Changed"))
        db.session.begin_nested()
        db.session.execute(sa.select(Participant.id).where(Participant.id == pid))

    _in_request(app, work)
    assert _text(pid) == "Amina"


def test_a_lost_connection_at_the_end_is_rolled_back_and_the_session_removed(app, pid):
    """The teardown never raises: with the connection lost (invalidated after an error a page
    handled), Flask-SQLAlchemy's teardown still runs and removes the request's session."""
    app_ctx = app.app_context()
    app_ctx.push()
    try:
        db.session.get(Participant, pid)
        db.session.connection().invalidate()
        registry = db.session.registry
    finally:
        app_ctx.pop(None)  # raised PendingRollbackError before, and left the session registered
    with app.app_context():
        assert not registry.has()
