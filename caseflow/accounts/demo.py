"""Demo organisations and staff (step one of caseflow.demo.generate)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseflow.accounts.models import Organisation, User
from caseflow.accounts.passwords import hash_password, verify_password
from caseflow.demo_context import COUNSELLOR_NAMES, DEMO_PASSWORD, ORGANISATIONS, TEAM_LEAD_NAMES, DemoContext
from caseflow.extensions import db


def _email(name: str, domain: str) -> str:
    local = name.lower().replace(" ", ".")
    for a, b in (("ö", "oe"), ("ü", "ue"), ("ä", "ae"), ("ß", "ss"), ("ı", "i")):
        local = local.replace(a, b)
    return f"{local}@{domain}.example"


def _user(email: str, name: str, role: str, org_id: int | None, password_hash: str) -> User:
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing:
        return existing
    user = User(email=email, name=name, role=role, organisation_id=org_id, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    return user


def generate_staff(ctx: DemoContext, organisation: Organisation | None) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    if organisation is not None:
        orgs = [(organisation, organisation.name.split()[0].lower())]
    else:
        orgs = []
        for name, slug in ORGANISATIONS:
            org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
            if org is None:
                org = Organisation(name=name)
                db.session.add(org)
                db.session.flush()
            orgs.append((org, slug))
    for i, (org, slug) in enumerate(orgs):
        ctx.organisations.append(org)
        existing = db.session.scalars(sa.select(User).where(User.organisation_id == org.id, User.active)).all()
        counsellors = [u.id for u in existing if u.role == "counsellor"]
        leads = [u.id for u in existing if u.role == "team_lead"]
        if not counsellors:
            names = COUNSELLOR_NAMES[3 * i % len(COUNSELLOR_NAMES):][:3] or COUNSELLOR_NAMES[:3]
            for name in names:
                counsellors.append(_user(_email(name, slug), name, "counsellor", org.id, password_hash).id)
                ctx.logins.append(("counsellor", _email(name, slug), org.name))
        if not leads:
            name = TEAM_LEAD_NAMES[i % len(TEAM_LEAD_NAMES)]
            leads.append(_user(_email(name, slug), name, "team_lead", org.id, password_hash).id)
            ctx.logins.append(("team_lead", _email(name, slug), org.name))
        ctx.counsellors[org.id] = counsellors
        ctx.team_leads[org.id] = leads[0]
    if organisation is None:
        _user("analyst@caseflow.example", "Miriam Analystin", "analyst", None, password_hash)
        _user("admin@caseflow.example", "Ada Admin", "admin", None, password_hash)
        ctx.logins += [("analyst", "analyst@caseflow.example", "—"), ("admin", "admin@caseflow.example", "—")]
    db.session.flush()


def _planned_logins() -> list[tuple[str, str]]:
    """(role, email) of every account a full demo run creates, in the order it prints them."""
    planned = []
    for i, (_name, slug) in enumerate(ORGANISATIONS):
        names = COUNSELLOR_NAMES[3 * i % len(COUNSELLOR_NAMES):][:3] or COUNSELLOR_NAMES[:3]
        planned += [("counsellor", _email(name, slug)) for name in names]
        planned.append(("team_lead", _email(TEAM_LEAD_NAMES[i % len(TEAM_LEAD_NAMES)], slug)))
    return planned + [("analyst", "analyst@caseflow.example"), ("admin", "admin@caseflow.example")]


def existing_demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, organisation) of the demo accounts in the database that are still active and
    still have the demo password, so that a restart on existing data prints logins that work."""
    planned = _planned_logins()
    users = {u.email: u for u in db.session.scalars(
        sa.select(User).options(joinedload(User.organisation))
        .where(User.email.in_([email for _, email in planned]), User.active))}
    def organisation_name(user: User) -> str:
        return user.organisation.name if user.organisation is not None else "—"

    return [(role, email, organisation_name(users[email]))
            for role, email in planned
            if email in users and users[email].role == role
            and verify_password(users[email].password_hash, DEMO_PASSWORD)]
