"""Test set-up: a database of the test run's own, an app, clean tables after every test.

SQLite by default (a file in a temporary folder). With TEST_DATABASE_URL pointing at a PostgreSQL
server, the run creates a fresh database with a random name on that server and drops it at the
end, so it never touches data it did not create.
"""
from __future__ import annotations

import functools
import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from caseflow import create_app
from caseflow.extensions import db, limiter
from config import TestingConfig
from tests.databases import fresh_postgres_database
from tests.mail import smtp_server  # noqa: F401  (a fixture for every test: a real local SMTP server)

PASSWORD = "Quiet-Harbour-Lantern-58"


MIGRATION_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=MIGRATION_BACKENDS)
def empty_database(request, tmp_path):
    """An empty database of the test's own, for the migration tests: a SQLite file, and (with
    TEST_DATABASE_URL) a PostgreSQL database created and dropped around the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    with fresh_postgres_database(os.environ["TEST_DATABASE_URL"], "caseflow_migrations") as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'caseflow-test.sqlite3'}"
        return
    with fresh_postgres_database(base, "caseflow_test") as url:
        yield url


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in production: fresh `g` (so the
    logged-in user is loaded anew) and a fresh database session, even though the test itself
    holds an app context for factories and services."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.RATELIMIT_DEFAULT = "10000 per minute"
    # Logins through the form stay one step for every role; tests/accounts turns the mandatory
    # second factor on where it tests it (the default, team_lead and admin, is in config.py).
    config.REQUIRE_2FA_ROLES = ()
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _clean(app) -> None:
    """Empties every table the test wrote to, children first, and resets the sequences.

    DELETE rather than TRUNCATE: on PostgreSQL a TRUNCATE of every table costs ~0.8 s per test
    (new files for each table). One statement first asks which tables hold rows, and only those
    are emptied, on PostgreSQL in one round trip: a DELETE of each of the 51 tables took 18 ms per
    test there (6.7 on SQLite), about 80 s of the PostgreSQL leg; now about 3 ms. Sequences are
    reset so that ids start at 1 again, as after TRUNCATE … RESTART IDENTITY (and on SQLite)."""
    with app.app_context():
        db.session.remove()
        tables = _tables_children_first()
        with db.engine.begin() as conn:
            holding = {n for (n,) in conn.exec_driver_sql(_tables_with_rows_query())}
            if holding & _summarised_positions():  # their deletion writes the summary: it is emptied after them
                holding.add(len(tables) - 1)
            deletes = [f'DELETE FROM "{t}"' for n, t in enumerate(tables) if n in holding]
            if conn.dialect.name == "postgresql":
                # several statements in one call: psycopg sends them as one simple query (no parameters)
                conn.connection.driver_connection.execute(";".join([
                    *deletes, "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"]))
                return
            for statement in deletes:
                conn.exec_driver_sql(statement)
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
                # a test that ANALYZEd leaves no statistics behind: the next test's plans are its own
                conn.exec_driver_sql("DELETE FROM sqlite_stat1")
                conn.exec_driver_sql("ANALYZE sqlite_schema")  # SQLite reads its statistics again


# report_days is written by triggers on the report tables (caseflow/reports/models.py): it comes last
SUMMARY_TABLE = "report_days"


@functools.cache
def _tables_children_first() -> list[str]:
    names = [t.name for t in reversed(db.metadata.sorted_tables)]  # every table: the app is created
    return [n for n in names if n != SUMMARY_TABLE] + [SUMMARY_TABLE]


@functools.cache
def _summarised_positions() -> set[int]:
    tables = _tables_children_first()
    return {tables.index("report_facts"), tables.index("report_placements")}


@functools.cache
def _tables_with_rows_query() -> str:
    """One statement that yields the position (in _tables_children_first) of each table holding a row."""
    return " UNION ALL ".join(f'SELECT {n} FROM (SELECT 1 FROM "{t}" LIMIT 1) AS t{n}'
                              for n, t in enumerate(_tables_children_first()))


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context and leaves empty tables behind."""
    limiter.reset()
    with app.app_context():
        yield
        db.session.remove()
    _clean(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def dialect(app) -> str:
    return db.engine.dialect.name


# --- people ---------------------------------------------------------------------------------------

@pytest.fixture
def org():
    from tests.factories import OrganisationFactory
    return OrganisationFactory(name="Kiezwerk Neukölln e.V.")


@pytest.fixture
def other_org():
    from tests.factories import OrganisationFactory
    return OrganisationFactory(name="Brückenbau Spandau gGmbH")


@pytest.fixture
def counsellor(org):
    from tests.factories import UserFactory
    return UserFactory(role="counsellor", organisation=org, name="Aylin Demir", email="aylin@kiezwerk.example")


@pytest.fixture
def team_lead(org):
    from tests.factories import UserFactory
    return UserFactory(role="team_lead", organisation=org, name="Jonas Weber", email="jonas@kiezwerk.example")


@pytest.fixture
def analyst():
    from tests.factories import UserFactory
    return UserFactory(role="analyst", organisation=None, name="Mira Analyst", email="mira@eval.example")


@pytest.fixture
def admin():
    from tests.factories import UserFactory
    return UserFactory(role="admin", organisation=None, name="Ada Admin", email="ada@caseflow.example")


@pytest.fixture
def other_counsellor(other_org):
    from tests.factories import UserFactory
    return UserFactory(role="counsellor", organisation=other_org, name="Piotr Nowak", email="piotr@bruecke.example")


# --- acting as someone ----------------------------------------------------------------------------

class Auth:
    """Logs a test client in and out through the real login form (AuthActions of flaskr)."""

    def __init__(self, client):
        self.client = client

    def csrf_token(self, path: str = "/login") -> str:
        import re
        html = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
            re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        token = self.csrf_token("/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = self.csrf_token("/account")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


class Api:
    """Calls the JSON API with a bearer token of one account."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self.headers, **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self.headers, **kw)


@pytest.fixture
def api_as(client):
    from caseflow.accounts.services import create_token

    def make(user) -> Api:
        return Api(client, create_token(user, actor=None))

    return make


# --- query counting -------------------------------------------------------------------------------

class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as q: …; q.count` counts the SQL statements sent meanwhile."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def listener(conn, cursor, statement, *args):
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

    return counting


# --- the rule of every PATCH ----------------------------------------------------------------------

@pytest.fixture
def patch_rule():
    """`patch_rule(api, path, version=…, same={…}, change={…}, actions=(…))` checks the rule of
    every PATCH (docs/architecture.md, section 1): a PATCH that changes nothing (`same`: no field, read-only
    fields, or the current values) answers 200 with the resource, keeps its version and writes no
    audit entry of `actions`; the version sent is then still the current one, so a real `change`
    raises it by one and writes one entry; that version is stale afterwards, also for a PATCH that
    would change nothing (409, nothing written)."""
    from caseflow.audit.models import AuditEntry

    def entries(actions) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action.in_(actions)))

    def check(api, path: str, *, version: int, same: dict, change: dict, actions: tuple[str, ...]) -> dict:
        before = entries(actions)
        unchanged = api.patch(path, json={**same, "version": version})
        assert unchanged.status_code == 200, unchanged.get_json()
        assert unchanged.get_json()["version"] == version
        assert entries(actions) == before
        changed = api.patch(path, json={**change, "version": version})
        assert changed.status_code == 200, changed.get_json()
        assert changed.get_json()["version"] == version + 1
        assert entries(actions) == before + 1
        stale = api.patch(path, json={**same, "version": version})
        assert (stale.status_code, stale.get_json()["error"]["code"]) == (409, "stale_version")
        assert entries(actions) == before + 1
        return unchanged.get_json()

    return check
