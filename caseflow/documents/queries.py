"""Read-only selects of the documents domain: a participant's documents, the records a document
can prove (with a readable label each), and the placements that need their contract. Each loads
in a constant number of queries, whatever the number of rows."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from caseflow.documents.models import ContractGap, Document
from caseflow.documents.vocabulary import DOCUMENT_KINDS
from caseflow.extensions import db
from caseflow.measures.models import Enrolment, Measure
from caseflow.participants.models import ForeignQualification
from caseflow.placements.models import Certificate, Placement
from caseflow.privacy.models import Consent
from caseflow.privacy.vocabulary import CONSENT_PURPOSE_LABELS
from caseflow.translation import gettext as _
from caseflow.vocabulary import PLACEMENT_TYPES, options


def documents_of(participant_id: int) -> list[Document]:
    """The participant's documents with their files (two queries), newest first within each kind."""
    return list(db.session.scalars(
        sa.select(Document).where(Document.participant_id == participant_id)
        .options(selectinload(Document.files))
        .order_by(Document.date.desc(), Document.id.desc())))


def by_kind(documents: list[Document]) -> list[tuple[str, list[Document]]]:
    """[(kind, documents)] in the order of the vocabulary, kinds without documents left out."""
    groups = defaultdict(list)
    for d in documents:
        groups[d.kind].append(d)
    return [(kind, groups[kind]) for kind in DOCUMENT_KINDS if groups.get(kind)]


def _placement_label(p: Placement) -> str:
    where = p.employer_name or (p.employer.name if p.employer else None) or ""
    what = " – ".join(x for x in (str(PLACEMENT_TYPES.get(p.type, p.type)), p.job_title, where) if x)
    return _("Placement: %(what)s, from %(day)s", what=what, day=format_date(p.start_date))


def linkable_records(participant_id: int) -> dict[tuple[str, int], str]:
    """{(linked type, id): label} of every record of the participant a document can prove (5 queries)."""
    out: dict[tuple[str, int], str] = {}
    for p in db.session.scalars(sa.select(Placement).where(Placement.participant_id == participant_id)
                                .options(selectinload(Placement.employer)).order_by(Placement.start_date.desc())):
        out[("placement", p.id)] = _placement_label(p)
    for c in db.session.scalars(sa.select(Certificate).where(Certificate.participant_id == participant_id)
                                .order_by(Certificate.date.desc())):
        out[("certificate", c.id)] = _("Qualification: %(title)s, %(day)s", title=c.title, day=format_date(c.date))
    for e_id, title, start in db.session.execute(
            sa.select(Enrolment.id, Measure.title, Enrolment.start_date).join(Measure, Measure.id == Enrolment.measure_id)
            .where(Enrolment.participant_id == participant_id).order_by(Enrolment.start_date.desc())):
        out[("enrolment", e_id)] = _("Enrolment: %(title)s, from %(day)s", title=title,
                                     day=format_date(start) if start else "—")
    for consent in db.session.scalars(sa.select(Consent).where(Consent.participant_id == participant_id)
                                      .order_by(Consent.given_on.desc())):
        out[("consent", consent.id)] = _("Consent: %(purpose)s, %(day)s",
                                         purpose=CONSENT_PURPOSE_LABELS.get(consent.purpose, consent.purpose),
                                         day=format_date(consent.given_on))
    for q in db.session.scalars(sa.select(ForeignQualification).where(
            ForeignQualification.participant_id == participant_id).order_by(ForeignQualification.id)):
        out[("foreign_qualification", q.id)] = _("Foreign qualification: %(title)s", title=q.title)
    return out


def link_choices(records: dict[tuple[str, int], str]) -> list[SelectChoice]:
    return options(((f"{t}:{i}", label) for (t, i), label in records.items()), blank=_("nothing in particular"))


@dataclass
class ContractEvidence:
    placement: Placement
    label: str
    contracts: list[Document] = field(default_factory=list)
    gap: ContractGap | None = None


def contract_evidence(participant_id: int, documents: list[Document],
                      records: dict[tuple[str, int], str]) -> list[ContractEvidence]:
    """The placements recorded with the evidence "contract seen", each with its linked contracts or
    the reason given for having none (two queries)."""
    placements = db.session.scalars(sa.select(Placement).where(
        Placement.participant_id == participant_id, Placement.evidence == "contract_seen")
        .order_by(Placement.start_date.desc())).all()
    if not placements:
        return []
    gaps = {g.placement_id: g for g in db.session.scalars(
        sa.select(ContractGap).where(ContractGap.participant_id == participant_id))}
    out = []
    for p in placements:
        contracts = [d for d in documents if d.placement_id == p.id and d.kind == "contract"]
        out.append(ContractEvidence(p, records.get(("placement", p.id), ""), contracts, gaps.get(p.id)))
    return out
