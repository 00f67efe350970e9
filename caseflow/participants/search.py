"""Participant search that does not scan: by name, case number, phone or e-mail address.

Every participant's `search_key` (names.py: folded case number, names and e-mail address, the phone
number's digits) is indexed for substring search:

- PostgreSQL: a GIN trigram index (`pg_trgm`, `gin_trgm_ops`) on `search_key`, with the
  organisation (`btree_gin`; `ix_participants_search_trgm`, declared in models.py, PostgreSQL
  only). `LIKE '%term%'` and the word-prefix patterns below are answered from it.
- SQLite: two FTS5 tables with external content (the `participants` table itself), kept in step by
  triggers on `participants` (`SQLITE_SEARCH_DDL` in models.py; create_all runs it, migration 0011 made it):
  `participants_search` (trigram tokenizer: substrings of three characters or more) and
  `participants_search_words` (unicode61 tokenizer with a prefix index for one and two characters:
  words that start with a short term). Alembic cannot see virtual tables and triggers;
  migrations/env.py leaves them out of `alembic check`, and tests/platform/test_index_definitions.py
  compares them (and the triggers) between a migrated and a created database instead.

The rules are the same on both databases (tests/participants/test_search_both_databases.py):

- the query is folded like the key and split into words (`search_terms`); every word must match;
- a word of three characters or more matches anywhere in the key (`ova` finds Kovalenko);
- a shorter word (trigrams cannot index it) matches anywhere too when the query has a longer word
  (which the index narrows: "+49 30 1234567", "jana m"); a query of short words only matches the
  starts of words of the key (`al` finds "Al-Hassan" and "Alina", not "Khalil"), from the
  word-prefix index;
- results are ranked: per query word 0 when it is a whole word of the key, 1 when it starts one,
  2 when it is inside one; the sum first, then the list's own order;
- a search counts its matches up to web.SEARCH_TOTAL_CAP (100; "more than 100"), not to a plain
  list's 10,000 (docs/interfaces.md, Lists).

A page of a one-word search costs the same whatever the number of matches (issue 19,
ranked_page): the first matches
in the list's order, up to the count's bound, are read with their rank (a common search walks the
list's index, on PostgreSQL `ix_participants_search_list` for the API's order by id and the
caseload's name-order indexes for the caseload (their keys included: models.py), and stops; a
rare one comes from the trigram index); beyond the bound each rank class gives the page its first
rows in the list's order, each from a select with a LIMIT, so nothing reads every match. A search
of several words has a class per sum of its words' ranks: beyond the bound one select ranks all
its matches (unless its best class fills the page from the rows read already).

Each statement is planned for its own words: on PostgreSQL a statement that reads the search key is
never prepared (database.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from caseflow import web
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.participants.names import search_terms

TRIGRAM = 3  # shorter words cannot be looked up in a trigram index

_FTS = sa.table("participants_search", sa.column("rowid"), sa.column("search_key"))
_FTS_WORDS = sa.table("participants_search_words", sa.column("rowid"), sa.column("search_key"))


def _word_prefix(term: str, sqlite: bool) -> Any:
    """A word of the key starts with `term`. PostgreSQL: one regular expression, which the trigram
    index answers with one scan (the two LIKE patterns below have the same trigrams, so they read
    the same index entries twice: 12 to 19 ms more for "al" at 1,000,000 participants)."""
    if not sqlite:  # `term` holds only [a-z0-9] (fold()), nothing a regular expression would read
        return Participant.search_key.op("~")(f"(^| ){term}")
    return sa.or_(Participant.search_key.like(f"{term}%"), Participant.search_key.like(f"% {term}%"))


def _whole_word(term: str, sqlite: bool) -> Any:
    """`term` is a word of the key. PostgreSQL: a regular expression on the key itself, which the
    trigram index can answer (the word's first and last trigrams, "  k", "ov ", make a whole-word
    class that few rows hold cheap to find) and whose share the planner estimates from the key's
    statistics."""
    if not sqlite:
        return Participant.search_key.op("~")(f"(^| ){term}( |$)")
    return (sa.literal(" ") + Participant.search_key + sa.literal(" ")).like(f"% {term} %")


def matching(query: str | None) -> Any | None:
    """The condition on Participant of a search, or None for an empty query."""
    terms = search_terms(query)
    if not terms:
        return None
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    sqlite = _sqlite()
    conditions: list[Any] = []
    if long_terms:
        if sqlite:  # terms hold only [a-z0-9] (fold()), so quoting them as FTS5 strings is safe
            phrase = " ".join(f'"{t}"' for t in long_terms)
            conditions.append(Participant.id.in_(
                sa.select(_FTS.c.rowid).where(_FTS.c.search_key.op("MATCH")(phrase))))
        # The other words are checked on the rows the looked-up ones found, on an expression that
        # the trigram index does not cover: a pattern without a trigram (a short word) would make
        # the index read every entry, and on PostgreSQL only the longest long word is looked up
        # (the fewest candidates; a common word's entries grow with the table: "2025" of a case
        # number cost 8 of 11 ms at 1,000,000 participants, to find one row).
        unindexed = sa.literal(" ") + Participant.search_key
        checked = short_terms
        if not sqlite:
            longest = max(long_terms, key=len)
            conditions.append(Participant.search_key.like(f"%{longest}%"))
            checked = terms[:terms.index(longest)] + terms[terms.index(longest) + 1:]
        conditions.extend(unindexed.like(f"%{t}%") for t in checked)
        return sa.and_(*conditions)
    if sqlite:  # the word-prefix index finds the candidates, the rule below decides on both
        conditions.append(_words_table_has(" ".join(f'"{t}"*' for t in short_terms)))
    conditions.extend(_word_prefix(t, sqlite) for t in short_terms)
    return sa.and_(*conditions)


def search(stmt: sa.Select, query: str | None) -> sa.Select:
    """Narrows a participant select to a search (nothing changes for an empty query)."""
    condition = matching(query)
    return stmt if condition is None else stmt.where(condition)


def searches(query: str | None) -> bool:
    """Whether `query` searches for anything: it has a word once folded ("--" has none, and
    narrows nothing)."""
    return bool(search_terms(query))


def count_cap(query: str | None) -> int | None:
    """The cap of a list's count (web.capped_total's `cap`): web.SEARCH_TOTAL_CAP when `query`
    searches, else None (web.TOTAL_CAP, as every list). A search's matches are found through the
    search index and each checked on its row; to count them exactly only up to this bound keeps a
    search's time from growing with its number of matches."""
    return web.SEARCH_TOTAL_CAP if searches(query) else None


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _term_rank(term: str, sqlite: bool) -> Any:
    """0 when `term` is a whole word of the key, 1 when it starts one, 2 when it is inside one."""
    return sa.case((_whole_word(term, sqlite), 0), (_word_prefix(term, sqlite), 1), else_=2)


def rank(query: str | None) -> Any | None:
    """The search's rank (lower first): whole words, then word starts, then the rest."""
    terms = search_terms(query)
    if not terms:
        return None
    sqlite = _sqlite()
    total: Any = _term_rank(terms[0], sqlite)
    for term in terms[1:]:
        total = total + _term_rank(term, sqlite)
    return total


def _words_table_has(phrase: str) -> Any:
    """SQLite: the key has the word (`"t"`) or a word starting so (`"t"*`), from the word table."""
    return Participant.id.in_(sa.select(_FTS_WORDS.c.rowid).where(_FTS_WORDS.c.search_key.op("MATCH")(phrase)))


def _rank_classes(term: str, sqlite: bool) -> list[Any]:
    """The conditions, best rank first, that split the matches of a one-word search by rank:
    whole word, word start, inside a word (a short word alone matches word starts only). Each is
    the whole search condition of its class, looked up in an index. PostgreSQL: regular
    expressions on the key itself, which the planner estimates from the key's statistics (ANDed
    with the search's own condition it would take a common class for a rare one): it walks the
    list's index with a common class as a filter (its first rows come soon) and finds a rare one
    through the trigram index (a whole word has more trigrams than the word alone). SQLite: the
    word table's words and word prefixes."""
    if sqlite:  # the term holds only [a-z0-9] (fold()): safe as an FTS5 string
        whole, start = _words_table_has(f'"{term}"'), _words_table_has(f'"{term}"*')
    else:
        whole, start = _whole_word(term, sqlite), _word_prefix(term, sqlite)
    classes = [whole, sa.and_(start, sa.not_(whole))]
    if len(term) >= TRIGRAM:
        anywhere: Any = matching(term)
        classes.append(sa.and_(anywhere, sa.not_(start)))
    return classes


def ranked_page(scope: sa.Select, query: str | None, *, page: int, per_page: int,
                then: Sequence[Any] = (Participant.id,), descending: bool = False) -> tuple[list[int], int, bool]:
    """(ids, total, total_is_capped) of one page of the search `query` in `scope` (a select of
    Participant, not narrowed by the search), best matches first, then in the list's order `then`
    (all `descending`, or all ascending; its last key makes the order total, e.g. the id).

    The work is bounded whatever the number of matches (issue 19: the same time at 1,000,000
    participants as at 100,000). A search counts up to count_cap() (or to the end of the page asked
    for: `bound`). The first statement reads the first bound + 1 matches in the list's order with
    their rank: a common search walks the list's index and stops there, a rare one is found through
    the search index. When that is all the matches, they are the answer, ranked here. When there
    are more, each rank class (_rank_classes), best first, gives the page its first rows in the
    list's order: the ones read already when there are enough of them (all of the class up to the
    last row read), otherwise from a select of the class with a LIMIT of the rows still wanted
    (a class that is rare among the first rows: found through the search index). A search of
    several words has a class per sum of their ranks: one select ranks all its matches."""
    terms = search_terms(query)
    assert terms, "ranked_page() needs a search"
    relevance: Any = rank(query)
    found = search(scope, query).with_only_columns(Participant.id)
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    order = [direction(key) for key in then]
    at_least, offset = page * per_page, (page - 1) * per_page
    bound = max(web.SEARCH_TOTAL_CAP, at_least)
    first = db.session.execute(found.add_columns(relevance.label("relevance"))
                               .order_by(*order).limit(bound + 1)).all()
    total, capped = web.capped(len(first), at_least=at_least, cap=web.SEARCH_TOTAL_CAP)
    if not capped:  # every match: ranked here (a stable sort keeps the list's order)
        ranked = sorted(first, key=lambda row: row.relevance)
        return [row.id for row in ranked[offset:at_least]], total, False
    if len(terms) > 1:  # up to 2 × words + 1 classes: one select ranks the matches (as before
        # issue 19's bounds), unless the best class alone fills the page from the rows read
        best = [row.id for row in first if row.relevance == 0]
        ranked_ids = best if len(best) >= at_least else list(db.session.scalars(
            found.order_by(relevance, *order).limit(at_least)))
        return ranked_ids[offset:at_least], total, True
    ids: list[int] = []
    for relevance_of_class, condition in enumerate(_rank_classes(terms[0], _sqlite())):
        wanted = at_least - len(ids)
        read = [row.id for row in first if row.relevance == relevance_of_class]
        if len(read) < wanted:
            read = list(db.session.scalars(scope.where(condition).with_only_columns(Participant.id)
                                           .order_by(*order).limit(wanted)))
        ids.extend(read[:wanted])
        if len(ids) >= at_least:
            break
    return ids[offset:at_least], total, True
