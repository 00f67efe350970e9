"""No page shows a stored code where a reader expects words: with the demo data, the pages a
counsellor and a team lead use (caseload, every case file section, lists, reports, the audit log)
are searched for the vocabularies' codes (`long_term_unemployed`, `six_month_follow_up`,
`participant.update` …) in their visible text."""
from __future__ import annotations

import html as html_lib
import re
from datetime import date

import sqlalchemy as sa

from caseflow import vocabulary
from caseflow.accounts.models import User
from caseflow.accounts.passwords import hash_password
from caseflow.audit.models import AuditEntry
from caseflow.audit_log.labels import ACTION_LABELS, OBJECT_LABELS, VERB_LABELS
from caseflow.demo import generate
from caseflow.extensions import db
from caseflow.participants import vocabulary as participant_vocabulary
from caseflow.participants.models import Participant
from caseflow.placements import vocabulary as placement_vocabulary
from caseflow.placements.models import FollowUp, Placement
from caseflow.privacy import vocabulary as privacy_vocabulary
from caseflow.reports import labels as report_labels
from tests.conftest import PASSWORD

_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>|<[^>]+>", re.S | re.I)


def _codes() -> set[str]:
    """Every code with an underscore or a dot in the vocabularies (words never look like that)."""
    codes: set[str] = set()
    for module in (vocabulary, participant_vocabulary, placement_vocabulary, privacy_vocabulary, report_labels):
        for name, value in vars(module).items():
            if name.startswith("_") or not isinstance(value, dict | tuple):
                continue
            codes.update(k for k in value if isinstance(k, str) and "_" in k)
    codes.update(ACTION_LABELS)
    codes.update(f"{kind}.{verb}" for kind in OBJECT_LABELS for verb in VERB_LABELS)
    codes.update(db.session.scalars(sa.select(AuditEntry.action).distinct()))
    return {c for c in codes if len(c) > 3 and c == c.lower() and not c.startswith("_")}


def _visible_text(page: str) -> str:
    """The text a reader sees: no tags, attributes, scripts or styles."""
    return html_lib.unescape(_INVISIBLE.sub(" ", page))


def test_pages_show_words_not_codes(client, auth):
    generate(participants=40, seed=11, today=date.today())
    people = {"counsellor": None, "team_lead": None}
    for role in people:
        user = db.session.scalar(sa.select(User).where(User.role == role, User.active).order_by(User.id))
        user.password_hash = hash_password(PASSWORD)
        people[role] = user
    db.session.commit()
    lead = people["team_lead"]
    org = lead.organisation_id
    # the cases whose pages carry the most vocabulary: exited with follow-ups, with placements
    followed = db.session.scalars(sa.select(FollowUp.participant_id).join(Participant)
                                  .where(Participant.organisation_id == org).limit(2)).all()
    placed = db.session.scalars(sa.select(Placement.participant_id).join(Participant)
                                .where(Participant.organisation_id == org).limit(2)).all()
    cases = list(dict.fromkeys([*followed, *placed]))
    assert cases
    sections = ("", "/timeline", "/measures", "/placements", "/data-protection", "/master-data", "/consents")
    period = f"from=2020-01-01&to={date.today().isoformat()}"
    paths = ["/caseload", "/caseload?status=all", "/placements", "/board", "/audit", "/reports/",
             f"/reports/esf?{period}", f"/reports/esf/participants?{period}&indicator=long_term_unemployed",
             f"/reports/placements?{period}", f"/reports/completeness?{period}", "/measures", "/notifications"]
    paths += [f"/participants/{pid}{s}" for pid in cases for s in sections]
    auth.login(lead)
    client.get(f"/participants/{cases[0]}")      # so that the log holds a case.view too
    codes = _codes()
    assert {"long_term_unemployed", "six_month_follow_up", "case.view", "participant.update"} <= codes
    shown: dict[str, list[str]] = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        text = _visible_text(response.get_data(as_text=True))
        found = sorted(c for c in codes if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w])", text))
        if found:
            shown[path] = found
    assert shown == {}
