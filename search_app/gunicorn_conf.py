"""gunicorn settings for `make serve`; every value can be set from the environment."""

import os

from core import settings

bind = f"{settings.HOST}:{settings.PORT}"
workers = settings.WEB_WORKERS
# Two threads per worker although the work is CPU-bound: a worker holds its
# keep-alive connections, and connections do not spread evenly over workers.
# With one thread, a worker that got most of wrk's 16 connections queued them
# while the other idled (c=16: 78 req/s, 38% of ideal); a second thread lets
# the busy worker use both cores (torch releases the GIL).
threads = settings.WEB_THREADS
# gthread even with one thread: it keeps connections alive. Sync workers close
# each one, and under wrk they sat idle half the time (bench --compare).
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
timeout = settings.WEB_TIMEOUT
# Load the app (torch, model, index) once in the master, then fork the workers:
# they share its pages (total memory 600 MiB instead of 1 GiB for 2 workers)
# and are up as soon as the master is. Safe with torch because the master never
# runs the model, so no torch/OpenMP thread pool exists yet to be broken by the
# fork (tests/test_serving.py has forked workers answer); keep it that way.
preload_app = settings.WEB_PRELOAD
# No control socket: we do not use gunicornc, and every gunicorn on a machine
# (tests, the benchmark, replicas) would otherwise share ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
# No access log: its request line holds the patient's question. The app writes
# its own JSON request log (search_app/requestlog.py) with the query's hash only.
accesslog = None
# Room for a 1,000-character query percent-encoded (gunicorn's maximum).
limit_request_line = 8190


def on_starting(server):
    """Refuse to start on a missing, corrupt or mismatched index, in one line.

    A preloaded app has already checked (create_app raises IndexUnavailable,
    which gunicorn prints as one "Error:" line); without preload the workers
    would each fail with a traceback, so the master checks first.
    """
    import sys

    if server.cfg.preload_app:
        return

    from core import settings
    from retrieval.index import IndexUnavailable
    from retrieval.integrity import preflight

    try:
        preflight(settings.INDEX_DIR)
    except IndexUnavailable as exc:
        print(f"cancer-search: cannot start: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
