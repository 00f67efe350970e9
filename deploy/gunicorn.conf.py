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
# Recycle a worker now and then (memory), with jitter so that they do not all restart at once; but
# rarely: a worker's start costs about 1.3 s of CPU (importing and building the app) and its first
# requests compile templates and statements again. At 2,000 requests that was about 0.7 ms of CPU
# per request, 7 % of the load mix's (issue 19). Every cache a worker keeps is bounded: measured
# in process, a worker's memory stays at 153 MiB from its 1,000th to its 6,000th request of the mix.
max_requests = 20000
max_requests_jitter = 2000
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
