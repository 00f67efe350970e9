"""The case file's "Documents" panel: the documents grouped by kind with the fact each proves, and
the placements recorded with the evidence "contract seen" with their contract or the reason there
is none. Constant number of queries (documents, files, the five kinds of linkable records, the
contract placements and their gaps)."""
from __future__ import annotations

from caseflow.documents import queries
from caseflow.documents.forms import ContractGapForm
from caseflow.documents.vocabulary import DOCUMENT_KINDS, FILE_TYPES
from caseflow.participants.panels import case_file_panel


@case_file_panel(template="documents/_case_file_panel.html", order=35)
def documents_panel(participant, actor):
    documents = queries.documents_of(participant.id)
    records = queries.linkable_records(participant.id)
    return {"document_groups": queries.by_kind(documents), "linked_labels": records,
            "contract_evidence": queries.contract_evidence(participant.id, documents, records),
            "document_kinds": DOCUMENT_KINDS, "file_types": FILE_TYPES,
            "gap_form": ContractGapForm(formdata=None),
            "documents_read_only": participant.anonymised_at is not None
            or (participant.restricted_at is not None and getattr(actor, "role", None) != "team_lead")}
