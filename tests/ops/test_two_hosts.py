"""Several hosts (issue 19, item 4): two gunicorn instances on two ports, one PostgreSQL database,
one Redis. A login made on one works on the other; a logout on one ends it on both; login
throttling and the API's rate limit count the requests of both; the operations endpoints are not
rate-limited. (`jobs run` on both hosts: the jobs do not exist yet; see the report of issue 19.)

Runs in the PostgreSQL leg (the SQLite leg skips: one SQLite file is not shared between hosts).
Outside CI it also skips when Redis is not reachable on 127.0.0.1:6379; in CI it fails instead."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 9
API_LIMIT = 40  # per hour: a window that cannot roll over during the test
METRICS_TOKEN = "two-hosts-metrics-token"


def _redis():
    import redis
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI must have it)")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    import requests
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def hosts(database_url, tmp_path_factory):
    """Two running app instances (A with two workers, B with one) on a database of their own,
    with a counsellor and an API token; everything is removed afterwards."""
    if not database_url.startswith("postgresql"):
        pytest.skip("two hosts share one PostgreSQL database: runs in the PostgreSQL leg")
    redis_client = _redis()
    prefix = f"cfops{uuid.uuid4().hex[:12]}"
    from alembic import command

    from caseflow import create_app
    from caseflow.accounts.services import create_token
    from caseflow.extensions import db
    from config import TestingConfig
    from tests.databases import alembic_config, fresh_postgres_database
    from tests.factories import UserFactory

    tmp = tmp_path_factory.mktemp("hosts")
    with fresh_postgres_database(database_url, "caseflow_hosts") as url:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = url
        config.RATELIMIT_DEFAULT = "10000 per minute"  # the shared limiter keeps the session's limits
        setup = create_app(config)
        with setup.app_context():
            db.create_all()
            command.stamp(alembic_config(url), "head")
            user = UserFactory(role="counsellor", email="hosts@kiezwerk.example", name="Two Hosts")
            token = create_token(user, actor=None)
            throttled = UserFactory(role="counsellor", email="throttled@kiezwerk.example", name="Throttled",
                                    organisation=user.organisation)
            emails = {"email": user.email, "throttled": throttled.email}
            db.session.remove()
            db.engine.dispose()

        env = {**os.environ, "CASEFLOW_ENV": "development", "DATABASE_URL": url,
               "SECRET_KEY": "two-hosts-secret-key", "CASEFLOW_INSTANCE_DIR": str(tmp),
               "DOCUMENT_KEY": "ZG9jdW1lbnRfa2V5LS0tLS0tLS0tLS0tLS0tLS0tLS0=",
               "PSEUDONYM_KEY": "cHNldWRvbnltX2tleS0tLS0tLS0tLS0tLS0tLS0tLS0=",
               "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
               "RATELIMIT_DEFAULT": f"{API_LIMIT} per hour", "RATELIMIT_KEY_PREFIX": prefix,
               "LOG_FORMAT": "json", "METRICS_TOKEN": METRICS_TOKEN}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        processes, bases = [], []
        try:
            for name, workers in (("a", 2), ("b", 1)):
                port, log = _free_port(), tmp / f"gunicorn-{name}.log"
                metrics_dir = tmp / f"metrics-{name}"  # prometheus-client's multiprocess mode, per host
                metrics_dir.mkdir()
                process = subprocess.Popen(
                    [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                     "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
                     "app:app"],
                    env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                    stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
                processes.append(process)
                bases.append(f"http://127.0.0.1:{port}")
                _wait_until_up(bases[-1], process, log)
            yield {"a": bases[0], "b": bases[1], "token": token, "redis": redis_client, "prefix": prefix, **emails}
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            keys = list(redis_client.scan_iter(match=f"*{prefix}*"))
            if keys:
                redis_client.delete(*keys)
            redis_client.close()


def _csrf(session, url: str) -> str:
    html = session.get(url, timeout=10).text
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _login(session, base: str, email: str, password: str):
    return session.post(base + "/login", data={"email": email, "password": password,
                                               "csrf_token": _csrf(session, base + "/login")},
                        allow_redirects=False, timeout=10)


def test_both_hosts_are_ready(hosts):
    import requests
    for base in (hosts["a"], hosts["b"]):
        response = requests.get(base + "/readyz", timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ready"


def test_a_login_on_one_host_works_on_the_other_and_a_logout_ends_it_on_both(hosts):
    import requests
    browser = requests.Session()
    assert _login(browser, hosts["a"], hosts["email"], PASSWORD).status_code == 302
    assert browser.get(hosts["b"] + "/account", allow_redirects=False, timeout=10).status_code == 200
    copied = requests.Session()  # the same cookie, kept by someone else (or a second tab)
    copied.cookies.update(browser.cookies)
    assert copied.get(hosts["a"] + "/account", allow_redirects=False, timeout=10).status_code == 200

    logout = browser.post(hosts["b"] + "/logout", data={"csrf_token": _csrf(browser, hosts["b"] + "/account")},
                          allow_redirects=False, timeout=10)
    assert logout.status_code == 302
    for base in (hosts["a"], hosts["b"]):
        after = copied.get(base + "/account", allow_redirects=False, timeout=10)
        assert after.status_code == 302 and "/login" in after.headers["Location"], base


def test_login_throttling_counts_failures_on_both_hosts(hosts):
    import requests
    browser = requests.Session()
    email = hosts["throttled"]
    # LOGIN_MAX_FAILURES is 5: four failures alternating between the hosts, the fifth locks
    statuses = [_login(browser, (hosts["b"], hosts["a"])[i % 2], email, "wrong-password-123").status_code
                for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    for base in (hosts["a"], hosts["b"]):  # now even the right password is refused on both
        locked = _login(browser, base, email, PASSWORD)
        assert locked.status_code == 429, (base, locked.status_code)


def test_the_api_rate_limit_counts_requests_on_both_hosts(hosts):
    import requests
    headers = {"Authorization": f"Bearer {hosts['token']}"}
    statuses = [requests.get((hosts["a"], hosts["b"])[i % 2] + "/api/v1/participants", headers=headers,
                             timeout=10).status_code for i in range(API_LIMIT + 1)]
    assert statuses[:API_LIMIT] == [200] * API_LIMIT
    assert statuses[API_LIMIT] == 429
    # the next one is refused on either host
    assert requests.get(hosts["a"] + "/api/v1/participants", headers=headers, timeout=10).status_code == 429
    # counted under the run's own RATELIMIT_KEY_PREFIX
    assert list(hosts["redis"].scan_iter(match=f"*{hosts['prefix']}*"))


def test_operations_endpoints_are_not_rate_limited(hosts):
    import requests
    statuses = {requests.get(hosts["b"] + "/healthz", timeout=10).status_code for _ in range(API_LIMIT + 5)}
    assert statuses == {200}


def test_metrics_add_up_the_workers_of_a_host(hosts):
    """Host A runs two workers; /metrics (answered by one of them) counts the requests of both."""
    import requests
    for _ in range(12):
        assert requests.get(hosts["a"] + "/account", allow_redirects=False, timeout=10).status_code == 302
    text = requests.get(hosts["a"] + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
                        timeout=10).text
    line = next(line for line in text.splitlines() if line.startswith("caseflow_http_requests_total{")
                and 'endpoint="accounts.account"' in line and 'status="302"' in line)
    assert float(line.rsplit(" ", 1)[1]) >= 12
