"""Issue 18, item 7: the fixed interface holds. A follow-up with `improved_situation: true` and no
`improvement_kind` is accepted through the API, counted as improved, and its kind stays unknown."""
from __future__ import annotations

from datetime import date

from caseflow.extensions import db
from caseflow.placements.models import FollowUp


def test_improved_without_kind_is_accepted_and_counted(api_as, counsellor, team_lead, history):
    p = history.participant(gender="female", entry_date=date(2024, 2, 1), labour_status_at_entry="employed")
    history.exit(p, date(2024, 6, 30))
    r = api_as(counsellor).post(f"/participants/{p.id}/follow-ups",
                                json={"kind": "six_months", "date": "2024-12-30", "status": "employed",
                                      "improved_situation": True})
    assert r.status_code == 201, r.json
    assert r.json["improved_situation"] is True and r.json.get("improvement_kind") is None
    assert db.session.get(FollowUp, r.json["id"]).improvement_kind is None
    report = api_as(team_lead).get("/reports/esf?from=2024-01-01&to=2024-12-31").json
    assert report["results"]["improved_situation_six_months_after"]["female"] == 1
    # a kind that is not in the list still answers 422 on the field
    bad = api_as(counsellor).post(f"/participants/{p.id}/follow-ups",
                                  json={"date": "2024-12-31", "status": "employed", "improved_situation": True,
                                        "improvement_kind": "pay_rise"})
    assert bad.status_code == 422 and "improvement_kind" in bad.json["error"]["fields"]
