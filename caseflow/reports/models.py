"""Indexes the reports need on other domains' tables, and the reports' two tables of their own:
`report_facts`, per participant what the reports would otherwise look up in the histories, and
`report_placements`, per placement its start and the participant's columns the placement report
filters by (caseflow/reports/facts.py computes and maintains both).

The report queries read a handful of columns of every participant in a period. These covering
indexes hold exactly those columns, so SQLite and PostgreSQL answer from the index alone instead
of visiting every (wide) participant row; the period column comes first so that a period narrows
the range read. Registered on the shared metadata when caseflow.reports is imported (and from
caseflow/models.py for Alembic).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.measures.models import Enrolment
from caseflow.participants.models import Participant as P
from caseflow.placements.models import FollowUp, Placement

# ESF+ outputs and the placement report's per-participant rows (entered/active in a period).
ix_participants_report_entry = sa.Index(
    "ix_participants_report_entry",
    P.entry_date, P.organisation_id, P.restricted_at, P.status, P.exit_date, P.gender,
    P.labour_status_at_entry, P.unemployed_since, P.age_at_entry, P.education_isced, P.nationality,
    P.disability, P.foreign_background, P.minority, P.homeless, P.counsellor_id, P.residence_status,
    P.german_level, P.anonymised_at)

# ESF+ results and placement exits (final exit in a period).
ix_participants_report_exit = sa.Index(
    "ix_participants_report_exit",
    P.exit_date, P.status, P.organisation_id, P.restricted_at, P.gender, P.labour_status_at_entry,
    P.entry_date)

# The placement report's joins from placements/follow-ups/enrolments to the participant: the
# participant's columns the filters read, by id (a seek into this narrow index instead of the
# wide table row).
ix_participants_report_scope = sa.Index(
    "ix_participants_report_scope",
    P.id, P.organisation_id, P.restricted_at, P.counsellor_id, P.entry_date)

# "Placed exit": a job placement of the participant between entry and exit + 28 days (type covered).
ix_placements_report = sa.Index(
    "ix_placements_report", Placement.participant_id, Placement.start_date, Placement.type)

# Placements by type / by month / first placement: placements starting in the period.
ix_placements_report_period = sa.Index(
    "ix_placements_report_period", Placement.start_date, Placement.type, Placement.participant_id)

# The latest six-month follow-up on or after the exit, with its status, from the index alone.
ix_follow_ups_report = sa.Index(
    "ix_follow_ups_report", FollowUp.participant_id, FollowUp.kind, FollowUp.date, FollowUp.id, FollowUp.status)

# The measure types a participant was enrolled in (non-cancelled enrolments), from the index alone.
ix_enrolments_report = sa.Index(
    "ix_enrolments_report", Enrolment.participant_id, Enrolment.measure_id, Enrolment.status)


class ReportFacts(Model):
    """Per participant, the results of the reports' per-participant look-ups in the histories, kept
    in the same transaction as the facts they summarise (caseflow/reports/facts.py, which also holds
    the one definition of each column). Every column is a function of the participant's own rows;
    the exit-based ones are NULL/false while the participant has no exit date."""
    __tablename__ = "report_facts"

    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"),
                                                primary_key=True, autoincrement=False)
    leaving_status: Mapped[str | None] = mapped_column(
        sa.String(32), comment="the status upon leaving: latest status record dated on or before exit + 28 days")
    follow_up_id: Mapped[int | None] = mapped_column(
        comment="the latest six-month follow-up dated on or after the exit (no foreign key: refreshed with it)")
    follow_up_status: Mapped[str | None] = mapped_column(sa.String(32))
    follow_up_improved: Mapped[bool | None] = mapped_column()
    qualified: Mapped[bool] = mapped_column(comment="a certificate dated from entry to exit + 28 days")
    placed_exit: Mapped[bool] = mapped_column(
        comment="a job/apprenticeship/self-employment placement starting from entry to exit + 28 days")
    first_placement: Mapped[date | None] = mapped_column(
        comment="start of the first job/apprenticeship/self-employment placement on or after entry")
    status_in_window: Mapped[bool] = mapped_column(comment="a status record dated from exit to exit + 28 days")
    four_week_follow_up: Mapped[bool] = mapped_column(comment="a four-week follow-up dated on or after the exit")
    six_month_follow_up: Mapped[bool] = mapped_column(comment="a six-month follow-up dated on or after the exit")
    minutes: Mapped[int] = mapped_column(comment="minutes of participation (measures/queries.py: participant_minutes)")
    measure_types: Mapped[int] = mapped_column(
        comment="the measure types of the non-cancelled enrolments, one bit per type in vocabulary order")
    # copies of the participant's columns the placement report filters and groups by, so that it
    # reads this narrow table alone (refreshed with every change of the participant)
    organisation_id: Mapped[int] = mapped_column()
    counsellor_id: Mapped[int | None] = mapped_column()
    restricted: Mapped[bool] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(32))
    entry_date: Mapped[date] = mapped_column()
    exit_date: Mapped[date | None] = mapped_column()
    gender: Mapped[str] = mapped_column(sa.String(32))
    age_band: Mapped[str] = mapped_column(sa.String(32))
    nationality: Mapped[str] = mapped_column(sa.String(9))
    residence_status: Mapped[str] = mapped_column(sa.String(32), comment="'unknown' where not recorded")
    german_level: Mapped[str] = mapped_column(sa.String(32), comment="'unknown' where not recorded")
    cube_key: Mapped[str] = mapped_column(sa.String(160), comment=(
        "gender|age_band|nationality|residence_status|german_level: what the placement report groups by"))
    # the ESF+ outputs' characteristics at entry, and the long-term unemployment rules' results
    labour_status_at_entry: Mapped[str] = mapped_column(sa.String(32))
    age_at_entry: Mapped[int] = mapped_column()
    education_isced: Mapped[int | None] = mapped_column()
    disability: Mapped[str] = mapped_column(sa.String(8))
    foreign_background: Mapped[str] = mapped_column(sa.String(8))
    minority: Mapped[str] = mapped_column(sa.String(8))
    homeless: Mapped[str] = mapped_column(sa.String(8))
    long_term_unemployed_eu: Mapped[bool] = mapped_column()
    long_term_unemployed_de: Mapped[bool] = mapped_column()
    # the data-completeness report's checks on the participant's own columns (facts.participant_checks)
    anonymised: Mapped[bool] = mapped_column()
    no_isced: Mapped[bool] = mapped_column()
    unemployed_without_start: Mapped[bool] = mapped_column()
    declined_answer: Mapped[bool] = mapped_column()


# One organisation's participants in entry date order. On PostgreSQL it also holds every column the
# placement report's per-participant pass reads (queries.placement_base), which is then read from
# this index alone instead of from every page of the table (an organisation's rows are spread over
# all of them): 0.62 → 0.39 s for a 333,000-participant organisation at 1M participants.
PLACEMENT_BASE_COLUMNS = ("restricted", "exit_date", "status", "placed_exit", "follow_up_status", "cube_key",
                          "measure_types", "counsellor_id")
ix_report_facts_organisation = sa.Index(
    "ix_report_facts_organisation", ReportFacts.organisation_id, ReportFacts.entry_date,
    postgresql_include=list(PLACEMENT_BASE_COLUMNS))

# The placement report groups one organisation's (or every) participant by organisation and
# cube_key (queries._summary_and_groups_select: the "cube"; the key joins gender, age band,
# nationality, residence status and German level: one value to hash instead of five, 0.20 → 0.12 s
# for a 333,000-participant organisation at 1M participants, revision 0027). PostgreSQL estimates
# the number of groups as the product of each column's own number of values, capped at the rows:
# for the five columns 44,278 where there were 3,320, and with that estimate a parallel grouping
# (each worker groups its share, then the shares are merged) looked barely cheaper than grouping in
# one process; the plan changed with small edits of the query or a new ANALYZE sample (0.16 s in
# parallel, 0.25 s in one process). These statistics of the columns' combinations (PostgreSQL only,
# built by ANALYZE) keep the estimate near the truth, and the parallel plan is the cheap one by
# far. Revision 0025 created them on the five columns, 0027 on the key.
PLACEMENT_CUBE_STATISTICS = "report_facts_placement_cube"
PLACEMENT_CUBE_COLUMNS = ("organisation_id", "cube_key")
sa.event.listen(ReportFacts.__table__, "after_create", sa.DDL(
    f"CREATE STATISTICS {PLACEMENT_CUBE_STATISTICS} (ndistinct) ON {', '.join(PLACEMENT_CUBE_COLUMNS)} "
    "FROM report_facts").execute_if(dialect="postgresql"))

# The ESF+ report of one organisation: its outputs (participants entered in the period) and its
# results (participants finally exited in it), each from a range of an index that holds every
# column the statement reads, instead of reading the whole table (an organisation's rows are spread
# over all of its pages, and at 1M participants the table is larger than PostgreSQL's default
# shared_buffers): 0.25-0.40 s → 0.17-0.23 s (outputs) and 0.07 s (results) per statement for one
# organisation at 1M participants, on a kept database. Key
# columns rather than PostgreSQL's INCLUDE, so that SQLite's planner can use them as covering
# indexes too (revision 0028).
ESF_OUTPUT_COLUMNS = ("restricted", "gender", "labour_status_at_entry", "long_term_unemployed_eu",
                      "long_term_unemployed_de", "age_at_entry", "education_isced", "disability", "nationality",
                      "foreign_background", "minority", "homeless", "minutes")
ESF_RESULT_COLUMNS = ("restricted", "gender", "labour_status_at_entry", "leaving_status", "qualified",
                      "follow_up_status", "follow_up_improved", "minutes")
ix_report_facts_esf_entries = sa.Index(
    "ix_report_facts_esf_entries", ReportFacts.organisation_id, ReportFacts.entry_date,
    *[ReportFacts.__table__.c[c] for c in ESF_OUTPUT_COLUMNS])
ix_report_facts_esf_exits = sa.Index(
    "ix_report_facts_esf_exits", ReportFacts.organisation_id, ReportFacts.exit_date,
    *[ReportFacts.__table__.c[c] for c in ESF_RESULT_COLUMNS],
    postgresql_where=ReportFacts.status == "exited", sqlite_where=ReportFacts.status == "exited")

# The median days to the first placement: the participants with one, with every column the query
# filters by, from the index alone (0.11 s → 0.01 s for one organisation at 1M participants).
ix_report_facts_first_placement = sa.Index(
    "ix_report_facts_first_placement", ReportFacts.organisation_id, ReportFacts.first_placement,
    ReportFacts.entry_date, ReportFacts.restricted, ReportFacts.counsellor_id, ReportFacts.measure_types,
    postgresql_where=ReportFacts.first_placement.is_not(None), sqlite_where=ReportFacts.first_placement.is_not(None))


class ReportPlacement(Model):
    """Per placement, its type and start with copies of the participant's columns the placement
    report filters by, kept in the same transaction as the placements and participants
    (caseflow/reports/facts.py: placement_fact_select holds the one definition of the rows): the
    placement starts of one organisation are read from its index alone instead of joining every
    placement to the participants (0.30 s → 0.03 s for a 333,000-participant organisation at 1M
    participants)."""
    __tablename__ = "report_placements"

    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"),
                                              primary_key=True, autoincrement=False)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(sa.String(32))
    start_date: Mapped[date] = mapped_column()
    organisation_id: Mapped[int] = mapped_column()
    counsellor_id: Mapped[int | None] = mapped_column()
    restricted: Mapped[bool] = mapped_column()
    measure_types: Mapped[int] = mapped_column(comment="as report_facts.measure_types")


# One organisation's placement starts in a period, with every column the filters read.
ix_report_placements_organisation = sa.Index(
    "ix_report_placements_organisation", ReportPlacement.organisation_id, ReportPlacement.start_date,
    ReportPlacement.type, ReportPlacement.restricted, ReportPlacement.counsellor_id, ReportPlacement.measure_types)


class ReportDay(Model):
    """Per organisation and day, how many participants entered, how many finally exited, and how
    many placements of each type started: the placement report's monthly trend and placements by
    type without a filter by counsellor or measure, read as a few thousand rows instead of grouping
    an organisation's 333,000 report rows by day (0.12 s → a few ms at 1,000,000 participants).

    A summary of report_facts and report_placements (restricted cases left out, as in every
    report), kept by triggers on those two tables (REPORT_DAYS_DDL), so it changes in the same
    statement as they do, whatever writes them: the refresh of a unit of work, a bulk refill, a
    cascade from a deleted participant or placement. It is never recomputed by a batch and cannot
    drift; tests/reports/test_report_facts.py compares it with the plain queries after random
    operations. Each write adds its difference (`n = n + excluded.n`), so a row can reach 0 and
    stay (the reads leave those out)."""
    __tablename__ = "report_days"

    organisation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(
        sa.String(32), primary_key=True, comment="'entered', 'exited' or a placement type")
    n: Mapped[int] = mapped_column()


def _upsert(select: str) -> str:
    """Adds the rows (organisation_id, day, metric, n) of `select` to report_days."""
    return (f"INSERT INTO report_days (organisation_id, day, metric, n) {select} "
            "ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n")


def _postgres_days(rows: str, sign: str) -> str:
    """The differences that the transition table `rows` makes, in key order (one lock order)."""
    return _upsert(
        f"SELECT organisation_id, day, metric, {sign}count(*) FROM ("
        f"SELECT organisation_id, entry_date AS day, 'entered' AS metric FROM {rows} WHERE NOT restricted "
        f"UNION ALL SELECT organisation_id, exit_date, 'exited' FROM {rows} "
        "WHERE NOT restricted AND status = 'exited' AND exit_date IS NOT NULL) AS changed "
        "GROUP BY organisation_id, day, metric ORDER BY organisation_id, day, metric")


def _postgres_placement_days(rows: str, sign: str) -> str:
    return _upsert(
        f"SELECT organisation_id, start_date, type, {sign}count(*) FROM {rows} WHERE NOT restricted "
        "GROUP BY organisation_id, start_date, type ORDER BY organisation_id, start_date, type")


def _postgres_function(name: str, changes) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {changes('old_rows', '-')}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {changes('new_rows', '')}; END IF; "
            "RETURN NULL; END $$")


def _postgres_triggers(table: str, function: str) -> list[str]:
    """Statement triggers with transition tables (one event each: PostgreSQL allows no more)."""
    return [f"CREATE TRIGGER {table}_days_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_days_update AFTER UPDATE ON {table} "
            f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_days_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"]


def _sqlite_days(row: str, sign: str) -> str:
    return (_upsert(f"SELECT {row}.organisation_id, {row}.entry_date, 'entered', {sign}1 WHERE NOT {row}.restricted")
            + "; " + _upsert(f"SELECT {row}.organisation_id, {row}.exit_date, 'exited', {sign}1 "
                             f"WHERE NOT {row}.restricted AND {row}.status = 'exited' "
                             f"AND {row}.exit_date IS NOT NULL") + ";")


def _sqlite_placement_days(row: str, sign: str) -> str:
    return _upsert(f"SELECT {row}.organisation_id, {row}.start_date, {row}.type, {sign}1 WHERE NOT {row}.restricted") + ";"


def _sqlite_triggers(table: str, changes) -> list[str]:
    """Row triggers (SQLite has no statement triggers); a foreign key's cascade fires them too."""
    return [f"CREATE TRIGGER {table}_days_insert AFTER INSERT ON {table} BEGIN {changes('new', '')} END",
            f"CREATE TRIGGER {table}_days_update AFTER UPDATE ON {table} BEGIN "
            f"{changes('old', '-')} {changes('new', '')} END",
            f"CREATE TRIGGER {table}_days_delete AFTER DELETE ON {table} BEGIN {changes('old', '-')} END"]


def _report_days_ddl(table: str, function: str, postgres, sqlite) -> dict[str, tuple[str, ...]]:
    return {"postgresql": (_postgres_function(function, postgres), *_postgres_triggers(table, function)),
            "sqlite": tuple(_sqlite_triggers(table, sqlite))}


# {table: {dialect: statements}}: created with the table (neither database checks the tables a
# trigger's body names before it runs); migration 0026 holds the same statements
REPORT_DAYS_DDL = {
    "report_facts": _report_days_ddl("report_facts", "report_days_from_facts", _postgres_days, _sqlite_days),
    "report_placements": _report_days_ddl("report_placements", "report_days_from_placements",
                                          _postgres_placement_days, _sqlite_placement_days),
}
for _table in (ReportFacts.__table__, ReportPlacement.__table__):
    for _dialect, _statements in REPORT_DAYS_DDL[_table.name].items():
        for _statement in _statements:
            sa.event.listen(_table, "after_create", sa.DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))
