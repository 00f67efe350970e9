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
  2 when it is inside one; the sum first, then the list's own order.
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


def matching(query: str | None) -> Any | None:
    """The condition on Participant of a search, or None for an empty query."""
    terms = search_terms(query)
    if not terms:
        return None
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    short_terms = [t for t in terms if len(t) < TRIGRAM]
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    conditions: list[Any] = []
    if long_terms:
        if sqlite:  # terms hold only [a-z0-9] (fold()), so quoting them as FTS5 strings is safe
            phrase = " ".join(f'"{t}"' for t in long_terms)
            conditions.append(Participant.id.in_(
                sa.select(_FTS.c.rowid).where(_FTS.c.search_key.op("MATCH")(phrase))))
        else:
            conditions.extend(Participant.search_key.like(f"%{t}%") for t in long_terms)
        # The short words are checked on the rows the long ones found, not looked up: on
        # PostgreSQL a pattern without a trigram would make the index read every entry, so they
        # compare an expression that the index does not cover.
        unindexed = sa.literal(" ") + Participant.search_key
        conditions.extend(unindexed.like(f"%{t}%") for t in short_terms)
        return sa.and_(*conditions)
    if sqlite:  # the word-prefix index finds the candidates, the rule below decides on both
        phrase = " ".join(f'"{t}"*' for t in short_terms)
        conditions.append(Participant.id.in_(
            sa.select(_FTS_WORDS.c.rowid).where(_FTS_WORDS.c.search_key.op("MATCH")(phrase))))
    conditions.extend(_word_prefix(t, sqlite) for t in short_terms)
    return sa.and_(*conditions)


def search(stmt: sa.Select, query: str | None) -> sa.Select:
    """Narrows a participant select to a search (nothing changes for an empty query)."""
    condition = matching(query)
    return stmt if condition is None else stmt.where(condition)


def rank(query: str | None) -> Any | None:
    """The search's rank (lower first): whole words, then word starts, then the rest."""
    terms = search_terms(query)
    if not terms:
        return None
    padded = sa.literal(" ") + Participant.search_key + sa.literal(" ")
    parts = [sa.case((padded.like(f"% {t} %"), 0), (padded.like(f"% {t}%"), 1), else_=2) for t in terms]
    total: Any = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def ranked_page(stmt: sa.Select, query: str | None, *, page: int, per_page: int,
                then: Sequence[Any] = (Participant.id,), descending: bool = False) -> tuple[list[int], int, bool]:
    """(ids, total, total_is_capped) of one page of a search, best matches first, `then` in order.

    One pass over the matches: a search ranks every match anyway (the best may be the last one the
    index finds), so the same pass counts them too (a window count), instead of a second statement
    that found them all again only to count them (about 40 % of a broad search's time at 1,000,000
    participants). The total is what web.capped_total says: exact up to max(TOTAL_CAP, the end of
    this page), beyond that this bound and True. `stmt` is a select of Participant, narrowed by the
    search already; `then`: the sort keys after the rank (all `descending`, or all ascending)."""
    relevance = rank(query)
    assert relevance is not None, "ranked_page() needs a search"
    keys = list(then)
    matches = stmt.with_only_columns(
        Participant.id.label("id"), relevance.label("relevance"),
        *[key.label(f"then_{n}") for n, key in enumerate(keys)],
        sa.func.count().over().label("matches"),
    ).order_by(None).subquery("matches")
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    ordered = [matches.c.relevance, *[direction(matches.c[f"then_{n}"]) for n in range(len(keys))]]
    rows = db.session.execute(sa.select(matches.c.id, matches.c.matches).order_by(*ordered)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    if not rows:  # nothing matched, or a page past the end: count as every list does
        total, capped = web.capped_total(stmt.with_only_columns(Participant.id), at_least=page * per_page)
        return [], total, capped
    total, capped = web.capped(rows[0].matches, at_least=page * per_page)
    return [row.id for row in rows], total, capped
