"""The case file domain's own timeline events: status changes, progress notes (with their
corrections), goals and tasks. Imported by views.py so they are registered with the app."""
from __future__ import annotations

import functools
from collections import defaultdict

import sqlalchemy as sa
from flask import url_for

from caseflow.accounts.models import User
from caseflow.database import plain_rows
from caseflow.extensions import db
from caseflow.i18n import task_title
from caseflow.participants.models import Goal, Note, NoteRevision, StatusChange, Task
from caseflow.participants.timeline import TimelineEvent
from caseflow.translation import gettext as _
from caseflow.vocabulary import LABOUR_STATUSES, NOTE_KINDS


def status_change_events(participant):
    rows = db.session.execute(
        sa.select(StatusChange, User.name).outerjoin(User, User.id == StatusChange.created_by_id)
        .where(StatusChange.participant_id == participant.id).order_by(StatusChange.id)).all()
    events = []
    for change, author in rows:
        label = str(LABOUR_STATUSES.get(change.status, change.status))
        if change.source == "entry":
            title = _("Entry – labour-market status: %(status)s", status=label)
        else:
            title = _("Labour-market status: %(status)s", status=label)
        events.append(TimelineEvent(date=change.date, kind="status_change", title=title, author=author,
                                    recorded_at=change.created_at, order=10 + (change.id % 1000) / 1000,
                                    extra={"source": change.source, "status": change.status}))
    return events


def note_events(participant):
    rows = db.session.execute(
        sa.select(Note, User.name).outerjoin(User, User.id == Note.author_id)
        .where(Note.participant_id == participant.id).order_by(Note.id)).all()
    revisions = defaultdict(list)
    if rows:
        for rev in db.session.scalars(sa.select(NoteRevision).join(Note, Note.id == NoteRevision.note_id)
                                      .where(Note.participant_id == participant.id).order_by(NoteRevision.id)):
            revisions[rev.note_id].append(rev)
    return [_note_event(participant, note, author, revisions[note.id]) for note, author in rows]


def _note_event(participant, note, author: str | None, revisions) -> TimelineEvent:
    # `note`: a Note, or a plain row of its columns (the overview's recent notes)
    kind = str(NOTE_KINDS.get(note.kind, note.kind))
    title = (_("Note (%(kind)s, %(minutes)s min.)", kind=kind, minutes=note.minutes) if note.minutes
             else _("Note (%(kind)s)", kind=kind))
    return TimelineEvent(
        date=note.date, kind="note", title=title, detail=note.text, author=author,
        recorded_at=note.created_at, order=5,
        url=url_for("participants.correct_note", participant_id=participant.id, note_id=note.id),
        extra={"revisions": [{"text": r.text, "replaced_at": r.replaced_at} for r in revisions]})


@functools.cache
def _recent_notes_statement(limit: int) -> sa.Select:
    """Built once per process and `limit` (issue 19: building it cost more than sending it)."""
    return (sa.select(Note, User.name.label("author")).outerjoin(User, User.id == Note.author_id)
            .where(Note.participant_id == sa.bindparam("participant_id"),
                   Note.date <= sa.bindparam("today", type_=sa.Date))
            .order_by(Note.date.desc(), Note.id.desc()).limit(limit))


def recent_note_events(participant, today, limit: int) -> list[TimelineEvent]:
    """The case file overview's recent entries: the newest `limit` progress notes up to `today`, in
    one query whatever the length of the history (the whole timeline, every kind of event with the
    notes' earlier versions, is the timeline section's)."""
    rows = plain_rows(_recent_notes_statement(limit), {"participant_id": participant.id, "today": today})
    return [_note_event(participant, note, note.author, ()) for note in rows]


def goal_events(participant):
    goals = db.session.scalars(sa.select(Goal).where(Goal.participant_id == participant.id)).all()
    return [TimelineEvent(date=g.created_at.date(), kind="goal", title=_("Goal set: %(title)s", title=g.title),
                          detail=g.next_steps or "", recorded_at=g.created_at, order=3) for g in goals]


def task_events(participant):
    tasks = db.session.scalars(sa.select(Task).where(Task.participant_id == participant.id,
                                                     Task.done_at.is_not(None))).all()
    return [TimelineEvent(date=t.done_at.date(), kind="task",
                          title=_("Task done: %(title)s", title=task_title(t.kind, t.title, t.title_params)),
                          recorded_at=t.done_at, order=2) for t in tasks if t.done_at is not None]
