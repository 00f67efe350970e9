"""gunicorn settings for Caseflow (deploy/caseflow.service runs `gunicorn -c deploy/gunicorn.conf.py app:app`).

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS."""
import multiprocessing
import os

bind = os.environ.get("CASEFLOW_BIND", "127.0.0.1:8000")  # the TLS proxy (nginx, Caddy) in front
# Caseflow's requests are short and mostly wait for the database: 2 workers per core, sync.
workers = int(os.environ.get("CASEFLOW_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60              # a report over years of data may take seconds; nothing legitimate takes a minute
graceful_timeout = 30
max_requests = 2000       # recycle workers now and then (memory), with jitter so they do not all restart at once
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1"
# No access log: gunicorn's would print full URLs with their query strings (search terms can be
# names). Caseflow writes its own request log line (route pattern, status, duration, request id).
accesslog = None
errorlog = "-"


def on_starting(server):
    """Multiprocess metrics: the folder must exist and be empty when gunicorn starts (systemd's
    RuntimeDirectory gives a fresh one on each start)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    from caseflow.ops.metrics import child_exit as mark_dead
    mark_dead(server, worker)


def post_worker_init(worker):
    """The worker has imported Caseflow and built the app: everything that exists now lives as long
    as the worker. gc.freeze() moves it out of the collector's generations, so that the collections
    a request's garbage triggers no longer walk the whole of SQLAlchemy's, Jinja's and Babel's
    objects each time (measured on the caseload page: 7 % of its time in the collector before,
    1 % after)."""
    import gc
    gc.collect()
    gc.freeze()
