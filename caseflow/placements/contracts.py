"""The employment contract behind a placement, as far as the outcomes domain knows it.

Placements never import the documents domain (it is a higher layer, docs/architecture.md §5); the
documents domain keeps the files and registers here at start-up (`register`) how to

- store a contract uploaded with the placement form, inside the placement's own unit of work, so
  that the placement and its contract are saved together or not at all (`attach`);
- describe, for the placement rows of the case file, the contracts linked to each placement, or
  the reason given why none is, or that one is missing (`contracts_of`);
- limit and describe such an upload (`limit_bytes`, `too_large`, `hint`): the same limits and type
  checks as every other document upload.

Without a registered store the placement form has no file field and the rows show the evidence
kind alone.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, Protocol

from caseflow.errors import DomainError
from caseflow.security import DEFAULT_MAX_CONTENT_LENGTH
from caseflow.translation import gettext as _

# What the rest of a placement form may weigh besides the file.
FORM_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ContractUpload:
    """A contract file sent with the placement form: its content (a seekable binary stream), the
    name it came under and the day the contract was signed (as the form converted it; the store
    judges it)."""
    stream: IO[bytes]
    filename: str | None
    signed_on: date | None


@dataclass(frozen=True)
class ContractFile:
    """One contract linked to a placement, as its row shows it."""
    title: str
    page_url: str
    download_url: str | None   # None when the reader may not download (a restricted case, not the team lead)
    description: str           # e.g. "PDF, 290 KB"


@dataclass(frozen=True)
class PlacementContract:
    """What a placement's row says about its contract: the linked files; else, for a placement whose
    evidence is "contract seen", the reason given for having none, or that it is missing."""
    files: list[ContractFile] = field(default_factory=list)
    gap_reason: str | None = None
    missing: bool = False
    upload_url: str | None = None   # where to upload it (None when the reader may not)
    reason_url: str | None = None   # where to say why there is none


class ContractStore(Protocol):
    def limit_bytes(self) -> int: ...

    def too_large(self) -> Exception: ...

    def hint(self) -> str: ...

    def attach(self, placement: Any, participant: Any, upload: ContractUpload, *, actor: Any) -> Any: ...

    def contracts_of(self, participant: Any, placements: Sequence[Any], actor: Any) -> dict[int, PlacementContract]: ...


_STORE: list[ContractStore] = []


def register(store: ContractStore) -> None:
    """Called once by the documents domain's init_app."""
    _STORE[:] = [store]


def store() -> ContractStore | None:
    return _STORE[0] if _STORE else None


def request_limit() -> int:
    """The most a placement form may send: one document plus the form, or a plain form."""
    s = store()
    return s.limit_bytes() + FORM_BYTES if s else DEFAULT_MAX_CONTENT_LENGTH


def too_large() -> Exception:
    s = store()
    if s is None:
        message = _("The form is too large.")
        return DomainError(message, code="too_large", status=413)
    return s.too_large()


def attach(placement: Any, participant: Any, upload: ContractUpload, *, actor: Any) -> Any:
    """Stores `upload` as the placement's contract (inside the caller's unit of work). Raises
    DomainError with the messages on `contract_file` / `contract_date`."""
    s = store()
    if s is None:
        raise DomainError.field("contract_file", _("Files cannot be stored here."))
    return s.attach(placement, participant, upload, actor=actor)


def contracts_of(participant: Any, placements: Sequence[Any], actor: Any) -> dict[int, PlacementContract]:
    """{placement id: what its row shows about the contract} (a constant number of queries)."""
    s = store()
    return s.contracts_of(participant, placements, actor) if s and placements else {}
