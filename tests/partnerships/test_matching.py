"""Knowing the same person across partners: keyed hashes, the hint with the partner's name only, and
no readable name of one organisation anywhere the other could read it (a scan of every table)."""
from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.names import fold
from caseflow.partnerships import services
from caseflow.partnerships.models import MatchHash
from tests.factories import OrganisationFactory, ParticipantFactory
from tests.partnerships.conftest import consent


def _rows_mentioning(needles: tuple[str, ...], *, skip_participant_ids: set[int]) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
        if not columns:
            continue
        pid = table.c.get("participant_id") if table.name != "participants" else table.c.id
        for row in db.session.execute(sa.select(*columns, *( [pid] if pid is not None else []))).mappings():
            if pid is not None and row[pid.name] in skip_participant_ids:
                continue
            for column in columns:
                value = row[column.name]
                if value is None:
                    continue
                text = fold(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                if any(n in text for n in needles):
                    found.append(f"{table.name}.{column.name}")
    return found


def test_a_likely_match_is_found_across_partners_without_names(partnership, counsellor, other_counsellor, org,
                                                              other_org, client, auth):
    theirs = ParticipantFactory(organisation=other_org, first_name="Oksana", last_name="Kowalenko",
                                date_of_birth=date(1985, 11, 2))
    consent(theirs, other_counsellor)
    ours = ParticipantFactory(organisation=org, first_name="Oxana", last_name="Kovalenko",
                              date_of_birth=date(1985, 11, 2))
    stranger = ParticipantFactory(organisation=org, first_name="Oxana", last_name="Kovalenko",
                                  date_of_birth=date(1985, 11, 3))
    assert services.likely_partner_matches(ours) == [other_org.name]
    assert services.likely_partner_matches(stranger) == []
    hashes = list(db.session.scalars(sa.select(MatchHash.hash)))
    assert len(hashes) == 1 and len(hashes[0]) == 64
    # The hash is per partnership: the same person under another partnership's derivation differs.
    assert services.match_hash(partnership.id + 1, "Oksana", "Kowalenko", date(1985, 11, 2)) != hashes[0]
    # The counsellor sees the partner's name on the case file, never the partner's data.
    auth.login(counsellor)
    page = client.get(f"/participants/{ours.id}").get_data(as_text=True)
    assert f"Eine Partnerorganisation kennt diese Person möglicherweise bereits: {other_org.name}." in page
    assert "Oksana" not in page and "Kowalenko" not in page
    # Nowhere in the database is the other organisation's name readable outside its own rows.
    assert _rows_mentioning(("oksana", "kowalenko"), skip_participant_ids={theirs.id}) == []


def test_no_hash_without_consent_and_withdrawal_removes_it(partnership, counsellor, other_counsellor, org, other_org):
    from caseflow.privacy.models import Consent
    from caseflow.privacy.services import withdraw_consent
    theirs = ParticipantFactory(organisation=other_org, first_name="Samir", last_name="Aziz",
                                date_of_birth=date(1990, 1, 1))
    ours = ParticipantFactory(organisation=org, first_name="Samir", last_name="Aziz", date_of_birth=date(1990, 1, 1))
    assert services.likely_partner_matches(ours) == []
    consent(theirs, other_counsellor)
    assert services.likely_partner_matches(ours) == [other_org.name]
    consent_id = db.session.scalar(sa.select(Consent.id).where(Consent.participant_id == theirs.id))
    withdraw_consent(consent_id, date.today(), actor=other_counsellor)
    assert services.likely_partner_matches(ours) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchHash)) == 0


def test_hashes_of_existing_participants_are_made_when_the_partnership_starts(org, other_org, counsellor,
                                                                            other_counsellor):
    theirs = ParticipantFactory(organisation=other_org, first_name="Amina", last_name="Jusuf",
                                date_of_birth=date(1979, 7, 7))
    consent(theirs, other_counsellor)
    ours = ParticipantFactory(organisation=org, first_name="Amina", last_name="Yusuf", date_of_birth=date(1979, 7, 7))
    assert services.likely_partner_matches(ours) == []
    services.create_partnership("Later", [org.id, other_org.id])
    assert services.likely_partner_matches(ours) == [other_org.name]
    # An organisation outside the partnership learns nothing.
    outsider_org = OrganisationFactory(name="Außen e.V.")
    outside = ParticipantFactory(organisation=outsider_org, first_name="Amina", last_name="Jusuf",
                                 date_of_birth=date(1979, 7, 7))
    assert services.likely_partner_matches(outside) == []
