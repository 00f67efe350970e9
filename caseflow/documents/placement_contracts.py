"""The documents domain as the outcomes domain's contract store (caseflow/placements/contracts.py).

- `attach` stores a contract sent with the placement form through `services.upload_document` (kind
  `contract`, linked to the placement): the same size limit, type check, duplicate check,
  encryption, access rule and audit entry as every upload, inside the placement's unit of work.
  Its field messages are moved to the placement form's fields (`file` → `contract_file`, `date` →
  `contract_date`).
- `contracts_of` tells each placement row of the case file its linked contracts (with the audited
  download route of the documents pages), or the reason given why there is none, or that one is
  missing (three queries whatever the number of placements).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from caseflow.documents import services
from caseflow.documents.models import ContractGap, Document
from caseflow.documents.vocabulary import CONTRACT_GAP_REASONS, FILE_TYPES
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.placements.contracts import ContractFile, ContractUpload, PlacementContract
from caseflow.translation import gettext as _

# Where the document's messages go on the placement form.
FIELD_NAMES = {"file": "contract_file", "date": "contract_date"}


def _title(placement: Any) -> str:
    employer = placement.employer_name or (placement.employer.name if placement.employer_id and placement.employer
                                           else None)
    what = " – ".join(x for x in (employer, placement.job_title) if x)
    title = _("Employment contract: %(what)s", what=what) if what else _("Employment contract")
    return title[:200]


def _may_download(participant: Any, actor: Any) -> bool:
    return participant.anonymised_at is None and (participant.restricted_at is None
                                                  or getattr(actor, "role", None) == "team_lead")


class DocumentContractStore:
    def limit_bytes(self) -> int:
        return services.limit_bytes()

    def too_large(self) -> Exception:
        return services.too_large()

    def hint(self) -> str:
        from caseflow.documents.views import accepted_hint
        return accepted_hint(several=False)

    def attach(self, placement: Any, participant: Any, upload: ContractUpload, *, actor: Any) -> Document:
        data = {"kind": "contract", "title": _title(placement), "date": upload.signed_on,
                "linked_type": "placement", "linked_id": placement.id}
        try:
            return services.upload_document(participant, data, services.Upload(upload.stream, upload.filename),
                                            actor=actor)
        except DomainError as exc:
            fields: dict[str, list[str]] = {}
            for name, messages in exc.fields.items():
                fields.setdefault(FIELD_NAMES.get(name, "contract_file"), []).extend(messages)
            exc.fields = fields or {"contract_file": [exc.message]}
            raise

    def contracts_of(self, participant: Any, placements: Sequence[Any], actor: Any) -> dict[int, PlacementContract]:
        ids = [p.id for p in placements]
        documents = db.session.scalars(
            sa.select(Document).where(Document.participant_id == participant.id, Document.kind == "contract",
                                      Document.placement_id.in_(ids))
            .options(selectinload(Document.files)).order_by(Document.date.desc(), Document.id.desc())).all()
        gaps = {g.placement_id: g.reason for g in db.session.scalars(
            sa.select(ContractGap).where(ContractGap.participant_id == participant.id,
                                         ContractGap.placement_id.in_(ids)))}
        downloads = _may_download(participant, actor)
        writable = downloads and participant.restricted_at is None
        out: dict[int, PlacementContract] = {}
        for p in placements:
            files = [ContractFile(
                title=d.title, page_url=url_for("documents.document_page", document_id=d.id),
                download_url=url_for("documents.download", document_id=d.id) if downloads else None,
                description=f"{FILE_TYPES[d.current.file_type][1]}, {_size(d.current.size)}")
                for d in documents if d.placement_id == p.id]
            if files:
                out[p.id] = PlacementContract(files=files)
            elif p.evidence == "contract_seen":
                upload_url = (url_for("documents.new_document", participant_id=participant.id, kind="contract",
                                      link=f"placement:{p.id}") if writable else None)
                reason = gaps.get(p.id)
                out[p.id] = PlacementContract(
                    gap_reason=str(CONTRACT_GAP_REASONS[reason]) if reason else None, missing=reason is None,
                    upload_url=upload_url,
                    reason_url=(url_for("participants.case_file_section", participant_id=participant.id,
                                        section="documents") + "#contract-evidence") if writable else None)
        return out


def _size(size: int) -> str:
    from caseflow.documents.views import document_size
    return document_size(size)


def register() -> None:
    from caseflow.placements import contracts
    contracts.register(DocumentContractStore())
