"""Sorting names the way a German or English reader expects them (DIN 5007-1 / the CLDR root
collation for the letters our participants' names bring): Çelik between C and D, Østergaard with
O, Łukasiewicz with L, Şahin with S, Ärztin with A.

Neither database sorts like that out of the box: SQLite compares code points (Ç after Z) and lower()
folds only ASCII there; PostgreSQL's result depends on the server's locale (the "C" locale of many
containers sorts like SQLite). So the sort key is built in SQL from a reviewed folding table: every
letter with a diacritic or a ligature becomes its base letter(s), upper and lower case alike, then
lower() folds the ASCII rest. Same result on both databases, any server locale.

Reviewed folding table (extend it when a name sorts in the wrong place; keep pairs single letters):
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from caseflow.database import sqlite_function

# letter(s) → base letters. Upper case is listed separately (SQLite's lower() leaves non-ASCII alone).
FOLDING = {
    "a": "àáâãäåāăąǎ", "A": "ÀÁÂÃÄÅĀĂĄǍ", "c": "çćĉċč", "C": "ÇĆĈĊČ", "d": "ďđ", "D": "ĎĐ",
    "e": "èéêëēĕėęě", "E": "ÈÉÊËĒĔĖĘĚ", "g": "ĝğġģ", "G": "ĜĞĠĢ", "h": "ĥħ", "H": "ĤĦ",
    "i": "ìíîïīĭįı", "I": "ÌÍÎÏĪĬĮİ", "j": "ĵ", "J": "Ĵ", "k": "ķ", "K": "Ķ", "l": "ĺļľŀł", "L": "ĹĻĽĿŁ",
    "n": "ñńņňŉ", "N": "ÑŃŅŇ", "o": "òóôõöøōŏő", "O": "ÒÓÔÕÖØŌŎŐ", "r": "ŕŗř", "R": "ŔŖŘ",
    "s": "śŝşšș", "S": "ŚŜŞŠȘ", "t": "ţťŧț", "T": "ŢŤŦȚ", "u": "ùúûüũūŭůűų", "U": "ÙÚÛÜŨŪŬŮŰŲ",
    "w": "ŵ", "W": "Ŵ", "y": "ýÿŷ", "Y": "ÝŸŶ", "z": "źżž", "Z": "ŹŻŽ",
}
LIGATURES = {"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th"}


def _pairs() -> list[tuple[str, str]]:
    pairs = [(letter, base) for base, letters in FOLDING.items() for letter in letters]
    return pairs + list(LIGATURES.items())


# One character → its base letter(s): every replacement yields ASCII, which no other one touches, so
# one str.translate() does what replacing the pairs one after another does.
_TABLE = str.maketrans(dict(_pairs()))


def fold_for_sorting(text: str) -> str:
    """The same folding in Python: SQLite's sort key (registered below, called for each row a list
    sorts), tests, and lists sorted in memory. One translate(), not a replace() per pair: SQLite
    sorts a counsellor's caseload by it, two calls per case (issue 19: the caseload's statement at
    100,000 SQLite participants 264 → 25 ms)."""
    return text.translate(_TABLE).lower()


class _SortKey(sa.sql.functions.GenericFunction):
    """fold-for-sorting(text): PostgreSQL: translate() for the single letters, replace() for the
    ligatures, then lower(); SQLite: the Python function below, registered on every connection
    (a chain of ~250 nested replace() calls would be too deep for the SQL compiler)."""
    type = sa.String()
    name = "cf_sort_key"
    inherit_cache = True


@compiles(_SortKey)
def _compile_sqlite(element, compiler, **kw):  # SQLite and any other: the registered function
    return f"cf_sort_key({compiler.process(element.clauses, **kw)})"


# PostgreSQL's translate() takes the single letters (the ligatures, two letters each, are replaced).
_PG_LETTERS = "".join(letter for letter, _base in _pairs() if len(_base) == 1)
_PG_BASES = "".join(base for _letter, base in _pairs() if len(base) == 1)


@compiles(_SortKey, "postgresql")
def _compile_postgresql(element, compiler, **kw):
    """translate() walks the folding table for every letter of the name: about 8 µs a name, 26 ms
    for the last names alone of a surname's 3,395 matches at 1,000,000 participants, sorted after
    the trigram index found them (search.ranked_page). A name of ASCII characters only has no
    letter to fold, and its key is lower() of it: `substring(name, '^[[:ascii:]]*$')` is the name
    when it is all ASCII, else NULL, and COALESCE folds only then. The same value, in a fraction of the time (revision 0023
    built the caseload's indexes on this expression; a CASE would do the same, but Alembic cannot
    compare the multi-line form in which PostgreSQL prints it back)."""
    text = compiler.process(element.clauses, **kw)
    folded = f"translate({text}, '{_PG_LETTERS}', '{_PG_BASES}')"
    for letter, base in LIGATURES.items():
        folded = f"replace({folded}, '{letter}', '{base}')"
    return f"coalesce(lower(substring({text}, '^[[:ascii:]]*$')), lower({folded}))"


sqlite_function("cf_sort_key", 1, lambda text: fold_for_sorting(text or ""))


def sort_key(column: Any) -> Any:
    """A SQL expression: `column` folded for sorting (see the module's docstring).

    On PostgreSQL the caseload's indexes (participants/models.py, ix_participants_caseload*) hold
    this very expression, so that the caseload reads its page in index order instead of folding and
    sorting every case: the empty string is a literal, not a bound parameter (a prepared statement's
    generic plan could not match a parameter to the index's constant). Changing FOLDING or LIGATURES
    changes the expression: the indexes must then be built again by a migration (the caseload's plan
    test, tests/scale/test_caseload_at_scale.py, and tests/platform/test_index_definitions.py fail
    until they are)."""
    return _SortKey(sa.func.coalesce(column, sa.literal_column("''")))
