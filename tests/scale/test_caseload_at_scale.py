"""The caseload page reads its page in index order, whatever the size of the caseload (issue 19).

The caseload sorts names by the reader's collation (collation.sort_key); on PostgreSQL its indexes
hold that very expression, so one page of a counsellor's (or an organisation's) 40,000 active cases
is 50 index entries, not a sort of all of them. A few rows cannot show the timing, but the plan
shows whether the index can answer the query in its order: the planner is told not to sort or scan
(with a handful of rows both would be cheaper), and a Sort node that remains means the index does
not match the ORDER BY. The statements checked are those the page really sends (captured while
queries.caseload runs), with their parameters. SQLite keeps lower() indexes (models.py says why):
it filters and counts from them and sorts the caseload; the test shows that too."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants import queries
from caseflow.participants.queries import CaseloadFilters
from caseflow.participants.services import register_participant
from tests.databases import query_plan
from tests.participants.conftest import service_data
from tests.participants.test_caseload import bulk_participants


def _sent(call) -> list[tuple[str, object]]:
    """The statements `call()` sends, with their parameters."""
    sent: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, *args):
        sent.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return sent


def _participant_statements(actor, filters: CaseloadFilters) -> list[tuple[str, object]]:
    """The statements on participants that queries.caseload sends for a page of three, with their
    parameters (the actor's row may be read before them)."""
    pages = []
    sent = _sent(lambda: pages.append(queries.caseload(actor, filters, page=1, per_page=50)))
    assert len(pages[0].items) == 3
    return [(s, p) for s, p in sent if "FROM participants" in s]


def _statements(actor, filters: CaseloadFilters) -> tuple[tuple[str, object], tuple[str, object]]:
    """(count statement, rows statement) that queries.caseload sends, with their parameters."""
    sent = _participant_statements(actor, filters)
    assert len(sent) == 2, [s for s, _ in sent]
    return sent[0], sent[1]


def _plan(statement: str, parameters) -> str:
    return query_plan(statement, parameters, avoid=("seqscan", "sort", "bitmapscan"))


@pytest.fixture
def three(counsellor):
    """Three of the counsellor's active cases, registered through the service."""
    for i, last in enumerate(("Zaman", "Çelik", "Østergaard")):
        register_participant(service_data(first_name="A", last_name=last, date_of_birth=f"1980-01-{i + 1:02d}",
                                          confirm_not_duplicate=True), actor=counsellor)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(("who", "index"), [("counsellor", "ix_participants_caseload"),
                                             ("team_lead", "ix_participants_caseload_organisation")])
def test_a_caseload_page_in_name_order_is_read_from_the_index(request, dialect, three, who, index, descending):
    actor = request.getfixturevalue(who)
    filters = CaseloadFilters(counsellor_id=actor.id if who == "counsellor" else None, descending=descending)
    (count_sql, count_params), (rows_sql, rows_params) = _statements(actor, filters)
    count_plan, rows_plan = _plan(count_sql, count_params), _plan(rows_sql, rows_params)
    if dialect == "postgresql":
        # The page: the index in its order (backwards for descending), no sort of the caseload (the
        # columns' subqueries below, one participant's tasks or enrolments each, may sort).
        page_plan = rows_plan.split("SubPlan")[0]
        participants = [line for line in page_plan.splitlines() if " on participants" in line]
        assert participants and index in participants[0] and "Sort" not in page_plan, rows_plan
        assert ("Backward" in participants[0]) is descending, rows_plan
        assert "Seq Scan" not in count_plan, count_plan
    else:
        # SQLite finds the caseload through an index and sorts it (no index holds its sort key).
        assert "SEARCH participants USING" in rows_plan and "SCAN participants" not in rows_plan, rows_plan
        assert "SEARCH participants USING" in count_plan, count_plan


def test_nationalities_in_use_are_found_one_probe_each(dialect, counsellor, other_counsellor, team_lead):
    """The nationality filter's choices: every nationality of the organisation's not anonymised
    cases, once, in order, each the next one after the last in the index (not a DISTINCT of every
    case of the organisation)."""
    from caseflow.privacy.services import anonymise_participant
    for i, (nationality, actor) in enumerate((("UA", counsellor), ("SY", counsellor), ("UA", counsellor),
                                              ("AF", counsellor), ("TR", counsellor), ("IQ", other_counsellor))):
        p = register_participant(service_data(first_name="A", last_name=f"Name{i}", nationality=nationality,
                                              date_of_birth=f"1980-02-{i + 1:02d}", confirm_not_duplicate=True),
                                 actor=actor)
        if nationality == "TR":
            anonymise_participant(p.id, "retention", actor=team_lead)
    assert queries.filter_choices(counsellor.organisation_id).nationalities == ["AF", "SY", "UA"]
    assert queries.filter_choices(other_counsellor.organisation_id).nationalities == ["IQ"]

    # (the caseload's one statement of its filters' choices: the nationalities with the counsellors and measures)
    statement, parameters = _sent(lambda: queries.filter_choices(counsellor.organisation_id))[-1]
    # The plan of a table with statistics and enough rows that reading the range costs more than
    # probing (the planner's choice among a few rows is arbitrary).
    bulk_participants(counsellor.organisation, counsellor, 3000)
    conn = db.session.connection()
    conn.exec_driver_sql("ANALYZE participants" if dialect == "postgresql" else "ANALYZE")
    if dialect == "postgresql":
        # (ANALYZE: the plain EXPLAIN of this recursive query leaves out its subquery's plan)
        lines = conn.exec_driver_sql("EXPLAIN ANALYZE " + statement, parameters).scalars().all()
        probes = [n for n, line in enumerate(lines) if "on participants" in line]
        assert len(probes) == 2, "\n".join(lines)
        for n in probes:  # each the first entry after the last nationality (a Limit right above it)
            assert "Index Only Scan using ix_participants_organisation_nationality" in lines[n], "\n".join(lines)
            assert "Limit" in lines[n - 1], "\n".join(lines)
    else:
        plan = _plan(statement, parameters)
        assert ("SEARCH participants USING INDEX ix_participants_organisation_nationality "
                "(organisation_id=? AND nationality>?)") in plan and "SCAN participants" not in plan, plan


def _first_search_statement(actor, filters: CaseloadFilters) -> tuple[str, object]:
    """The statement with which a searched caseload page in name order reads its first matches
    (search.ranked_page: the matches with their rank, in the list's order, with a LIMIT)."""
    first = _participant_statements(actor, filters)
    assert first and "LIMIT" in first[0][0] and "CASE WHEN" in first[0][0], [s for s, _ in first]
    return first[0]


@pytest.mark.parametrize(("who", "widened", "index"), [
    ("team_lead", False, "ix_participants_caseload_organisation"),
    ("counsellor", True, "ix_participants_caseload_organisation"),  # the header's quick search
])
def test_a_search_in_name_order_walks_the_caseload_index_alone(request, dialect, three, who, widened, index):
    """A search in name order walks the caseload's index and checks each search key in the index
    itself (an index-only scan: no table row per case it passes), stopping after its first
    matches. The header's quick search (the whole organisation, exited cases too) walks the
    organisation's index, which has no status before the names: at 1,000,000 participants its "al"
    read and sorted 25,000 table rows (0.5 s) before."""
    actor = request.getfixturevalue(who)
    filters = CaseloadFilters(counsellor_id=actor.id if who == "counsellor" else None, q="a")
    if widened:
        filters = queries.widened(filters)
    statement, parameters = _first_search_statement(actor, filters)
    if dialect == "postgresql":
        # PostgreSQL plans an index-only scan of an index whenever the index holds every column
        # the statement reads; a plain index scan means it lacks one. (A counsellor's own cases:
        # among a handful of rows the planner may take either caseload index; at scale the
        # counsellor's, ix_participants_caseload, which holds the same columns.)
        plan = _plan(statement, parameters)
        participants = [line for line in plan.splitlines() if " on participants" in line]
        assert participants and f"Index Only Scan using {index} " in participants[0] and "Sort" not in plan, plan
    else:  # SQLite finds the matches through the search index (FTS5) and sorts them
        plan = _plan(statement, parameters)
        assert "SCAN participants" not in [line.strip() for line in plan.splitlines()], plan
