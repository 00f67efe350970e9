"""Upload and download of a 10 MB document through the API, measured inside the worker process:
wall time and the peak of Python allocations (tracemalloc) during the request, with the request
body built before tracing starts (it is the client's, not the worker's). Also the process's peak
RSS growth. Usage: .venv/bin/python bench/documents_10mb.py [DATABASE_URL]

Streaming means: the worker never holds the file whole more than once. A 10 MB file then peaks at
well under 2 × 10 MB (1 MB chunk + its ciphertext + the driver's buffers); holding it whole would
show ≥ 10 MB, twice ≥ 20 MB."""
from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc

from werkzeug.test import EnvironBuilder


def main() -> None:
    os.environ.setdefault("CASEFLOW_ENV", "testing")
    from caseflow import create_app
    from caseflow.extensions import db
    from config import TestingConfig
    config = TestingConfig()
    folder = tempfile.mkdtemp()
    config.SQLALCHEMY_DATABASE_URI = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{folder}/bench.sqlite3"
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        db.create_all()
        from caseflow.accounts.models import Organisation, User
        from caseflow.accounts.services import create_token
        from tests.factories import ParticipantFactory
        org = Organisation(name="Bench")
        db.session.add(org)
        db.session.commit()
        user = User(email="bench@example.org", name="Bench", role="counsellor", organisation_id=org.id, password_hash="x")
        db.session.add(user)
        db.session.commit()
        participant_id = ParticipantFactory(organisation=org).id
        token = create_token(user, actor=None)

    content = b"%PDF-1.7\n" + os.urandom(10 * 1024 * 1024 - 16) + b"\n%%EOF\n"
    headers = {"Authorization": f"Bearer {token}"}
    builder = EnvironBuilder(path=f"/api/v1/participants/{participant_id}/documents", method="POST", headers=headers,
                             data={"kind": "contract", "title": "Bench", "date": "2024-01-01",
                                   "file": (io.BytesIO(content), "bench.pdf")})
    environ = builder.get_environ()
    status: list[str] = []

    def start_response(s, h, exc_info=None):
        status.append(s)

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    body = b"".join(app(environ, start_response))
    up_time = time.perf_counter() - t0
    _, up_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert status[-1].startswith("201"), (status, body[:300])
    import json
    doc_id = json.loads(body)["id"]

    environ = EnvironBuilder(path=f"/api/v1/documents/{doc_id}/content", headers=headers).get_environ()
    tracemalloc.start()
    t0 = time.perf_counter()
    size = 0
    import hashlib
    digest = hashlib.sha256()
    result = app(environ, start_response)
    for chunk in result:  # consumed piece by piece, as a server writes them to the socket
        size += len(chunk)
        digest.update(chunk)
    if hasattr(result, "close"):
        result.close()
    down_time = time.perf_counter() - t0
    _, down_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert size == len(content) and digest.digest() == hashlib.sha256(content).digest()
    mb = 1024 * 1024
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}")
    print(f"upload   10 MB: {up_time:.2f} s, peak Python allocations {up_peak / mb:.1f} MB")
    print(f"download 10 MB: {down_time:.2f} s, peak Python allocations {down_peak / mb:.1f} MB")
    print(f"process peak RSS growth over both (includes the client's 10 MB body): {(rss1 - rss0) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
