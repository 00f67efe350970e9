"""The case file: participants and the history recorded about them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models_base import TZDateTime, enum_column, utcnow
from caseflow.participants import collation
from caseflow.participants.vocabulary import (
    ANSWERS,
    GOAL_STATUSES,
    PARTICIPANT_STATUSES,
    RECOGNITION_STATUSES,
    STATUS_SOURCES,
    TASK_KINDS,
)
from caseflow.vocabulary import GENDERS, GERMAN_LEVELS, LABOUR_STATUSES, NOTE_KINDS, RESIDENCE_STATUSES

if TYPE_CHECKING:  # db.Model is made at run time; mypy sees the declarative base it derives from
    from caseflow.extensions import Base as Model
else:
    Model = db.Model


class Participant(Model):
    __tablename__ = "participants"
    __table_args__ = (
        sa.Index("ix_participants_organisation_id_status", "organisation_id", "status"),
        sa.Index("ix_participants_organisation_id_birth_date", "organisation_id", "date_of_birth"),
        sa.Index("ix_participants_entry_date", "entry_date"),
        sa.Index("ix_participants_exit_date", "exit_date"),
        sa.CheckConstraint("education_isced BETWEEN 0 AND 8", name="education_isced_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    case_number: Mapped[str] = mapped_column(sa.String(20), unique=True, comment="CF-YYYY-NNNNNN")
    counsellor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    first_name: Mapped[str | None] = mapped_column(sa.String(100), comment="NULL once anonymised")
    last_name: Mapped[str | None] = mapped_column(sa.String(100), comment="NULL once anonymised")
    search_key: Mapped[str] = mapped_column(
        sa.String(260), default="",
        comment="folded case number, names, e-mail and phone digits for search (participants/search.py)")
    duplicate_key: Mapped[str | None] = mapped_column(
        sa.String(120), comment="transliteration-folded name skeleton for the duplicate check")
    date_of_birth: Mapped[date | None] = mapped_column(comment="NULL once anonymised")
    birth_year: Mapped[int] = mapped_column()
    age_at_entry: Mapped[int] = mapped_column(comment="completed years on the first entry date")
    gender: Mapped[str] = mapped_column(enum_column("gender", GENDERS))
    nationality: Mapped[str] = mapped_column(sa.String(9), comment="ISO 3166-1 alpha-2 or 'stateless'")
    country_of_birth: Mapped[str | None] = mapped_column(sa.String(2))
    residence_status: Mapped[str | None] = mapped_column(enum_column("residence_status", RESIDENCE_STATUSES))
    work_permission: Mapped[bool | None] = mapped_column(comment="may work in Germany; NULL = unknown")
    arrival_year: Mapped[int | None] = mapped_column(comment="year of arrival in Germany")
    preferred_language: Mapped[str | None] = mapped_column(sa.String(3), comment="ISO 639-1 code")

    # yes / no / declined (to answer); see participants/vocabulary.py ANSWERS
    foreign_background: Mapped[str] = mapped_column(enum_column("foreign_background", ANSWERS, length=8),
                                                    default="no", server_default="no")
    disability: Mapped[str] = mapped_column(enum_column("disability", ANSWERS, length=8), default="no",
                                            server_default="no", comment="special category (GDPR Art. 9)")
    minority: Mapped[str] = mapped_column(enum_column("minority", ANSWERS, length=8), default="no",
                                          server_default="no", comment="special category (GDPR Art. 9)")
    homeless: Mapped[str] = mapped_column(enum_column("homeless", ANSWERS, length=8),
                                          default="no", server_default="no")
    special_categories_consent_date: Mapped[date | None] = mapped_column()

    entry_date: Mapped[date] = mapped_column(comment="the first entry; a re-entry does not change it")
    labour_status_at_entry: Mapped[str] = mapped_column(enum_column("labour_status", LABOUR_STATUSES))
    unemployed_since: Mapped[date | None] = mapped_column()
    education_isced: Mapped[int | None] = mapped_column()
    german_level: Mapped[str | None] = mapped_column(enum_column("german_level", GERMAN_LEVELS, 2))

    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    district: Mapped[str | None] = mapped_column(sa.String(60), comment="Berlin borough")

    status: Mapped[str] = mapped_column(enum_column("participant_status", PARTICIPANT_STATUSES),
                                        default="active", server_default="active")
    exit_date: Mapped[date | None] = mapped_column(comment="the final exit; NULL while active")
    exit_reason: Mapped[str | None] = mapped_column(sa.String(20))

    restricted_at: Mapped[datetime | None] = mapped_column(
        TZDateTime, comment="restriction of processing (GDPR Art. 18): read-only, left out of reports")
    restriction_reason: Mapped[str | None] = mapped_column(sa.String(500))
    anonymised_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, onupdate=utcnow)

    counsellor = relationship("User", foreign_keys=[counsellor_id])
    organisation = relationship("Organisation")

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return self.case_number
        return f"{self.first_name} {self.last_name}"


# The caseload (participants/queries.py): a counsellor's not anonymised cases of one status (or,
# second index, an organisation's cases; on PostgreSQL of every status, see below) in name order,
# so the page reads its 50 rows in index order instead of sorting every case. Partial (anonymised cases
# are never listed) and ending in the id, the query's last sort key: PostgreSQL can only walk an
# index in the query's order when every sort key is in it and the columns before them are
# compared with `=` (an `IS NULL` column in between would force a sort of the whole caseload).
# The names are in the reader's collation (collation.sort_key, the expression the query sorts by):
# on PostgreSQL an expression index holds it. SQLite keeps lower(): its sort key is a Python
# function registered on each connection, which an index must not depend on (any other client,
# e.g. the sqlite3 shell, could no longer write a participant), so SQLite sorts the caseload.
_NOT_ANONYMISED = Participant.anonymised_at.is_(None)
# A search in name order (queries.caseload, search.ranked_page) walks the same indexes and stops
# after the first matches: on PostgreSQL each holds the search key and the names (INCLUDE) so that
# the walk checks each key in the index itself (an index-only scan needs every column the query
# reads, and the sort key expressions' columns count: last_name, first_name), without a table row
# per case it passes. The organisation's index has no status before the names, so that it also
# serves the header's quick search (the whole organisation, every status: queries.widened); a list
# of one status walks it past the other status's cases (status included, checked in the index;
# about half of them). Without it PostgreSQL found every match of the quick search and sorted
# them ("al" at 1,000,000 participants: 25,000 table rows, 0.5 s; with it 10 to 20 ms).
_NAMES = (collation.sort_key(Participant.last_name), collation.sort_key(Participant.first_name), Participant.id)
ix_participants_caseload = sa.Index(
    "ix_participants_caseload", Participant.counsellor_id, Participant.status, Participant.organisation_id,
    *_NAMES, postgresql_include=["search_key", "last_name", "first_name"],
    postgresql_where=_NOT_ANONYMISED).ddl_if(dialect="postgresql")
ix_participants_caseload_organisation = sa.Index(
    "ix_participants_caseload_organisation", Participant.organisation_id, *_NAMES,
    postgresql_include=["status", "search_key", "last_name", "first_name"],
    postgresql_where=_NOT_ANONYMISED).ddl_if(dialect="postgresql")
ix_participants_caseload_sqlite = sa.Index(
    "ix_participants_caseload", Participant.counsellor_id, Participant.status, Participant.organisation_id,
    sa.func.lower(Participant.last_name), sa.func.lower(Participant.first_name), Participant.id,
    sqlite_where=_NOT_ANONYMISED).ddl_if(dialect="sqlite")
ix_participants_caseload_organisation_sqlite = sa.Index(
    "ix_participants_caseload_organisation", Participant.organisation_id, Participant.status,
    sa.func.lower(Participant.last_name), sa.func.lower(Participant.first_name), Participant.id,
    sqlite_where=_NOT_ANONYMISED).ddl_if(dialect="sqlite")
# The caseload's nationality filter choices (distinct nationalities of the organisation's not
# anonymised cases, queries.filter_choices): partial, so that the nationalities follow the
# organisation in index order and each next one is a single probe (an `IS NULL` column between
# them would make PostgreSQL read all of the organisation's entries).
ix_participants_organisation_nationality = sa.Index(
    "ix_participants_organisation_nationality", Participant.organisation_id, Participant.nationality,
    postgresql_where=_NOT_ANONYMISED, sqlite_where=_NOT_ANONYMISED)

# Search (participants/search.py). PostgreSQL: a trigram index on the folded search key, which
# answers LIKE '%term%' without a scan, together with the organisation (btree_gin), which every
# search is narrowed to: the index finds one organisation's matches only, instead of all of them
# ANDed with a bitmap of every case of the organisation (which cost a search at 1,000,000
# participants 30 ms, and the table rows of the other organisations' matches). It needs the
# pg_trgm and btree_gin extensions (created before the tables).
ix_participants_search_trgm = sa.Index(
    "ix_participants_search_trgm", Participant.organisation_id, Participant.search_key,
    postgresql_using="gin", postgresql_ops={"search_key": "gin_trgm_ops"}).ddl_if(dialect="postgresql")
# A search with many matches reads its page in the list's order (search.ranked_page): the API's
# list is an organisation's cases by id, and this index holds them so with the status and the
# search key, so that PostgreSQL walks it and checks each key without reading the table row
# (an index-only scan), stopping after the rows asked for. Without the key, each check read a
# table row ("ova": 2,600 rows for 50 matches, 5 ms at 1,000,000 participants; with it 0.8 ms).
ix_participants_search_list = sa.Index(
    "ix_participants_search_list", Participant.organisation_id, Participant.id,
    postgresql_include=["status", "search_key"], postgresql_where=_NOT_ANONYMISED).ddl_if(dialect="postgresql")
# PostgreSQL estimates how many participants a search word matches (and so chooses between walking
# the list's index and looking the word up in the trigram index) by matching the word against the
# search key's histogram in its statistics. With the default 100 entries a word held by 2 % of the
# keys ("ova") matched none in one ANALYZE out of three at 1,000,000 participants: the estimate
# fell to 33 rows instead of about 6,000, and the search fetched and sorted every match (44-46 ms
# instead of 3-16). 500 entries keep the estimate within a factor two of the truth (ANALYZE of the
# table takes 6 s instead of 1 s at 1,000,000 participants; planning 0.25 ms either way).
SEARCH_KEY_STATISTICS = 500
sa.event.listen(Participant.__table__, "after_create", sa.DDL(
    f"ALTER TABLE participants ALTER COLUMN search_key SET STATISTICS {SEARCH_KEY_STATISTICS}")
    .execute_if(dialect="postgresql"))
for _extension in ("pg_trgm", "btree_gin"):
    sa.event.listen(db.metadata, "before_create",
                    sa.DDL(f"CREATE EXTENSION IF NOT EXISTS {_extension}").execute_if(dialect="postgresql"))

# SQLite: two FTS5 tables over the participants table (external content, no copy of the text),
# kept in step by triggers, so that every write path (services, demo data, anonymisation, imports)
# updates them in the same transaction. A batch migration that copies `participants` drops the
# triggers with the old table: it must create them again (test_index_definitions.py compares them).
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
SQLITE_SEARCH_TABLES = ("participants_search", "participants_search_words")
for _statement in SQLITE_SEARCH_DDL:
    sa.event.listen(Participant.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _table in SQLITE_SEARCH_TABLES:
    sa.event.listen(Participant.__table__, "before_drop",
                    sa.DDL(f"DROP TABLE IF EXISTS {_table}").execute_if(dialect="sqlite"))


class CaseNumberCounter(Model):
    """The last case number handed out per year; incremented atomically in the database."""

    __tablename__ = "case_number_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class ParticipantLanguage(Model):
    __tablename__ = "participant_languages"
    __table_args__ = (sa.UniqueConstraint("participant_id", "language", name="participant_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(3), comment="ISO 639-1 code")
    level: Mapped[str | None] = mapped_column(sa.String(20), comment="native, CEFR level or free text")


class ForeignQualification(Model):
    __tablename__ = "foreign_qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    isced: Mapped[int | None] = mapped_column()
    recognition_status: Mapped[str] = mapped_column(
        enum_column("recognition_status", RECOGNITION_STATUSES),
        default="not_applied")


class StatusChange(Model):
    """The labour-market status history the ESF+ rules read. The entry status is the first record."""

    __tablename__ = "status_changes"
    __table_args__ = (sa.Index("ix_status_changes_participant_id_date", "participant_id", "date", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, comment="orders records of the same day")
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(enum_column("labour_status", LABOUR_STATUSES))
    source: Mapped[str] = mapped_column(
        enum_column("status_source", STATUS_SOURCES),
        default="manual")
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Note(Model):
    __tablename__ = "notes"
    __table_args__ = (sa.Index("ix_notes_participant_id_date", "participant_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column()
    kind: Mapped[str] = mapped_column(enum_column("note_kind", NOTE_KINDS))
    minutes: Mapped[int | None] = mapped_column()
    # the enrolment whose hours of participation the note's minutes add to (measures domain's table,
    # named, not imported); NULL: contact time outside any measure
    enrolment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="SET NULL"),
                                                     index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    author = relationship("User")


class NoteRevision(Model):
    """The text a note had before a correction."""

    __tablename__ = "note_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    replaced_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Goal(Model):
    """A goal of the integration plan."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    target_date: Mapped[date | None] = mapped_column()
    status: Mapped[str] = mapped_column(enum_column("goal_status", GOAL_STATUSES), default="open")
    next_steps: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class Task(Model):
    __tablename__ = "tasks"
    # "My tasks" on the caseload: a counsellor's open tasks in due order, read in index order (partial:
    # done tasks are never listed there; the id is the query's last sort key).
    __table_args__ = (sa.Index("ix_tasks_open_by_assignee", "assignee_id", "due_date", "id",
                               postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(
        enum_column("task_kind", TASK_KINDS),
        default="manual")
    title_params: Mapped[dict | None] = mapped_column(
        sa.JSON, comment="the values in the title of a task Caseflow made (e.g. the measure), so that it is "
                         "shown in the reader's language")
    due_date: Mapped[date] = mapped_column()
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    assignee = relationship("User")

    @property
    def done(self) -> bool:
        return self.done_at is not None


class SavedFilter(Model):
    """A named set of caseload filters of one account (saved_filters.py). Only the non-personal
    filters are kept (status, counsellor, measure, nationality, sort): never a search term."""

    __tablename__ = "saved_filters"
    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    filters: Mapped[dict] = mapped_column(
        sa.JSON, comment="the caseload's query-string filters (status, counsellor, measure, nationality, sort, "
                         "dir), read back through the caseload's own parser; never a search term")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
