"""Anonymisation (GDPR Art. 17): no trace of the person in any table, the statistics unchanged."""
from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.errors import Conflict, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.anonymisation import REMOVED, fold
from caseflow.privacy.services import anonymise_participant, restrict_processing
from tests.privacy.conftest import CANARIES, make_full_participant


def text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]


def traces(needles=CANARIES) -> list[str]:
    """Every (table.column = value) in the whole database that contains one of `needles`."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = text_columns(table)
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)).mappings():
            for column in columns:
                value = row[column.name]
                if value is None:
                    continue
                text = fold(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
                for needle in needles:
                    if needle in text:
                        found.append(f"{table.name}.{column.name} = {text[:80]!r}")
    return found


def statistics() -> dict:
    """Everything the reports read: the statistical columns of every outcome table."""
    def rows(stmt):
        return [tuple(r) for r in db.session.execute(stmt)]
    from caseflow.measures.models import Enrolment
    from caseflow.participants.models import StatusChange
    from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
    P = Participant
    return {
        "participants": rows(sa.select(P.id, P.organisation_id, P.gender, P.birth_year, P.age_at_entry, P.nationality,
                                       P.country_of_birth, P.residence_status, P.education_isced, P.german_level,
                                       P.entry_date, P.exit_date, P.exit_reason, P.status, P.labour_status_at_entry,
                                       P.unemployed_since, P.disability, P.minority, P.homeless,
                                       P.foreign_background, P.counsellor_id, P.district).order_by(P.id)),
        "status_changes": rows(sa.select(StatusChange.participant_id, StatusChange.date, StatusChange.status,
                                         StatusChange.source).order_by(StatusChange.id)),
        "enrolments": rows(sa.select(Enrolment.id, Enrolment.measure_id, Enrolment.status, Enrolment.start_date,
                                     Enrolment.end_date).order_by(Enrolment.id)),
        "placements": rows(sa.select(Placement.id, Placement.type, Placement.employer_id, Placement.start_date,
                                     Placement.end_date, Placement.weekly_hours, Placement.permanent,
                                     Placement.country, Placement.enrolment_id, Placement.job_title)
                           .order_by(Placement.id)),
        "exits": rows(sa.select(Exit.exit_date, Exit.reason).order_by(Exit.id)),
        "re_entries": rows(sa.select(ReEntry.date).order_by(ReEntry.id)),
        "certificates": rows(sa.select(Certificate.date, Certificate.title).order_by(Certificate.id)),
        "follow_ups": rows(sa.select(FollowUp.kind, FollowUp.date, FollowUp.status, FollowUp.improved_situation)
                           .order_by(FollowUp.id)),
    }


def report_outputs(app, api) -> dict:
    """The reports API's answers (ESF+ indicators and placement outcomes, grouped several ways)."""
    out = {}
    for path in ("/reports/esf?from=2020-01-01&to=2030-12-31",
                 "/reports/esf?from=2020-01-01&to=2030-12-31&ltu_rule=de",
                 "/reports/placements?from=2020-01-01&to=2030-12-31"):
        response = api.get(path)
        assert response.status_code == 200, response.json
        out[path] = response.json
    assert out["/reports/esf?from=2020-01-01&to=2030-12-31"]["outputs"]["total"]["total"] >= 1
    return out


def test_no_trace_of_the_person_is_left_in_any_table(app, full_participant, team_lead, api_as):
    assert traces(), "the fixture must plant the canaries first"
    api = api_as(team_lead)
    before, reports_before = statistics(), report_outputs(app, api)

    response = api.post(f"/participants/{full_participant.id}/anonymise",
                        json={"reason": "Request for erasure by Zzyzxcanary Quolmbrecht of 3 March"})
    assert response.status_code == 200
    assert response.json["case_number"] == full_participant.case_number

    db.session.expire_all()
    assert traces() == []
    assert statistics() == before
    assert report_outputs(app, api) == reports_before

    p = db.session.get(Participant, full_participant.id)
    assert p.anonymised_at is not None
    assert (p.first_name, p.last_name, p.date_of_birth, p.email, p.phone, p.street) == (None,) * 6
    assert p.search_key == "" and p.duplicate_key is None
    assert p.birth_year == 1987 and p.display_name == p.case_number


def test_what_stays_and_what_goes(full_participant, team_lead):
    anonymise_participant(full_participant.id, "retention", actor=team_lead)
    db.session.expire_all()
    export = {t: [dict(r) for r in db.session.execute(sa.select(db.metadata.tables[t])).mappings()]
              for t in ("notes", "note_revisions", "goals", "tasks", "consents", "enrolments", "placements",
                        "participant_languages", "foreign_qualifications", "certificates")}
    assert [n["text"] for n in export["notes"]] == [REMOVED]
    assert [n["minutes"] for n in export["notes"]] == [45]
    assert [r["text"] for r in export["note_revisions"]] == [REMOVED]
    assert [g["title"] for g in export["goals"]] == [REMOVED] and export["goals"][0]["next_steps"] is None
    assert [t["title"] for t in export["tasks"]] == [REMOVED]
    assert export["consents"][0]["witness"] is None and export["consents"][0]["notice_version"] == "2024-01"
    details = export["enrolments"][0]["details"]
    assert details == {"mentor": REMOVED, "contract_start": "2024-04-01", "mid_term_review": True, "sector": "c",
                       "note": REMOVED}
    # The employer name that was the person's own name goes; a company name stays.
    assert sorted(p["employer_name"] or "-" for p in export["placements"]) == ["-", "Spreewerk GmbH"]
    assert {(lang["language"], lang["level"]) for lang in export["participant_languages"]} == {("ar", "native"),
                                                                                       ("de", REMOVED)}
    assert export["foreign_qualifications"][0]["title"] == REMOVED
    assert export["certificates"][0]["title"] == "Food hygiene certificate"


def test_audit_entries_keep_their_keys_but_lose_every_value(full_participant, team_lead):
    anonymise_participant(full_participant.id, "Erasure asked by Quolmbrecht", actor=team_lead)
    db.session.expire_all()
    create = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.create"))
    assert create.changes == {"first_name": None, "last_name": None, "date_of_birth": None, "email": None}
    note_entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "note.update"))
    assert note_entry.changes == {"text": None}
    act = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.anonymise"))
    assert act.actor_id == team_lead.id and act.participant_id == full_participant.id
    assert act.changes["reason"][1] == f"Erasure asked by {REMOVED}"


def test_idempotent(full_participant, team_lead):
    first = anonymise_participant(full_participant.id, "request", actor=team_lead)
    stamp = first.anonymised_at
    snapshot = traces(needles=("[removed]",))
    again = anonymise_participant(full_participant.id, "request", actor=team_lead)
    assert again.anonymised_at == stamp
    assert traces(needles=("[removed]",)) == snapshot
    acts = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "participant.anonymise"))
    assert acts == 1


def test_roles_and_organisations(full_participant, counsellor, analyst, admin, other_counsellor, api_as):
    from tests.factories import UserFactory
    other_lead = UserFactory(role="team_lead", organisation=other_counsellor.organisation)
    path = f"/participants/{full_participant.id}/anonymise"
    assert api_as(counsellor).post(path, json={"reason": "x"}).status_code == 403
    assert api_as(analyst).post(path, json={"reason": "x"}).status_code == 403
    assert api_as(admin).post(path, json={"reason": "x"}).status_code == 403
    assert api_as(other_lead).post(path, json={"reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Participant, full_participant.id).first_name == "Zzyzxcanary"


def test_reason_is_required(full_participant, team_lead, api_as):
    api = api_as(team_lead)
    missing = api.post(f"/participants/{full_participant.id}/anonymise", json={})
    assert missing.status_code == 422 and "reason" in missing.json["error"]["fields"]
    blank = api.post(f"/participants/{full_participant.id}/anonymise", json={"reason": "  "})
    assert blank.status_code == 422
    assert api.post(f"/participants/{full_participant.id}/anonymise", data="not json",
                    content_type="application/json").status_code == 400


def test_restricted_case_is_not_anonymised(full_participant, team_lead):
    restrict_processing(full_participant.id, "legal claim pending", actor=team_lead)
    with pytest.raises(Conflict) as err:
        anonymise_participant(full_participant.id, "request", actor=team_lead)
    assert err.value.code == "restricted"
    with pytest.raises(Forbidden):
        anonymise_participant(full_participant.id, "request", actor=None)
    with pytest.raises(NotFound):
        anonymise_participant(10**6, "request", actor=team_lead)


def test_anonymised_person_cannot_be_found_by_search(full_participant, counsellor, team_lead, api_as):
    api = api_as(counsellor)
    assert [p["id"] for p in api.get("/participants?q=quolmbrecht").json["items"]] == [full_participant.id]
    anonymise_participant(full_participant.id, "request", actor=team_lead)
    assert api.get("/participants?q=quolmbrecht").json["items"] == []
    assert api.get("/participants?q=zzyzxcanary").json["items"] == []


def test_other_participants_are_untouched(org, counsellor, team_lead, full_participant):
    other = make_full_participant(org, counsellor, first="Bertha", last="Unberuehrt", case_number="CF-2025-000999")
    anonymise_participant(full_participant.id, "request", actor=team_lead)
    db.session.expire_all()
    assert traces(needles=("unberuehrt",)) != []
    kept = db.session.get(Participant, other.id)
    assert kept.first_name == "Bertha" and kept.date_of_birth == date(1987, 2, 13) and kept.anonymised_at is None


def test_cli_anonymise(app, full_participant):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["participants", "anonymise", full_participant.case_number, "--reason", "retention"])
    assert result.exit_code == 0, result.output
    assert "Anonymised" in result.stdout
    again = runner.invoke(args=["participants", "anonymise", full_participant.case_number, "--reason", "retention"])
    assert again.exit_code == 0 and "already" in again.stdout
    missing_reason = runner.invoke(args=["participants", "anonymise", full_participant.case_number])
    assert missing_reason.exit_code != 0
    unknown = runner.invoke(args=["participants", "anonymise", "CF-1999-000001", "--reason", "x"])
    assert unknown.exit_code == 1 and "CF-1999-000001" in unknown.stderr
    db.session.expire_all()
    act = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.anonymise"))
    assert act.actor_id is None and act.organisation_id == full_participant.organisation_id


def test_web_anonymise_page(client, auth, full_participant, team_lead, counsellor):
    import re
    auth.login(counsellor)
    assert client.get(f"/participants/{full_participant.id}/anonymise").status_code == 403
    auth.logout()
    auth.login(team_lead)
    page = client.get(f"/participants/{full_participant.id}/anonymise").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    unconfirmed = client.post(f"/participants/{full_participant.id}/anonymise",
                              data={"csrf_token": token, "reason": "erasure request"})
    assert unconfirmed.status_code == 422
    db.session.expire_all()
    assert db.session.get(Participant, full_participant.id).anonymised_at is None
    done = client.post(f"/participants/{full_participant.id}/anonymise",
                       data={"csrf_token": token, "reason": "erasure request", "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, full_participant.id).anonymised_at is not None
    case_file = client.get(f"/participants/{full_participant.id}")
    assert case_file.status_code == 200 and "Zzyzxcanary" not in case_file.get_data(as_text=True)


def test_codes_survive_a_name_that_looks_like_one(org, counsellor, team_lead):
    """A person called "Li Sy" of Syrian nationality keeps the nationality and placement country."""
    from caseflow.placements.models import Placement
    from tests.factories import ParticipantFactory
    p = ParticipantFactory(organisation=org, first_name="Li", last_name="Sy", nationality="SY", country_of_birth="LI")
    db.session.add(Placement(participant_id=p.id, type="employment", employer_name="Sy Imbiss", job_title="cook",
                             start_date=date(2024, 9, 1), country="SY"))
    db.session.commit()
    anonymise_participant(p.id, "request", actor=team_lead)
    db.session.expire_all()
    p = db.session.get(Participant, p.id)
    placement = db.session.scalar(sa.select(Placement).where(Placement.participant_id == p.id))
    assert (p.nationality, p.country_of_birth, placement.country) == ("SY", "LI", "SY")
    assert placement.employer_name is None and placement.job_title == "cook"


def test_shared_employer_directory_keeps_other_peoples_data(full_participant, team_lead):
    from caseflow.measures.models import Employer
    anonymise_participant(full_participant.id, "request", actor=team_lead)
    db.session.expire_all()
    employers = {e.contact_email: e for e in db.session.scalars(sa.select(Employer))}
    spreewerk = employers["klaus@spreewerk.example"]
    assert (spreewerk.name, spreewerk.contact_person) == ("Spreewerk GmbH", "Klaus Kontakt")
    own = employers[None]
    assert (own.name, own.contact_person, own.contact_phone, own.notes) == (REMOVED, None, None, None)
