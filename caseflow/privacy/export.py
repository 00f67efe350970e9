"""The subject-access export (GDPR Art. 15/20): everything held about one participant.

Built from the schema (caseflow.privacy.tables), so a table added later appears in the export
without a change here. A constant number of queries: one per linked table plus one per kind of
referenced object whose label is shown (staff names, measure titles, employer names).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from caseflow.audit.services import ACCESS_ACTIONS
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.privacy.tables import PARTICIPANTS, rows_about

FORMAT = "caseflow-subject-access/1"

# Internal or third-party columns left out: derived search keys (they repeat the name), and the
# staff's IP addresses in the audit trail (personal data of the staff, not of the participant).
LEFT_OUT = {
    PARTICIPANTS: {"search_key", "duplicate_key"},
    "audit_entries": {"address"},
}
# Referenced objects shown by a readable label next to their id.
LABELS = {"users": "name", "measures": "title", "employers": "name", "organisations": "name"}


def plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row(table_name: str, row: dict) -> dict:
    skip = LEFT_OUT.get(table_name, set())
    return {k: plain(v) for k, v in row.items() if k not in skip}


def _label_lookups(tables: dict[str, list[dict]], participant_row: dict) -> dict[tuple[str, str], str]:
    """{(referenced table, column of referring row): ...} resolved in one query per referenced table."""
    metadata = db.metadata
    wanted: dict[str, set] = {}
    sources = [(PARTICIPANTS, [participant_row])] + list(tables.items())
    for name, rows in sources:
        for fk in _foreign_keys_in_column_order(metadata.tables[name]):
            target = fk.column.table.name
            if target in LABELS:
                wanted.setdefault(target, set()).update(r[fk.parent.name] for r in rows if r.get(fk.parent.name))
    labels: dict[tuple[str, Any], str] = {}
    for target, keys in wanted.items():
        if not keys:
            continue
        table = metadata.tables[target]
        for key, label in db.session.execute(
                sa.select(table.c.id, table.c[LABELS[target]]).where(table.c.id.in_(keys))):
            labels[(target, key)] = label
    return labels


def _foreign_keys_in_column_order(table: sa.Table) -> list[sa.ForeignKey]:
    """A table's foreign keys in the order of its columns: `Table.foreign_keys` is a set, whose
    order changed from one server start to the next, and with it the order of the label columns
    in the export (and of the printable page's columns)."""
    return [fk for column in table.columns for fk in sorted(column.foreign_keys, key=lambda f: f.target_fullname)]


def _with_labels(table_name: str, row: dict, labels: dict) -> dict:
    out = _row(table_name, row)
    for fk in _foreign_keys_in_column_order(db.metadata.tables[table_name]):
        target = fk.column.table.name
        key = row.get(fk.parent.name)
        if target not in LABELS or key is None or (target, key) not in labels:
            continue
        name = f"{fk.parent.name.removesuffix('_id')}_{LABELS[target]}"
        if name not in out:
            out[name] = labels[(target, key)]
    return out


def _audit_about_rows(participant_id: int, tables: dict[str, list[dict]]) -> list[dict]:
    """Audit entries about one of the participant's rows that do not name the participant itself."""
    audit = db.metadata.tables["audit_entries"]
    about = [sa.and_(audit.c.object_type == name, audit.c.object_id.in_([r["id"] for r in rows]))
             for name, rows in tables.items() if rows and name != "audit_entries" and "id" in rows[0]]
    if not about:
        return []
    stmt = sa.select(audit).where(audit.c.participant_id.is_(None), sa.or_(*about)).order_by(audit.c.id)
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def build_export(participant) -> dict[str, Any]:
    """The export as plain JSON-ready data."""
    participants = db.metadata.tables[PARTICIPANTS]
    participant_row = dict(db.session.execute(
        sa.select(participants).where(participants.c.id == participant.id)).mappings().one())
    tables = rows_about(participant.id)
    tables["audit_entries"] = tables.get("audit_entries", []) + _audit_about_rows(participant.id, tables)
    labels = _label_lookups(tables, participant_row)
    records = {name: [_with_labels(name, r, labels) for r in rows] for name, rows in tables.items()}
    access_log = [
        {"at": plain(r["at"]), "action": r["action"],
         "by": labels.get(("users", r["actor_id"])) if r["actor_id"] else None}
        for r in tables.get("audit_entries", []) if r["action"] in ACCESS_ACTIONS
    ]
    return {
        "format": FORMAT,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "case_number": participant.case_number,
        "participant": _with_labels(PARTICIPANTS, participant_row, labels),
        "records": records,
        "access_log": access_log,
    }


def display_value(value: Any) -> str:
    """A value of the export as text for the printable page, in the current locale."""
    import json
    import re

    from flask_babel import format_date, format_datetime

    from caseflow.translation import gettext as _

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(date.fromisoformat(value), "medium")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+([+-]\d{2}:\d{2})?", value):
        return format_datetime(datetime.fromisoformat(value), "medium")
    return str(value)
