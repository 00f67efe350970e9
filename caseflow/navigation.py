"""The main navigation, by role. Entries whose endpoint does not exist (yet) are left out."""
from __future__ import annotations

from flask import Flask, current_app

from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import CASEWORK_ROLES as CASEWORK
from caseflow.vocabulary import ROLES

EVERYONE = tuple(ROLES)

MAIN_NAVIGATION = (
    ("participants.caseload", _l("My caseload"), CASEWORK),
    ("participants.register", _l("Register participant"), CASEWORK),
    ("board.board", _l("Team board"), ("team_lead",)),
    ("measures.catalogue", _l("Measures"), ("counsellor", "team_lead", "admin")),
    ("measures.employers", _l("Employers"), CASEWORK),
    ("placements.placement_list", _l("Placements"), CASEWORK),
    ("partnerships.referral_list", _l("Referrals"), CASEWORK),
    ("partnerships.partner_enrolments", _l("Partner enrolments"), CASEWORK),
    ("partnerships.agreements", _l("Data-sharing agreements"), ("team_lead", "admin")),
    ("reports.index", _l("Reports"), EVERYONE),
    ("audit.audit_log", _l("Audit log"), ("team_lead",)),
    ("imports.index", _l("Import"), ("team_lead",)),
    ("accounts.admin_home", _l("Administration"), ("admin",)),
    ("accounts.users", _l("Staff"), ("team_lead",)),
    ("partnerships.admin", _l("Partnerships"), ("admin",)),
    ("privacy.retention", _l("Retention"), ("admin",)),
    ("jobs.overview", _l("Scheduled jobs"), ("admin",)),
    ("privacy.processing_record", _l("Record of processing"), ("admin", "team_lead")),
)


def main_navigation():
    endpoints = current_app.view_functions  # one context-local lookup, not one per entry
    return [entry for entry in MAIN_NAVIGATION if entry[0] in endpoints]


def available_endpoints():
    """The endpoints of this installation (a page links to another domain's page only if it exists)."""
    return current_app.view_functions


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(main_navigation=main_navigation, roles=ROLES, available_endpoints=available_endpoints)
