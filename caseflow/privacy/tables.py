"""Which tables hold data about a participant, found from the schema itself.

Every table with a foreign key to `participants.id` holds rows about one participant; so does every
table that hangs off such a table (note revisions off notes, attendances off enrolments). The
subject-access export and the anonymisation both walk this list, so a table added later is covered
without anyone remembering to add it here.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from caseflow.extensions import db

PARTICIPANTS = "participants"

# Tables whose rows are file content (the documents domain's encrypted chunks), registered at start-up
# by the domain that owns them: rows_about leaves them out (the export's JSON holds no ciphertext;
# that domain exports the files themselves).
CONTENT_TABLES: set[str] = set()
# Copies derived for the reports (reports/facts.py), computed entirely from the participant's row
# and records that rows_about returns in full: codes and flags that add nothing a person could
# read, removed with the case (ON DELETE CASCADE). rows_about leaves them out.
DERIVED_TABLES = {"report_facts", "report_placements"}


@dataclass(frozen=True)
class LinkedTable:
    """A table holding rows about participants, and how its rows find their participant."""

    table: sa.Table
    # (column of this table, parent table) pairs; the parent is `participants` for direct links.
    links: tuple[tuple[sa.Column, sa.Table], ...]
    depth: int

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def direct(self) -> bool:
        return any(parent.name == PARTICIPANTS for _, parent in self.links)


def _references(table: sa.Table, target: sa.Table) -> list[sa.Column]:
    return [fk.parent for fk in table.foreign_keys if fk.column.table is target and table is not target]


def linked_tables(metadata: sa.MetaData | None = None) -> list[LinkedTable]:
    """Every table that holds rows about one participant, parents before children."""
    metadata = metadata or db.metadata
    participants = metadata.tables[PARTICIPANTS]
    found: dict[str, LinkedTable] = {}
    frontier = [participants]
    depth = 0
    while frontier:
        depth += 1
        next_frontier = []
        for table in metadata.sorted_tables:
            if table is participants or table.name in found:
                continue
            links = tuple((col, parent) for parent in frontier for col in _references(table, parent))
            if links:
                # A table with a direct participant link finds its rows only through that link.
                direct = tuple((c, p) for c, p in links if p is participants)
                found[table.name] = LinkedTable(table, direct or links, depth)
                next_frontier.append(table)
        frontier = next_frontier
    return list(found.values())


def primary_key(table: sa.Table) -> sa.Column:
    return list(table.primary_key.columns)[0]


def row_filter(linked: LinkedTable, participant_id: int, index: dict[str, LinkedTable]):
    """A WHERE clause selecting `linked`'s rows about one participant."""
    clauses = []
    for column, parent in linked.links:
        if parent.name == PARTICIPANTS:
            clauses.append(column == participant_id)
        else:
            parent_link = index[parent.name]
            clauses.append(column.in_(sa.select(primary_key(parent)).where(
                row_filter(parent_link, participant_id, index))))
    return sa.or_(*clauses)


def rows_about(participant_id: int) -> dict[str, list[dict]]:
    """{table name: [row mappings]} of every linked table (one query per table) but the content and
    derived ones."""
    tables = linked_tables()
    index = {t.name: t for t in tables}
    result: dict[str, list[dict]] = {}
    for linked in tables:
        if linked.name in CONTENT_TABLES or linked.name in DERIVED_TABLES:
            continue
        stmt = sa.select(linked.table).where(row_filter(linked, participant_id, index)) \
            .order_by(primary_key(linked.table))
        result[linked.name] = [dict(r) for r in db.session.execute(stmt).mappings()]
    return result
