"""The partnership's vocabulary: codes (stored and API values) with their labels."""
from caseflow.translation import lazy_gettext as _l

REFERRAL_STATUSES = {
    "pending": _l("pending"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "withdrawn": _l("withdrawn (consent withdrawn)"),
}
