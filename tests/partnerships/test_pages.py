"""The referral pages: refer from the case file, the partner accepts or declines, the sender sees it."""
from __future__ import annotations

import sqlalchemy as sa
from markupsafe import escape

from caseflow.extensions import db
from caseflow.partnerships.models import Referral


def test_refer_page_without_consent_explains_and_offers_no_form(partnership, referred_person, counsellor, client,
                                                                 auth):
    auth.login(counsellor)
    page = client.get(f"/participants/{referred_person.id}/referrals/new").get_data(as_text=True)
    assert "Erfassen Sie zuerst die Einwilligung." in page
    assert 'name="reason"' not in page


def test_refer_accept_and_outcome_through_the_pages(partnership, consenting, counsellor, other_counsellor,
                                                     partner_measure, other_org, client, auth):
    auth.login(counsellor)
    form_url = f"/participants/{consenting.id}/referrals/new"
    token = auth.csrf_token(form_url)
    r = client.post(form_url, data={"csrf_token": token, "organisation_id": str(other_org.id),
                                    "measure_id": str(partner_measure.id), "reason": ""})
    assert r.status_code == 422
    r = client.post(form_url, data={"csrf_token": token, "organisation_id": str(other_org.id),
                                    "measure_id": str(partner_measure.id), "reason": "Start-up idea: catering"})
    assert r.status_code == 302
    referral = db.session.scalar(sa.select(Referral))
    assert referral.measure_id == partner_measure.id
    auth.logout()

    auth.login(other_counsellor)
    listing = client.get("/referrals").get_data(as_text=True)
    assert f"/referrals/{referral.id}" in listing
    detail = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Lejla" in detail and "Gründungscoaching" in detail
    token = auth.csrf_token(f"/referrals/{referral.id}")
    r = client.post(f"/referrals/{referral.id}/accept", data={"csrf_token": token, "gender": "female",
                                                              "nationality": "BA"})
    assert r.status_code == 302
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert r.headers["Location"].endswith(f"/participants/{referral.accepted_participant_id}")
    # the receiving case file names the sender (its referrals are found by accepted_participant_id)
    received = client.get(f"/participants/{referral.accepted_participant_id}").get_data(as_text=True)
    assert f"Zugewiesen von {escape(counsellor.organisation.name)}" in received
    assert f"/referrals/{referral.id}" in received
    auth.logout()

    auth.login(counsellor)
    sent = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert '<span class="badge">angenommen</span>' in sent
    assert "Die Partnerorganisation hat noch keine Vermittlung erfasst." in sent
    assert "Weserstr" not in sent  # the sender's view holds no packet
    case_file = client.get(f"/participants/{consenting.id}").get_data(as_text=True)
    assert f"/referrals/{referral.id}" in case_file
    assert f"Zugewiesen an {escape(other_org.name)}" in case_file


def test_decline_page(partnership, consenting, counsellor, other_counsellor, other_org, client, auth, api_as):
    referral_id = api_as(counsellor).post(f"/participants/{consenting.id}/referrals", json={
        "organisation_id": other_org.id, "reason": "Language course"}).json["id"]
    auth.login(other_counsellor)
    token = auth.csrf_token(f"/referrals/{referral_id}")
    assert client.post(f"/referrals/{referral_id}/decline", data={"csrf_token": token, "reason": ""}).status_code == 422
    r = client.post(f"/referrals/{referral_id}/decline", data={"csrf_token": token, "reason": "Course is full"})
    assert r.status_code == 302
    assert db.session.get(Referral, referral_id).status == "declined"
    # Without the CSRF token nothing happens.
    assert client.post(f"/referrals/{referral_id}/decline", data={"reason": "x"}).status_code in (400, 422)


def test_pages_speak_english_to_an_english_reader(partnership, referred_person, org, client, auth):
    from tests.factories import UserFactory
    reader = UserFactory(role="counsellor", organisation=org, locale="en", email="en@kiezwerk.example")
    auth.login(reader)
    page = client.get(f"/participants/{referred_person.id}/referrals/new").get_data(as_text=True)
    assert "Record the consent first." in page
    assert "Refer to a partner organisation" in client.get(f"/participants/{referred_person.id}").get_data(as_text=True)


def test_partner_enrolment_through_the_pages(partnership, consenting, referred_person, counsellor, team_lead,
                                             other_counsellor, partner_measure, other_org, client, auth):
    from datetime import date, timedelta

    from caseflow.measures.models import Attendance, Enrolment
    from caseflow.partnerships.models import DataSharingAgreement

    today = date.today()
    # a team lead records the agreement on its page
    auth.login(team_lead)
    token = auth.csrf_token("/data-sharing-agreements")
    r = client.post("/data-sharing-agreements", data={"csrf_token": token, "partner_organisation_id": str(other_org.id),
                                                      "valid_from": "", "reference": "DSA 1"})
    assert r.status_code == 422
    r = client.post("/data-sharing-agreements", data={
        "csrf_token": token, "partner_organisation_id": str(other_org.id),
        "valid_from": (today - timedelta(days=10)).isoformat(), "reference": "DSA 1"})
    assert r.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(DataSharingAgreement)) == 1
    auth.logout()

    auth.login(counsellor)
    url = f"/participants/{consenting.id}/partner-enrolments/new"
    assert "Gründungscoaching" in client.get(url).get_data(as_text=True)
    token = auth.csrf_token(url)
    r = client.post(url, data={"csrf_token": token, "measure_id": str(partner_measure.id), "status": "active",
                               "start_date": (today - timedelta(days=3)).isoformat()})
    assert r.status_code == 302, r.get_data(as_text=True)
    enrolment = db.session.scalar(sa.select(Enrolment))
    auth.logout()

    auth.login(other_counsellor)
    assert f"/partner-enrolments/{enrolment.id}" in client.get("/partner-enrolments").get_data(as_text=True)
    detail_url = f"/partner-enrolments/{enrolment.id}"
    detail = client.get(detail_url).get_data(as_text=True)
    assert "Lejla" in detail and "Weserstr" in detail
    assert f"/participants/{consenting.id}" not in detail  # never a link into the case
    token = auth.csrf_token(detail_url)
    r = client.post(detail_url + "/attendance", data={"csrf_token": token, "date": today.isoformat(), "present": "yes"})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(Attendance.present)) is True
    r = client.post(detail_url + "/outcome", data={"csrf_token": token, "status": "completed",
                                                   "start_date": (today - timedelta(days=3)).isoformat(),
                                                   "end_date": today.isoformat(), "version": str(enrolment.version)})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status == "completed"


def test_partner_enrol_page_without_consent_explains(partnership, referred_person, counsellor, client, auth):
    auth.login(counsellor)
    page = client.get(f"/participants/{referred_person.id}/partner-enrolments/new").get_data(as_text=True)
    assert "Erfassen Sie zuerst die Einwilligung." in page and 'name="measure_id"' not in page
    token = auth.csrf_token(f"/participants/{referred_person.id}/partner-enrolments/new")
    r = client.post(f"/participants/{referred_person.id}/partner-enrolments/new",
                    data={"csrf_token": token, "measure_id": "1", "status": "planned"})
    assert r.status_code == 409


def test_accept_form_asks_for_gender_and_nationality_starting_empty(partnership, consenting, counsellor,
                                                                    other_counsellor, other_org, client, auth, api_as):
    referral_id = api_as(counsellor).post(f"/participants/{consenting.id}/referrals", json={
        "organisation_id": other_org.id, "reason": "Language course"}).json["id"]
    auth.login(other_counsellor)
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    # both selects start on the empty "please choose" option: nothing is guessed for the partner
    for name in ("gender", "nationality"):
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert select.startswith('><option value="">– bitte auswählen –</option>'), select[:300]
        assert "selected" not in select  # the empty first option is what the browser shows
    assert "Geschlecht und Staatsangehörigkeit gehören nicht dazu" in page
    token = auth.csrf_token(f"/referrals/{referral_id}")
    r = client.post(f"/referrals/{referral_id}/accept", data={"csrf_token": token, "gender": "", "nationality": ""})
    assert r.status_code == 422
    assert r.get_data(as_text=True).count("Nicht in den geteilten Daten: Fragen Sie die Person und wählen Sie aus.") >= 2


def test_packet_page_shows_answers_languages_and_the_unemployment_date_in_words(
        partnership, consenting, counsellor, other_counsellor, other_org, client, auth, api_as):
    """The packet as the partner reads it: a declined answer is not shown as "yes", languages by
    name, and since when the person is unemployed."""
    from caseflow.participants.models import ParticipantLanguage
    from tests.partnerships.conftest import consent

    consent(consenting, counsellor, "special_categories")
    consenting.minority = "declined"  # disability is "yes" (conftest)
    db.session.add(ParticipantLanguage(participant_id=consenting.id, language="bs", level="native"))
    db.session.commit()
    referral_id = api_as(counsellor).post(f"/participants/{consenting.id}/referrals", json={
        "organisation_id": other_org.id, "reason": "Language course"}).json["id"]
    auth.login(other_counsellor)
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    packet = page.split('id="packet-heading"', 1)[1].split("</section>", 1)[0]
    assert "<dt>Behinderung</dt><dd>ja</dd>" in packet
    assert "<dt>Gehört einer Minderheit an</dt><dd>keine Angabe gewünscht</dd>" in packet
    assert "Bosnisch" in packet and ">bs" not in packet
    assert f"seit {consenting.unemployed_since:%d.%m.%Y}" in packet


def test_partner_enrol_page_shows_the_case_header_in_a_constant_number_of_statements(
        partnership, consenting, counsellor, team_lead, other_org, partner_measure, org, client, auth, count_queries):
    """Enrolling into a partner's measure is a page about one case, like enrolling into one's own
    organisation's: it shows the case file's summary header, its facts come with the participant's
    row, and the statements do not grow with the case's history."""
    from datetime import date, timedelta

    from caseflow.partnerships import sharing
    from tests.case_header import add_history, assert_case_header, statements_of
    from tests.factories import ParticipantFactory
    from tests.partnerships.conftest import consent

    sharing.record_agreement({"partner_organisation_id": other_org.id, "valid_from": date.today() - timedelta(days=30),
                              "reference": "DSA 1"}, actor=team_lead)
    short = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name="Kurz")
    consent(short, counsellor)
    add_history(short, org, counsellor, 1)
    add_history(consenting, org, counsellor, 5)
    auth.login(counsellor)
    short_counts, _ = statements_of(client, count_queries, [f"/participants/{short.id}/partner-enrolments/new"])
    long_counts, (html,) = statements_of(client, count_queries,
                                         [f"/participants/{consenting.id}/partner-enrolments/new"])
    assert long_counts == short_counts
    assert_case_header(html, consenting, "Zu einer Maßnahme einer Partnerorganisation anmelden")
    assert "Gründungscoaching" in html and 'name="measure_id"' in html

    # a refused enrolment: the form again under the header, its title saying so as the record forms do
    url = f"/participants/{consenting.id}/partner-enrolments/new"
    r = client.post(url, data={"csrf_token": auth.csrf_token(url), "measure_id": str(partner_measure.id),
                               "status": "active", "start_date": ""})
    assert r.status_code == 422, r.status_code
    html = r.get_data(as_text=True)
    assert_case_header(html, consenting, "Zu einer Maßnahme einer Partnerorganisation anmelden")
    assert "<title>Fehler: Zu einer Maßnahme einer Partnerorganisation anmelden – " in html


def test_the_referral_form_shows_the_case_header(partnership, consenting, counsellor, org, other_org, client, auth,
                                                 count_queries):
    """Referring is about one case: the form sits under the case header, whose facts come with the
    participant's row, and its statements do not grow with the case's history. A refused referral
    shows the form again under the header, with 422 and a title that says so."""
    from tests.case_header import add_history, assert_case_header, statements_of
    from tests.factories import ParticipantFactory
    from tests.partnerships.conftest import consent
    quiet = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name="Ruhig")
    consent(quiet, counsellor)
    add_history(quiet, org, counsellor, 1)
    add_history(consenting, org, counsellor, 5)
    auth.login(counsellor)
    busy_path = f"/participants/{consenting.id}/referrals/new"
    quiet_counts, _ = statements_of(client, count_queries, [f"/participants/{quiet.id}/referrals/new"])
    busy_counts, pages = statements_of(client, count_queries, [busy_path])
    assert busy_counts == quiet_counts
    assert_case_header(pages[0], consenting, "An eine Partnerorganisation zuweisen")
    assert 'name="reason"' in pages[0]

    refused = client.post(busy_path, data={"csrf_token": auth.csrf_token(busy_path),
                                           "organisation_id": str(other_org.id), "reason": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert_case_header(html, consenting, "An eine Partnerorganisation zuweisen")
    assert "<title>Fehler: An eine Partnerorganisation zuweisen – " in html
