"""Restriction of processing (GDPR Art. 18): team leads set and lift it; the case becomes read-only."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.errors import Conflict, DomainError, Forbidden
from caseflow.extensions import db
from caseflow.participants.access import get_participant_for
from caseflow.participants.models import Participant
from caseflow.privacy.services import lift_restriction, restrict_processing
from tests.factories import ParticipantFactory


@pytest.fixture
def participant(org):
    return ParticipantFactory(organisation=org)


def test_team_lead_restricts_and_lifts_with_audit(participant, team_lead):
    restrict_processing(participant.id, "Contests the accuracy of the status history", actor=team_lead)
    db.session.expire_all()
    p = db.session.get(Participant, participant.id)
    assert p.restricted_at is not None and p.restriction_reason.startswith("Contests")
    with pytest.raises(Conflict) as err:
        get_participant_for(team_lead, p.id, for_update=True)
    assert err.value.code == "restricted"
    with pytest.raises(Conflict):
        restrict_processing(p.id, "again", actor=team_lead)

    lift_restriction(p.id, actor=team_lead)
    db.session.expire_all()
    p = db.session.get(Participant, participant.id)
    assert p.restricted_at is None and p.restriction_reason is None
    assert get_participant_for(team_lead, p.id, for_update=True) is not None
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.participant_id == p.id)
                                      .order_by(AuditEntry.id)))
    assert actions == ["participant.restrict", "participant.lift_restriction"]


def test_only_team_leads_and_a_reason(participant, counsellor, team_lead):
    with pytest.raises(Forbidden):
        restrict_processing(participant.id, "x", actor=counsellor)
    with pytest.raises(DomainError) as err:
        restrict_processing(participant.id, "   ", actor=team_lead)
    assert "reason" in err.value.fields
    with pytest.raises(Conflict):
        lift_restriction(participant.id, actor=team_lead)


def test_stale_version_is_refused(participant, team_lead):
    with pytest.raises(Conflict) as err:
        restrict_processing(participant.id, "reason", actor=team_lead, version=participant.version + 5)
    assert err.value.code == "stale_version"


def test_restricted_case_is_read_only_through_the_api(participant, team_lead, counsellor, api_as):
    lead = api_as(team_lead)
    assert lead.post(f"/participants/{participant.id}/restriction", json={"reason": "objection"}).status_code == 200
    api = api_as(counsellor)
    # Reading still works; writes of the other domains answer 409 'restricted'.
    assert api.get(f"/participants/{participant.id}").status_code == 200
    note = api.post(f"/participants/{participant.id}/notes",
                    json={"date": "2025-01-02", "kind": "phone", "text": "called", "minutes": 5})
    assert note.status_code == 409 and note.json["error"]["code"] == "restricted"
    patch = api.patch(f"/participants/{participant.id}", json={"version": participant.version + 1, "city": "Berlin"})
    assert patch.status_code == 409
    assert api.post(f"/participants/{participant.id}/restriction", json={"reason": "x"}).status_code == 403
    assert lead.post(f"/participants/{participant.id}/restriction/lift").status_code == 200
    assert api.post(f"/participants/{participant.id}/notes",
                    json={"date": "2025-01-02", "kind": "phone", "text": "called", "minutes": 5}).status_code == 201


def test_restricted_case_is_left_out_of_reports(org, team_lead, analyst, api_as):
    ParticipantFactory(organisation=org)
    hidden = ParticipantFactory(organisation=org)
    path = "/reports/esf?from=2024-01-01&to=2024-12-31"

    def total(user):
        response = api_as(user).get(path)
        assert response.status_code == 200, response.json
        return response.json["outputs"]["total"]["total"]

    assert (total(team_lead), total(analyst)) == (2, 2)
    restrict_processing(hidden.id, "objection", actor=team_lead)
    assert (total(team_lead), total(analyst)) == (1, 1)
    lift_restriction(hidden.id, actor=team_lead)
    assert total(analyst) == 2


def test_restriction_page(client, auth, participant, team_lead, counsellor):
    auth.login(counsellor)
    assert client.get(f"/participants/{participant.id}/restriction").status_code == 403
    auth.logout()
    auth.login(team_lead)
    page = client.get(f"/participants/{participant.id}/restriction")
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    version = re.search(r'name="version" [^>]*value="(\d+)"', html).group(1)
    empty = client.post(f"/participants/{participant.id}/restriction",
                        data={"csrf_token": token, "version": version, "reason": ""})
    assert empty.status_code == 422
    done = client.post(f"/participants/{participant.id}/restriction",
                       data={"csrf_token": token, "version": version, "reason": "objection (Art. 21)"})
    # back to the section that shows the restriction
    assert done.status_code == 302 and done.location.endswith(f"/participants/{participant.id}/data-protection")
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).restricted_at is not None
    case_file = client.get(done.location).get_data(as_text=True)
    assert "objection (Art. 21)" in case_file
