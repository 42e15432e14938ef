"""gunicorn settings for `make serve`; every value can be set from the environment.

gunicorn is the process manager (listening socket, preload, worker restart,
HUP reload); each worker serves through waitress (search_app/waitress_worker.py),
which reads whole requests before a thread sees them.
"""

import os

from core import settings
from core import threads as native_threads

native_threads.set_environment()  # before numpy, faiss and onnxruntime load their pools

bind = f"{settings.HOST}:{settings.PORT}"
workers = settings.WEB_WORKERS
threads = settings.WEB_THREADS  # read by the waitress worker through core.settings too
worker_class = os.environ.get("WEB_WORKER_CLASS", "search_app.waitress_worker.WaitressWorker")
timeout = settings.WEB_TIMEOUT
# Load the app (model, index) once in the master, then fork the workers: they
# share its pages and are up as soon as the master is. Safe because the master
# never runs the model and every native pool is sized to one thread
# (CANCER_SEARCH_NATIVE_THREADS=1), so no pool thread exists yet to be broken by
# the fork (tests/test_serving.py has forked workers answer); keep it that way.
preload_app = settings.WEB_PRELOAD
# No control socket: we do not use gunicornc, and every gunicorn on a machine
# (tests, the benchmark, replicas) would otherwise share ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
# No access log: its request line holds the patient's question. The app writes
# its own JSON request log (search_app/requestlog.py) with the query's hash only.
accesslog = None
# For gunicorn's own workers (WEB_WORKER_CLASS=sync or gthread); waitress has its
# limits in search_app/frontend.py. Room for a 1,000-character query percent-encoded.
limit_request_line = 8190
graceful_timeout = 20


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
