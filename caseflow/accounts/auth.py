"""Who may open a page: login and role checks in one place."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from caseflow.vocabulary import CASEWORK_ROLES


def roles_required(*roles: str) -> Callable:
    """Login required (anonymous → login page), then one of `roles` (others → 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        # A marker the test that walks every protected URL reads; functions take attributes.
        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


casework_required = roles_required(*CASEWORK_ROLES)
admin_required = roles_required("admin")
