"""Application logging: one line per event, never personal data.

Request logs name the route pattern (`/participants/<int:participant_id>`), not the URL, and never
query strings, form data, names or tokens; services log ids only.
"""
from __future__ import annotations

import logging
import sys

from flask import Flask


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("caseflow")
    if not logger.handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    app.logger.setLevel(logging.INFO)
    # Werkzeug's access log prints full URLs (search terms can be names): keep it to warnings.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
