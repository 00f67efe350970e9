"""One pass over a workbook: every row converted, checked with the domains' own rules, and (on an
import) written.

The check and the import are the same pass (`apply=False` / `apply=True`), so an import can never
accept what its dry run refused. The rules are the domains': master data, languages and foreign
qualifications through `participants.services.clean_*`, notes through the participants' note rule,
enrolment dates and statuses through the measures' rule, placements through the placements' rule.
Rules the domains keep inside their write services (status changes, certificates, exits,
re-entries, follow-ups) are stated here once more in the same words, marked `# rule of <service>`,
until those domains expose them as functions of their own.

Stays: a person may exit, re-enter and exit again. The re-entry dates of the file are read before
the pass, so that each exit is judged within the stay it falls in whatever the order of the rows;
a follow-up belongs to the time between an exit and the next re-entry. After the pass, each case
whose final exit the file adds gets exit_participant's follow-up tasks (`_follow_up_tasks`).

Writes go in chunks of up to CHUNK rows (`insert_returning_ids`), each record with its audit entry
and an `ImportedRecord` (for re-imports and undo): 10,000 cases with 60,000 history records in
well under a minute on SQLite (README, "Import benchmark"). Memory: rows are read one at a time;
what is kept per participant is a small `Case` (ids and dates), not the rows.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_babel import Domain

from caseflow.accounts.models import User
from caseflow.audit.models import AuditEntry
from caseflow.audit.services import client_address
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.i18n import format_day
from caseflow.imports.convert import Invalid, convert, text
from caseflow.imports.models import ImportedParticipant, ImportedRecord
from caseflow.imports.reader import Workbook
from caseflow.imports.spec import (
    HEADERS,
    SHEETS,
    SHEETS_BY_KIND,
    Column,
    Sheet,
    normalise,
    sheet_for_headers,
    sheet_for_name,
)
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.measures.services import _check_dates_and_status
from caseflow.participants.case_numbers import format_case_number, reserve_case_numbers
from caseflow.participants.duplicates import BirthDates, Person, search_span
from caseflow.participants.models import (
    ForeignQualification,
    Note,
    Participant,
    ParticipantLanguage,
    StatusChange,
    Task,
)
from caseflow.participants.names import duplicate_key, search_key
from caseflow.participants.services import (
    MASTER_FIELDS,
    _clean_note,
    age_on,
    clean_languages,
    clean_master_data,
    clean_qualifications,
)
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.placements.services import (
    FOUR_WEEKS,
    FOUR_WEEKS_WINDOW,
    _check_follow_up_date,
    _validate_placement,
    add_months,
    improvement_applies,
)
from caseflow.translation import gettext as _
from caseflow.validation import Checker
from caseflow.vocabulary import (
    CASEWORK_ROLES,
    EXIT_REASONS,
    FOLLOW_UP_STATUSES,
    LABOUR_STATUSES,
    PLACEMENT_STATUS,
    UNFINISHED_ENROLMENT_STATUSES,
)

CHUNK = 1000
# an imported exit gets its six-month follow-up task while the exit is at most this many months ago
TASK_SIX_MONTHS_UNTIL = 12
MAX_STORED_ERRORS = 2000
IGNORED_SHEET_NAMES = ("Explanation", "Erläuterungen", "Lists", "Listen")
IGNORED_SHEETS = {normalise(n) for n in IGNORED_SHEET_NAMES}
# Fields whose messages belong to another column of the sheet.
FIELD_COLUMN = {"counsellor_id": "counsellor_email", "languages": "language",
                "foreign_qualifications": "title", "measure_id": "measure"}


@dataclass
class Case:
    """What the pass keeps per participant: ids and dates, not the rows."""
    external_id: str
    participant_id: int | None
    entry_date: date | None
    labour_status_at_entry: str | None
    status: str = "active"
    exit_date: date | None = None
    new: bool = True
    valid: bool = True
    open_enrolments: list[date | None] = field(default_factory=list)   # start dates of unfinished enrolments
    languages: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)   # row keys imported earlier (existing cases)
    row: int = 0
    sheet: str = ""
    counsellor_id: int | None = None
    # the case's periods: exit dates (in Caseflow and accepted from the file), re-entry dates (in
    # Caseflow and named in the file's re-entries sheet, read before the pass), follow-ups (kind, date)
    exits: list[date] = field(default_factory=list)
    re_entries: list[date] = field(default_factory=list)
    follow_ups: list[tuple[str, date]] = field(default_factory=list)
    exit_reasons: dict[date, str] = field(default_factory=dict)
    exit_imported: bool = False     # this file adds an exit: the follow-up tasks are decided at the end
    re_entries_seen: set[date] = field(default_factory=set)

    def period(self, day: date) -> tuple[date, date | None]:
        """The stay in the programme that `day` falls in: from the entry or the re-entry before it
        up to (not including) the next re-entry."""
        start = max((r for r in self.re_entries if r <= day), default=self.entry_date or date.min)
        end = min((r for r in self.re_entries if r > day), default=None)
        return start, end

    def final_exit(self) -> date | None:
        """The exit that leaves the case exited (none when a re-entry follows the last exit)."""
        last = max(self.exits, default=None)
        if last is None or any(r > last for r in self.re_entries):
            return None
        return last


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "errors": 0})
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    invalid_ids: set[str] = field(default_factory=set)
    error_total: int = 0
    rows: int = 0
    new_employers: int = 0
    follow_up_tasks: int = 0

    def as_counts(self) -> dict[str, int]:
        return {**self.counts, "rows": self.rows, "duplicates": len(self.duplicates),
                "error_messages": self.error_total, "new_employers": self.new_employers,
                "follow_up_tasks": self.follow_up_tasks}


class RowErrors:
    """The messages of one row: (column header, message)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, column: str, message: str) -> None:
        self.items.append((column, message))

    def __bool__(self) -> bool:
        return bool(self.items)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _like(**values: Any) -> Any:
    """What the domains' rule functions read of a participant (the entry date …), for a participant
    that exists only in the file so far."""
    return SimpleNamespace(**values)


def row_key(kind: str, external_id: str, values: Mapping[str, Any]) -> str:
    payload = json.dumps([kind, external_id, sorted((k, _plain(v)) for k, v in values.items())],
                         ensure_ascii=False, default=str)
    return hashlib.sha1(payload.encode()).hexdigest()


class _PinnedDomain(Domain):
    """The app's translation domain with the translations of one locale at hand (see
    `translations_pinned`); under another locale (force_locale) it looks them up as usual."""

    def __init__(self, base: Domain, context: Any, locale: Any, translations: Any):
        super().__init__(base._translation_directories, ";".join(base.domain))
        self.cache = base.cache
        self._context, self._locale, self._translations = context, locale, translations

    def get_translations(self) -> Any:
        if getattr(self._context, "babel_locale", None) is self._locale:
            return self._translations
        return super().get_translations()


@contextmanager
def translations_pinned() -> Iterator[None]:
    """The domains' rules build their messages eagerly (about 30 per participant row), and each
    gettext looks up the app context, the locale and the translations anew through Flask's context
    proxies: a fifth of the pass's CPU time on 70,000 rows. For the length of the pass, the current
    app context's domain keeps the current locale's translations at hand. Only this app context
    (this runner's thread) sees it, and it is put back afterwards."""
    from flask_babel import _get_current_context, get_domain, get_locale
    context = _get_current_context()
    if context is None:
        yield
        return
    base = get_domain()
    locale = get_locale()
    had, before = hasattr(context, "babel_domain"), getattr(context, "babel_domain", None)
    context.babel_domain = _PinnedDomain(base, context, locale, base.get_translations())
    try:
        yield
    finally:
        if had:
            context.babel_domain = before
        else:
            del context.babel_domain


class _Buffer:
    """Rows of one table waiting for a chunked INSERT … RETURNING id."""

    def __init__(self, model: Any):
        self.model = model
        self.rows: list[dict[str, Any]] = []
        self.extra: list[Any] = []

    def add(self, row: dict[str, Any], extra: Any) -> None:
        self.rows.append(row)
        self.extra.append(extra)

    def take(self) -> tuple[list[int], list[dict[str, Any]], list[Any]]:
        if not self.rows:
            return [], [], []
        rows, extra = self.rows, self.extra
        self.rows, self.extra = [], []
        return insert_returning_ids(self.model.__table__, rows), rows, extra


def insert_returning_ids(table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """INSERTs the rows and returns their new ids, in the rows' order.

    PostgreSQL: INSERT … RETURNING in batches (SQLAlchemy's insertmanyvalues). SQLite cannot tell
    which returned id belongs to which row of a multi-row INSERT, so SQLAlchemy sends one INSERT
    per row there (measured: a third of the import's database time). Instead the ids are given
    explicitly, following the table's largest id: the import's unit of work holds SQLite's only
    write lock from its first write on (a write that changes nothing takes it before the largest id is read), so
    no other connection can insert in between, and the rows go in one executemany."""
    if db.session.get_bind().dialect.name != "sqlite":
        return list(db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                       rows).scalars())
    db.session.execute(sa.delete(table).where(sa.false()))   # a write: takes the lock if not held yet
    first = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    for oid, row in zip(ids, rows, strict=True):
        row["id"] = oid
    db.session.execute(sa.insert(table), rows)
    for row in rows:
        del row["id"]
    return ids


class Engine:
    def __init__(self, *, organisation_id: int, actor: User | None, batch_id: int | None, apply: bool,
                 mapping: Mapping[str, Mapping[str, str]] | None = None, skip_ids: Iterable[str] = (),
                 accept_duplicates: bool = False, progress: Callable[[int], None] | None = None,
                 today: date | None = None):
        self.org, self.actor, self.batch_id, self.apply = organisation_id, actor, batch_id, apply
        self.actor_id = getattr(actor, "id", None)
        self.mapping = mapping or {}
        self.skip_ids = set(skip_ids)
        self.accept_duplicates = accept_duplicates
        self.progress = progress
        self.today = today or date.today()
        self.out = Outcome()
        self.cases: dict[str, Case] = {}
        self.address = client_address()
        self._buffers: dict[str, _Buffer] = {}
        self._audit: list[dict[str, Any]] = []
        self._records: list[dict[str, Any]] = []
        # possible duplicates (participants/duplicates.py): the file's new participants so far, and the
        # organisation's cases (read once, at the first new participant)
        self._births = BirthDates()   # Person.ref: the external id
        self._enrolled: set[tuple[str, int]] = set()
        self._registered: BirthDates | None = None   # Person.ref: the participant's id
        self._planned_re_entries: dict[str, list[date]] = {}
        self._field_lists: dict[tuple[str, int], tuple[dict[int, str], list[tuple[int, str, Column]]]] = {}

    # --- set-up: what the database knows already ----------------------------------------------------

    def _load(self) -> None:
        self.counsellors = {email.casefold(): uid for uid, email in db.session.execute(sa.select(User.id, User.email).where(
            User.organisation_id == self.org, User.active, User.role.in_(CASEWORK_ROLES)))}
        self.known: dict[str, tuple[int, str]] = {
            ext: (pid, h) for ext, pid, h in db.session.execute(sa.select(
                ImportedParticipant.external_id, ImportedParticipant.participant_id, ImportedParticipant.row_hash)
                .where(ImportedParticipant.organisation_id == self.org))}
        self.known_keys: dict[int, set[str]] = {}
        if self.known:
            for pid, key in db.session.execute(sa.select(ImportedRecord.participant_id, ImportedRecord.row_key).join(
                    ImportedParticipant, ImportedParticipant.participant_id == ImportedRecord.participant_id)
                    .where(ImportedParticipant.organisation_id == self.org, ImportedRecord.row_key.is_not(None))):
                self.known_keys.setdefault(pid, set()).add(key)
        self.known_exits: dict[int, list[tuple[date, str]]] = {}
        self.known_re_entries: dict[int, list[date]] = {}
        if self.known:
            imported = sa.select(ImportedParticipant.participant_id).where(ImportedParticipant.organisation_id == self.org)
            for pid, day, reason in db.session.execute(sa.select(Exit.participant_id, Exit.exit_date, Exit.reason)
                                                       .where(Exit.participant_id.in_(imported))):
                self.known_exits.setdefault(pid, []).append((day, reason))
            for pid, day in db.session.execute(sa.select(ReEntry.participant_id, ReEntry.date)
                                               .where(ReEntry.participant_id.in_(imported))):
                self.known_re_entries.setdefault(pid, []).append(day)
        self.measures_by_id: dict[int, tuple[int, str, str, bool]] = {}
        self.measures_by_title: dict[str, list[int]] = {}
        for mid, title, mtype, active in db.session.execute(sa.select(Measure.id, Measure.title, Measure.type, Measure.active)
                                                            .where(Measure.organisation_id == self.org)):
            self.measures_by_id[mid] = (mid, title, mtype, active)
            self.measures_by_title.setdefault(title.strip().casefold(), []).append(mid)
        self.employers: dict[str, tuple[int | None, str]] = {}
        for eid, name in db.session.execute(sa.select(Employer.id, Employer.name).where(Employer.organisation_id == self.org)
                                            .order_by(Employer.id)):
            self.employers.setdefault(name.strip().casefold(), (eid, name))

    # --- the pass ------------------------------------------------------------------------------------

    def run(self, workbook: Workbook) -> Outcome:
        with translations_pinned():
            return self._run(workbook)

    def _run(self, workbook: Workbook) -> Outcome:
        self._load()
        plan: dict[str, list[tuple[str, dict[int, str], dict[str, str]]]] = {}
        for raw in workbook.sheets:
            if normalise(raw.name) in IGNORED_SHEETS:
                continue
            sheet = sheet_for_name(raw.name) or sheet_for_headers(raw.headers)
            if sheet is None:
                self._error(raw.name, 1, "", _("This sheet matches no kind of record. Name it as in the template, "
                                               "or give it the template's column headers."))
                continue
            positions, headers = self._columns(raw.name, raw.headers, sheet)
            plan.setdefault(sheet.kind, []).append((raw.name, positions, headers))
        self._read_re_entries(workbook, plan.get("re_entries", []))
        done = 0
        for sheet in SHEETS:
            for name, positions, headers in plan.get(sheet.kind, []):
                handle = getattr(self, f"_{sheet.kind}")
                for number, values in workbook.rows(name):
                    self.out.rows += 1
                    done += 1
                    self._row(sheet, name, number, values, positions, headers, handle)
                    if self.progress and done % 500 == 0:
                        self.progress(done)
            self._flush_all()
        self._follow_up_tasks()
        self._flush_all()
        if self.progress:
            self.progress(done)
        return self.out

    def _read_re_entries(self, workbook: Workbook, sheets: list[tuple[str, dict[int, str], dict[str, str]]]) -> None:
        """The re-entry dates named in the file, per external id, before the pass: an exit row is
        judged against the stay it falls in, whichever order the sheets and rows come in. Cells
        that do not convert are skipped here; the pass reports them."""
        sheet = SHEETS_BY_KIND["re_entries"]
        for name, positions, _headers in sheets:
            where = {f: i for i, f in positions.items()}
            if "external_id" not in where or "date" not in where:
                continue
            for _number, values in workbook.rows(name):
                cells = [values[where[f]] if where[f] < len(values) else None for f in ("external_id", "date")]
                try:
                    ext = convert(sheet.columns[0], cells[0])
                    day = convert(sheet.columns[1], cells[1])
                except Invalid:
                    continue
                if ext and day:
                    self._planned_re_entries.setdefault(ext, []).append(day)

    def _columns(self, sheet_name: str, raw_headers: list[str], sheet: Sheet) -> tuple[dict[int, str], dict[str, str]]:
        """{position: field}, {field: header as written}; unknown headers go to `unmapped`, missing
        required columns are errors of row 1."""
        chosen = self.mapping.get(sheet_name, {})
        positions: dict[int, str] = {}
        headers: dict[str, str] = {}
        index = HEADERS[sheet.kind]
        for i, header in enumerate(raw_headers):
            if not header:
                continue
            name = chosen.get(header) if header in chosen else index.get(normalise(header))
            if name == "":
                continue   # the user chose to ignore this column
            if name is None or sheet.column(name) is None:
                self.out.unmapped.append({"sheet": sheet_name, "header": header, "kind": sheet.kind})
                self._error(sheet_name, 1, header, _("This column matches no field. Choose its field in the "
                                                     "mapping step, or remove the column."))
                continue
            if name in headers:
                self._error(sheet_name, 1, header, _("This column appears twice."))
                continue
            positions[i], headers[name] = name, header
        for col in sheet.columns:
            if col.required and col.field not in headers:
                from flask_babel import get_locale
                lang = str(get_locale() or "de")[:2]
                self._error(sheet_name, 1, col.header(lang), _("This column is missing."))
        return positions, headers

    def _fields(self, sheet: Sheet, positions: dict[int, str]) -> list[tuple[int, str, Column]]:
        """(position, field, column) of a sheet's mapped columns, worked out once per sheet."""
        key = (sheet.kind, id(positions))
        found = self._field_lists.get(key)
        if found is None or found[0] is not positions:
            columns = [(i, name, sheet.column(name)) for i, name in positions.items()]
            found = self._field_lists[key] = (positions, [(i, n, c) for i, n, c in columns if c is not None])
        return found[1]

    def _row(self, sheet: Sheet, name: str, number: int, values: tuple[Any, ...], positions: dict[int, str],
             headers: dict[str, str], handle: Callable[..., None]) -> None:
        errors = RowErrors()
        data: dict[str, Any] = {}
        unconverted: set[str] = set()   # their cell has a message already; the rules' "required" would repeat it
        for i, field_name, column in self._fields(sheet, positions):
            try:
                data[field_name] = convert(column, values[i] if i < len(values) else None)
            except Invalid as exc:
                errors.add(headers[field_name], str(exc))
                data[field_name] = None
                unconverted.add(field_name)
        ext = data.get("external_id")
        if ext is None:
            errors.add(headers.get("external_id", "External ID"), _("This field is required."))
        elif len(ext) > 100:
            errors.add(headers["external_id"], _("Use at most %(max)s characters.", max=100))
            ext = None

        def fail(field_name: str, message: str) -> None:
            column = FIELD_COLUMN.get(field_name, field_name)
            if column in unconverted:
                return
            errors.add(headers.get(column, headers.get(field_name, "")), message)

        def domain(exc: DomainError) -> None:
            if not exc.fields:
                fail("", exc.message)
            for field_name, messages in exc.fields.items():
                for message in messages:
                    fail(field_name, message)

        handle(sheet, name, number, ext, data, errors, fail, domain)
        if errors:
            self.out.counts["errors"] += 1
            if ext:
                self.out.invalid_ids.add(ext)
                case = self.cases.get(ext)
                if case is not None:
                    case.valid = False
            for header, message in errors.items:
                self._error(name, number, header, message, ext)

    def _error(self, sheet: str, row: int, column: str, message: str, external_id: str | None = None) -> None:
        self.out.error_total += 1
        if len(self.out.errors) < MAX_STORED_ERRORS:
            self.out.errors.append({"sheet": sheet, "row": row, "column": column, "message": message,
                                    "external_id": external_id})

    def _writes(self, ext: str | None) -> bool:
        """Whether this participant's rows are written: on an import, when the participant is valid
        (or not skipped)."""
        if not self.apply or ext is None or ext in self.skip_ids:
            return False
        case = self.cases.get(ext)
        return case is not None and case.valid

    # --- participants -----------------------------------------------------------------------------------

    def _participants(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        if ext is None:
            return
        if ext in self.cases:
            fail("external_id", _("This external ID appears twice in the sheet (row %(row)s).",
                                  row=self.cases[ext].row))
            return
        values = {k: data.get(k) for k in MASTER_FIELDS if k in data}
        email = data.get("counsellor_email")
        if email:
            uid = self.counsellors.get(email.casefold())
            if uid is None:
                fail("counsellor_email", _("No active counsellor of your organisation has this email address."))
            values["counsellor_id"] = uid
        elif self.actor is not None and self.actor.role == "counsellor":
            values["counsellor_id"] = self.actor_id
        clean = None
        try:
            clean = clean_master_data(values, organisation_id=self.org, today=self.today)
        except DomainError as exc:
            domain(exc)
        known = self.known.get(ext)
        entry = clean["entry_date"] if clean else data.get("entry_date")
        case = Case(ext, known[0] if known else None, entry, clean["labour_status_at_entry"] if clean else None,
                    new=known is None, row=number, sheet=name, counsellor_id=values.get("counsellor_id"))
        case.re_entries = sorted(set(self._planned_re_entries.get(ext, ())))
        self.cases[ext] = case
        if known is not None:
            self._existing(case, clean, known, errors)
            return
        if clean is None or errors:
            return
        if ext in self.skip_ids:
            return
        key = duplicate_key(clean["first_name"], clean["last_name"])
        self._find_duplicates(name, number, ext, clean, key)
        self.out.counts["created"] += 1
        if self.apply and not errors:
            row = {"organisation_id": self.org, **clean,
                   "birth_year": clean["date_of_birth"].year,
                   "age_at_entry": age_on(clean["date_of_birth"], clean["entry_date"]),
                   "duplicate_key": key, "status": "active", "version": 1}
            self._buffer("participants").add(row, (ext, row_key("participants", ext, clean)))
            if len(self._buffer("participants").rows) >= CHUNK:
                self._flush_participants()

    def _existing(self, case: Case, clean: dict[str, Any] | None, known: tuple[int, str], errors: RowErrors) -> None:
        pid, stored_hash = known
        participant = db.session.get(Participant, pid)
        if participant is None or participant.anonymised_at is not None:
            errors.add("", _("The case imported with this external ID has been anonymised; it cannot be imported again."))
            return
        case.status, case.exit_date = participant.status, participant.exit_date
        case.counsellor_id = participant.counsellor_id
        self._known_periods(case, pid)
        case.keys = self.known_keys.get(pid, set())
        if clean is None:
            return
        case.entry_date, case.labour_status_at_entry = clean["entry_date"], clean["labour_status_at_entry"]
        new_hash = row_key("participants", case.external_id, clean)
        if new_hash == stored_hash:
            self.out.counts["unchanged"] += 1
            return
        if errors:
            return
        self.out.counts["updated"] += 1
        if not self.apply or case.external_id in self.skip_ids:
            return
        before = {name: _plain(getattr(participant, name)) for name in MASTER_FIELDS}
        changes = {name: [before[name], _plain(value)] for name, value in clean.items() if before[name] != _plain(value)}
        before["_row_hash"] = stored_hash
        entry_before = (participant.entry_date, participant.labour_status_at_entry)
        for name, value in clean.items():
            setattr(participant, name, value)
        participant.birth_year = clean["date_of_birth"].year
        participant.age_at_entry = age_on(clean["date_of_birth"], clean["entry_date"])
        participant.duplicate_key = duplicate_key(participant.first_name, participant.last_name)
        participant.search_key = search_key(participant.case_number, participant.first_name, participant.last_name)
        if entry_before != (participant.entry_date, participant.labour_status_at_entry):
            db.session.execute(sa.update(StatusChange).where(
                StatusChange.participant_id == pid, StatusChange.source == "entry").values(
                date=participant.entry_date, status=participant.labour_status_at_entry))
        db.session.flush()
        db.session.execute(sa.update(ImportedParticipant).where(
            ImportedParticipant.organisation_id == self.org, ImportedParticipant.external_id == case.external_id)
            .values(row_hash=new_hash))
        self._audit.append(self._audit_row("participant.update", "participants", pid, pid,
                                           {**changes, "via": [None, f"import {self.batch_id}"]}))
        self._records.append({"batch_id": self.batch_id, "participant_id": pid, "object_type": "participants",
                              "object_id": pid, "action": "updated", "row_key": None, "before": before})

    def _find_duplicates(self, sheet: str, number: int, ext: str, clean: dict[str, Any], key: str) -> None:
        """The registration's duplicate check (participants/duplicates.py: `judge`, the same rule and
        reasons) against the organisation's cases and the file's earlier rows. The entry keeps the
        ids and row numbers (`candidates`, `rows`) and adds each one's reasons as codes
        (`matches`: id, reasons, systems; `file_matches`: sheet, row, external_id, reasons,
        systems); pages, API and command line put them in the reader's words (`explain`)."""
        person = Person(clean["first_name"], clean["last_name"], clean["date_of_birth"], key, ext)
        span = search_span(clean["date_of_birth"])
        within = self._births.matches(person, span)
        self._births.add(person)
        registered = sorted(self._registered_duplicates().matches(person, span), key=lambda found: found[0].ref)
        if within or registered:
            earlier = [(self.cases[other.ref], finding) for other, finding in within]
            earlier.sort(key=lambda found: found[0].row)
            self.out.duplicates.append({
                "sheet": sheet, "row": number, "external_id": ext,
                "candidates": [other.ref for other, _f in registered], "rows": [case.row for case, _f in earlier],
                "matches": [{"id": other.ref, **finding.as_json()} for other, finding in registered],
                "file_matches": [{"sheet": case.sheet, "row": case.row, "external_id": case.external_id,
                                  **finding.as_json()} for case, finding in earlier]})
            if not self.accept_duplicates:
                self.out.invalid_ids.add(ext)

    def _registered_duplicates(self) -> BirthDates:
        """The organisation's cases by date of birth (not anonymised), read once for the whole file
        instead of one query per row."""
        if self._registered is None:
            self._registered = BirthDates()
            for pid, first, last, born, key in db.session.execute(sa.select(
                    Participant.id, Participant.first_name, Participant.last_name, Participant.date_of_birth,
                    Participant.duplicate_key).where(
                    Participant.organisation_id == self.org, Participant.anonymised_at.is_(None)).order_by(Participant.id)):
                self._registered.add(Person.of(first, last, born, key, pid))
        return self._registered

    def _flush_participants(self) -> None:
        buffer = self._buffer("participants")
        if not buffer.rows:
            return
        year = self.today.year
        first = reserve_case_numbers(year, len(buffer.rows))
        for i, row in enumerate(buffer.rows):
            row["case_number"] = format_case_number(year, first + i)
            row["search_key"] = search_key(row["case_number"], row["first_name"], row["last_name"])
        ids, rows, extra = buffer.take()
        entries, links = [], []
        for pid, row, (ext, key) in zip(ids, rows, extra, strict=True):
            self.cases[ext].participant_id = pid
            entries.append({"participant_id": pid, "date": row["entry_date"], "status": row["labour_status_at_entry"],
                            "source": "entry", "created_by_id": self.actor_id})
            links.append({"organisation_id": self.org, "external_id": ext, "participant_id": pid,
                          "row_hash": key, "batch_id": self.batch_id})
            changes = {f: [None, _plain(row[f])] for f in ("case_number",) + MASTER_FIELDS
                       if row.get(f) not in (None, "", False)}
            changes["via"] = [None, f"import {self.batch_id}"]
            self._audit.append(self._audit_row("participant.create", "participants", pid, pid, changes))
            self._records.append({"batch_id": self.batch_id, "participant_id": pid, "object_type": "participants",
                                  "object_id": pid, "action": "created", "row_key": None, "before": None})
        db.session.execute(sa.insert(StatusChange.__table__), entries)
        db.session.execute(sa.insert(ImportedParticipant.__table__), links)
        self._flush_log()

    # --- history rows ---------------------------------------------------------------------------------

    def _case(self, ext: str | None, fail) -> Case | None:
        if ext is None:
            return None
        case = self.cases.get(ext)
        if case is None and ext in self.known:
            pid = self.known[ext][0]
            participant = db.session.get(Participant, pid)
            if participant is not None and participant.anonymised_at is None:
                case = Case(ext, pid, participant.entry_date, participant.labour_status_at_entry, participant.status,
                            participant.exit_date, new=False, keys=self.known_keys.get(pid, set()),
                            counsellor_id=participant.counsellor_id)
                self._known_periods(case, pid)
                self.cases[ext] = case
        if case is None:
            fail("external_id", _("No participant has this external ID, neither in the file nor from an earlier import."))
        return case

    def _known_periods(self, case: Case, pid: int) -> None:
        """The exits and re-entries a case already in Caseflow has (and the file's re-entries)."""
        for day, reason in self.known_exits.get(pid, ()):
            case.exits.append(day)
            case.exit_reasons[day] = reason
        case.re_entries = sorted(set(self.known_re_entries.get(pid, ())) |
                                 set(self._planned_re_entries.get(case.external_id, ())))

    def _history(self, kind: str, case: Case, data: dict[str, Any]) -> str | None:
        """The row's key, or None when this row was imported before (counted unchanged)."""
        key = row_key(kind, case.external_id, {k: v for k, v in data.items() if k != "external_id"})
        if key in case.keys:
            self.out.counts["unchanged"] += 1
            return None
        return key

    def _created(self, table: str, ext: str, key: str, row: dict[str, Any], audit: tuple[str, dict[str, Any]] | None) -> None:
        if ext in self.skip_ids:
            return
        self.out.counts["created"] += 1
        if self._writes(ext):
            case = self.cases[ext]
            row = {**row}
            self._buffer(table).add(row, (case, key, audit))
            if len(self._buffer(table).rows) >= CHUNK:
                self._flush(table)

    def _entry(self, case: Case) -> date:
        return case.entry_date or date.min

    def _languages(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        key = self._history("languages", case, data)
        try:
            clean = clean_languages([{"language": data.get("language"), "level": data.get("level")}])
        except DomainError as exc:
            domain(exc)
            return
        if not clean or key is None:
            return
        if clean[0]["language"] in case.languages:
            fail("language", _("Each language only once."))
            return
        case.languages.add(clean[0]["language"])
        self._created("languages", case.external_id, key, clean[0], None)

    def _qualifications(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        key = self._history("qualifications", case, data)
        try:
            clean = clean_qualifications([{k: data.get(k) for k in ("title", "country", "isced", "recognition_status")}])
        except DomainError as exc:
            domain(exc)
            return
        if clean and key is not None:
            self._created("qualifications", case.external_id, key, clean[0], None)

    def _status_changes(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        # rule of participants.services.add_status_change
        day, status = data.get("date"), data.get("status")
        if day is None:
            fail("date", _("This field is required."))
        elif day < self._entry(case):
            fail("date", _("A status change cannot be dated before the entry date (%(date)s).",
                           date=format_day(self._entry(case))))
        elif day > self.today + timedelta(days=366):
            fail("date", _("Check the date."))
        if status is None:
            fail("status", _("This field is required."))
        elif status not in LABOUR_STATUSES:
            fail("status", _("Choose one of the listed values."))
        key = self._history("status_changes", case, data)
        if errors or key is None:
            return
        self._created("status_changes", case.external_id, key, {"date": day, "status": status, "source": "manual"},
                      ("status_change.create", {"date": [None, day.isoformat()], "status": [None, status]}))

    def _notes(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        try:
            clean = _clean_note({k: data.get(k) for k in ("date", "kind", "text", "minutes")})
        except DomainError as exc:
            domain(exc)
            return
        key = self._history("notes", case, data)
        if key is None:
            return
        self._created("notes", case.external_id, key, clean,
                      ("note.create", {k: [None, _plain(v)] for k, v in clean.items() if v is not None}))

    def _measure(self, value: Any, fail) -> tuple[int, str, str, bool] | None:
        raw = text(value)
        if raw is None:
            fail("measure", _("This field is required."))
            return None
        if raw.isdigit() and int(raw) in self.measures_by_id:
            return self.measures_by_id[int(raw)]
        found = self.measures_by_title.get(raw.casefold(), [])
        if len(found) > 1:
            fail("measure", _("Several measures of your organisation have this title; give the measure's number instead."))
            return None
        if not found:
            fail("measure", _("Your organisation has no measure with this title or number."))
            return None
        return self.measures_by_id[found[0]]

    def _enrolments(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        measure = self._measure(data.get("measure"), fail)
        if case is None or errors or measure is None:
            return
        status = data.get("status") or "planned"
        unfinished = status in UNFINISHED_ENROLMENT_STATUSES
        key = self._history("enrolments", case, data)
        if key is None:
            return
        # the measures domain's rules (_enrol): open measure, not after the exit, dates and status
        if unfinished and not measure[3]:
            fail("measure", _("This measure is not open for enrolment."))
        if unfinished and case.status == "exited":
            fail("status", _("The participant has left the programme; record a re-entry first."))
        try:
            _check_dates_and_status(_like(entry_date=self._entry(case)), {
                "status": status, "start_date": data.get("start_date"), "end_date": data.get("end_date"),
                "dropout_reason": data.get("dropout_reason")}).done()
        except DomainError as exc:
            domain(exc)
        if unfinished:
            if (case.external_id, measure[0]) in self._enrolled or (not case.new and db.session.scalar(
                    sa.select(Enrolment.id).where(Enrolment.participant_id == case.participant_id,
                                                  Enrolment.measure_id == measure[0],
                                                  Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES)).limit(1))):
                fail("measure", _("This participant already has an unfinished enrolment in this measure."))
            self._enrolled.add((case.external_id, measure[0]))
        if errors:
            return
        if unfinished:
            case.open_enrolments.append(data.get("start_date"))
        reason = (data.get("dropout_reason") or "").strip() or None if status == "dropped_out" else None
        row = {"measure_id": measure[0], "status": status, "start_date": data.get("start_date"),
               "end_date": data.get("end_date"), "dropout_reason": reason}
        self._created("enrolments", case.external_id, key, row,
                      ("enrolment.create", {k: [None, _plain(v)] for k, v in row.items() if v is not None}))

    def _placements(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        placement_data = {k: data.get(k) for k in ("type", "job_title", "occupation", "start_date", "end_date",
                                                     "weekly_hours", "permanent", "country", "matches_qualification",
                                                     "evidence")}
        field_errors = Checker(placement_data)
        clean = _validate_placement(_like(id=case.participant_id or 0, entry_date=self._entry(case)),
                                    placement_data, field_errors)
        # rules of placements.services.record_placement
        status_after = data.get("status_after_end")
        if status_after and not clean["end_date"]:
            field_errors.add("status_after_end", _("Give the end date together with the status that follows."))
        employer_name = data.get("employer_name")
        if clean["type"] != "self_employment" and not employer_name:
            field_errors.add("employer_name", _("Choose an employer of the directory or enter a new one."))
        elif employer_name and len(employer_name) > 200:
            field_errors.add("employer_name", _("At most %(n)s characters.", n=200))
        for field_name, messages in field_errors.fields.items():
            for message in messages:
                fail(field_name, message)
        key = self._history("placements", case, data)
        if errors or key is None:
            return
        employer = None
        if employer_name:
            employer = self.employers.get(employer_name.casefold())
            if employer is None:
                self.out.new_employers += 1
                employer = (None, employer_name)
                self.employers[employer_name.casefold()] = employer
        clean.pop("enrolment_id", None)
        row = {**clean, "employer_name": employer[1] if employer else None, "_employer": employer,
               "_status_after": status_after}
        self._created("placements", case.external_id, key, row, ("placement.create", {}))

    def _certificates(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        # rule of placements.services.record_certificate
        day, title, body = data.get("date"), data.get("title"), data.get("issuing_body")
        if day is None:
            fail("date", _("This field is required."))
        elif day < self._entry(case):
            fail("date", _("A qualification gained in the programme cannot be dated before the entry (%(date)s).",
                           date=format_day(self._entry(case))))
        elif day > self.today:
            fail("date", _("The date cannot be in the future."))
        if not title:
            fail("title", _("This field is required."))
        elif len(title) > 200:
            fail("title", _("At most %(n)s characters.", n=200))
        if body and len(body) > 200:
            fail("issuing_body", _("At most %(n)s characters.", n=200))
        key = self._history("certificates", case, data)
        if errors or key is None:
            return
        row = {"date": day, "title": title, "issuing_body": body}
        self._created("certificates", case.external_id, key, row,
                      ("certificate.create", {k: [None, _plain(v)] for k, v in row.items() if v is not None}))

    @staticmethod
    def _later_stay(case: Case, exit_day: date, start: date | None) -> bool:
        """Whether an enrolment starting on `start` belongs to a stay after the exit (a re-entry
        lies between): such an unfinished enrolment does not stand in that exit's way."""
        return start is not None and any(exit_day < r <= start for r in case.re_entries)

    def _exits(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        key = self._history("exits", case, data)
        if key is None:
            return
        # rules of placements.services.exit_participant: one exit per stay (a re-entry in the file's
        # re-entries sheet starts the next one)
        day, reason = data.get("exit_date"), data.get("reason")
        if day is not None and day >= self._entry(case):
            start, end = case.period(day)
            if any(start <= e and (end is None or e < end) for e in case.exits):
                fail("exit_date", _("This participant has exited already. Record a re-entry first."))
                return
        if day is None:
            fail("exit_date", _("This field is required."))
        elif day < self._entry(case):
            fail("exit_date", _("The exit cannot be before the entry (%(date)s).", date=format_day(self._entry(case))))
        elif day > self.today:
            fail("exit_date", _("The date cannot be in the future."))
        if reason is None:
            fail("reason", _("This field is required."))
        elif reason not in EXIT_REASONS:
            fail("reason", _("Choose one of the listed values."))
        if day is not None and any(not self._later_stay(case, day, start) for start in case.open_enrolments):
            fail("exit_date", _("The participant still has a planned or active enrolment in the file: give it its "
                                "final status (completed, dropped out or cancelled) and end date."))
        if not case.new and db.session.scalar(sa.select(Enrolment.id).where(
                Enrolment.participant_id == case.participant_id,
                Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES)).limit(1)):
            fail("exit_date", _("The participant has open enrolments in Caseflow; record this exit in the case file."))
        if errors:
            return
        case.exits.append(day)
        case.exit_reasons[day] = reason
        case.exit_imported = True
        if case.final_exit() == day:
            case.status, case.exit_date = "exited", day
        self._created("exits", case.external_id, key, {"exit_date": day, "reason": reason},
                      ("participant.exit", {"status": ["active", "exited"], "exit_date": [None, day.isoformat()],
                                            "exit_reason": [None, reason]}))

    def _re_entries(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        key = self._history("re_entries", case, data)
        if key is None:
            return
        # rules of placements.services.re_enter_participant: after an exit of the stay before, not in
        # the future
        day = data.get("date")
        if day is None:
            fail("date", _("This field is required."))
            return
        if not case.new:
            fail("date", _("This case was in Caseflow before this file: record its re-entry in the case file."))
            return
        if day > self.today:
            fail("date", _("The date cannot be in the future."))
            return
        if day in case.re_entries_seen:
            fail("date", _("This re-entry appears twice."))
            return
        previous = max((r for r in case.re_entries if r < day), default=self._entry(case))
        if not any(previous <= e <= day for e in case.exits):
            later = min((e for e in case.exits if e > day and e >= previous), default=None)
            if later is not None:
                fail("date", _("The re-entry cannot be before the last exit (%(date)s).", date=format_day(later)))
            else:
                fail("date", _("Only an exited participant can re-enter."))
            return
        case.re_entries_seen.add(day)
        if case.status == "exited" and case.exit_date is not None and case.exit_date <= day:
            case.status, case.exit_date = "active", None
        self._created("re_entries", case.external_id, key, {"date": day},
                      ("participant.re_entry", {"date": [None, day.isoformat()]}))

    def _follow_up_tasks(self) -> None:
        """The tasks `exit_participant` gives the counsellor (four-week check, six-month follow-up)
        for each case whose final exit this file adds, unless the file holds that follow-up for it
        already. For an exit long past a task nobody can act on is not made: the four-week check
        only while its window (exit + 42 days) is open, the six-month follow-up only until twelve
        months after the exit (both still show in the monitoring's data-quality lists)."""
        for case in self.cases.values():
            exit_day = case.final_exit() if case.exit_imported else None
            if exit_day is None or not case.valid or case.external_id in self.skip_ids:
                continue
            done = {kind for kind, day in case.follow_ups if day >= exit_day}
            tasks = []
            if "four_weeks" not in done and exit_day + timedelta(days=FOUR_WEEKS_WINDOW[1]) >= self.today:
                tasks.append(("four_week_check", _("4-week check"), exit_day + FOUR_WEEKS))
            if "six_months" not in done and add_months(exit_day, TASK_SIX_MONTHS_UNTIL) >= self.today:
                tasks.append(("six_month_follow_up", _("six-month follow-up"), add_months(exit_day, 6)))
            for kind, title, due in tasks:
                self.out.follow_up_tasks += 1
                if self._writes(case.external_id):
                    self._buffer("tasks").add({"organisation_id": self.org, "title": title, "kind": kind,
                                               "due_date": due, "assignee_id": case.counsellor_id, "version": 1},
                                              (case, None, None))
                    if len(self._buffer("tasks").rows) >= CHUNK:
                        self._flush("tasks")

    def _follow_ups(self, sheet, name, number, ext, data, errors, fail, domain) -> None:
        case = self._case(ext, fail)
        if case is None or errors:
            return
        key = self._history("follow_ups", case, data)
        if key is None:
            return
        # rules of placements.services.record_follow_up, for the exit whose time outside the
        # programme the follow-up falls in
        if not case.exits:
            fail("date", _("A follow-up is recorded after the exit."))
            return
        kind, day, status = data.get("kind") or "six_months", data.get("date"), data.get("status")
        improved, how = data.get("improved_situation"), data.get("improvement_kind")
        exit_day = max((e for e in case.exits if day is not None and e <= day), default=None)
        if day is None:
            fail("date", _("This field is required."))
        elif exit_day is None:
            first = min(case.exits)
            fail("date", _("The follow-up cannot be before the exit (%(date)s).", date=format_day(first)))
        elif day > self.today:
            fail("date", _("The date cannot be in the future."))
        else:
            back = min((r for r in case.re_entries if exit_day < r <= day), default=None)
            if back is not None:
                fail("date", _("The follow-up cannot be after the re-entry (%(date)s).", date=format_day(back)))
            else:
                window = Checker({})
                _check_follow_up_date(window, kind, day, exit_day)
                for message in window.fields.get("date", []):
                    fail("date", message)
        if status is None:
            fail("status", _("This field is required."))
        elif status not in FOLLOW_UP_STATUSES:
            fail("status", _("Choose one of the listed values."))
        employed_at_entry = improvement_applies(_like(labour_status_at_entry=case.labour_status_at_entry))
        if improved or how:
            if not employed_at_entry:
                fail("improved_situation", _("An improved situation is recorded only for people employed at entry."))
            elif status not in ("employed", "self_employed"):
                fail("improved_situation", _("An improved situation needs a status of employed or self-employed."))
            elif improved is False and how:
                fail("improvement_kind", _("Leave this empty when the situation did not improve."))
            else:
                improved = True  # the kind is optional (interfaces.md); it stays unknown
        if errors:
            return
        if not employed_at_entry or status == "unknown":
            improved, how = None, None
        elif improved is None:
            improved = False
        case.follow_ups.append((kind, day))
        row = {"kind": kind, "date": day, "status": status, "improved_situation": improved, "improvement_kind": how}
        self._created("follow_ups", case.external_id, key, row,
                      ("follow_up.create", {k: [None, _plain(v)] for k, v in row.items() if v is not None}))

    # --- writing ----------------------------------------------------------------------------------------

    _TABLES: dict[str, Any] = {"languages": ParticipantLanguage, "qualifications": ForeignQualification, "status_changes": StatusChange,
               "enrolments": Enrolment, "notes": Note, "placements": Placement, "certificates": Certificate,
               "exits": Exit, "re_entries": ReEntry, "follow_ups": FollowUp, "tasks": Task,
               "participants": Participant}

    def _buffer(self, table: str) -> _Buffer:
        if table not in self._buffers:
            self._buffers[table] = _Buffer(self._TABLES[table])
        return self._buffers[table]

    def _audit_row(self, action: str, object_type: str, object_id: int, participant_id: int | None,
                   changes: dict[str, Any] | None) -> dict[str, Any]:
        return {"action": action, "actor_id": self.actor_id, "organisation_id": self.org, "object_type": object_type,
                "object_id": object_id, "participant_id": participant_id, "address": self.address,
                "changes": changes or None}

    def _flush_log(self) -> None:
        if self._audit:
            db.session.execute(sa.insert(AuditEntry.__table__), self._audit)
            self._audit = []
        if self._records:
            db.session.execute(sa.insert(ImportedRecord.__table__), self._records)
            self._records = []

    def _flush_all(self) -> None:
        if not self.apply:
            return
        self._flush_participants()
        for table in list(self._buffers):
            self._flush(table)
        self._flush_log()

    def _flush(self, table: str) -> None:
        if table == "participants":
            return self._flush_participants()
        buffer = self._buffer(table)
        if not buffer.rows:
            return None
        model = self._TABLES[table]
        by = {"created_by_id": self.actor_id} if "created_by_id" in model.__table__.c else {}
        extras = []
        if table == "placements":
            self._create_employers({row["_employer"][1].casefold() for row in buffer.rows
                                    if row["_employer"] is not None})
        for row, (case, _key, _audit) in zip(buffer.rows, buffer.extra, strict=True):
            row["participant_id"] = case.participant_id
            if table == "notes":
                row["author_id"] = self.actor_id
            if table == "placements":
                extras.append((row.pop("_employer"), row.pop("_status_after")))
                employer = self.employers[extras[-1][0][1].casefold()] if extras[-1][0] else None
                row["employer_id"] = employer[0] if employer else None
            row.update(by)
        ids, rows, extra = buffer.take()
        statuses, exits = [], []
        for i, (oid, row, (case, key, audit)) in enumerate(zip(ids, rows, extra, strict=True)):
            pid = case.participant_id
            changes = dict(audit[1]) if audit else {}
            if table == "placements":
                changes = {k: [None, _plain(v)] for k, v in row.items()
                           if k not in ("participant_id", "created_by_id") and v not in (None, "", False)}
                status = PLACEMENT_STATUS[row["type"]]
                if status:
                    statuses.append({"participant_id": pid, "date": row["start_date"], "status": status,
                                     "source": "placement", "placement_id": oid, "created_by_id": self.actor_id})
                    changes["status_change"] = [None, f"{row['start_date'].isoformat()} {status}"]
                after = extras[i][1]
                if after:
                    statuses.append({"participant_id": pid, "date": row["end_date"] + timedelta(days=1), "status": after,
                                     "source": "placement_end", "placement_id": oid, "created_by_id": self.actor_id})
            if table == "follow_ups" and row["status"] != "unknown":
                statuses.append({"participant_id": pid, "date": row["date"], "status": row["status"],
                                 "source": "follow_up", "placement_id": None, "created_by_id": self.actor_id})
            if table == "exits" and case.final_exit() == row["exit_date"]:
                # the participant's state follows the exit that leaves the case exited
                exits.append({"pid": pid, "exit_date": row["exit_date"], "reason": row["reason"]})
            if audit:
                changes["via"] = [None, f"import {self.batch_id}"]
                object_type = "participants" if table == "exits" else model.__tablename__
                object_id = pid if table == "exits" else oid
                self._audit.append(self._audit_row(audit[0], object_type, object_id, pid, changes))
            self._records.append({"batch_id": self.batch_id, "participant_id": pid, "object_type": model.__tablename__,
                                  "object_id": oid, "action": "created", "row_key": key, "before": None})
        if statuses:
            db.session.execute(sa.insert(StatusChange.__table__), statuses)
        if exits:
            t = Participant.__table__
            db.session.execute(sa.update(t).where(t.c.id == sa.bindparam("pid")).values(
                status="exited", exit_date=sa.bindparam("exit_date"), exit_reason=sa.bindparam("reason"),
                version=t.c.version + 1), exits)
        self._flush_log()
        return None

    def _create_employers(self, names: set[str]) -> None:
        """Adds the employers these placements name that the directory does not have yet (as
        record_placement does, with an audit entry each), in one INSERT."""
        new = sorted(n for n in names if self.employers[n][0] is None)
        if not new:
            return
        table = Employer.__table__
        rows: list[dict[str, Any]] = [{"organisation_id": self.org, "name": self.employers[n][1]} for n in new]
        ids = insert_returning_ids(table, rows)
        for key, eid, row in zip(new, ids, rows, strict=True):
            self.employers[key] = (eid, row["name"])
            self._audit.append(self._audit_row("employer.create", "employers", eid, None,
                                               {"name": [None, row["name"]], "via": [None, f"import {self.batch_id}"]}))


def _restore(participant: Participant, before: Mapping[str, Any]) -> None:
    """Undo of an update: the master data as it was before the import (and the row hash with it)."""
    columns = Participant.__table__.c
    for name, value in before.items():
        if name == "_row_hash":
            db.session.execute(sa.update(ImportedParticipant).where(ImportedParticipant.participant_id == participant.id)
                               .values(row_hash=value))
            continue
        if value is not None and isinstance(columns[name].type, sa.Date):
            value = date.fromisoformat(value)
        setattr(participant, name, value)
    born: date = participant.date_of_birth  # type: ignore[assignment]  # only anonymised cases have none; they are never updated
    participant.birth_year = born.year
    participant.age_at_entry = age_on(born, participant.entry_date)
    participant.duplicate_key = duplicate_key(participant.first_name, participant.last_name)
    participant.search_key = search_key(participant.case_number, participant.first_name, participant.last_name)
    db.session.execute(sa.update(StatusChange).where(
        StatusChange.participant_id == participant.id, StatusChange.source == "entry").values(
        date=participant.entry_date, status=participant.labour_status_at_entry))
