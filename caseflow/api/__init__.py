"""JSON API v1. The blueprint lives in api/blueprint.py; each domain adds its routes in its own
api.py, calling the same services as the web views."""
from caseflow.api.blueprint import bp  # noqa: F401
from caseflow.api import core  # noqa: F401,E402
