"""The outcomes domain's vocabularies, each once as {code: lazy label}: the codes are the stored and
API values, the labels what pages show (placement types, exit reasons and follow-up statuses, which
the reports use too, are in caseflow/vocabulary.py)."""
from __future__ import annotations

from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import ENROLMENT_STATUSES

EVIDENCE_KINDS = {
    "self_reported": _l("self-reported"),
    "employer_confirmed": _l("confirmed by the employer"),
    "contract_seen": _l("contract seen"),
}
IMPROVEMENT_KINDS = {
    "stable_contract": _l("from precarious to stable work (e.g. permanent contract)"),
    "full_time": _l("from under-employment to full employment"),
    "higher_skills": _l("a job needing higher skills or responsibility"),
    "promotion": _l("a promotion"),
}
FOLLOW_UP_KINDS = {"six_months": _l("six-month follow-up"), "four_weeks": _l("4-week check")}
# How an open enrolment can be closed at the exit (measures.services.exit_closings says which apply).
ENROLMENT_CLOSINGS = {code: ENROLMENT_STATUSES[code] for code in ("completed", "dropped_out", "cancelled")}
