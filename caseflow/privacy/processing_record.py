"""The record of processing activities (GDPR Art. 30), generated from the running application: the
tables and their column comments, the consent purposes, the roles, and the configured retention
period, session limits, login throttling and password hashing parameters. When the configuration or
the schema changes, the record changes with it."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from caseflow.extensions import db
from caseflow.privacy.labels import column_label, table_label
from caseflow.privacy.tables import PARTICIPANTS, linked_tables
from caseflow.privacy.vocabulary import CONSENT_PURPOSE_LABELS
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import ROLES

BOOKKEEPING = {"id", "participant_id", "version", "organisation_id", "search_key", "duplicate_key"}

LEGAL_BASES = {
    "case_management": _l("consent and the funding contract (GDPR Art. 6(1)(a) and (b))"),
    "special_categories": _l("explicit consent (GDPR Art. 9(2)(a))"),
    "partner_sharing": _l("consent (GDPR Art. 6(1)(a))"),
    "funder_reporting": _l("legal obligation towards the ESF+ funder (GDPR Art. 6(1)(c), Regulation (EU) 2021/1057)"),
}

RECIPIENTS = {
    "counsellor": _l("the case files of their own organisation"),
    "team_lead": _l("the case files, audit and access log of their own organisation"),
    "analyst": _l("aggregated reports over all organisations; never a name or a case file"),
    "admin": _l("organisations and staff accounts; no case files"),
    "coordinator": _l("the aggregated ESF+ report of their partnership; never a name or a case file"),
}


@dataclass
class Category:
    table: str
    label: str
    fields: list[tuple[str, str]]   # (label, column comment)
    special: list[str]              # labels of special-category fields (GDPR Art. 9)


def _category(table: sa.Table) -> Category:
    fields, special = [], []
    for column in table.columns:
        if column.name in BOOKKEEPING or column.foreign_keys:
            continue
        label = column_label(column.name)
        fields.append((label, column.comment or ""))
        if column.comment and "Art. 9" in column.comment:
            special.append(label)
    return Category(table.name, table_label(table.name), fields, special)


def build() -> dict:
    cfg = current_app.config
    tables = [db.metadata.tables[PARTICIPANTS]] + [t.table for t in linked_tables()]
    return {
        "categories": [_category(t) for t in tables],
        "purposes": [(CONSENT_PURPOSE_LABELS[k], LEGAL_BASES[k]) for k in CONSENT_PURPOSE_LABELS],
        "recipients": [(ROLES[k], RECIPIENTS[k]) for k in ROLES],
        "retention_years": cfg["RETENTION_YEARS"],
        "session_idle_minutes": int(cfg["SESSION_IDLE_TIMEOUT"].total_seconds() // 60),
        "session_absolute_hours": int(cfg["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() // 3600),
        "login_max_failures": cfg["LOGIN_MAX_FAILURES"],
        "login_window_minutes": int(cfg["LOGIN_FAILURE_WINDOW"].total_seconds() // 60),
        "login_lockout_minutes": int(cfg["LOGIN_LOCKOUT"].total_seconds() // 60),
        "argon2_time_cost": cfg["ARGON2_TIME_COST"],
        "argon2_memory_mib": cfg["ARGON2_MEMORY_COST"] // 1024,
        "argon2_parallelism": cfg["ARGON2_PARALLELISM"],
        "password_min_length": cfg["PASSWORD_MIN_LENGTH"],
        "api_rate_limit": cfg.get("RATELIMIT_DEFAULT", ""),
        "https_enforced": bool(cfg.get("FORCE_HTTPS")),
        "database": db.engine.dialect.name,
    }
