"""`demo-data`: the README's first command always ends by printing demo logins that work."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.accounts.models import Organisation, User
from caseflow.demo import DEMO_PASSWORD
from caseflow.extensions import db
from tests.accounts.conftest import post_login


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["demo-data", *args])


def _printed_logins(output: str) -> list[str]:
    return [line.split()[1] for line in output.splitlines() if line.startswith("  ") and "@" in line]


def test_demo_data_on_an_empty_database_prints_working_logins(app, client):
    result = _run(app, "--if-empty", "--participants", "5", "--seed", "1")
    assert result.exit_code == 0, result.output + result.stderr
    assert DEMO_PASSWORD in result.output
    emails = _printed_logins(result.output)
    assert "admin@caseflow.example" in emails and "analyst@caseflow.example" in emails
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) >= 3
    counsellor = next(e for e in emails if e.endswith("kiezwerk.example"))
    assert post_login(client, counsellor, DEMO_PASSWORD).status_code == 302


def test_if_empty_on_existing_data_loads_nothing_but_still_prints_the_logins(app):
    first = _run(app, "--if-empty", "--participants", "3", "--seed", "1")
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    second = _run(app, "--if-empty", "--participants", "3", "--seed", "1")
    assert second.exit_code == 0, second.output + second.stderr
    assert "no demo data loaded" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
    assert DEMO_PASSWORD in second.output
    assert _printed_logins(second.output) == _printed_logins(first.output)


def test_if_empty_leaves_out_demo_accounts_that_no_longer_work(app):
    _run(app, "--if-empty", "--participants", "0", "--seed", "1")
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@caseflow.example"))
    admin.active = False
    db.session.commit()
    output = _run(app, "--if-empty").output
    assert "admin@caseflow.example" not in _printed_logins(output)
    assert "analyst@caseflow.example" in _printed_logins(output)


def test_if_empty_on_a_database_without_demo_accounts_says_how_to_make_one(app, org):
    result = _run(app, "--if-empty")
    assert result.exit_code == 0
    assert "users create" in result.output


def _schema(connection) -> set[tuple]:
    """Every index, trigger and foreign key as the database itself describes it."""
    if connection.dialect.name == "sqlite":
        return set(connection.execute(sa.text(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger', 'table')")).all())
    indexes = connection.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")).all()
    keys = connection.execute(sa.text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace")).all()
    return set(indexes) | set(keys)


def test_the_bulk_load_leaves_indexes_triggers_and_foreign_keys_as_they_were(app):
    # The load drops search indexes (and on PostgreSQL the foreign keys) and makes them again
    # from their own definitions afterwards: nothing may go missing or come back different.
    with app.app_context():
        before = _schema(db.session.connection())
        db.session.remove()
    assert _run(app, "--participants", "40", "--seed", "5").exit_code == 0
    with app.app_context():
        after = _schema(db.session.connection())
        if db.engine.dialect.name == "postgresql":
            assert any("FOREIGN KEY" in str(row) for row in after)
            assert any("USING gin" in str(row) for row in after)
    assert after == before


def test_rows_added_after_the_load_get_ids_of_their_own(app):
    # Some steps give their rows explicit ids (to refer to them before they are inserted); what is
    # registered afterwards must not reuse one (PostgreSQL: the id sequences moved past them).
    from tests.factories import EmployerFactory, EnrolmentFactory, MeasureFactory, ParticipantFactory

    assert _run(app, "--participants", "40", "--seed", "5").exit_code == 0
    with app.app_context():
        org = db.session.scalars(sa.select(Organisation).order_by(Organisation.id)).first()
        participant = ParticipantFactory(organisation=org, case_number="CF-1999-000001")
        measure = MeasureFactory(organisation=org)
        employer = EmployerFactory(organisation=org)
        enrolment = EnrolmentFactory(participant=participant, measure=measure)
        db.session.commit()
        for row in (participant, measure, employer, enrolment):
            table = type(row).__table__
            assert row.id == db.session.scalar(sa.select(sa.func.max(table.c.id))), table.name
