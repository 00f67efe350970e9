"""Documents kept as evidence (issue 13): uploads stored encrypted in the database, linked to the
fact they prove, shown on the case file, exported and erased with the person's data."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registers the pages, the API routes, the commands, the case file panel, the privacy hooks
    and the contract store of the placement form and rows. Called by create_app before the API
    blueprint is registered."""
    from caseflow import api as api_v1
    from caseflow.documents import api, cli, placement_contracts, privacy_hooks
    from caseflow.documents.views import bp

    app.register_blueprint(bp)
    api_v1.include(app, api)
    cli.register(app)
    privacy_hooks.register()
    placement_contracts.register()
