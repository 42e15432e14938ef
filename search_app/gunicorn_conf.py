"""gunicorn settings for `make serve`; every value can be set from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
# Two threads per worker although the work is CPU-bound: a worker holds its
# keep-alive connections, and connections do not spread evenly over workers.
# With one thread, a worker that got most of wrk's 16 connections queued them
# while the other idled (c=16: 78 req/s, 38% of ideal); a second thread lets
# the busy worker use both cores (torch releases the GIL).
threads = int(os.environ.get("WEB_THREADS", "2"))
# gthread even with one thread: it keeps connections alive. Sync workers close
# each one, and under wrk they sat idle half the time (eval.bench --compare).
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# Load the app (torch, model, index) once in the master, then fork the workers:
# they share its pages (total memory 600 MiB instead of 1 GiB for 2 workers)
# and are up as soon as the master is. Safe with torch because the master never
# runs the model, so no torch/OpenMP thread pool exists yet to be broken by the
# fork (tests/test_serving.py has forked workers answer); keep it that way.
preload_app = os.environ.get("WEB_PRELOAD", "1").lower() not in ("0", "false", "no", "")
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

    from search_app.index import IndexUnavailable
    from search_app.integrity import preflight
    from core import settings

    try:
        preflight(settings.INDEX_DIR)
    except IndexUnavailable as exc:
        print(f"cancer-search: cannot start: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
