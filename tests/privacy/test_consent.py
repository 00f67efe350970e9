"""Consent records: validation, special-category gating and withdrawal."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.errors import Conflict, DomainError, NotFound
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.models import Consent
from caseflow.privacy.services import ConsentData, record_consent, withdraw_consent
from tests.factories import ParticipantFactory


def special(given_on=date(2025, 1, 10), **kw):
    return ConsentData(purpose="special_categories", given_on=given_on, form="written",
                       notice_version="2025-01", notice_language="de", **kw)


@pytest.fixture
def participant(org):
    return ParticipantFactory(organisation=org)


def reload(p) -> Participant:
    db.session.expire_all()
    return db.session.get(Participant, p.id)


def test_special_category_consent_sets_the_consent_date_and_is_audited(participant, counsellor):
    consent = record_consent(participant.id, special(), actor=counsellor)
    p = reload(participant)
    assert p.special_categories_consent_date == date(2025, 1, 10)
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.participant_id == p.id)))
    assert {"consent.record", "participant.update"} <= actions
    assert consent.recorded_by_id == counsellor.id


def test_withdrawing_the_only_special_consent_clears_disability_minority_and_date(participant, counsellor):
    consent = record_consent(participant.id, special(), actor=counsellor)
    p = reload(participant)
    p.disability, p.minority = "yes", "yes"
    db.session.commit()

    withdraw_consent(consent.id, date(2025, 2, 1), actor=counsellor)

    p = reload(participant)
    assert (p.disability, p.minority, p.special_categories_consent_date) == ("no", "no", None)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.special_categories_cleared"))
    assert entry.participant_id == p.id
    assert entry.changes["disability"] == ["yes", "no"]
    assert entry.changes["minority"] == ["yes", "no"]
    assert entry.changes["special_categories_consent_date"] == ["2025-01-10", None]
    assert db.session.get(Consent, consent.id).withdrawn_on == date(2025, 2, 1)


def test_withdrawing_one_of_two_special_consents_keeps_the_data(participant, counsellor):
    older = record_consent(participant.id, special(date(2024, 5, 1)), actor=counsellor)
    newer = record_consent(participant.id, special(date(2025, 1, 10)), actor=counsellor)
    p = reload(participant)
    p.disability = "yes"
    db.session.commit()

    withdraw_consent(newer.id, date(2025, 2, 1), actor=counsellor)
    p = reload(participant)
    assert p.disability == "yes"
    assert p.special_categories_consent_date == date(2024, 5, 1)

    withdraw_consent(older.id, date(2025, 2, 2), actor=counsellor)
    p = reload(participant)
    assert p.disability == "no" and p.special_categories_consent_date is None


def test_withdrawing_another_purpose_leaves_special_categories_alone(participant, counsellor):
    record_consent(participant.id, special(), actor=counsellor)
    other = record_consent(participant.id, ConsentData(purpose="partner_sharing", given_on=date(2025, 1, 1),
                                                       form="written", notice_version="1", notice_language="en"),
                           actor=counsellor)
    p = reload(participant)
    p.minority = "yes"
    db.session.commit()
    withdraw_consent(other.id, date(2025, 3, 1), actor=counsellor)
    assert reload(participant).minority == "yes"


@pytest.mark.parametrize("data, field", [
    (dict(purpose="marketing"), "purpose"),
    (dict(given_on=None), "given_on"),
    (dict(given_on="tomorrow"), "given_on"),  # read when the test runs, not at collection
    (dict(form="telepathic"), "form"),
    (dict(form="oral_witnessed", witness=""), "witness"),
    (dict(notice_version=""), "notice_version"),
    (dict(notice_language="xx-not"), "notice_language"),
])
def test_invalid_consents_are_refused_with_the_field_and_nothing_written(participant, counsellor, data, field):
    base = dict(purpose="case_management", given_on=date(2025, 1, 1), form="written", notice_version="1",
                notice_language="de", witness=None)
    if data.get("given_on") == "tomorrow":
        data = {**data, "given_on": date.today() + timedelta(days=1)}
    with pytest.raises(DomainError) as err:
        record_consent(participant.id, ConsentData(**{**base, **data}), actor=counsellor)
    assert field in err.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_oral_consent_keeps_the_witness_and_written_drops_it(participant, counsellor):
    oral = record_consent(participant.id, ConsentData(purpose="case_management", given_on=date(2025, 1, 1),
                                                      form="oral_witnessed", witness="  Ines Zeugin ",
                                                      notice_version="1", notice_language="ar"), actor=counsellor)
    written = record_consent(participant.id, ConsentData(purpose="funder_reporting", given_on=date(2025, 1, 1),
                                                         form="written", witness="ignored",
                                                         notice_version="1", notice_language="de"), actor=counsellor)
    assert oral.witness == "Ines Zeugin"
    assert written.witness is None


def test_withdrawal_rules(participant, counsellor):
    consent = record_consent(participant.id, special(date(2025, 1, 10)), actor=counsellor)
    with pytest.raises(DomainError) as err:
        withdraw_consent(consent.id, date(2025, 1, 9), actor=counsellor)
    assert "withdrawn_on" in err.value.fields
    withdraw_consent(consent.id, date(2025, 1, 10), actor=counsellor)
    with pytest.raises(Conflict):
        withdraw_consent(consent.id, date(2025, 1, 11), actor=counsellor)


def test_other_organisation_cannot_see_or_withdraw(participant, counsellor, other_counsellor):
    consent = record_consent(participant.id, special(), actor=counsellor)
    with pytest.raises(NotFound):
        record_consent(participant.id, special(), actor=other_counsellor)
    with pytest.raises(NotFound):
        withdraw_consent(consent.id, date(2025, 2, 1), actor=other_counsellor)


def test_restricted_case_accepts_no_new_consent_but_a_withdrawal(participant, counsellor):
    consent = record_consent(participant.id, special(), actor=counsellor)
    p = reload(participant)
    p.restricted_at, p.restriction_reason = p.created_at, "contests accuracy"
    db.session.commit()
    with pytest.raises(Conflict) as err:
        record_consent(participant.id, special(), actor=counsellor)
    assert err.value.code == "restricted"
    withdraw_consent(consent.id, date(2025, 2, 1), actor=counsellor)
    assert reload(participant).special_categories_consent_date is None


# --- over HTTP -------------------------------------------------------------------------------------

def test_api_consent_roundtrip_and_roles(participant, counsellor, analyst, other_counsellor, api_as):
    api = api_as(counsellor)
    body = {"purpose": "special_categories", "given_on": "2025-01-10", "form": "oral_witnessed",
            "witness": "Ines Zeugin", "notice_version": "2025-01", "notice_language": "tr"}
    created = api.post(f"/participants/{participant.id}/consents", json=body)
    assert created.status_code == 201
    assert created.json["valid"] is True and created.json["witness"] == "Ines Zeugin"
    listed = api.get(f"/participants/{participant.id}/consents")
    assert [c["id"] for c in listed.json["items"]] == [created.json["id"]]

    bad = api.post(f"/participants/{participant.id}/consents", json={**body, "given_on": "10.01.2025"})
    assert bad.status_code == 422 and "given_on" in bad.json["error"]["fields"]
    assert api_as(analyst).get(f"/participants/{participant.id}/consents").status_code == 403
    assert api_as(other_counsellor).post(f"/participants/{participant.id}/consents", json=body).status_code == 404
    assert api_as(other_counsellor).post(f"/consents/{created.json['id']}/withdraw",
                                         json={"withdrawn_on": "2025-02-01"}).status_code == 404

    withdrawn = api.post(f"/consents/{created.json['id']}/withdraw", json={"withdrawn_on": "2025-02-01"})
    assert withdrawn.status_code == 200 and withdrawn.json["valid"] is False
    assert api.post(f"/consents/{created.json['id']}/withdraw",
                    json={"withdrawn_on": "2025-02-01"}).status_code == 409


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_web_consent_form_records_and_withdraws(client, auth, participant, counsellor):
    auth.login(counsellor)
    page = client.get(f"/participants/{participant.id}/consents")
    assert page.status_code == 200
    token = _csrf(page.get_data(as_text=True))
    missing_witness = client.post(f"/participants/{participant.id}/consents", data={
        "csrf_token": token, "purpose": "special_categories", "given_on": "2025-01-10", "form": "oral_witnessed",
        "witness": "", "notice_version": "2025-01", "notice_language": "de"})
    assert missing_witness.status_code == 422
    assert 'id="witness-error"' in missing_witness.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0

    ok = client.post(f"/participants/{participant.id}/consents", data={
        "csrf_token": token, "purpose": "special_categories", "given_on": "2025-01-10", "form": "written",
        "notice_version": "2025-01", "notice_language": "de"})
    assert ok.status_code == 302
    consent = db.session.scalar(sa.select(Consent))
    assert reload(participant).special_categories_consent_date == date(2025, 1, 10)

    no_csrf = client.post(f"/consents/{consent.id}/withdraw", data={"withdrawn_on": "2025-02-01",
                                                                  "participant_id": participant.id})
    assert no_csrf.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None

    done = client.post(f"/consents/{consent.id}/withdraw", data={"csrf_token": token, "withdrawn_on": "2025-02-01",
                                                               "participant_id": participant.id})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on == date(2025, 2, 1)


def test_consent_page_roles(client, auth, participant, analyst, other_counsellor):
    auth.login(analyst)
    assert client.get(f"/participants/{participant.id}/consents").status_code == 403
    auth.logout()
    auth.login(other_counsellor)
    assert client.get(f"/participants/{participant.id}/consents").status_code == 404


def test_case_file_shows_consent_status_and_timeline_events(client, auth, participant, counsellor):
    consent = record_consent(participant.id, special(date(2025, 1, 10)), actor=counsellor)
    withdraw_consent(consent.id, date(2025, 2, 1), actor=counsellor)
    record_consent(participant.id, ConsentData(purpose="case_management", given_on=date(2025, 1, 5), form="written",
                                               notice_version="1", notice_language="de"), actor=counsellor)
    auth.login(counsellor)
    html = client.get(f"/participants/{participant.id}/data-protection").get_data(as_text=True)
    panel = html[html.index('class="panel privacy-panel"'):]
    panel = panel[:panel.index("</section>")]
    # At a glance: case management given, special categories not (withdrawn).
    assert re.search(r"Fallmanagement</th>\s*<td><span class=\"badge\">erteilt", panel)
    # a withdrawn consent says so, with its date (issue 17, item 6), rather than "none"
    assert re.search(r"Behinderung, Minderheit\)</th>\s*<td><span class=\"badge badge-warn\">widerrufen</span> 01.02.2025",
                     panel)
    assert "Anonymisieren" not in panel  # team leads only
    html = client.get(f"/participants/{participant.id}/timeline").get_data(as_text=True)
    assert "Einwilligung erteilt: besondere Kategorien" in html
    assert "Einwilligung widerrufen: besondere Kategorien" in html


# --- the case file says when data lacks its consent; a withdrawn consent cannot be bypassed ----------

def _case_management(participant, counsellor):
    record_consent(participant.id, ConsentData(purpose="case_management", given_on=date(2025, 1, 5), form="written",
                                               notice_version="2025-01", notice_language="de"), actor=counsellor)


def _alerts(client, participant) -> str:
    html = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    return " ".join(re.findall(r'<p class="case-alert"[^>]*>(.*?)</p>', html, re.S))


def test_special_categories_without_a_recorded_consent_are_flagged_at_the_top(client, auth, org, counsellor):
    typed = ParticipantFactory(organisation=org, disability="yes", special_categories_consent_date=date(2025, 1, 10))
    _case_management(typed, counsellor)
    auth.login(counsellor)
    assert "keine Einwilligung zu besonderen Kategorien" in _alerts(client, typed)
    # once the consent is on record, the warning goes
    record_consent(typed.id, special(), actor=counsellor)
    assert _alerts(client, typed) == ""


def test_no_alert_without_special_category_data(client, auth, org, counsellor):
    plain = ParticipantFactory(organisation=org, disability="declined")
    _case_management(plain, counsellor)
    auth.login(counsellor)
    assert _alerts(client, plain) == ""


def test_after_withdrawal_special_categories_cannot_be_typed_in_again(participant, counsellor, api_as):
    from caseflow.participants.services import update_participant
    consent = record_consent(participant.id, special(), actor=counsellor)
    withdraw_consent(consent.id, date(2025, 2, 1), actor=counsellor)
    p = reload(participant)
    with pytest.raises(DomainError) as refused:
        update_participant(p, {"disability": "yes", "special_categories_consent_date": date(2025, 2, 2)},
                           version=p.version, actor=counsellor)
    assert set(refused.value.fields) == {"disability"}
    p = reload(participant)
    response = api_as(counsellor).patch(f"/participants/{p.id}", json={
        "version": p.version, "minority": "yes", "special_categories_consent_date": "2025-02-02"})
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"minority"}
    assert reload(participant).minority == "no"
    # a new consent on record opens the way again
    record_consent(participant.id, special(given_on=date(2025, 2, 3)), actor=counsellor)
    p = reload(participant)
    update_participant(p, {"disability": "yes"}, version=p.version, actor=counsellor)
    assert reload(participant).disability == "yes"
