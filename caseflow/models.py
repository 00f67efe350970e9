"""Imports every domain's models so that the metadata (Alembic, create_all) knows all tables."""
import caseflow.reports.models  # noqa: F401,E402  (the reports indexes on participants)
from caseflow.accounts.models import ApiToken, LoginAttempt, Organisation, User, UserSession  # noqa: F401
from caseflow.audit.models import AuditEntry  # noqa: F401
from caseflow.calendar_feed.models import Appointment, CalendarFeed  # noqa: F401
from caseflow.documents.models import ContractGap, Document, DocumentChunk, DocumentFile  # noqa: F401
from caseflow.imports.models import ImportBatch, ImportedParticipant, ImportedRecord  # noqa: F401
from caseflow.jobs.models import JobRun, JobState  # noqa: F401
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure  # noqa: F401
from caseflow.notifications.models import Notification, ReminderSettings  # noqa: F401
from caseflow.participants.models import (  # noqa: F401
                                      CaseNumberCounter,
                                      ForeignQualification,
                                      Goal,
                                      Note,
                                      NoteRevision,
                                      Participant,
                                      ParticipantLanguage,
                                      StatusChange,
                                      Task,
)
from caseflow.partnerships.models import MatchHash, Partnership, PartnershipMembership, Referral  # noqa: F401
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry  # noqa: F401
from caseflow.privacy.models import Consent  # noqa: F401
