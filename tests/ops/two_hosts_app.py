"""The WSGI app of the two-host test (tests/ops/test_two_hosts.py): Caseflow as `app.py` builds it,
with a Redis key prefix of the test run's own, so that it never touches anyone else's counters."""
import os

from caseflow import create_app
from config import load_config

config = load_config()
config.RATELIMIT_KEY_PREFIX = os.environ["CASEFLOW_TEST_RATELIMIT_PREFIX"]
app = create_app(config)
