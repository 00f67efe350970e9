"""REPORTS_DATABASE_URL: the report queries run on the read replica (issue 19, item 6).

The "replica" here is a second database holding a copy of the primary taken a moment ago (as a
lagging streaming replica would); the primary then gets more participants. The reports show the
copy's figures, so they read there; the case pages show the primary's."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.database import reports_session
from caseflow.extensions import db
from tests.ops.conftest import copy_rows

ESF = "/reports/esf?from=2024-01-01&to=2024-12-31"


def _replica_of_now(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    db.metadata.create_all(engine)
    copy_rows(db.engine, engine)
    return engine


def test_reports_read_the_replica_when_it_is_set(make_app, second_database, analyst, team_lead, org, api_as):
    from tests.conftest import Api
    from tests.factories import ParticipantFactory
    ParticipantFactory.create_batch(2, organisation=org, gender="female")
    replica = _replica_of_now(second_database)
    ParticipantFactory.create_batch(3, organisation=org, gender="male")  # only on the primary

    app = make_app(REPORTS_DATABASE_URL=second_database)
    client = app.test_client()
    from caseflow.accounts.services import create_token
    api = Api(client, create_token(analyst, actor=None))  # the token lives on the primary
    esf = api.get(ESF)
    assert esf.status_code == 200, esf.json
    assert esf.json["outputs"]["total"] == {"female": 2, "male": 0, "non_binary": 0, "total": 2}
    placements = api.get("/reports/placements?from=2024-01-01&to=2024-12-31")
    assert placements.status_code == 200
    assert placements.json["summary"]["entered"] == 2
    # the same app reads everything else on the primary: the participants list shows all five
    lead = Api(client, create_token(team_lead, actor=None))
    assert lead.get("/participants").json["total"] == 5

    # without the setting the same report reads the primary
    plain = Api(make_app().test_client(), create_token(analyst, actor=None))
    assert plain.get(ESF).json["outputs"]["total"]["total"] == 5
    replica.dispose()


def test_the_replica_session_never_writes(make_app, second_database):
    replica = _replica_of_now(second_database)
    app = make_app(REPORTS_DATABASE_URL=second_database)
    with app.app_context():
        session = reports_session()
        assert session is not db.session
        try:
            session.execute(sa.text("CREATE TABLE should_not_exist (id INTEGER)"))
            session.flush()
            raised = False
        except sa.exc.DBAPIError:
            raised = True
        assert raised, "the replica's connections must be read-only"
    assert "should_not_exist" not in sa.inspect(replica).get_table_names()
    replica.dispose()


def test_without_the_setting_reports_share_the_request_session(app):
    assert reports_session() is db.session
