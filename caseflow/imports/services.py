"""The import's verbs: upload a file (a batch), check it, import it, undo it; and the runner.

A batch moves queued → running → checked (a dry run: nothing written) or failed (unreadable file,
or an import that met an error: nothing written), then, on request, queued → running → imported;
an imported batch can be undone (→ undone) by a team lead while none of its cases has changed since.

The runner. `start(batch)` runs a small file at once, inside the request; a larger one in a
background thread of the worker that received it. Either way the state lives in the batch row
(status, progress, heartbeat in `started_at`), so any worker can show the progress page, and
`run_pending()` — the scheduled job `imports` (every minute, caseflow/jobs/housekeeping.py) — picks
up batches that are queued, or whose runner died
(no heartbeat for STALE_AFTER). Claiming a batch is one conditional UPDATE, so two runners never
run the same batch.

An import is one unit of work: the whole pass (checks and writes of every row, the audit entries,
the batch's new state) commits together or not at all.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale, get_locale

from caseflow.accounts.models import Organisation, User
from caseflow.audit.models import AuditEntry
from caseflow.audit.services import ACCESS_ACTIONS, record
from caseflow.database import lock_rows, transactional, unit_of_work
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound, log_without_message
from caseflow.extensions import db
from caseflow.imports import progress
from caseflow.imports.engine import IGNORED_SHEET_NAMES, Engine, Outcome, _restore
from caseflow.imports.models import ImportBatch, ImportedParticipant, ImportedRecord
from caseflow.imports.reader import UnreadableFile, Workbook
from caseflow.measures.models import Enrolment, Measure
from caseflow.measures.services import fill_free_places
from caseflow.models_base import utcnow
from caseflow.participants.duplicates import explain
from caseflow.participants.models import Participant
from caseflow.placements.models import Exit
from caseflow.translation import gettext as _

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)
INLINE_BYTES = 256 * 1024
IMPORT_ROLES = ("team_lead",)


class _Refused(Exception):
    """Leaves the import's unit of work so that nothing of it is committed."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome


# --- access ------------------------------------------------------------------------------------------

def require_importer(actor: User | None) -> None:
    if actor is not None and actor.role not in IMPORT_ROLES:
        raise Forbidden(_("Only team leads import spreadsheets."))


def get_batch_for(actor: User, batch_id: int) -> ImportBatch:
    """The batch, when it belongs to the actor's organisation (another's does not exist: 404)."""
    require_importer(actor)
    batch = db.session.get(ImportBatch, batch_id) if batch_id <= 2**31 - 1 else None
    if batch is None or batch.organisation_id != actor.organisation_id:
        raise NotFound(_("No such import."))
    return batch


def batches_of(organisation_id: int) -> sa.Select:
    return sa.select(ImportBatch).where(ImportBatch.organisation_id == organisation_id).order_by(
        ImportBatch.created_at.desc(), ImportBatch.id.desc())


def organisation_named(name: str | None) -> Organisation:
    """The command line's `--org`: by name, or the only organisation there is."""
    if name:
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
        if org is None:
            raise DomainError.field("org", _("No organisation is called %(name)s.", name=name))
        return org
    orgs = db.session.scalars(sa.select(Organisation).limit(2)).all()
    if len(orgs) != 1:
        raise DomainError.field("org", _("Name the organisation with --org."))
    return orgs[0]


# --- creating and starting a batch ---------------------------------------------------------------------

def read_upload(stream: Any) -> bytes:
    """An uploaded file's bytes, reading at most one byte more than MAX_IMPORT_MB allows (so a huge
    upload is refused by `create_batch` without being held in memory whole)."""
    limit = current_app.config.get("MAX_IMPORT_MB", 20) * 1024 * 1024
    return stream.read(limit + 1)


def _check_file(content: bytes, file_name: str) -> None:
    limit = current_app.config.get("MAX_IMPORT_MB", 20)
    if len(content) > limit * 1024 * 1024:
        raise DomainError.field("file", _("The file is larger than %(mb)s MB. Split it into several files.", mb=limit),
                                code="too_large", status=413)
    if not content:
        raise DomainError.field("file", _("The file is empty."))
    workbook = Workbook(content, file_name)   # raises UnreadableFile for anything but XLSX/CSV
    workbook.close()


@transactional
def create_batch(content: bytes, file_name: str, *, organisation_id: int, actor: User | None, dry_run: bool = True,
                 mapping: Mapping[str, Mapping[str, str]] | None = None, skip_invalid: bool = False,
                 accept_duplicates: bool = False) -> ImportBatch:
    """A new batch holding the file, queued for a check (or, `dry_run=False`, for an import that
    checks everything first and writes only when no row has an error). Raises DomainError (422)
    for a file over MAX_IMPORT_MB, an empty one or one that is no spreadsheet."""
    require_importer(actor)
    _check_file(content, file_name)
    batch = ImportBatch(organisation_id=organisation_id, created_by_id=getattr(actor, "id", None),
                        file_name=(file_name or "import")[-255:], file_size=len(content), content=content,
                        mapping=dict(mapping) if mapping else None, skip_invalid=skip_invalid,
                        accept_duplicates=accept_duplicates, mode="check" if dry_run else "import",
                        status="queued", locale=str(get_locale() or "de")[:5])
    db.session.add(batch)
    db.session.flush()
    record("import.upload", actor=actor, obj=batch, organisation_id=organisation_id,
           changes={"file_name": [None, batch.file_name], "file_size": [None, batch.file_size],
                    "mode": [None, batch.mode]})
    return batch


def start(batch_id: int, *, background: bool | None = None) -> None:
    """Runs the batch now (small files) or in a background thread of this worker."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        return
    inline_bytes = current_app.config.get("IMPORT_INLINE_BYTES", INLINE_BYTES)
    if background is None:
        background = batch.file_size > inline_bytes
    if not background:
        run_batch(batch_id)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app for the thread
    thread = threading.Thread(target=_thread_main, args=(app, batch_id), name=f"import-{batch_id}", daemon=True)
    thread.start()


def _thread_main(app: Flask, batch_id: int) -> None:
    with app.app_context():
        try:
            run_batch(batch_id)
        except Exception as exc:  # the batch is marked failed by run_batch; this keeps the thread's end quiet
            # type and stack only: the message may quote the file's values (a name)
            log_without_message(log, exc, f"import batch {batch_id} failed")
        finally:
            db.session.remove()


@transactional
def configure(batch: ImportBatch, *, actor: User, mapping: Mapping[str, Mapping[str, str]] | None = None,
              skip_invalid: bool | None = None, accept_duplicates: bool | None = None, import_now: bool = False,
              version: Any = None) -> ImportBatch:
    """Chooses fields for unmatched headers and/or asks for the import of a checked batch; queues it.
    An import is refused (409) unless the check was clean, or the rows with errors are skipped."""
    require_importer(actor)
    if version is not None and version != batch.version:
        raise Conflict(_("Someone else changed this import in the meantime. Reload the page."), code="stale_version")
    if batch.status not in ("checked", "failed") or batch.content is None:
        raise Conflict(_("This import cannot be run again; upload the file anew."), code="import_state")
    if mapping is not None:
        batch.mapping = {**(batch.mapping or {}), **{k: dict(v) for k, v in mapping.items()}}
    if skip_invalid is not None:
        batch.skip_invalid = skip_invalid
    if accept_duplicates is not None:
        batch.accept_duplicates = accept_duplicates
    if import_now:
        if batch.status != "checked" or not importable(batch):
            raise Conflict(_("Only a clean check can be imported: correct the rows with errors, or choose to skip "
                             "them."), code="not_importable")
        batch.mode = "import"
    else:
        batch.mode = "check"
    batch.status = "queued"
    batch.progress_done = 0
    record("import.run" if import_now else "import.recheck", actor=actor, obj=batch,
           organisation_id=batch.organisation_id)
    return batch


def importable(batch: ImportBatch) -> bool:
    """Whether a checked batch may be imported with its choices."""
    counts = batch.counts or {}
    if batch.unmapped:
        return False
    if batch.skip_invalid:
        return (counts.get("created", 0) + counts.get("updated", 0)) > 0 and not _file_errors(batch)
    return counts.get("errors", 0) == 0 and not _file_errors(batch) and \
        (not batch.duplicates or batch.accept_duplicates)


def duplicates_explained(batch: ImportBatch, limit: int | None = None) -> list[dict[str, Any]]:
    """The batch's possible duplicates as the page, the API and the command line show them: each
    entry as stored (`sheet`, `row`, `external_id`, `candidates`, `rows`, and the reasons as codes
    in `matches` and `file_matches`), each match with its reasons in the reader's language
    (`explanation`, participants/duplicates.py: explain). Batches checked before the reasons were
    recorded have no `matches` or `file_matches`. `limit`: the first so many entries only."""
    shown = []
    for entry in (batch.duplicates or [])[:limit]:
        entry = dict(entry)
        for key in ("matches", "file_matches"):
            if key in entry:
                entry[key] = [{**match, "explanation": explain(match)} for match in entry[key]]
        shown.append(entry)
    return shown


def _file_errors(batch: ImportBatch) -> bool:
    """Errors that no row skip can cure: missing columns, unknown sheets (row 1)."""
    return any(e.get("row") == 1 for e in (batch.errors or []))


def _skip_ids(batch: ImportBatch) -> list[str]:
    if not batch.skip_invalid:
        return []
    skip = [e["external_id"] for e in (batch.errors or []) if e.get("external_id")]
    if not batch.accept_duplicates:
        skip += [d["external_id"] for d in (batch.duplicates or [])]
    return skip


# --- the runner -------------------------------------------------------------------------------------------

def _claim(batch_id: int) -> bool:
    """Takes the batch for this runner: one conditional UPDATE, so two runners never both win."""
    with unit_of_work():
        stale = utcnow() - STALE_AFTER
        result = db.session.execute(sa.update(ImportBatch).where(
            ImportBatch.id == batch_id,
            sa.or_(ImportBatch.status == "queued",
                   sa.and_(ImportBatch.status == "running", ImportBatch.started_at < stale)))
            .values(status="running", started_at=utcnow(), version=ImportBatch.version + 1)
            .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def run_batch(batch_id: int) -> ImportBatch | None:
    """Runs one queued batch (check or import) to its end. Returns it, or None when another runner
    has it."""
    if not _claim(batch_id):
        return None
    batch = db.session.get(ImportBatch, batch_id)
    assert batch is not None
    db.session.refresh(batch)
    actor = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
    content, file_name, apply = batch.content or b"", batch.file_name, batch.mode == "import"
    with force_locale(batch.locale or "de"):
        try:
            workbook = Workbook(content, file_name)
        except UnreadableFile as exc:
            return _finish(batch_id, "failed", None, file_error=exc.message)
        try:
            total = workbook.count_rows(skip=IGNORED_SHEET_NAMES)
            # the total and the start go into the batch row before the import's unit of work opens;
            # the progress while it runs where other connections can read it (imports/progress.py)
            progress.row_writer(batch_id, total)(0)
            report = progress.writer(batch_id, total, importing=apply)
            engine = Engine(organisation_id=batch.organisation_id, actor=actor, batch_id=batch_id, apply=apply,
                            mapping=batch.mapping, skip_ids=_skip_ids(batch), accept_duplicates=batch.accept_duplicates,
                            progress=report)
            if not apply:
                outcome = engine.run(workbook)
                return _finish(batch_id, "checked", outcome)
            try:
                with unit_of_work():
                    outcome = engine.run(workbook)
                    if _refused(outcome, batch):
                        raise _Refused(outcome)
                    _finish_in_unit(batch_id, "imported", outcome, actor)
                return db.session.get(ImportBatch, batch_id)
            except _Refused as refused:
                return _finish(batch_id, "failed", refused.outcome)
        except Exception:
            _finish(batch_id, "failed", None, file_error=_("The import stopped because of an internal error. "
                                                           "Nothing was written."))
            raise
        finally:
            workbook.close()
            progress.clear(batch_id)


def _refused(outcome: Outcome, batch: ImportBatch) -> bool:
    if any(e["row"] == 1 for e in outcome.errors) or outcome.unmapped:
        return True
    if batch.skip_invalid:
        return False
    return bool(outcome.counts["errors"]) or (bool(outcome.duplicates) and not batch.accept_duplicates)


def _apply_outcome(batch: ImportBatch, status: str, outcome: Outcome | None, file_error: str | None) -> None:
    batch.status = status
    batch.finished_at = utcnow()
    if outcome is not None:
        batch.counts = outcome.as_counts()
        batch.errors = outcome.errors
        batch.duplicates = outcome.duplicates
        batch.unmapped = outcome.unmapped
        batch.progress_done = batch.progress_total = outcome.rows
    if file_error is not None:
        batch.counts = {"created": 0, "updated": 0, "unchanged": 0, "errors": 1}
        batch.errors = [{"sheet": batch.file_name, "row": 0, "column": "", "message": file_error, "external_id": None}]
        batch.content = None
    if status == "imported":
        batch.content = None   # the file's personal data is now in the cases; the copy goes


@transactional
def _finish(batch_id: int, status: str, outcome: Outcome | None, *, file_error: str | None = None) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    assert batch is not None
    _apply_outcome(batch, status, outcome, file_error)
    record(f"import.{status}", actor=None, obj=batch, organisation_id=batch.organisation_id,
           changes={"counts": [None, batch.counts]})
    return batch


def _finish_in_unit(batch_id: int, status: str, outcome: Outcome, actor: User | None) -> None:
    batch = db.session.get(ImportBatch, batch_id)
    assert batch is not None
    _apply_outcome(batch, status, outcome, None)
    batch.imported_at = utcnow()
    record("import.imported", actor=actor, obj=batch, organisation_id=batch.organisation_id,
           changes={"counts": [None, batch.counts], "file_name": [None, batch.file_name]})
    db.session.flush()
    batch.audit_mark = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))


KEEP_UNIMPORTED = timedelta(days=7)


def run_pending(limit: int = 10) -> list[int]:
    """Runs queued batches and those whose runner stopped (for `jobs run`); returns their ids. Also
    drops the uploaded file of checks nobody imported within KEEP_UNIMPORTED (personal data)."""
    with unit_of_work():
        db.session.execute(sa.update(ImportBatch).where(
            ImportBatch.status.in_(("checked", "failed")), ImportBatch.content.is_not(None),
            ImportBatch.created_at < utcnow() - KEEP_UNIMPORTED).values(content=None)
            .execution_options(synchronize_session=False))
    stale = utcnow() - STALE_AFTER
    ids = db.session.scalars(sa.select(ImportBatch.id).where(sa.or_(
        ImportBatch.status == "queued",
        sa.and_(ImportBatch.status == "running", ImportBatch.started_at < stale))).order_by(ImportBatch.id).limit(limit)).all()
    done, failed = [], []
    for batch_id in ids:
        if progress.alive(batch_id, STALE_AFTER):
            continue   # an import on SQLite: its heartbeat is in the side database (imports/progress.py)
        try:
            finished = run_batch(batch_id)
        except Exception as exc:  # noqa: BLE001 - run_batch marked it failed; the next batch still runs
            # type and stack only: the message may quote the file's values (a name), and the job's
            # failure message is shown on the admin page
            log_without_message(log, exc, f"import batch {batch_id} failed")
            failed.append(batch_id)
            continue
        if finished is not None:
            done.append(batch_id)
    if failed:
        raise RuntimeError(f"import batches failed: {len(failed)} (ids {', '.join(map(str, failed))}); "
                           f"{len(done)} ran")
    return done


# --- undo ----------------------------------------------------------------------------------------------

def changed_since(batch: ImportBatch) -> bool:
    """Whether any case of the batch has an audit entry (other than a read) after the import."""
    if batch.audit_mark is None:
        return False
    touched = sa.select(ImportedRecord.participant_id).where(ImportedRecord.batch_id == batch.id)
    return db.session.scalar(sa.select(AuditEntry.id).where(
        AuditEntry.id > batch.audit_mark, AuditEntry.participant_id.in_(touched),
        AuditEntry.action.not_in(ACCESS_ACTIONS)).limit(1)) is not None


def may_undo(batch: ImportBatch, actor: User | None) -> bool:
    return batch.status == "imported" and (actor is None or actor.role == "team_lead") and not changed_since(batch)


@transactional
def undo_batch(batch: ImportBatch, *, actor: User | None) -> ImportBatch:
    """Removes what the batch created (its new cases with everything in them, the history records it
    added to existing cases) and restores the master data it changed. Raises Forbidden for roles
    other than team lead, Conflict when the batch is not imported or one of its cases changed since."""
    if actor is not None and actor.role != "team_lead":
        raise Forbidden(_("Only team leads undo imports."))
    if batch.status != "imported":
        raise Conflict(_("Only an imported batch can be undone."), code="import_state")
    if changed_since(batch):
        raise Conflict(_("Some of the imported cases have been changed since the import; it can no longer be undone."),
                       code="changed_since")
    records = ImportedRecord.__table__
    created = sa.select(records.c.object_id).where(records.c.batch_id == batch.id, records.c.action == "created",
                                                   records.c.object_type == "participants")
    new_ids = set(db.session.scalars(created))
    # The enrolments it created hold places: their measures are locked first (the lock order:
    # measure, then participant), and their waiting lists move up once the enrolments are gone.
    measure_ids = set(db.session.scalars(sa.select(Enrolment.measure_id).where(Enrolment.id.in_(
        sa.select(records.c.object_id).where(records.c.batch_id == batch.id,
                                             records.c.object_type == Enrolment.__tablename__)))))
    lock_rows(Measure, measure_ids)
    # history added to cases that existed before the import
    for model in Engine._TABLES.values():
        table = model.__table__
        if table.name == "participants":
            continue
        ids = sa.select(records.c.object_id).where(records.c.batch_id == batch.id, records.c.object_type == table.name,
                                                   records.c.participant_id.not_in(new_ids) if new_ids else sa.true())
        if table.name == "exits":
            exited = db.session.execute(sa.select(Exit.participant_id).where(Exit.id.in_(ids))).scalars().all()
            for pid in exited:
                db.session.execute(sa.update(Participant).where(Participant.id == pid).values(
                    status="active", exit_date=None, exit_reason=None).execution_options(synchronize_session=False))
        if table.name == "placements":
            from caseflow.participants.models import StatusChange
            db.session.execute(sa.delete(StatusChange).where(StatusChange.placement_id.in_(ids)))
        db.session.execute(sa.delete(table).where(table.c.id.in_(ids)))
    # master data changed by the import
    for pid, before in db.session.execute(sa.select(records.c.participant_id, records.c.before).where(
            records.c.batch_id == batch.id, records.c.action == "updated")):
        participant = db.session.get(Participant, pid)
        if participant is None or not before:
            continue
        _restore(participant, before)
        record("participant.update", actor=actor, obj=participant, participant_id=pid,
               organisation_id=participant.organisation_id, changes={"via": [None, f"undo of import {batch.id}"]})
    for pid in sorted(new_ids):
        db.session.execute(sa.delete(Participant).where(Participant.id == pid))
    db.session.execute(sa.delete(ImportedParticipant).where(ImportedParticipant.batch_id == batch.id))
    fill_free_places(measure_ids, actor=actor)
    batch.status, batch.undone_at, batch.undone_by_id = "undone", utcnow(), getattr(actor, "id", None)
    record("import.undo", actor=actor, obj=batch, organisation_id=batch.organisation_id,
           changes={"removed_cases": [None, len(new_ids)]})
    return batch


def heartbeat_age(batch: ImportBatch) -> float | None:
    if batch.started_at is None:
        return None
    return (utcnow() - batch.started_at).total_seconds()
