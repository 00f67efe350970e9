"""Request parsing and response shapes shared by the domains' API modules."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import gettext as _

from caseflow.errors import DomainError, Forbidden
from caseflow.web import rows_and_capped_total


def api_user():
    return g.api_user


def require_role(*roles: str) -> None:
    if g.api_user.role not in roles:
        raise Forbidden("Your role may not do this.")


def json_body() -> dict[str, Any]:
    """The request's JSON object; 400 when the body is not a JSON object."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("The request body must be a JSON object.", code="malformed_json", status=400)
    return data


def parse_date(value: Any, field: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise DomainError.field(field, "This field is required.")
        return None
    if not isinstance(value, str):
        raise DomainError.field(field, "Use the date format YYYY-MM-DD.")
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(field)
    except ValueError:
        return _bad_date(field)


def _bad_date(field: str):
    raise DomainError.field(field, "Use the date format YYYY-MM-DD.")


def page_params() -> tuple[int, int]:
    """`?page=&per_page=` of a list, by the rule of every list (PageArgs): ASCII whole numbers,
    page from 1, per_page from 1 to PER_PAGE_MAX (200); anything else answers 422, nothing is
    clamped."""
    from caseflow.validation import Checker

    check = Checker({})
    values: dict[str, int] = {}
    limits = {"page": (1, 10_000_000), "per_page": (1, current_app.config["PER_PAGE_MAX"])}
    defaults = {"page": 1, "per_page": current_app.config["PER_PAGE_DEFAULT"]}
    for name, (low, high) in limits.items():
        raw = request.args.get(name)
        if raw is None or raw == "":
            values[name] = defaults[name]
        elif not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            check.add(name, _("Enter a whole number."))
        elif not low <= int(raw) <= high:
            check.add(name, _("Enter a page from 1.") if name == "page" else _("Enter a page size from 1 to 200."))
        else:
            values[name] = int(raw)
    check.done()
    return values["page"], values["per_page"]


def paginated(stmt: sa.Select, serialise: Callable[[Any], dict], *, scalars: bool = True,
              prepare: Callable[[list], Any] | None = None) -> dict[str, Any]:
    """`{"items", "page", "per_page", "total", "total_is_capped"}` for a select; `prepare` may
    batch-load for the page. The total is counted up to web.TOTAL_CAP rows (or the end of the page
    asked for): beyond, `total` is that bound and `total_is_capped` true ("more than total")."""
    page, per_page = page_params()
    rows, total, capped = rows_and_capped_total(stmt, page, per_page, scalars=scalars)
    if prepare:
        prepare(rows)
    return {"items": [serialise(r) for r in rows], "page": page, "per_page": per_page, "total": total,
            "total_is_capped": capped}


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
