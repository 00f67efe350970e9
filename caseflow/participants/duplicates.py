"""The duplicate check at registration: who may be the same person, and why.

Two participants of one organisation are possible duplicates when

- they were born the same day and their names are similar: the same name (case and accents aside),
  first and last name swapped, the same skeleton (umlaut spellings, common variants such as
  Kovalenko/Kowalenko, names.py), the same name in two transliteration systems
  (Schewtschenko/Shevchenko, transliteration.py), or one letter apart in long names; or
- their names match (any of these but "one letter apart") and the birth dates differ as a typo
  would: one day apart, day and month swapped, or one of them is 1 January of the same year (the
  placeholder written when the day is unknown).

The candidates come from one select on the index (organisation_id, date_of_birth): the few dates
that a typo can give, and, only when the date entered is 1 January itself, that year's range.
Names are compared in Python on those rows only, never on the whole organisation.
"""
from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.participants.names import duplicate_key, fold, similar_names
from caseflow.participants.transliteration import READING_LABELS, same_transliterated_name

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
    """A match's reasons (as `Match.as_json` gives them) in the reader's language."""
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


def typo_dates(born: date) -> list[date]:
    """The dates of birth a typo in `born` (or in the record registered) can give."""
    dates = {born}
    for days in (-1, 1):
        with contextlib.suppress(OverflowError):  # 0001-01-01, 9999-12-31
            dates.add(born + timedelta(days=days))
    if born.day <= 12 and born.day != born.month:
        dates.add(born.replace(month=born.day, day=born.month))
    dates.add(born.replace(month=1, day=1))
    return sorted(dates)


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


@dataclass(frozen=True)
class _Entered:
    """The name being registered, folded once for all candidates."""
    first: str
    last: str
    folded: tuple[str, str]
    key: str

    @classmethod
    def of(cls, first: str, last: str) -> _Entered:
        return cls(first, last, (fold(first), fold(last)), duplicate_key(first, last))


def _name_match(entered: _Entered, other_first: str | None, other_last: str | None, other_key: str | None, *,
                strong_only: bool = False) -> tuple[str, tuple[str, str] | None] | None:
    """(reason, transliteration systems) when the names match, strongest reason first;
    `strong_only` leaves out "one letter apart" (for a birth date that differs)."""
    registered = (fold(other_first), fold(other_last))
    if entered.folded == registered:
        return "same_name", None
    if entered.folded == registered[::-1]:
        return "names_swapped", None
    if other_key and entered.key == other_key:
        return "similar_spelling", None
    first, last = entered.first, entered.last
    for pairs in (((first, other_first), (last, other_last)), ((first, other_last), (last, other_first))):
        found_first = same_transliterated_name(*pairs[0])
        if found_first is None:
            continue
        found_last = same_transliterated_name(*pairs[1])
        if found_last is None:
            continue
        found = (found_first, found_last)
        differing = [systems for (a, b), systems in zip(pairs, found, strict=True) if fold(a) != fold(b)]
        return "transliteration", (differing or list(found))[-1]
    if not strong_only and similar_names(entered.key, other_key):
        return "one_letter_apart", None
    return None


def possible_duplicates(organisation_id: int, born: date, first_name: str, last_name: str, *,
                        exclude_id: int | None = None) -> list[Match]:
    """The organisation's participants who may be this person, each with its reasons."""
    dates = typo_dates(born)
    if (born.month, born.day) == (1, 1):
        # The day may be unknown: anyone of that year with the name, and the day before (one range:
        # it holds every typo date, and one condition keeps the index's plan simple on both databases).
        on_dates = Participant.date_of_birth.between(dates[0], born.replace(month=12, day=31))
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
    entered = _Entered.of(first_name, last_name)
    matches = []
    for row in db.session.execute(stmt):
        if row.date_of_birth is None:
            continue
        date_reason = birth_date_reason(born, row.date_of_birth)
        if date_reason is None:
            continue
        # a typo in the date and another in the name: too far apart to warn about
        name = _name_match(entered, row.first_name, row.last_name, row.duplicate_key,
                           strong_only=date_reason != "same_birth_date")
        if name is None:
            continue
        name_reason, systems = name
        matches.append(Match(row.id, [name_reason, date_reason], systems))
    return matches
