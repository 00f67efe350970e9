"""Request parsing and response shapes shared by the domains' API modules."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import g, request

from caseflow.errors import DomainError
from caseflow.web import rows_and_capped_total


def api_user():
    return g.api_user


def json_body() -> dict[str, Any]:
    """The request's JSON object; 400 when the body is not a JSON object."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("The request body must be a JSON object.", code="malformed_json", status=400)
    return data


def page_answer(stmt: sa.Select, args: Mapping[str, Any],
                item: Callable[[list], list] | None = None) -> dict[str, Any]:
    """`{"items", "page", "per_page", "total", "total_is_capped"}` for a select and the parsed
    `PageArgs`; `item` turns the page's rows into what the item schema dumps (e.g. with counts loaded
    for the whole page). The total is counted up to web.TOTAL_CAP rows (or the end of the page asked
    for): beyond, `total` is that bound and `total_is_capped` true ("more than total")."""
    rows, total, capped = rows_and_capped_total(stmt, args["page"], args["per_page"], scalars=True)
    return page_answer_from(item(rows) if item else rows, args, total, capped)


def page_answer_from(items: list, args: Mapping[str, Any], total: int, capped: bool) -> dict[str, Any]:
    """The answer of page_answer() for a page read otherwise (e.g. a ranked search, which counts
    its matches up to web.SEARCH_TOTAL_CAP: participants/search.py ranked_page)."""
    return {"items": items, "page": args["page"], "per_page": args["per_page"],
            "total": total, "total_is_capped": capped}
