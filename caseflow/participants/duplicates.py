"""The duplicate check at registration and import: who may be the same person, and why.

Two participants of one organisation are possible duplicates when

- they were born the same day and their names are similar: the same name (case and accents aside),
  first and last name swapped, the same skeleton (umlaut spellings, common variants such as
  Kovalenko/Kowalenko, names.py), the same name in two transliteration systems
  (Schewtschenko/Shevchenko, transliteration.py), or one letter apart in long names; or
- their names match (any of these but "one letter apart") and the birth dates differ as a typo
  would: one day apart, day and month swapped, or one of them is 1 January of the same year (the
  placeholder written when the day is unknown).

`judge` is that rule for one pair of people, and the only one: registration
(`possible_duplicates`) and the spreadsheet import (imports/engine.py) both ask it. They differ
only in how they find the candidates, both from `search_span` (the few dates that a typo can
give, and, only when the date entered is 1 January itself, that year):

- registration: one select on the index (organisation_id, date_of_birth);
- import: the organisation's rows read once for the whole file, and the file's own rows as they
  pass, kept by date of birth in memory (`BirthDates`): a handful of dictionary look-ups per row.

Names are compared in Python on those candidates only, never on the whole organisation.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.participants.names import duplicate_key, fold, similar_names
from caseflow.participants.transliteration import READING_LABELS, meet, same_transliterated_name, sounds
from caseflow.translation import lazy_gettext as _l

# Why two records look like one person: code → words (the API answers the codes).
REASONS = {
    "same_name": _l("the same name"),
    "names_swapped": _l("first and last name swapped"),
    "similar_spelling": _l("the same name in another spelling (umlauts, accents, common variants)"),
    "transliteration": _l("the same name in another transliteration"),
    "one_letter_apart": _l("names one letter apart"),
    "same_birth_date": _l("the same date of birth"),
    "birth_date_one_day_apart": _l("dates of birth one day apart"),
    "birth_date_day_month_swapped": _l("day and month of the date of birth swapped"),
    "birth_date_placeholder": _l("one date of birth is 1 January of the same year (often written when the day is "
                                 "unknown)"),
}


@dataclass(frozen=True)
class Finding:
    """Why two people may be one: a name reason and a date-of-birth reason (codes of REASONS) and,
    for a transliteration, the two systems (of the first person's name, then of the other's)."""
    reasons: tuple[str, str]
    systems: tuple[str, str] | None = None

    def as_json(self) -> dict:
        answer: dict = {"reasons": list(self.reasons)}
        if self.systems:
            answer["systems"] = list(self.systems)
        return answer


@dataclass
class Match:
    id: int
    reasons: list[str] = field(default_factory=list)
    # for "transliteration": (system of the name entered, system of the name registered), e.g. de/en
    systems: tuple[str, str] | None = None

    def as_json(self) -> dict:
        """What the API answers in `error.matches`: the id, the reason codes and, for a
        transliteration, the two systems (of the name entered, then of the one registered, e.g.
        ["en", "de"] for Shevchenko entered and Schewtschenko registered)."""
        answer: dict = {"id": self.id, "reasons": list(self.reasons)}
        if self.systems:
            answer["systems"] = list(self.systems)
        return answer


def explain(match: Mapping[str, Any]) -> list[str]:
    """A match's reasons (as `Match.as_json` or `Finding.as_json` give them) in the reader's language."""
    words = []
    for code in match.get("reasons", ()):
        if code not in REASONS:
            continue
        text = str(REASONS[code])
        systems: list[str] = list(match.get("systems") or [])
        if code == "transliteration" and len(systems) == 2 and all(s in READING_LABELS for s in systems):
            text += f" ({READING_LABELS[systems[0]]} / {READING_LABELS[systems[1]]})"
        words.append(text)
    return words


_DAY = timedelta(days=1)


def typo_dates(born: date) -> list[date]:
    """The dates of birth a typo in `born` (or in the record registered) can give."""
    dates = {born, born.replace(month=1, day=1)}
    if born > date.min:
        dates.add(born - _DAY)
    if born < date.max:
        dates.add(born + _DAY)
    if born.day <= 12 and born.day != born.month:
        dates.add(born.replace(month=born.day, day=born.month))
    return sorted(dates)


def search_span(born: date) -> tuple[list[date], int | None]:
    """Where the candidates for someone born on `born` are: the dates a typo can give, and the year
    whose every day is a candidate when `born` is 1 January (the day may be unknown), else None."""
    return typo_dates(born), born.year if (born.month, born.day) == (1, 1) else None


def birth_date_reason(entered: date, registered: date) -> str | None:
    if entered == registered:
        return "same_birth_date"
    if abs((entered - registered).days) == 1:
        return "birth_date_one_day_apart"
    if entered.year == registered.year and (entered.day, entered.month) == (registered.month, registered.day):
        return "birth_date_day_month_swapped"
    if entered.year == registered.year and (1, 1) in ((entered.month, entered.day), (registered.month, registered.day)):
        return "birth_date_placeholder"
    return None


class Person(NamedTuple):
    """One side of a comparison: names, date of birth, the duplicate key of the names
    (names.duplicate_key; `Person.of` works it out when it is not stored), and what the caller
    knows the person by (`ref`: a participant's id, a row's external id). One tuple of plain
    values, so that the import keeps one per row of a file and per case of an organisation at
    little cost; the transliteration skeletons are cached by name (transliteration.sounds)."""
    first: str
    last: str
    born: date | None
    key: str
    ref: Any = None

    @classmethod
    def of(cls, first: str | None, last: str | None, born: date | None, key: str | None = None,
           ref: Any = None) -> Person:
        return cls(first or "", last or "", born, key if key is not None else duplicate_key(first, last), ref)


def judge(entered: Person, other: Person) -> Finding | None:
    """Whether `other` may be the person `entered`, and why (the rule of the module docstring),
    or None. Pure: no database, no request."""
    if entered.born is None or other.born is None:  # anonymised
        return None
    date_reason = birth_date_reason(entered.born, other.born)
    if date_reason is None:
        return None
    # a typo in the date and another in the name: too far apart to warn about
    name = _name_match(entered, other, strong_only=date_reason != "same_birth_date")
    if name is None:
        return None
    name_reason, systems = name
    return Finding((name_reason, date_reason), systems)


def _name_match(entered: Person, other: Person, *,
                strong_only: bool = False) -> tuple[str, tuple[str, str] | None] | None:
    """(reason, transliteration systems) when the names match, strongest reason first;
    `strong_only` leaves out "one letter apart" (for a birth date that differs)."""
    if entered.key == other.key:
        # (the key is made of the folded names, sorted: the same or swapped names have the same key,
        # so names of different keys need not be folded to be told apart)
        folded, other_folded = (fold(entered.first), fold(entered.last)), (fold(other.first), fold(other.last))
        if folded == other_folded:
            return "same_name", None
        if folded == other_folded[::-1]:
            return "names_swapped", None
        return "similar_spelling", None
    sound_first, sound_last = sounds(entered.first), sounds(entered.last)
    other_sound_first, other_sound_last = sounds(other.first), sounds(other.last)
    # the same name in some system exactly when the skeletons meet (same_transliterated_name says which)
    if meet(sound_first, other_sound_first) and meet(sound_last, other_sound_last):
        pairs = ((entered.first, other.first), (entered.last, other.last))
    elif meet(sound_first, other_sound_last) and meet(sound_last, other_sound_first):
        pairs = ((entered.first, other.last), (entered.last, other.first))
    else:
        pairs = None
    if pairs is not None:
        found = [same_transliterated_name(a, b) for a, b in pairs]
        differing = [systems for (a, b), systems in zip(pairs, found, strict=True) if fold(a) != fold(b)]
        return "transliteration", (differing or found)[-1]
    if not strong_only and similar_names(entered.key, other.key):
        return "one_letter_apart", None
    return None


def possible_duplicates(organisation_id: int, born: date, first_name: str, last_name: str, *,
                        exclude_id: int | None = None) -> list[Match]:
    """The organisation's participants who may be this person, each with its reasons."""
    dates, year = search_span(born)
    if year is not None:
        # The day may be unknown: anyone of that year with the name, and the day before (one range:
        # it holds every typo date, and one condition keeps the index's plan simple on both databases).
        on_dates = Participant.date_of_birth.between(dates[0], date(year, 12, 31))
    else:
        on_dates = Participant.date_of_birth.in_(dates)
    stmt = (sa.select(Participant.id, Participant.first_name, Participant.last_name, Participant.date_of_birth,
                      Participant.duplicate_key)
            # no `anonymised_at IS NULL`: anonymisation empties date_of_birth, so those rows never
            # match a date, and the condition would tempt SQLite into another index
            .where(Participant.organisation_id == organisation_id, on_dates)
            .order_by(Participant.id))
    if exclude_id is not None:
        stmt = stmt.where(Participant.id != exclude_id)
    entered = Person.of(first_name, last_name, born)
    matches = []
    for row in db.session.execute(stmt):
        found = judge(entered, Person.of(row.first_name, row.last_name, row.date_of_birth, row.duplicate_key))
        if found is not None:
            matches.append(Match(row.id, list(found.reasons), found.systems))
    return matches


class BirthDates:
    """People by date of birth, in memory, for comparing many with many (the import: a file's rows
    with the organisation's cases and with each other). `matches` finds what `judge` accepts among
    the same candidates as the select of `possible_duplicates`, by dictionary look-ups: the typo
    dates; and, for 1 January, that year's people whose names can match (the same duplicate key,
    or a last name that shares a transliteration skeleton with the first or the last name), from
    an index of the year built at its first 1 January look-up, so that a file with many
    placeholder dates does not compare each of them with the whole year."""

    def __init__(self) -> None:
        self._by_date: dict[date, list[Person]] = {}
        self._by_year: dict[int, list[Person]] = {}
        self._by_year_name: dict[int, dict[str, list[Person]]] = {}

    def add(self, person: Person) -> None:
        if person.born is None:
            return
        self._by_date.setdefault(person.born, []).append(person)
        self._by_year.setdefault(person.born.year, []).append(person)
        names = self._by_year_name.get(person.born.year)
        if names is not None:
            self._index_name(names, person)

    @staticmethod
    def _index_name(names: dict[str, list[Person]], person: Person) -> None:
        # a key always holds a space, a skeleton never: one dictionary for both
        names.setdefault(person.key, []).append(person)
        for skeleton in sounds(person.last):
            names.setdefault(skeleton, []).append(person)

    def _candidates(self, entered: Person, span: tuple[list[date], int | None]) -> Iterator[Person]:
        dates, year = span
        for day in dates:
            yield from self._by_date.get(day, ())
        if year is None:
            return
        # the rest of the year: a date of birth that differs by more than a typo, so only a strong
        # name match counts (judge: the same key, or a transliteration of both names)
        names = self._by_year_name.get(year)
        if names is None:
            names = self._by_year_name[year] = {}
            for person in self._by_year.get(year, ()):
                self._index_name(names, person)
        seen = set()
        for name in (entered.key, *sounds(entered.last), *sounds(entered.first)):
            for other in names.get(name, ()):
                if other.born not in dates and id(other) not in seen:
                    seen.add(id(other))
                    yield other

    def matches(self, entered: Person, span: tuple[list[date], int | None] | None = None) -> list[tuple[Person, Finding]]:
        """Everyone here whom `judge` takes for `entered`, with why (in no particular order).
        `span`: search_span(entered.born), when the caller has it already."""
        if entered.born is None or not self._by_date:
            return []
        found = []
        for other in self._candidates(entered, span or search_span(entered.born)):
            finding = judge(entered, other)
            if finding is not None:
                found.append((other, finding))
        return found
