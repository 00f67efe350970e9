"""Removing a participant's personal data for good while keeping what the statistics need (GDPR Art. 17).

The walk covers the participant's own row and every table found by caseflow.privacy.tables, so a
table added later is covered too. What happens to a column:

- an explicit rule below, else
- primary and foreign keys, numbers, booleans, dates and enum-typed (CHECK-constrained) columns
  stay: they are what the reports count;
- any other text column is removed (NULL when allowed, "[removed]" otherwise);
- JSON columns keep only code-like values (enum keys, country and CEFR codes, ISO dates, numbers,
  booleans); free text inside them is replaced by "[removed]".

Text that is kept (employer name, job title, certificate title, …) is still checked for the
person's own name, email, phone and birth date; a value that contains one is removed as well.
Audit entries about the person (or about any of its rows) keep their keys but lose every value.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.privacy.tables import PARTICIPANTS, linked_tables, primary_key, row_filter

REMOVED = "[removed]"

# Functions(participant) that delete rows which must not survive in any form (documents and their
# files), registered at start-up by the domains that own them; run first by scrub_participant_data.
ERASERS: list[Callable[[Any], Any]] = []

# KEEP: stays unless it contains one of the person's identifiers; AS_IS: a code, stays whatever it is
# (a person called "Li" must not cost the Liechtenstein nationality its code).
KEEP, AS_IS, SCRUB, NULL, EMPTY, CODES, AUDIT = "keep", "as_is", "scrub", "null", "empty", "codes", "audit"

# Explicit decisions; everything not named here follows the type-based default of the docstring.
COLUMN_RULES: dict[str, dict[str, str]] = {
    "participants": {
        "case_number": AS_IS,           # not personal on its own; keeps reports and logs joinable
        "nationality": AS_IS, "country_of_birth": AS_IS,
        "district": AS_IS,              # a Berlin borough: coarse, used for regional figures
        "exit_reason": AS_IS,
        "date_of_birth": NULL,          # birth_year and age_at_entry stay
        "search_key": EMPTY,            # the person can no longer be found by search
        "duplicate_key": NULL,
        "preferred_language": NULL,
        "restriction_reason": NULL,
    },
    "participant_languages": {"language": AS_IS, "level": CODES},
    "foreign_qualifications": {"country": AS_IS},
    "consents": {"notice_version": AS_IS, "notice_language": AS_IS},   # the witness's name goes
    "enrolments": {"details": CODES},
    "placements": {"employer_name": KEEP, "job_title": KEEP, "occupation": KEEP, "country": AS_IS},
    "certificates": {"title": KEEP, "issuing_body": KEEP},
    "audit_entries": {"action": AS_IS, "object_type": AS_IS, "address": AS_IS, "changes": AUDIT},
    # derived from the participant's codes and histories in the same transaction (reports/facts.py):
    # codes only, recomputed from the anonymised participant when the anonymisation commits
    "report_facts": {name: AS_IS for name in (
        "leaving_status", "follow_up_status", "status", "gender", "age_band", "nationality", "residence_status",
        "german_level", "labour_status_at_entry", "disability", "foreign_background", "minority", "homeless",
        "cube_key")},   # five of these codes joined by '|'
    "report_placements": {"type": AS_IS},
}

# Tables of shared records that a participant's rows refer to: checked for the person's identifiers.
REFERENCED_DIRECTORIES = ("employers",)

_CODE = re.compile(r"^(?:[a-z0-9_]{1,40}|[A-Z]{2}|[ABC][12]|\d{4}-\d{2}-\d{2}(?:T[\d:.+]+)?)$")


def fold(text: str) -> str:
    """Lower case without accents, ß as ss: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Identifiers:
    """The person's own identifiers, for finding them inside text that otherwise stays."""

    def __init__(self, participant) -> None:
        needles: set[str] = set()
        for name in (participant.first_name, participant.last_name):
            if name:
                needles.add(fold(name.strip()))
                needles.update(t for t in re.split(r"[\s\-']+", fold(name)) if len(t) >= 3)
        for value in (participant.email, participant.phone, participant.street):
            if value and len(value.strip()) >= 5:
                needles.add(fold(value.strip()))
        born: date | None = participant.date_of_birth
        if born:
            needles.update({born.isoformat(), born.strftime("%d.%m.%Y"), born.strftime("%d/%m/%Y")})
        self.patterns = [re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)") for n in sorted(needles) if n]

    def found_in(self, text: str) -> bool:
        folded = fold(text)
        return any(p.search(folded) for p in self.patterns)

    def scrub(self, text: str) -> str:
        """`text` with every identifier replaced by "[removed]" (for the reason of the act itself)."""
        for pattern in self.patterns:
            text = _replace_folded(text, pattern)
        return text


def _replace_folded(text: str, pattern: re.Pattern) -> str:
    # Folding can change lengths (ß → ss), so map each folded char back to its source index.
    folded_chars, origin = [], []
    for i, ch in enumerate(text):
        for f in fold(ch):
            folded_chars.append(f)
            origin.append(i)
    folded = "".join(folded_chars)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded) if m.end() > m.start()]
    for start, end in reversed(spans):
        text = text[:start] + REMOVED + text[end:]
    return text


def column_action(table: sa.Table, column: sa.Column) -> str:
    rule = COLUMN_RULES.get(table.name, {}).get(column.name)
    if rule:
        return rule
    if column.primary_key or column.foreign_keys:
        return AS_IS
    if isinstance(column.type, sa.Enum):
        return AS_IS
    if isinstance(column.type, sa.JSON):
        return CODES
    if isinstance(column.type, (sa.String, sa.Text)):
        return SCRUB
    return AS_IS


def _removed_value(column: sa.Column):
    if column.nullable:
        return None
    length = getattr(column.type, "length", None)
    return REMOVED if length is None or length >= len(REMOVED) else ""


def scrub_codes(value: Any, ids: Identifiers) -> Any:
    if isinstance(value, dict):
        return {k: scrub_codes(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_codes(v, ids) for v in value]
    if isinstance(value, str):
        return value if _CODE.match(value) and not ids.found_in(value) else REMOVED
    return value


def new_value(action: str, column: sa.Column, value: Any, ids: Identifiers) -> Any:
    """The value `column` holds after anonymisation."""
    if value is None or action == AS_IS:
        return value
    if action == KEEP:
        if isinstance(value, str) and _plain_text(column) and ids.found_in(value):
            return _removed_value(column)
        return value
    if action == NULL:
        return None
    if action == EMPTY:
        return ""
    if action == SCRUB:
        return _removed_value(column) if value not in ("", REMOVED) else value
    if action == CODES:
        return scrub_codes(value, ids)
    if action == AUDIT:
        return {k: None for k in value} if isinstance(value, dict) else None
    raise ValueError(f"unknown anonymisation action {action!r}")


def _plain_text(column: sa.Column) -> bool:
    return isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)


def _scrub_rows(table: sa.Table, where, ids: Identifiers, *, only_identifiers: bool = False) -> list[Any]:
    """Rewrites the rows of `table` matching `where`; returns their primary keys. With
    `only_identifiers`, every text column is treated as KEEP: only values naming the person go."""
    pk = primary_key(table)
    actions = {c.name: (KEEP if only_identifiers and _plain_text(c) and not c.foreign_keys else
                        AS_IS if only_identifiers else column_action(table, c)) for c in table.columns}
    touched = [c for c in table.columns if c is not pk and c.name in actions
               and actions[c.name] != AS_IS and (actions[c.name] != KEEP or _plain_text(c))]
    keys = []
    rows = db.session.execute(sa.select(pk, *touched).where(where)).mappings().all()
    for row in rows:
        keys.append(row[pk.name])
        values = {}
        for column in touched:
            old = row[column.name]
            new = new_value(actions[column.name], column, old, ids)
            if new != old:
                values[column.name] = new
        if values:
            if "version" in table.c and table.name != PARTICIPANTS:
                values["version"] = table.c.version + 1
            db.session.execute(sa.update(table).where(pk == row[pk.name]).values(**values))
    return keys


def scrub_participant_data(participant) -> None:
    """Removes the personal data of `participant` in every table (no commit, no audit).

    Safe to run again: already removed values stay removed.
    """
    ids = Identifiers(participant)
    for erase in ERASERS:
        erase(participant)
    metadata = db.metadata
    tables = linked_tables(metadata)
    index = {t.name: t for t in tables}
    db.session.flush()
    touched: dict[str, list[Any]] = {PARTICIPANTS: [participant.id]}
    for linked in tables:
        if linked.name == "audit_entries":
            continue
        touched[linked.name] = _scrub_rows(linked.table, row_filter(linked, participant.id, index), ids)

    # Shared directories the person's rows point to (the employer of a placement, the host company
    # of a trainee partnership) stay, except values that name the person: a self-employed
    # participant's own business, with the participant as its contact person.
    for name in REFERENCED_DIRECTORIES:
        referenced: set[int] = set()
        for linked in tables:
            if not touched.get(linked.name):
                continue
            pk = primary_key(linked.table)
            for fk in linked.table.foreign_keys:
                if fk.column.table.name == name:
                    referenced.update(db.session.scalars(sa.select(fk.parent).where(
                        pk.in_(touched[linked.name]), fk.parent.is_not(None))))
        if referenced:
            directory = metadata.tables[name]
            _scrub_rows(directory, primary_key(directory).in_(referenced), ids, only_identifiers=True)

    audit = metadata.tables["audit_entries"]
    about_rows = [sa.and_(audit.c.object_type == name, audit.c.object_id.in_(keys))
                  for name, keys in touched.items() if keys]
    where = sa.and_(sa.or_(audit.c.participant_id == participant.id, *about_rows),
                    audit.c.action != "participant.anonymise")
    _scrub_rows(audit, where, ids)

    # The participant's own row last, through the ORM so that its version moves on.
    table = metadata.tables[PARTICIPANTS]
    for column in table.columns:
        if column.primary_key or column.name == "version":
            continue
        old = getattr(participant, column.key)
        new = new_value(column_action(table, column), column, old, ids)
        if new != old:
            setattr(participant, column.key, new)
