"""Fixtures of the data protection tests: a participant with a row in every table that can hold data
about a person, full of recognisable personal values (the "canary")."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.measures.models import Attendance, AttendanceSession, Employer
from caseflow.participants.models import (
    ForeignQualification,
    Goal,
    Note,
    NoteRevision,
    ParticipantLanguage,
    StatusChange,
    Task,
)
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.privacy.models import Consent
from tests.factories import EnrolmentFactory, MeasureFactory, ParticipantFactory

FIRST, LAST = "Zzyzxcanary", "Quolmbrecht"
BORN = date(1987, 2, 13)
EMAIL, PHONE = "zzyzx.quolm@example.org", "+49 30 5550199"
NOTE_TEXT = "Met Zzyzxcanary at Sonnenallee 12; worried about the Quolmbrecht family flat."
REVISION_TEXT = "First draft: Zzyzxcanary Q. phoned from Karl-Marx-Strasse."
WITNESS = "Ottilie Witnessmann"

# Strings that must not survive an anonymisation anywhere in the database (compared case-folded).
CANARIES = ("zzyzxcanary", "quolmbrecht", "1987-02-13", "13.02.1987", "5550199", "zzyzx.quolm",
            "sonnenallee", "karl-marx-strasse", "canarystrasse", "witnessmann")


def _add_referral(p, org, counsellor) -> None:
    """A referral to a partner organisation (its reason naming the person) and a match hash."""
    from caseflow.partnerships.models import MatchHash, Partnership, Referral
    from tests.factories import OrganisationFactory
    partner = OrganisationFactory(name=f"Partner of {p.case_number}")
    partnership = Partnership(name=f"Partnership of {p.case_number}")
    db.session.add(partnership)
    db.session.flush()
    db.session.add_all([
        Referral(partnership_id=partnership.id, participant_id=p.id, from_organisation_id=org.id,
                 to_organisation_id=partner.id, reason="Zzyzxcanary wants to cook at Sonnenallee",
                 status="declined", decline_reason="Quolmbrecht family moved", referred_by_id=counsellor.id),
        MatchHash(partnership_id=partnership.id, participant_id=p.id, organisation_id=org.id, hash="0" * 64),
    ])


def make_full_participant(org, counsellor, *, first=FIRST, last=LAST, case_number=None):
    """A participant with at least one row in every linked table."""
    extra = {"case_number": case_number} if case_number else {}
    p = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name=first, last_name=last,
                           date_of_birth=BORN, email=EMAIL, phone=PHONE, street="Canarystrasse 7",
                           postcode="12043", city="Berlin", district="Neukölln", preferred_language="en",
                           disability=True, special_categories_consent_date=date(2024, 3, 1),
                           education_isced=6, german_level="B1", residence_status="recognised_refugee",
                           status="exited", exit_date=date(2025, 6, 30), exit_reason="completed", **extra)
    measure = MeasureFactory(organisation=org, type="trainee_partnership", title="Trainee partnership 2024")
    employer = Employer(organisation_id=org.id, name="Spreewerk GmbH", contact_person="Klaus Kontakt",
                        contact_email="klaus@spreewerk.example")
    # The self-employed participant's own business, with the participant as its contact person.
    own_business = Employer(organisation_id=org.id, name="Quolmbrecht Catering", contact_person=f"{FIRST} {LAST}",
                            contact_email=EMAIL, contact_phone=PHONE, notes="run by Zzyzxcanary from home")
    db.session.add_all([employer, own_business])
    db.session.flush()
    enrolment = EnrolmentFactory(participant=p, measure=measure, status="completed",
                                 end_date=date(2024, 12, 31), host_employer_id=employer.id,
                                 dropout_reason=None,
                                 details={"mentor": "Herr Quolmbrecht senior", "contract_start": "2024-04-01",
                                          "mid_term_review": True, "sector": "c", "note": "likes Sonnenallee"})
    session = AttendanceSession(measure_id=measure.id, date=date(2024, 4, 2), topic="Welding basics")
    db.session.add(session)
    db.session.flush()
    note = Note(participant_id=p.id, date=date(2024, 3, 5), kind="meeting", minutes=45, text=NOTE_TEXT,
                author_id=counsellor.id)
    db.session.add_all([
        ParticipantLanguage(participant_id=p.id, language="ar", level="native"),
        ParticipantLanguage(participant_id=p.id, language="de", level="Quolmbrecht-ish"),
        ForeignQualification(participant_id=p.id, title="Diplom of Zzyzxcanary at Damascus", country="SY", isced=6,
                             recognition_status="partial"),
        StatusChange(participant_id=p.id, date=date(2024, 9, 1), status="employed", source="manual"),
        note,
        Goal(participant_id=p.id, title="Zzyzxcanary finds work as a cook", next_steps="call Sonnenallee"),
        Task(organisation_id=org.id, participant_id=p.id, title="Call Zzyzxcanary", due_date=date(2024, 3, 20),
             assignee_id=counsellor.id),
        Attendance(session_id=session.id, enrolment_id=enrolment.id, present=True),
        Placement(participant_id=p.id, enrolment_id=enrolment.id, type="self_employment", employer_id=own_business.id,
                  employer_name="Quolmbrecht Catering", job_title="cook", start_date=date(2024, 9, 1),
                  weekly_hours=Decimal("38.5"), permanent=True, country="DE"),
        Placement(participant_id=p.id, type="employment", employer_id=employer.id, employer_name="Spreewerk GmbH",
                  job_title="kitchen assistant", start_date=date(2024, 5, 1), end_date=date(2024, 8, 31),
                  weekly_hours=Decimal("20"), country="DE"),
        Exit(participant_id=p.id, exit_date=date(2025, 6, 30), reason="completed"),
        ReEntry(participant_id=p.id, date=date(2024, 11, 1)),
        Certificate(participant_id=p.id, date=date(2024, 12, 20), title="Food hygiene certificate",
                    issuing_body="IHK Berlin"),
        FollowUp(participant_id=p.id, kind="six_months", date=date(2025, 12, 30), status="employed",
                 improved_situation=True),
        Consent(participant_id=p.id, purpose="case_management", given_on=date(2024, 3, 1), form="oral_witnessed",
                witness=WITNESS, notice_version="2024-01", notice_language="ar", recorded_by_id=counsellor.id),
    ])
    db.session.flush()
    db.session.add(NoteRevision(note_id=note.id, text=REVISION_TEXT, replaced_by_id=counsellor.id))
    _add_referral(p, org, counsellor)
    db.session.add_all([
        AuditEntry(action="participant.create", actor_id=counsellor.id, organisation_id=org.id,
                   object_type="participants", object_id=p.id, participant_id=p.id,
                   changes={"first_name": [None, FIRST], "last_name": [None, LAST],
                            "date_of_birth": [None, BORN.isoformat()], "email": [None, EMAIL]}),
        # An entry about the note that does not name the participant directly.
        AuditEntry(action="note.update", actor_id=counsellor.id, organisation_id=org.id,
                   object_type="notes", object_id=note.id, participant_id=None,
                   changes={"text": [REVISION_TEXT, NOTE_TEXT]}),
        AuditEntry(action="case.view", actor_id=counsellor.id, organisation_id=org.id,
                   object_type="participants", object_id=p.id, participant_id=p.id,
                   at=datetime(2024, 3, 6, 9, 0, tzinfo=UTC)),
    ])
    db.session.commit()
    _add_documents(p, counsellor)
    _add_workday_and_import_rows(p, counsellor)
    return p


def _add_workday_and_import_rows(p, counsellor) -> None:
    """The merged domains' rows about the person: an appointment, a notification about the case, and
    the import's bookkeeping (which source record became this participant, what the import wrote)."""
    from caseflow.calendar_feed.models import Appointment
    from caseflow.imports.models import ImportBatch, ImportedParticipant, ImportedRecord
    from caseflow.notifications.models import Notification
    batch = ImportBatch(organisation_id=p.organisation_id, created_by_id=counsellor.id, file_name="import.xlsx",
                        mode="import", status="imported")
    db.session.add_all([
        Appointment(organisation_id=p.organisation_id, participant_id=p.id, owner_id=counsellor.id,
                    starts_at=datetime(2025, 2, 3, 9, 0, tzinfo=UTC)),
        Notification(user_id=counsellor.id, kind="task_assigned", participant_id=p.id,
                     event_key=f"privacy-test:{p.id}"),
        batch,
    ])
    db.session.flush()
    db.session.add_all([
        ImportedParticipant(organisation_id=p.organisation_id, external_id=f"EXT-{p.id}", participant_id=p.id,
                            row_hash="0" * 40, batch_id=batch.id),
        ImportedRecord(batch_id=batch.id, participant_id=p.id, object_type="participants", object_id=p.id,
                       action="created"),
    ])
    db.session.commit()


DOCUMENT_CONTENT = b"%PDF-1.7\nEmployment contract of Zzyzxcanary Quolmbrecht, Sonnenallee 12\n%%EOF\n"


def _add_documents(p, counsellor) -> None:
    """A document (with the canary in its title, file name and content) and a contract gap."""
    import io

    from caseflow.documents.models import ContractGap
    from caseflow.documents.services import Upload, upload_document
    placement = db.session.scalars(sa.select(Placement).where(Placement.participant_id == p.id)
                                   .order_by(Placement.id)).first()
    upload_document(p, {"kind": "contract", "title": f"Contract {FIRST} {LAST}", "date": date(2024, 9, 1),
                        "linked_type": "placement", "linked_id": placement.id},
                    Upload(io.BytesIO(DOCUMENT_CONTENT), f"{FIRST}-vertrag.pdf"), actor=counsellor)
    db.session.add(ContractGap(placement_id=placement.id, participant_id=p.id, reason="to_follow",
                               recorded_by_id=counsellor.id))
    db.session.commit()


@pytest.fixture
def full_participant(org, counsellor):
    return make_full_participant(org, counsellor)
