"""Hand-made histories for the report tests: rows written directly (the services that record them
are built elsewhere), the same way the services store them."""
from __future__ import annotations

from datetime import date

import pytest

from caseflow.extensions import db
from caseflow.measures.models import Enrolment, Measure
from caseflow.participants.models import Participant, StatusChange
from caseflow.participants.vocabulary import ANSWER_FIELDS
from caseflow.placements.models import Certificate, FollowUp, Placement
from caseflow.vocabulary import PLACEMENT_STATUS
from tests.factories import ParticipantFactory


class History:
    """Builds participants and their histories for one organisation; commits on each call."""

    def __init__(self, organisation):
        self.organisation = organisation

    def participant(self, **kw) -> Participant:
        kw.setdefault("organisation", self.organisation)
        for name in ANSWER_FIELDS:  # the worked examples say True/False: stored as yes/no since issue 18
            if isinstance(kw.get(name), bool):
                kw[name] = "yes" if kw[name] else "no"
        if kw.get("labour_status_at_entry", "unemployed") != "unemployed":
            kw.setdefault("unemployed_since", None)
        return ParticipantFactory(**kw)

    def status(self, p: Participant, on: date, status: str) -> StatusChange:
        sc = StatusChange(participant_id=p.id, date=on, status=status, source="manual")
        db.session.add(sc)
        db.session.commit()
        return sc

    def exit(self, p: Participant, on: date) -> Participant:
        p.status, p.exit_date, p.exit_reason = "exited", on, "completed"
        db.session.commit()
        return p

    def certificate(self, p: Participant, on: date) -> Certificate:
        c = Certificate(participant_id=p.id, date=on, title="Schweißerschein")
        db.session.add(c)
        db.session.commit()
        return c

    def follow_up(self, p: Participant, on: date, status: str, improved: bool | None = None,
                  kind: str = "six_months") -> FollowUp:
        f = FollowUp(participant_id=p.id, kind=kind, date=on, status=status, improved_situation=improved)
        db.session.add(f)
        db.session.commit()
        return f

    def placement(self, p: Participant, type_: str, start: date, enrolment: Enrolment | None = None) -> Placement:
        """A placement and the status record it adds on its start date (esf-indicators.md)."""
        pl = Placement(participant_id=p.id, type=type_, start_date=start, employer_name="Holzwerk Berlin GmbH",
                       enrolment_id=enrolment.id if enrolment else None)
        db.session.add(pl)
        db.session.flush()
        if PLACEMENT_STATUS[type_]:
            db.session.add(StatusChange(participant_id=p.id, date=start, status=PLACEMENT_STATUS[type_],
                                        source="placement", placement_id=pl.id))
        db.session.commit()
        return pl

    def measure(self, type_: str = "matching", title: str | None = None) -> Measure:
        m = Measure(organisation_id=self.organisation.id, title=title or f"{type_} Neukölln", type=type_,
                    start_date=date(2020, 1, 1))
        db.session.add(m)
        db.session.commit()
        return m

    def enrol(self, p: Participant, measure: Measure, status: str = "active") -> Enrolment:
        e = Enrolment(participant_id=p.id, measure_id=measure.id, status=status, start_date=p.entry_date)
        db.session.add(e)
        db.session.commit()
        return e


@pytest.fixture
def history(org) -> History:
    return History(org)


@pytest.fixture
def other_history(other_org) -> History:
    return History(other_org)
