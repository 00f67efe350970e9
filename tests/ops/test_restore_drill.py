"""The restore drill of docs/operations.md (issue 19, item 5): back up a live database, write more,
restore the backup into a new database, and find every row of every table as it was at the backup
(a generic comparison over all tables, so tables added later — documents, jobs — are covered
without changing this test)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.ops import backup
from tests.ops.conftest import table_rows


def test_back_up_write_more_restore_and_verify_every_row(app, at_head, second_database, tmp_path):
    from caseflow.demo import generate
    generate(participants=25, seed=19, today=date(2026, 6, 30))
    expected = table_rows(db.engine)
    filled = [name for name, rows in expected.items() if rows]
    assert len(filled) >= 10, f"the drill needs data in most tables, got {filled}"

    dump = backup.backup(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "caseflow.backup")
    assert dump.stat().st_size > 0

    # Work goes on after the backup: a new row, a changed row, a deleted row.
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO organisations (name, created_at) VALUES ('Nach dem Backup e.V.', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("UPDATE participants SET first_name = 'Geändert' WHERE id = 1"))
        conn.execute(sa.text("DELETE FROM notes WHERE id = (SELECT min(id) FROM notes)"))
    assert table_rows(db.engine) != expected

    backup.restore(dump, second_database)
    restored = sa.create_engine(second_database)
    try:
        actual = table_rows(restored)
        assert sorted(actual) == sorted(expected), "the same tables"
        for name in expected:
            assert actual[name] == expected[name], f"table {name} differs after the restore"
        # The restored database goes on numbering after its highest ids (sequences came along).
        with restored.begin() as conn:
            new_id = conn.execute(sa.text("INSERT INTO organisations (name, created_at) "
                                          "VALUES ('Nach der Wiederherstellung', CURRENT_TIMESTAMP) "
                                          "RETURNING id")).scalar_one()
        assert new_id > max(row[0] for row in expected["organisations"])
    finally:
        restored.dispose()
