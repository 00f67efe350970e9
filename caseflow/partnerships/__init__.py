"""The partnership: organisations grouped with dated memberships, the partners' measure catalogue,
referrals with a minimal data packet under the partner_sharing consent, and keyed match hashes."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Pages, API routes, the command, the case file's referral panel and the consent hook."""
    from caseflow import api as api_v1
    from caseflow.participants.panels import case_file_panel
    from caseflow.partnerships import api, cli, services, views
    from caseflow.privacy import anonymisation
    from caseflow.privacy.services import consent_hooks

    app.register_blueprint(views.bp)
    api_v1.include(app, api)
    cli.register(app)
    if services.on_consent_changed not in consent_hooks:
        consent_hooks.append(services.on_consent_changed)
    if _erase_match_hashes not in anonymisation.ERASERS:
        anonymisation.ERASERS.append(_erase_match_hashes)
    case_file_panel(template="partnerships/_case_file_panel.html", order=85)(views.case_file_panel)
    from caseflow.partnerships import report
    from caseflow.reports.services import PartnershipScope, register_partnership_scope
    register_partnership_scope(PartnershipScope(resolve=report.resolve_partnership, linked_cases=report.linked_cases,
                                                choices=report.partnership_choices))


def _erase_match_hashes(participant) -> None:
    """Anonymisation: the person's match hashes go (a hash of a removed name must not stay findable)."""
    import sqlalchemy as sa

    from caseflow.extensions import db
    from caseflow.partnerships.models import MatchHash
    db.session.execute(sa.delete(MatchHash).where(MatchHash.participant_id == participant.id))
