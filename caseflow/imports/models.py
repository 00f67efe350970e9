"""Import batches and what each batch wrote (for re-imports and undo)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow

# queued/running: waiting for or inside the runner; checked: a dry run finished (with or without
# row errors, see `counts["errors"]`); failed: the file could not be read or an import found errors
# (nothing written); imported; undone. interfaces.md names checked/failed/imported/undone.
BATCH_STATUSES = ("queued", "running", "checked", "failed", "imported", "undone")
BATCH_MODES = ("check", "import")


class ImportBatch(Model):
    """One uploaded file and what became of it: who, when, which file, counts, errors."""
    __tablename__ = "import_batches"
    __table_args__ = (
        sa.Index("ix_import_batches_organisation_id_created_at", "organisation_id", "created_at"),
        sa.Index("ix_import_batches_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                      comment="NULL: the command line")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_size: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary, comment="the uploaded file until it is imported or discarded (personal data)")
    mapping: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, comment="{sheet: {header: field or ''}} chosen for headers that did not match")
    skip_invalid: Mapped[bool] = mapped_column(default=False, server_default=sa.false(),
                                               comment="import the valid participants, skip those with errors")
    accept_duplicates: Mapped[bool] = mapped_column(default=False, server_default=sa.false(),
                                                    comment="the possible duplicates were confirmed as new people")
    mode: Mapped[str] = mapped_column(enum_column("import_mode", BATCH_MODES), default="check")
    status: Mapped[str] = mapped_column(enum_column("import_status", BATCH_STATUSES), default="queued")
    locale: Mapped[str] = mapped_column(sa.String(5), default="de", comment="language of the messages")
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    errors: Mapped[list[Any] | None] = mapped_column(
        sa.JSON, comment="[{sheet, row, column, message}], at most MAX_STORED_ERRORS")
    duplicates: Mapped[list[Any] | None] = mapped_column(
        sa.JSON, comment="[{sheet, row, external_id, candidates, within_file}]: possible duplicates")
    unmapped: Mapped[list[Any] | None] = mapped_column(
        sa.JSON, comment="[{sheet, header}]: columns that matched no field")
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime, comment="the runner's heartbeat too")
    finished_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    imported_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    audit_mark: Mapped[int | None] = mapped_column(
        comment="the last audit entry id when the import committed: a later entry on one of its cases "
                "means the case changed since, and the batch can no longer be undone")
    undone_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class ImportedParticipant(Model):
    """The programme's own number (external id) of a participant brought in by an import: a
    re-import finds the case by it instead of creating a second one."""
    __tablename__ = "imported_participants"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "external_id"),
        sa.Index("ix_imported_participants_participant_id", "participant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    external_id: Mapped[str] = mapped_column(sa.String(100))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    row_hash: Mapped[str] = mapped_column(sa.String(40), comment="of the cleaned participant row last imported")
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batches.id", ondelete="CASCADE"),
                                          comment="the batch that created the case")


class ImportedRecord(Model):
    """One record a batch created or changed: undo removes or restores it; a history row already
    imported (same `row_key`) is "unchanged" on a re-import."""
    __tablename__ = "imported_records"
    __table_args__ = (
        sa.Index("ix_imported_records_batch_id", "batch_id"),
        sa.Index("ix_imported_records_participant_id_row_key", "participant_id", "row_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batches.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    object_type: Mapped[str] = mapped_column(sa.String(40), comment="table name")
    object_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(enum_column("imported_record_action", ("created", "updated")))
    row_key: Mapped[str | None] = mapped_column(sa.String(40), comment="hash of the history row")
    before: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, comment="the master data before an update, restored by undo")
