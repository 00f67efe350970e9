"""Per-connection settings of the two databases Caseflow runs on, applied to every new pooled
connection of the app's engine (every worker, every host).

SQLite (the embedded default):
- `foreign_keys = ON`: SQLite ignores FOREIGN KEY clauses (and ON DELETE CASCADE) unless asked, so
  without it the embedded database would accept what PostgreSQL rejects;
- `journal_mode = WAL` for a database file: readers do not block the writer nor the writer the
  readers, which the threaded development server and several workers need. `synchronous` stays at
  its default FULL: every commit (audit entries included) survives a power cut;
- `busy_timeout`: a writer waits up to 5 s for another writer's lock (Python's sqlite3 waits 5 s
  by default too; set here so that it does not depend on the driver's default).

PostgreSQL (production):
- `jit = off`: the report queries are estimated as expensive (correlated look-ups over every
  participant), which makes PostgreSQL compile them with LLVM first; measured on 100,000
  participants that compilation took 0.7 s of a 1.1 s placement report, every time, while the
  query itself runs in 0.4 s. Caseflow's queries are short; they never gain from JIT.
- `TimeZone = UTC`: PostgreSQL writes timestamptz values in the session's time zone, which is the
  server's unless set. A server configured for Europe/Berlin would hand back `+01:00` moments and
  the API would pass them on; SQLite answers UTC (models_base.TZDateTime). Caseflow stores and
  answers moments in UTC and turns them into the reader's local time only when it writes them for
  a person (i18n); no statement depends on the session's zone (every "today" is passed in).
- searches and reports are planned for their own values: psycopg prepares a statement after its
  fifth run on a connection, and PostgreSQL may then keep one generic plan for every value of its
  parameters. The folded search key is skewed (a surname shared by thousands, a phone number's
  end by a handful), so a generic plan is wrong for some words: after "ova" a search for a phone
  number's end walked a whole organisation (1 → 10 ms at 100,000 participants, issue 19). A
  report's period may be a week or twenty years, and one plan does not suit both. So every
  statement that reads `search_key`, and every read of the report tables, is sent unprepared
  (`_planned_for_its_values`), which PostgreSQL plans for the values it comes with; planning is
  a small part of either. Every other statement keeps the plan cache: a custom plan for every run
  cost more than running the statements (measured on the caseload page: 9.7 ms of PostgreSQL
  time against 3.1 ms with cached plans; the case file 5.2 against 2.4 ms). The cache lives as
  long as the connection's prepared statements, which psycopg drops at every ROLLBACK: so a
  request that only read ends with COMMIT (below).

Alembic's migrations use an engine of their own (migrations/env.py) without these settings:
SQLite's batch migrations copy and drop tables, which must run with foreign keys off.

Reports on a read replica: with `REPORTS_DATABASE_URL` set, a second engine (same settings, plus
read-only transactions) serves the report queries through `reports_session()`, so that an analyst's
report over years of data runs on the replica and does not slow down counsellors on the primary.
Without it `reports_session()` is `db.session` itself (same transaction, same data).
"""
from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from caseflow.errors import Conflict
from caseflow.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000
P = ParamSpec("P")
R = TypeVar("R")


def _sqlite_settings(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA database_list")
        files = [row[2] for row in cursor.fetchall() if row[1] == "main"]
        if files and files[0]:  # a file, not ":memory:"
            cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _postgresql_settings(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET jit = off")
        cursor.execute("SET TIME ZONE 'UTC'")
    finally:
        cursor.close()
    dbapi_connection.commit()  # psycopg opened a transaction for the SET; the setting outlives it


SEARCH_COLUMN = "search_key"
REPORT_TABLES = ("report_facts", "report_placements", "report_days")


def _planned_for_its_values(cursor, statement: str, parameters, context) -> bool:
    """PostgreSQL: a statement that reads the folded search key, or a select over the report
    tables, runs unprepared (see above); True tells SQLAlchemy it has run. Any other statement
    (the report tables' own refresh included) runs as SQLAlchemy would run it."""
    if SEARCH_COLUMN not in statement and not (statement.startswith(("SELECT", "WITH"))
                                               and any(table in statement for table in REPORT_TABLES)):
        return False
    cursor.execute(statement, parameters, prepare=False)
    return True


def _read_only(dbapi_connection, _record) -> None:
    """The replica engine never writes, even when its URL points at a writable server."""
    cursor = dbapi_connection.cursor()
    try:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()
    finally:
        cursor.close()


def sqlite_function(name: str, arity: int, function: Callable[..., Any]) -> None:
    """Registers a deterministic SQL function of the app's on every SQLite connection opened from
    now on (call it at import, before the first connection): what SQLite lacks and PostgreSQL has
    in SQL, e.g. the name sort key (participants/collation.py) and the cube key's parts
    (reports/queries.py)."""
    def register(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.create_function(name, arity, function, deterministic=True)
    sa.event.listen(sa.Engine, "connect", register)


def _listen_once(target: Any, name: str, listener: Callable[..., Any]) -> None:
    """Registers `listener` unless it is registered already (an app built twice, tests' apps)."""
    if not sa.event.contains(target, name, listener):
        sa.event.listen(target, name, listener)


def _listen_settings(engine: sa.Engine) -> None:
    listener = {"sqlite": _sqlite_settings, "postgresql": _postgresql_settings}.get(engine.dialect.name)
    if listener is not None:
        _listen_once(engine, "connect", listener)
    if engine.dialect.name == "postgresql":
        _listen_once(engine, "do_execute", _planned_for_its_values)


# --- a request that only read ends with COMMIT -------------------------------------------------------
#
# A page that only reads leaves its transaction open, and Flask-SQLAlchemy's teardown used to end it
# with ROLLBACK. psycopg forgets every prepared statement of the connection at a ROLLBACK (a
# statement prepared inside a failed transaction may not exist on the server) and sends DEALLOCATE
# ALL: with most requests of a working day being reads, the statements were almost never run as
# prepared ones, and PostgreSQL parsed and planned every one of them again (the plan cache that the
# module's docstring measures was lost; issue 19). For a transaction that wrote nothing COMMIT and
# ROLLBACK end it alike on the server, so a request that ends without an error, with nothing
# pending in the session and no statement that could have written, ends with COMMIT. Anything else
# (an error, an object changed but not saved, a flush, an INSERT/UPDATE/DELETE, DDL, a savepoint,
# any textual statement other than a SELECT or a SET, a connection that was lost) is rolled back as
# before.

_WROTE = "caseflow.wrote"
_CONNECTION = "caseflow.connection"
_READS = ("SELECT", "SET LOCAL", "SET TRANSACTION", "SHOW")


def _note_writes(conn, _cursor, statement: str, _parameters, context, _executemany) -> None:
    if context is not None and not (context.isinsert or context.isupdate or context.isdelete or context.isddl):
        compiled = context.compiled
        if compiled is not None and getattr(compiled.statement, "is_select", False):
            return  # a select built with SQLAlchemy (a WITH … SELECT included)
        if statement.lstrip()[:15].upper().startswith(_READS):
            return
    conn.info[_WROTE] = True


def _note_connection(session: Session, transaction: Any, connection: sa.Connection) -> None:
    """A transaction begins on the connection: nothing written yet. Only for the outermost one: a
    savepoint begins inside a transaction whose earlier writes still count."""
    if transaction.parent is None and not transaction.nested:
        connection.info[_WROTE] = False
        session.info[_CONNECTION] = connection


def _note_flush(session: Session, _context: Any) -> None:
    """A flush, even one that sent nothing (an attribute set to its own value), may have left work
    for the commit (the report facts' refresh, reports/facts.py): such a request is rolled back."""
    connection = session.info.get(_CONNECTION)
    if connection is not None:
        connection.info[_WROTE] = True


def _end_reads_with_commit(exc: BaseException | None = None) -> None:
    """Flask's teardown: COMMIT what the request only read (see above). It never raises: Flask runs
    the other teardowns (Flask-SQLAlchemy's removal of the session) only if this one returns."""
    if exc is not None or not db.session.registry.has():
        return
    try:
        session = db.session()
        connection = session.info.pop(_CONNECTION, None)
        if connection is None or connection.closed or connection.invalidated or not connection.in_transaction() \
                or connection.info.get(_WROTE, True) or session.new or session.dirty or session.deleted:
            return
        session.commit()
    except Exception as error:  # noqa: BLE001 - Flask-SQLAlchemy's teardown rolls back what is left
        # the error's kind only: a driver's message may quote a statement's values
        current_app.logger.warning("a read-only transaction did not commit (%s); it is rolled back",
                                   type(error).__name__)


REPORTS_ENGINE = "caseflow.reports_engine"
_REPORTS_SESSION = "_caseflow_reports_session"


def init_app(app: Flask) -> None:
    """Registers the settings on the app's engine (and creates the reports replica's engine when
    REPORTS_DATABASE_URL is set); call after db.init_app(app)."""
    with app.app_context():
        engine = db.engine
    _listen_settings(engine)
    _listen_once(Session, "after_transaction_end", _forget_locks)
    # the read-only COMMIT at the request's end (above): the primary only, the replica never writes
    _listen_once(engine, "before_cursor_execute", _note_writes)
    _listen_once(Session, "after_begin", _note_connection)
    _listen_once(Session, "after_flush", _note_flush)
    # Registered after db.init_app: Flask runs teardowns in reverse order, so this one runs before
    # Flask-SQLAlchemy's own, which closes the session (and rolls back what is still open).
    app.teardown_appcontext(_end_reads_with_commit)
    url = app.config.get("REPORTS_DATABASE_URL")
    if url and REPORTS_ENGINE not in app.extensions:
        replica = sa.create_engine(url, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        _listen_settings(replica)
        sa.event.listen(replica, "connect", _read_only)
        app.extensions[REPORTS_ENGINE] = replica
        app.teardown_appcontext(_close_reports_session)


def reports_engine() -> sa.Engine | None:
    """The read replica's engine of the current app, or None when reports read the primary."""
    return current_app.extensions.get(REPORTS_ENGINE)


def reports_session() -> Session:
    """The session report queries read through: one read-only session on the replica per app
    context (closed at its teardown) when REPORTS_DATABASE_URL is set, otherwise `db.session`.
    Only reads go through it; a replica lags the primary by a moment, so what a user has just
    changed and must see at once (work lists, access checks) stays on `db.session`."""
    engine = reports_engine()
    if engine is None:
        return db.session  # type: ignore[return-value]  # the scoped session proxies a Session
    session = g.get(_REPORTS_SESSION)
    if session is None:
        session = Session(bind=engine, autoflush=False, expire_on_commit=False)
        setattr(g, _REPORTS_SESSION, session)
    return session


def _close_reports_session(_exc: BaseException | None = None) -> None:
    session = g.pop(_REPORTS_SESSION, None)
    if session is not None:
        session.close()


def plain_rows(statement: sa.Executable, params: dict[str, Any] | None = None) -> sa.Result[Any]:
    """Runs a select on the session's connection, in the session's transaction, and returns plain
    rows (tuples named by column; an ORM entity's columns come one by one): for what a page only
    shows. The SQL is the statement's own; what is skipped is the ORM's work per statement (autoflush,
    objects loaded into the identity map, expired again at the commit), which cost about as much CPU
    as the statement itself (issue 19: 0.46 → 0.26 ms for the case file's goals, 0.79 → 0.40 ms for
    its summary header). Without the autoflush it does not see changes that are not flushed yet:
    only for reads with nothing pending (a page's reads, before or after its unit of work)."""
    return db.session.connection().execute(statement, params or {})


# --- the unit of work ------------------------------------------------------------------------------
#
# Every service runs inside `unit_of_work()` (or is decorated with `@transactional`): the outermost
# unit commits when its block ends and rolls back on any exception; a unit opened inside another one
# only flushes, so services compose (an exit closes enrolments through the measures service itself).
# An exception that leaves an inner unit poisons the outer one: even if a caller catches it, the
# outer unit rolls back instead of committing half of the work.
#
# Lock order (one order everywhere, so two transactions never wait for each other in a circle):
#     organisation-wide rows (measure, employer)  →  participant  →  the participant's records
# i.e. a service that changes both a measure and a participant locks the measure first. Row locks
# are taken with `lock_rows()` (SELECT … FOR UPDATE on PostgreSQL, ordered by id; SQLite has one
# writer at a time and needs none).

_DEPTH = "caseflow.uow_depth"
_FAILED = "caseflow.uow_failed"


class NestedUnitFailed(RuntimeError):
    """An inner unit of work raised and its caller swallowed the error; nothing was committed."""


@contextmanager
def unit_of_work() -> Iterator[Any]:
    """One transaction: commit at the end of the outermost block, roll back on any exception.

    A stale `version_id_col` (another request saved the row in the meantime) becomes
    `Conflict(code="stale_version")` (409); the database is left as it was.
    """
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    if depth:
        try:
            yield session
            session.flush()
        except BaseException:
            session.info[_FAILED] = True
            raise
        finally:
            session.info[_DEPTH] = depth
        return
    session.info[_FAILED] = False
    try:
        yield session
        if session.info.get(_FAILED):
            raise NestedUnitFailed("an inner unit of work failed; the whole unit was rolled back")
        session.commit()
    except StaleDataError:
        session.rollback()
        raise _stale() from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info[_DEPTH] = 0
        session.info[_FAILED] = False


def transactional(func: Callable[P, R]) -> Callable[P, R]:
    """Runs `func` as one unit of work (see unit_of_work)."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return func(*args, **kwargs)
    return wrapper


def lock_rows(model: Any, ids: Iterable[int]) -> list[Any]:
    """Locks the rows of `model` with these ids for the rest of the transaction, in id order (the
    one order for rows of one table), and returns them. On SQLite this is a plain select: the
    database has one writer at a time."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    session = db.session()
    stmt = sa.select(model).where(model.id.in_(wanted)).order_by(model.id)
    if _locks_rows(session):
        stmt = stmt.with_for_update()
    rows = list(session.scalars(stmt))
    _note_locked(session, model, wanted)
    return rows


LOCK_CHUNK = 5000  # ids per locking statement (an expanding IN of any length is one statement)


@functools.cache
def _lock_statement(model: Any) -> sa.Select:
    return (sa.select(model.id).where(model.id.in_(sa.bindparam("ids", expanding=True))).order_by(model.id)
            .with_for_update())


def lock_ids(model: Any, ids: Iterable[int], *, session: Session | None = None) -> None:
    """`lock_rows` for a caller that does not need the rows: the same locks, in the same order, with
    a statement built once per process that selects only the ids (a note locked its participant by
    loading the whole row again, issue 19). Rows the transaction has locked already are not locked
    again (the facts' refresh after a service that locked its participant: one statement fewer per
    note). On SQLite, which locks the whole database for a writer, there is nothing to lock."""
    session = session if session is not None else db.session()
    if not _locks_rows(session):
        return
    held = _locked_ids(session, model)
    wanted = sorted(set(ids) - held)
    for i in range(0, len(wanted), LOCK_CHUNK):
        session.execute(_lock_statement(model), {"ids": wanted[i:i + LOCK_CHUNK]})
    _note_locked(session, model, wanted)


def _locks_rows(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_LOCKED = "caseflow.locked_rows"


def _note_locked(session: Session, model: Any, ids: Iterable[int]) -> None:
    if _locks_rows(session):
        session.info.setdefault(_LOCKED, {}).setdefault(model, set()).update(ids)


def _locked_ids(session: Session, model: Any) -> frozenset[int]:
    """The ids of `model`'s rows that lock_rows or lock_ids locked in the session's current
    transaction (PostgreSQL; none on SQLite). Forgotten when any transaction or savepoint of the
    session ends: a savepoint's rollback may release its locks."""
    return frozenset(session.info.get(_LOCKED, {}).get(model, ()))


def _forget_locks(session: Session, transaction: Any) -> None:
    # the transaction itself or a savepoint; not the ORM's inner transaction of every flush
    if transaction.parent is None or transaction.nested:
        session.info.pop(_LOCKED, None)


def _stale() -> Exception:
    from caseflow.translation import gettext as _
    return Conflict(_("Someone else saved this record in the meantime. Nothing was changed."),
                    code="stale_version")
