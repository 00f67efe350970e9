"""docs/interfaces.md, "The case history": a POST answers 201 with the created object, and every list
endpoint is GET on the same path -- `exit` and `re-entry` included (also kept: `/exits`, `/re-entries`)."""
from __future__ import annotations

from tests.participants.conftest import valid_data


def test_exits_and_re_entries_are_listed_on_the_path_they_are_posted_to(api_as, counsellor, other_counsellor, analyst):
    api = api_as(counsellor)
    pid = api.post("/participants", json=valid_data()).json["id"]
    exit_ = api.post(f"/participants/{pid}/exit", json={"exit_date": "2025-05-01", "reason": "completed"})
    assert exit_.status_code == 201, exit_.json
    again = api.post(f"/participants/{pid}/re-entry", json={"date": "2025-06-01"})
    assert again.status_code == 201, again.json
    for path, created, alias in ((f"/participants/{pid}/exit", exit_.json, f"/participants/{pid}/exits"),
                                 (f"/participants/{pid}/re-entry", again.json, f"/participants/{pid}/re-entries")):
        listed = api.get(path)
        assert listed.status_code == 200, (path, listed.json)
        assert [item["id"] for item in listed.json["items"]] == [created["id"]]
        assert listed.json == api.get(alias).json
        assert api_as(other_counsellor).get(path).status_code == 404
        assert api_as(analyst).get(path).status_code == 403
    doc = api.get("/openapi.json").json
    assert "get" in doc["paths"]["/participants/{participant_id}/exit"]
    assert "get" in doc["paths"]["/participants/{participant_id}/re-entry"]
