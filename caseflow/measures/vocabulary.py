"""The measures domain's vocabularies, each once as {code: lazy label}: the codes are the stored and
API values, the labels what pages and files show (the measure types and enrolment statuses, which
other domains use too, are in caseflow/vocabulary.py)."""
from __future__ import annotations

from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import GERMAN_LEVELS

NACE_SECTIONS = {
    "A": _l("A – Agriculture, forestry and fishing"),
    "B": _l("B – Mining and quarrying"),
    "C": _l("C – Manufacturing"),
    "D": _l("D – Electricity, gas, steam and air conditioning supply"),
    "E": _l("E – Water supply, sewerage, waste management"),
    "F": _l("F – Construction"),
    "G": _l("G – Wholesale and retail trade, repair of motor vehicles"),
    "H": _l("H – Transportation and storage"),
    "I": _l("I – Accommodation and food service"),
    "J": _l("J – Information and communication"),
    "K": _l("K – Financial and insurance activities"),
    "L": _l("L – Real estate activities"),
    "M": _l("M – Professional, scientific and technical activities"),
    "N": _l("N – Administrative and support service activities"),
    "O": _l("O – Public administration and defence"),
    "P": _l("P – Education"),
    "Q": _l("Q – Human health and social work"),
    "R": _l("R – Arts, entertainment and recreation"),
    "S": _l("S – Other service activities"),
    "T": _l("T – Activities of households as employers"),
    "U": _l("U – Extraterritorial organisations"),
}
COMPANY_SIZES = {
    "micro": _l("micro (fewer than 10 employees)"),
    "small": _l("small (10–49 employees)"),
    "medium": _l("medium (50–249 employees)"),
    "large": _l("large (250 employees or more)"),
}
TRADE_FIELDS = {
    "wood": _l("wood"),
    "metal": _l("metal"),
    "electronics": _l("electronics"),
    "textile": _l("textile"),
    "maintenance": _l("building maintenance"),
}
LABOUR_MARKETS = {
    "germany": _l("in Germany"),
    "country_of_origin": _l("in the country of origin"),
}
RECOGNITION_OUTCOMES = {
    "pending": _l("pending"),
    "full": _l("full equivalence"),
    "partial": _l("partial equivalence"),
    "none": _l("no equivalence"),
}
REVIEW_RESULTS = {
    "on_track": _l("on track"),
    "needs_support": _l("needs support"),
    "at_risk": _l("at risk"),
}
COMPENSATION_FORMS = {
    "adaptation_course": _l("adaptation course"),
    "aptitude_test": _l("aptitude test"),
}
COMPENSATION_RESULTS = {
    "pending": _l("pending"),
    "passed": _l("passed"),
    "failed": _l("failed"),
}
CEFR_LEVELS = {level: level for level in GERMAN_LEVELS}
