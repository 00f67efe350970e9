"""Application logging: one line per event, never personal data.

Request logs name the route pattern (`/participants/<int:participant_id>`), not the URL, and never
query strings, form data, names or tokens; services log ids only (see caseflow/ops/request_log.py).

Two formats: `text` for people (development) and `json` for machines (production's default: one
JSON object per line with time, level, logger, message, request id and the request log's fields,
for journald/Loki/Elasticsearch). `LOG_FORMAT=json|text` chooses; it is read from the app's config
or the environment.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from flask import Flask

# Fields that the request log (and other callers, with `extra=`) may add to a record; nothing else
# of a record's attributes is written, so an `extra` holding personal data by mistake stays out.
EXTRA_FIELDS = ("request_id", "event", "method", "endpoint", "route", "status", "duration_ms", "job", "outcome",
                "exc_type")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, message, the EXTRA_FIELDS that
    are set, and the exception's type and traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format(app: Flask) -> str:
    chosen = app.config.get("LOG_FORMAT") or os.environ.get("LOG_FORMAT")
    if chosen in ("json", "text"):
        return chosen
    return "json" if app.config.get("ENV_NAME") == "production" else "text"


def configure_logging(app: Flask) -> None:
    from caseflow.ops.request_log import RequestIdFilter

    logger = logging.getLogger("caseflow")
    if not logger.handlers:
        stream = logging.StreamHandler(sys.stderr)
        stream.addFilter(RequestIdFilter())
        logger.addHandler(stream)
    formatter = JsonFormatter() if log_format(app) == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in logger.handlers:
        handler.setFormatter(formatter)
    logger.setLevel(logging.INFO)
    app.logger.setLevel(logging.INFO)
    # app.logger is this same "caseflow" logger (the app's name), so Flask's unexpected-error
    # reports go through this handler too.
    # Werkzeug's access log prints full URLs (search terms can be names): keep it to warnings.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
