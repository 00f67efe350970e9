"""The follow-up form takes its kind from the task it was opened from; untouched, its selects fail
with the one required-field message."""
import re
from datetime import date

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Task
from caseflow.placements import services
from caseflow.placements.models import FollowUp
from tests.factories import ParticipantFactory

REQUIRED = "Dieses Feld ist erforderlich."


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    chosen = re.findall(r'<option selected value="([^"]*)"', select)
    return chosen[0] if chosen else ""


def _exited(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    return {t.kind: t for t in db.session.scalars(sa.select(Task).where(Task.participant_id == participant.id))}


def test_the_form_opened_from_a_task_has_the_task_s_kind(client, auth, counsellor, participant):
    tasks = _exited(participant, counsellor)
    auth.login(counsellor)
    path = f"/participants/{participant.id}/follow-ups/new"
    assert _selected(client.get(f"{path}?task={tasks['four_week_check'].id}").get_data(as_text=True),
                     "kind") == "four_weeks"
    assert _selected(client.get(f"{path}?task={tasks['six_month_follow_up'].id}").get_data(as_text=True),
                     "kind") == "six_months"
    # opened without a task: nothing is preset, the first option asks to choose
    blank = client.get(path).get_data(as_text=True)
    assert _selected(blank, "kind") == "" and '<option value="">– bitte auswählen –</option>' in blank


def test_a_task_of_another_participant_presets_nothing(client, auth, counsellor, participant, org):
    other = ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=date(2024, 3, 1))
    other_tasks = _exited(other, counsellor)
    _exited(participant, counsellor)
    auth.login(counsellor)
    html = client.get(f"/participants/{participant.id}/follow-ups/new?task={other_tasks['four_week_check'].id}")
    assert _selected(html.get_data(as_text=True), "kind") == ""


def test_the_case_file_s_follow_up_links_carry_their_task(client, auth, counsellor, participant):
    tasks = _exited(participant, counsellor)
    auth.login(counsellor)
    overview = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    for task in tasks.values():
        assert f'/participants/{participant.id}/follow-ups/new?task={task.id}"' in overview
    # the header's "Follow-up" action opens the next due one (the four-week check)
    header = overview.split('class="case-actions')[1].split("</ul>")[0]
    assert f"follow-ups/new?task={tasks['four_week_check'].id}" in header


def test_an_untouched_form_fails_with_the_required_field_message(client, auth, counsellor, participant):
    _exited(participant, counsellor)
    auth.login(counsellor)
    path = f"/participants/{participant.id}/follow-ups/new"
    response = client.post(path, data={"csrf_token": auth.csrf_token(path), "kind": "", "date": "2024-09-30",
                                       "status": "", "improved_situation": "", "improvement_kind": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="kind-error">{REQUIRED}<', html) and re.search(rf'id="status-error">{REQUIRED}<', html)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0


def test_the_api_still_defaults_to_the_six_month_follow_up(participant, counsellor):
    _exited(participant, counsellor)
    follow_up = services.record_follow_up(participant, {"date": date(2025, 3, 1), "status": "employed"},
                                          actor=counsellor)
    assert follow_up.kind == "six_months"
