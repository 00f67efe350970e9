"""What the measures domain adds to the case file: timeline events for enrolments and their changes,
and the "Enrolments" panel. Each loads in a constant number of queries."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.measures import queries
from caseflow.measures.services import attendance_rates
from caseflow.participants.timeline import TimelineEvent
from caseflow.translation import gettext as _
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES

CHANGE_ACTIONS = ("enrolment.update", "enrolment.place_offered", "enrolment.attendance_alert",
                  "enrolment.close_at_exit")


def _status(key) -> str:
    return str(ENROLMENT_STATUSES.get(key, key))


def enrolment_events(participant) -> list[TimelineEvent]:
    enrolments = {e.id: e for e in queries.participant_enrolments(participant.id)}
    if not enrolments:
        return []
    events = []
    for e in enrolments.values():
        title = _("Enrolled in %(measure)s (%(status)s)", measure=e.measure.title,
                  status=_("waiting list") if e.waitlisted_at else _status(e.status))
        events.append(TimelineEvent(
            date=e.start_date or e.created_at.date(), kind="enrolment", title=title,
            detail=str(MEASURE_TYPES.get(e.measure.type, e.measure.type)),
            url=url_for("measures.enrolment", enrolment_id=e.id), recorded_at=e.created_at))
    changes = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.participant_id == participant.id,
                                    AuditEntry.object_type == "enrolments",
                                    AuditEntry.action.in_(CHANGE_ACTIONS))
        .order_by(AuditEntry.at))
    for entry in changes:
        found = enrolments.get(entry.object_id) if entry.object_id is not None else None
        if found is None:
            continue
        e = found
        c = entry.changes or {}
        if entry.action == "enrolment.place_offered":
            title = _("Place free in %(measure)s: off the waiting list", measure=e.measure.title)
        elif entry.action == "enrolment.attendance_alert":
            title = _("Attendance in %(measure)s below 80 %%", measure=e.measure.title)
        elif "status" in c:
            title = _("%(measure)s: %(old)s → %(new)s", measure=e.measure.title,
                      old=_status(c["status"][0]), new=_status(c["status"][1]))
        else:
            title = _("%(measure)s: enrolment changed", measure=e.measure.title)
        detail = ""
        if "dropout_reason" in c and c["dropout_reason"][1]:
            detail = _("Reason: %(reason)s", reason=c["dropout_reason"][1])
        events.append(TimelineEvent(date=entry.at.date(), kind="enrolment_change", title=title, detail=detail,
                                    url=url_for("measures.enrolment", enrolment_id=e.id),
                                    recorded_at=entry.at, order=1))
    return events


def enrolments_panel(participant, actor):
    enrolments = queries.participant_enrolments(participant.id)
    minutes = queries.enrolment_minutes(e.id for e in enrolments)
    outside = queries.unlinked_note_minutes(participant.id)
    return {"enrolments": enrolments, "enrolment_rates": attendance_rates(e.id for e in enrolments),
            "enrolment_minutes": minutes, "minutes_outside_measures": outside,
            "total_minutes": sum(minutes.values()) + outside,
            "enrolment_statuses": ENROLMENT_STATUSES, "measure_types": MEASURE_TYPES}
