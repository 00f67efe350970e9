"""Plumbing shared by the web views: turning domain errors into form errors, safe redirects,
page-size capping, the pager of lists paged by hand, and a select widget for long choice lists."""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app, flash, has_request_context, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.routing import IntegerConverter
from wtforms import SelectChoice
from wtforms.widgets import Select, html_params

from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.validation import MAX_ID


def _digits_at_most(limit: int) -> str:
    """A regular expression (no capturing group) for the ASCII numbers from 0 to `limit`, written with
    at most as many digits as `limit` has (leading zeros allowed, as int() reads them)."""
    top = str(limit)
    choices = [f"[0-9]{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    for i, digit in enumerate(top):
        if digit != "0":
            rest = len(top) - i - 1
            choices.append(top[:i] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    choices.append(top)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: ASCII digits only, from 0 to 2³¹−1 (the largest id either database
    stores). A larger number, or a Unicode digit, does not match the route: 404, never a 500 from
    the database.

    The bound is in the regular expression, not only in `max`: werkzeug checks `max` after it has
    chosen a rule by path and method, so a number beyond it on a path that has rules for other
    methods too (GET and POST `/participants/<int:…>/documents`) would answer 405, not 404."""

    regex = _digits_at_most(MAX_ID)

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_url(endpoint: str, *names: str, **values: Any) -> Callable[..., str]:
    """url_for(endpoint, **{name: id for each of `names`}, **values) for the many ids of one page,
    built once: the address of one set of ids with each id put in its place (an `<int:…>` rule and
    a query argument write an id as its digits, IdConverter), so each further address is a string
    join instead of a url_for (issue 19: the caseload links some 60 rows, and a counsellor's task
    list as many follow-ups). The returned function takes the ids in the order of `names`. Falls
    back to url_for when the address does not hold each id once."""
    probes = [str(MAX_ID - n) for n in range(len(names))]
    address = url_for(endpoint, **{**values, **{name: MAX_ID - n for n, name in enumerate(names)}})
    if not names or any(address.count(probe) != 1 for probe in probes):
        def asked(*ids: int) -> str:
            if len(ids) != len(names):
                raise TypeError(f"{endpoint}: {len(names)} ids expected, {len(ids)} given")
            return url_for(endpoint, **{**values, **dict(zip(names, ids, strict=True))})
        return asked
    pieces: list[str] = []
    order: list[int] = []
    start = 0
    for position, n in sorted((address.index(probe), n) for n, probe in enumerate(probes)):
        pieces.append(address[start:position])
        order.append(n)
        start = position + len(probes[n])
    tail = address[start:]

    def url(*ids: int) -> str:
        if len(ids) != len(names):
            raise TypeError(f"{endpoint}: {len(names)} ids expected, {len(ids)} given")
        return "".join(piece + str(int(ids[n])) for piece, n in zip(pieces, order, strict=True)) + tail
    return url


@functools.lru_cache(maxsize=1024)
def _fixed_address(script_root: str, endpoint: str, filename: str | None) -> str:
    return url_for(endpoint) if filename is None else url_for(endpoint, filename=filename)


def template_url_for(endpoint: str, **values: Any) -> str:
    """The templates' `url_for`: Flask's, with the address of a page that takes no values (the
    navigation, the header's forms) or of a static file remembered per process and script root.

    Every page's header links some 17 such addresses, and building each through the URL map cost
    about as much as rendering a table row (issue 19). Such an address depends on nothing else:
    Caseflow matches no hosts or subdomains and sets no URL defaults, and an external address
    (`_external`), an anchor, a blueprint-relative endpoint or any other value goes to Flask."""
    if (endpoint[:1] == "." or (values and (len(values) > 1 or "filename" not in values))
            or not has_request_context()):
        return url_for(endpoint, **values)
    return _fixed_address(request.script_root, endpoint, values.get("filename"))


def init_app(app: Flask) -> None:
    """Replaces Flask's `int` converter (call before any blueprint is registered) and the
    templates' `url_for`."""
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.globals["url_for"] = template_url_for


def apply_error(form: FlaskForm, exc: DomainError) -> None:
    """Shows a DomainError on the form: field messages next to their fields, the rest at the top."""
    shown = False
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + list(messages)
            shown = True
    if not shown:
        flash(exc.message, "error")


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def page_args() -> tuple[int, int]:
    """(page, per_page) from the query string, clamped to sane values."""
    cfg = current_app.config
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    try:
        per_page = int(request.args.get("per_page", cfg["PER_PAGE_DEFAULT"]))
    except ValueError:
        per_page = cfg["PER_PAGE_DEFAULT"]
    return min(page, 100000), max(1, min(per_page, cfg["PER_PAGE_MAX"]))


def page_of(stmt, page: int, per_page: int):
    """The rows of page `page` (from 1) of a select, `per_page` to a page."""
    return stmt.limit(per_page).offset((page - 1) * per_page)


def rows_and_total(stmt, page: int, per_page: int, *, scalars: bool = False, session=None) -> tuple[list, int]:
    """One page of a select (rows, or the first column's values with `scalars`) and the number of
    rows of all pages, in two queries: the count of the select without its order, then the page.
    `session`: another session to read through (the reports' replica), default `db.session`."""
    session = session if session is not None else db.session
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    result = session.execute(page_of(stmt, page, per_page))
    return list(result.scalars() if scalars else result), int(total or 0)


# Lists whose count could reach every row of a large table count at most this many (plus one):
# "more than 10,000" is what a reader needs, and counting a million rows is not cheap.
TOTAL_CAP = 10_000
# A search counts fewer (participants/search.py count_cap): each match it counts is checked on its
# key, so counting them all would make a common search's time grow with the table; "more than 100"
# matches tells the reader to narrow the search as well as an exact number would.
SEARCH_TOTAL_CAP = 100


def capped(counted: int, *, at_least: int = 0, cap: int | None = None) -> tuple[int, bool]:
    """(total, capped) for `counted` rows: exact up to max(`cap`, `at_least`), beyond that this
    bound and True ("more than …"). The one rule of every list's total."""
    bound = count_bound(at_least=at_least, cap=cap)
    return (bound, True) if counted > bound else (counted, False)


def count_bound(*, at_least: int = 0, cap: int | None = None) -> int:
    """The most rows a capped count counts exactly: max(`cap` (default TOTAL_CAP), `at_least`)."""
    return max(TOTAL_CAP if cap is None else cap, at_least)


def _counted_rows(stmt) -> sa.Select:
    counted_rows = stmt.order_by(None)
    if not counted_rows._distinct and not counted_rows._group_by_clauses:
        # Only whether a row is there counts: SQLite would otherwise build every column of up to
        # 10,001 rows, and PostgreSQL can answer from an index alone.
        counted_rows = counted_rows.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    return counted_rows


def capped_count_statement(stmt) -> sa.Select:
    """capped_total's count of `stmt` for a statement built once per process: it counts at most the
    bound parameter `count_limit` rows (pass count_bound() + 1, and the count to capped())."""
    return sa.select(sa.func.count()).select_from(
        _counted_rows(stmt).limit(sa.bindparam("count_limit", type_=sa.Integer)).subquery())


def capped_total(stmt, *, at_least: int = 0, cap: int | None = None, session=None) -> tuple[int, bool]:
    """(total, capped) of a select: the exact number of its rows when it is at most
    max(`cap`, `at_least`), otherwise that bound and True ("more than …"). Counting stops after
    bound + 1 rows, so the cost does not grow with the table."""
    session = session if session is not None else db.session
    counted = int(session.scalar(capped_count_statement(stmt),
                                 {"count_limit": count_bound(at_least=at_least, cap=cap) + 1}) or 0)
    return capped(counted, at_least=at_least, cap=cap)


def rows_and_capped_total(stmt, page: int, per_page: int, *, scalars: bool = False,
                          cap: int | None = None) -> tuple[list, int, bool]:
    """rows_and_total() with a capped count (capped_total): (rows, total, total_is_capped). The
    bound reaches at least the end of the page asked for, so a page past the cap still knows
    whether another one follows."""
    total, capped = capped_total(stmt, at_least=page * per_page, cap=cap)
    result = db.session.execute(page_of(stmt, page, per_page))
    return list(result.scalars() if scalars else result), total, capped


@dataclass
class Page:
    """The part of Flask-SQLAlchemy's Pagination that templates/_macros/pagination.html reads, for
    lists paged by hand (rows with computed columns rather than one model per row)."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    total_is_capped: bool = False  # total is a lower bound: "more than {total}"

    @property
    def known_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def pages(self) -> int:
        # A capped total has more rows after it: at least one more page.
        return self.known_pages + (1 if self.total_is_capped else 0)

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


# --- the web pages' rate limit ----------------------------------------------------------------------

WEB_RATELIMIT_DEFAULT = "600 per minute"


def web_rate_key() -> str:
    """Signed-in requests count per account (an office of counsellors behind one address does not
    share one allowance), anonymous ones per client address."""
    from flask_login import current_user
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{request.remote_addr or 'unknown'}"


def _web_limit() -> str:
    return current_app.config.get("RATELIMIT_WEB") or WEB_RATELIMIT_DEFAULT


def limit_web_blueprints(app: Flask) -> None:
    """One limit (RATELIMIT_WEB, default 600 per minute) shared by every page of every web
    blueprint; the API has its own (caseflow/api/blueprint.py), static files none."""
    for name, blueprint in app.blueprints.items():
        if _is_page(name):
            _web_limit_decorator()(blueprint)
    app.after_request(_no_rate_limit_headers_on_pages)


def _is_page(blueprint: str | None) -> bool:
    """The web pages' blueprints: all but the API's."""
    return blueprint != "api"


def _no_rate_limit_headers_on_pages(response):
    """X-RateLimit-* headers are for API clients that pace themselves; a browser ignores them, and
    each costs the limiter two more round trips to its storage (Redis in production) on every page.
    A page's 429 keeps them, with its Retry-After. Registered after the limiter's own after_request,
    so it runs before it (Flask runs them in reverse)."""
    if response.status_code != 429 and _is_page(request.blueprint):
        from caseflow.extensions import limiter
        limiter.context.view_rate_limit = None
    return response


@functools.cache
def _web_limit_decorator() -> Any:
    """One decorator object for the process (the limiter keeps blueprint limits in a set: the same
    object added again by a second create_app is not counted twice)."""
    from caseflow.extensions import limiter
    return limiter.shared_limit(_web_limit, scope="web", key_func=web_rate_key)


class LongSelect(Select):
    """WTForms' select widget, the same HTML (tests/platform/test_long_select.py), with each plain
    option written by one f-string instead of through html_params: the placement report's measure
    filter lists every measure of the organisation (3,339 at 1,000,000 demo participants: 85 ms of
    the page → 30 ms). A select of plain options only (SelectChoice without group or attributes,
    as vocabulary.options() makes them) is written in one loop over its choices, without WTForms'
    normalised copy of each (30 → 8 ms for the 3,339)."""

    def __call__(self, field, **kwargs):
        choices = field.choices
        if (self.multiple or not isinstance(choices, list)
                or not all(type(c) is SelectChoice and c.optgroup is None and not c.render_kw for c in choices)):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        for c in choices:
            value = str(c.value) if isinstance(c.value, bool) else c.value
            selected = "selected " if coerce(c.value) == data else ""
            html.append(f'<option {selected}value="{escape(value)}">{escape(c.label or c.value)}</option>')
        html.append("</select>")
        return Markup("".join(html))

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>')
