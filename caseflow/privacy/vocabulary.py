"""Labels of the data protection vocabularies (the keys live in caseflow/privacy/models.py)."""
from caseflow.translation import lazy_gettext as _l

CONSENT_PURPOSE_LABELS = {
    "case_management": _l("case management"),
    "special_categories": _l("special categories of data (disability, minority)"),
    "partner_sharing": _l("sharing with partner organisations"),
    "funder_reporting": _l("reporting to funders"),
}

CONSENT_FORM_LABELS = {
    "written": _l("written"),
    "oral_witnessed": _l("oral, with a witness"),
}
