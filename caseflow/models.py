"""Imports every domain's models so that the metadata (Alembic, create_all) knows all tables."""
from caseflow.accounts.models import ApiToken, LoginAttempt, Organisation, User, UserSession  # noqa: F401
from caseflow.audit.models import AuditEntry  # noqa: F401
from caseflow.measures.models import (Attendance, AttendanceSession, Employer, Enrolment,  # noqa: F401
                                      Measure)
from caseflow.participants.models import (CaseNumberCounter, ForeignQualification, Goal,  # noqa: F401
                                          Note, NoteRevision, Participant, ParticipantLanguage,
                                          StatusChange, Task)
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry  # noqa: F401
from caseflow.privacy.models import Consent  # noqa: F401
import caseflow.reports.models  # noqa: F401,E402  (the reports indexes on participants)
