"""The documents domain's vocabularies: kinds, what a document can prove, the accepted file types
and the retention of each kind (docs/documents.md explains the retention)."""
from caseflow.translation import lazy_gettext as _l

DOCUMENT_KINDS = {
    "cv": _l("CV"),
    "certificate": _l("Certificate"),
    "translation": _l("Translation"),
    "recognition_notice": _l("Recognition notice"),
    "contract": _l("Employment contract"),
    "consent_form": _l("Signed consent form"),
    "attendance_list": _l("Attendance list"),
    "id_document": _l("Identity document"),
    "other": _l("Other document"),
}

# What a document can be evidence of: code → (label, the documents table's column).
LINKED_TYPES = {
    "placement": _l("Placement"),
    "certificate": _l("Qualification gained"),
    "enrolment": _l("Enrolment"),
    "consent": _l("Consent"),
    "foreign_qualification": _l("Foreign qualification"),
}
LINK_COLUMNS = {code: f"{code}_id" for code in LINKED_TYPES}

# The accepted types, read from the content (see content_types.py): code → (MIME type, label).
FILE_TYPES = {
    "pdf": ("application/pdf", "PDF"),
    "jpeg": ("image/jpeg", "JPEG"),
    "png": ("image/png", "PNG"),
    "heic": ("image/heic", "HEIC"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ODS"),
    "text": ("text/plain; charset=utf-8", _l("plain text")),
}

# Why a placement recorded with the evidence "contract seen" has no contract linked.
CONTRACT_GAP_REASONS = {
    "copy_not_allowed": _l("The employer or the participant did not allow a copy"),
    "seen_on_site": _l("Seen at the employer's; no copy made"),
    "to_follow": _l("A copy will follow"),
}

# Retention per kind (docs/documents.md): how long a document is kept while the case itself is kept.
# "case": as long as the case (anonymised RETENTION_YEARS after the final exit, which deletes every
# document); ("after_upload", days) / ("after_exit", days): deleted earlier by `documents purge`.
RETENTION = {
    "id_document": ("after_upload", 90),
    "cv": ("after_exit", 365),
    "other": ("after_exit", 365),
    "translation": ("case", 0),
    "certificate": ("case", 0),
    "recognition_notice": ("case", 0),
    "contract": ("case", 0),
    "attendance_list": ("case", 0),
    "consent_form": ("case", 0),
}
# A signed consent form proves a consent; it stays until the end of the third year after the
# consent was withdrawn (the regular limitation period, §§ 195, 199 BGB), however long the case is kept.
CONSENT_PROOF_YEARS = 3
