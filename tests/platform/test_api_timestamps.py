"""A moment in an API answer is what the OpenAPI document says it is, an RFC 3339 `date-time` with
its offset, also on SQLite (the default database), whose stored text has no zone (models_base.TZDateTime
marks it UTC when it is read)."""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from caseflow.notifications.checks import run_checks
from tests.board.factories import TaskFactory
from tests.factories import ParticipantFactory

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _is_utc_moment(value: str) -> bool:
    return bool(RFC3339.fullmatch(value)) and datetime.fromisoformat(value).utcoffset() == timedelta(0)


def test_openapi_calls_the_moments_date_time(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["components"]["schemas"]["Import"]["properties"]["created_at"]["format"] == "date-time"
    assert doc["components"]["schemas"]["Notification"]["properties"]["read_at"]["format"] == "date-time"


def test_an_import_answers_created_at_with_its_offset(api_as, team_lead):
    api = api_as(team_lead)
    r = api.client.post("/api/v1/imports", headers=api.headers, content_type="multipart/form-data",
                        data={"dry_run": "true", "file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")})
    assert r.status_code == 201, r.json
    assert _is_utc_moment(r.json["created_at"]), r.json["created_at"]
    again = api.get(f"/imports/{r.json['id']}").json
    assert _is_utc_moment(again["created_at"]), again["created_at"]


def test_a_notification_answers_its_moments_with_their_offset(api_as, org, counsellor):
    case = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=date(2026, 11, 25))
    TaskFactory(participant=case, kind="four_week_check", due_date=date(2026, 11, 30))
    run_checks(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    api = api_as(counsellor)
    item = api.get("/notifications").json["items"][0]
    assert _is_utc_moment(item["created_at"]), item["created_at"]
    read = api.post(f"/notifications/{item['id']}/read").json
    assert _is_utc_moment(read["read_at"]), read["read_at"]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_a_timestamp_answers_its_offset_and_refuses_a_moment_without_one():
    from caseflow.api.schemas import Schema, Timestamp

    class One(Schema):
        at = Timestamp(allow_none=True)

    assert One().dump({"at": datetime(2026, 3, 29, 1, 30, tzinfo=UTC)}) == {"at": "2026-03-29T01:30:00+00:00"}
    assert One().dump({"at": None}) == {"at": None}
    with pytest.raises(ValueError, match="without an offset"):
        One().dump({"at": datetime(2026, 3, 29, 1, 30)})


def test_every_moment_of_every_api_schema_is_a_timestamp(app):
    """Moments are answered by the one field type (api.schemas.Timestamp), which refuses a naive
    datetime: marshmallow's plain DateTime would answer one without an offset, unnoticed."""
    from marshmallow import fields

    from caseflow.api.schemas import Schema, Timestamp
    plain = sorted(f"{schema.__module__}.{schema.__name__}.{name}"
                   for schema in _subclasses(Schema) for name, field in schema._declared_fields.items()
                   if isinstance(field, fields.DateTime) and not isinstance(field, (fields.Date, Timestamp)))
    schemas = list(_subclasses(Schema))
    assert len(schemas) > 50 and any(isinstance(f, Timestamp) for s in schemas for f in s._declared_fields.values())
    assert plain == []
