"""participants: search that does not scan (trigram index on PostgreSQL, FTS5 on SQLite), and the
search key holds the phone number's digits and the e-mail address too

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:10:00

Review notes:
- `search_key` keeps its type (VARCHAR(260)); its content grows by the phone digits and the folded
  e-mail address (caseflow/participants/names.py). Every not anonymised participant's key is
  computed again here, in batches of 2,000 by id (anonymised ones keep their empty key). This
  imports names.search_key as it is at this revision: a later change of the folding must write
  its own revision that computes the keys again.
- The plain B-tree index `ix_participants_search_key` goes: LIKE '%term%' never used it.
- PostgreSQL: `CREATE EXTENSION IF NOT EXISTS pg_trgm` (a trusted extension since PostgreSQL 13,
  so the database owner may create it) and the GIN index `ix_participants_search_key_trgm`
  (gin_trgm_ops), built after the keys are written. On a large database build it by hand with
  CREATE INDEX CONCURRENTLY before upgrading; this revision then finds it (IF NOT EXISTS).
- SQLite: two FTS5 tables with external content (`participants_search`, trigram tokenizer, and
  `participants_search_words`, unicode61 with a prefix index) and three triggers on `participants`
  that keep them in step; 'rebuild' fills them from the table. Needs SQLite >= 3.34 (trigram
  tokenizer); checked at the start. Alembic cannot see virtual tables or triggers: migrations/env.py
  leaves them out of `alembic check`; tests/platform/test_index_definitions.py compares them.
  A later batch migration of `participants` (copy and move) drops these triggers with the old table
  and must create them again.
- Downgrade drops the FTS tables, the triggers and the trigram index, and creates the B-tree index
  again. The extension stays (other objects may use it), and the keys keep their phone and e-mail
  parts (the old search still finds every name and case number in them).
"""
import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE participants_search USING fts5("
    "search_key, content='participants', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE participants_search_words USING fts5("
    "search_key, content='participants', content_rowid='id', tokenize='unicode61', prefix='1 2')",
    "CREATE TRIGGER participants_search_insert AFTER INSERT ON participants BEGIN "
    "INSERT INTO participants_search(rowid, search_key) VALUES (new.id, new.search_key); "
    "INSERT INTO participants_search_words(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER participants_search_delete AFTER DELETE ON participants BEGIN "
    "INSERT INTO participants_search(participants_search, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO participants_search_words(participants_search_words, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER participants_search_update AFTER UPDATE OF search_key ON participants BEGIN "
    "INSERT INTO participants_search(participants_search, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO participants_search_words(participants_search_words, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO participants_search(rowid, search_key) VALUES (new.id, new.search_key); "
    "INSERT INTO participants_search_words(rowid, search_key) VALUES (new.id, new.search_key); END",
)
NEW_COMMENT = "folded case number, names, e-mail and phone digits for search (participants/search.py)"
OLD_COMMENT = "folded 'case number first last' for accent-insensitive search"


def _recompute_search_keys(conn) -> None:
    from caseflow.participants.names import search_key

    last_id = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, case_number, first_name, last_name, phone, email FROM participants "
            "WHERE id > :last AND anonymised_at IS NULL ORDER BY id LIMIT :n"),
            {"last": last_id, "n": BATCH}).all()
        if not rows:
            return
        conn.execute(sa.text("UPDATE participants SET search_key = :key WHERE id = :id"),
                     [{"id": r.id, "key": search_key(r.case_number, r.first_name, r.last_name, r.phone, r.email)}
                      for r in rows])
        last_id = rows[-1].id


def upgrade() -> None:
    conn = op.get_bind()
    op.drop_index('ix_participants_search_key', table_name='participants')
    _recompute_search_keys(conn)
    if conn.dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.alter_column('participants', 'search_key', existing_type=sa.String(260), existing_nullable=False,
                        comment=NEW_COMMENT, existing_comment=OLD_COMMENT)
        op.execute("CREATE INDEX IF NOT EXISTS ix_participants_search_key_trgm ON participants "
                   "USING gin (search_key gin_trgm_ops)")
    else:
        if sqlite3.sqlite_version_info < (3, 34):
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer (3.34 or later needed)")
        for statement in SQLITE_SEARCH_DDL:
            op.execute(statement)
        op.execute("INSERT INTO participants_search(participants_search) VALUES ('rebuild')")
        op.execute("INSERT INTO participants_search_words(participants_search_words) VALUES ('rebuild')")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_participants_search_key_trgm")
        op.alter_column('participants', 'search_key', existing_type=sa.String(260), existing_nullable=False,
                        comment=OLD_COMMENT, existing_comment=NEW_COMMENT)
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS participants_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS participants_search")
        op.execute("DROP TABLE IF EXISTS participants_search_words")
    op.create_index('ix_participants_search_key', 'participants', ['search_key'], unique=False)
