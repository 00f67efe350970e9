"""The case file's timeline, open to every domain.

A domain contributes events by registering a source: a function that takes a participant and
returns TimelineEvents, loading everything it needs in a constant number of queries. The case file
merges all sources and sorts by date (newest first), then by `order` within a day.

    from caseflow.participants.timeline import TimelineEvent, timeline_source

    @timeline_source
    def placement_events(participant):
        ...
        return [TimelineEvent(date=p.start_date, kind="placement", title=..., detail=..., url=...)]

Sources are registered on import; the domain's views module imports its timeline module.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

_SOURCES: list[Callable] = []


@dataclass(frozen=True)
class TimelineEvent:
    date: dt.date
    kind: str              # e.g. status_change, note, enrolment, placement, certificate, exit, follow_up
    title: str             # short, translated, plain text (escaped when shown)
    detail: str = ""       # longer plain text; line breaks are kept when shown
    url: str | None = None  # where to see or edit it
    author: str | None = None
    recorded_at: datetime | None = None
    order: int = 0         # tie-break within one day (higher = later)
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def timeline_source(func: Callable) -> Callable:
    if func not in _SOURCES:
        _SOURCES.append(func)
    return func


def _recorded_key(event: TimelineEvent) -> float:
    # Some sources have no moment: those sort last (compared as numbers, since None is no datetime).
    value = event.recorded_at
    return float("-inf") if value is None else value.timestamp()


def build_timeline(participant) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for source in _SOURCES:
        events.extend(source(participant) or ())
    return sorted(events, key=lambda e: (e.date, e.order, _recorded_key(e)), reverse=True)


def case_file_sources() -> Iterable[Callable]:
    return tuple(_SOURCES)
