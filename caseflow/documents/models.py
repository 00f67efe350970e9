"""Documents kept as evidence: the document (kind, title, date, the fact it proves), its files (every
uploaded version; the newest is the current one) and the files' content in encrypted chunks.

The content lives in a table of its own, `document_chunks`, that nothing loads with the case file:
no relationship leads there; it is read one chunk at a time (storage.py).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.documents.vocabulary import CONTRACT_GAP_REASONS, DOCUMENT_KINDS, FILE_TYPES, LINK_COLUMNS
from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow

_ONE_LINK_AT_MOST = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in LINK_COLUMNS.values()) + " <= 1"


class Document(Model):
    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_participant_id_kind", "participant_id", "kind"),
        sa.CheckConstraint(_ONE_LINK_AT_MOST, name="one_link_at_most"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(enum_column("document_kind", DOCUMENT_KINDS))
    title: Mapped[str] = mapped_column(sa.String(200))
    date: Mapped[date] = mapped_column(comment="the document's own date (issued, signed)")
    # What the document proves: at most one of these (CHECK one_link_at_most).
    placement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("placements.id", ondelete="SET NULL"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="SET NULL"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="SET NULL"), index=True)
    consent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consents.id", ondelete="SET NULL"), index=True)
    foreign_qualification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("foreign_qualifications.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    files = relationship("DocumentFile", order_by="DocumentFile.number", back_populates="document",
                         cascade="all, delete-orphan", passive_deletes=True)

    @property
    def linked(self) -> tuple[str, int] | None:
        for code, column in LINK_COLUMNS.items():
            value = getattr(self, column)
            if value is not None:
                return code, value
        return None

    @property
    def current(self) -> DocumentFile:
        return self.files[-1]


class DocumentFile(Model):
    """One uploaded version of a document's file; replacing the file adds a version, the old one stays."""

    __tablename__ = "document_files"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number", name="uq_document_files_document_id_number"),
        sa.Index("ix_document_files_sha256", "sha256"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(comment="1 for the first upload, then 2, 3 … for each replacement")
    filename: Mapped[str] = mapped_column(sa.String(255), comment="the name it was uploaded under (shown, never used as a path)")
    file_type: Mapped[str] = mapped_column(enum_column("document_file_type", FILE_TYPES),
                                           comment="read from the content, not the name")
    size: Mapped[int] = mapped_column(sa.BigInteger, comment="bytes of the plain content")
    sha256: Mapped[str] = mapped_column(sa.String(64), comment="of the plain content: finds a duplicate upload")
    chunk_count: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    document = relationship("Document", back_populates="files")


class DocumentChunk(Model):
    """A piece (at most CHUNK_BYTES) of a file's content, encrypted on its own (AES-GCM, its own
    nonce, bound to `document:<file id>:<seq>`)."""

    __tablename__ = "document_chunks"
    __table_args__ = (sa.UniqueConstraint("file_id", "seq", name="uq_document_chunks_file_id_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("document_files.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(comment="0, 1, 2 … in the order of the content")
    key_id: Mapped[str] = mapped_column(sa.String(8), comment="which DOCUMENT_KEY key encrypted it (crypto.py)")
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, comment="nonce ‖ ciphertext ‖ tag")


class ContractGap(Model):
    """Why a placement recorded with the evidence "contract seen" has no contract linked."""

    __tablename__ = "contract_gaps"

    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(enum_column("contract_gap_reason", CONTRACT_GAP_REASONS))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
