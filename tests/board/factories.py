"""Factories of the working day's tests: tasks and progress notes, written directly."""
from __future__ import annotations

from datetime import date

import factory

from caseflow.participants.models import Note, Task
from tests.factories import Base


class TaskFactory(Base):
    class Meta:
        model = Task

    organisation_id = factory.LazyAttribute(lambda t: t.participant.organisation_id)
    participant = None
    participant_id = factory.LazyAttribute(lambda t: t.participant.id)
    title = factory.Sequence(lambda n: f"Call back about the CV ({n})")
    kind = "manual"
    due_date = date(2026, 12, 1)
    assignee_id = factory.LazyAttribute(lambda t: t.participant.counsellor_id)

    class Params:
        pass

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.pop("participant", None)
        return super()._create(model_class, *args, **kwargs)


class NoteFactory(Base):
    class Meta:
        model = Note

    participant = None
    participant_id = factory.LazyAttribute(lambda n: n.participant.id)
    date = date(2026, 11, 1)
    kind = "meeting"
    text = "Talked about the application."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.pop("participant", None)
        return super()._create(model_class, *args, **kwargs)
