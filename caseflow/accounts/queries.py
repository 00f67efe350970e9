"""Read-only selects of the accounts domain: what the administration pages list."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseflow.accounts.models import Organisation, User
from caseflow.database import plain_rows
from caseflow.extensions import db


def admin_counts() -> tuple[int, int]:
    """(organisations, active accounts) in one statement."""
    row = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(Organisation).scalar_subquery(),
        sa.select(sa.func.count()).select_from(User).where(User.active).scalar_subquery(),
    )).one()
    return row[0], row[1]


def organisations_by_name() -> sa.Select:
    return sa.select(Organisation).order_by(Organisation.name)


def organisation_choices() -> list[tuple[int, str]]:
    """(id, name) of every organisation, by name: the choices of the forms that pick one."""
    return [tuple(r) for r in db.session.execute(sa.select(Organisation.id, Organisation.name)
                                                 .order_by(Organisation.name)).all()]


def visible_users(actor: User) -> sa.Select:
    """The accounts `actor` manages: all for admins, their own organisation's for team leads."""
    stmt = sa.select(User).options(joinedload(User.organisation)).order_by(User.name)
    if actor.role != "admin":
        stmt = stmt.where(User.organisation_id == actor.organisation_id)
    return stmt


def visible_user(actor: User, user_id: int) -> User | None:
    return db.session.scalar(visible_users(actor).where(User.id == user_id))


@functools.cache
def counsellors_statement(active_only: bool) -> sa.Select:
    """(id, name) of an organisation's case workers by name (counsellor_choices), built once per
    process (bound parameter `organisation_id`): the caseload and many forms ask for these choices
    (issue 19)."""
    from caseflow.vocabulary import CASEWORK_ROLES
    stmt = sa.select(User.id, User.name).where(User.organisation_id == sa.bindparam("organisation_id"),
                                               User.role.in_(CASEWORK_ROLES))
    if active_only:
        stmt = stmt.where(User.active)
    return stmt.order_by(User.name, User.id)


def counsellor_choices(organisation_id: int | None, *, active_only: bool = True) -> list[tuple[int, str]]:
    """(id, name) of the organisation's case workers (counsellors and team leads) by name: the
    choices of every form that picks one. `active_only=False` keeps deactivated accounts (filters
    over past work, e.g. the placement list)."""
    if organisation_id is None:  # case workers always belong to an organisation (accounts' rule)
        return []
    return [(r.id, r.name) for r in plain_rows(counsellors_statement(active_only), {"organisation_id": organisation_id})]
