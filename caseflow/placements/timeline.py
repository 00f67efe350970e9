"""Timeline events of the outcomes domain for the case file."""
from __future__ import annotations

from flask import url_for

from caseflow.i18n import country_name
from caseflow.participants.timeline import TimelineEvent
from caseflow.placements.panels import outcomes_cache
from caseflow.translation import gettext as _
from caseflow.vocabulary import EXIT_REASONS, FOLLOW_UP_STATUSES, PLACEMENT_TYPES


def outcome_events(participant) -> list[TimelineEvent]:
    data = outcomes_cache(participant)
    events: list[TimelineEvent] = []
    for p in data["placements"]:
        where = p.employer_name or ""
        if p.country and p.country != "DE":
            where = f"{where} ({country_name(p.country)})" if where else country_name(p.country)
        title = _("Placement: %(type)s", type=PLACEMENT_TYPES[p.type])
        detail = " – ".join(part for part in (p.job_title, where) if part)
        url = url_for("placements.edit_placement", placement_id=p.id)
        events.append(TimelineEvent(date=p.start_date, kind="placement", title=title, detail=detail, url=url,
                                    recorded_at=p.created_at, order=20))
        if p.end_date:
            events.append(TimelineEvent(date=p.end_date, kind="placement_end",
                                        title=_("Placement ends: %(type)s", type=PLACEMENT_TYPES[p.type]),
                                        detail=detail, url=url, recorded_at=p.created_at, order=20))
    for e in data["exits"]:
        events.append(TimelineEvent(date=e.exit_date, kind="exit",
                                    title=_("Exit (%(reason)s)", reason=EXIT_REASONS[e.reason]),
                                    recorded_at=e.created_at, order=40))
    for r in data["re_entries"]:
        events.append(TimelineEvent(date=r.date, kind="re_entry", title=_("Re-entry"), recorded_at=r.created_at,
                                    order=41))
    for c in data["certificates"]:
        events.append(TimelineEvent(date=c.date, kind="certificate",
                                    title=_("Qualification gained: %(title)s", title=c.title),
                                    detail=c.issuing_body or "", recorded_at=c.created_at, order=30))
    for f in data["follow_ups"]:
        kind = _("Six-month follow-up") if f.kind == "six_months" else _("4-week check")
        detail = FOLLOW_UP_STATUSES[f.status]
        if f.improved_situation:
            detail = _("%(status)s, situation improved", status=detail)
        events.append(TimelineEvent(date=f.date, kind="follow_up", title=f"{kind}: {detail}",
                                    recorded_at=f.created_at, order=35))
    return events

