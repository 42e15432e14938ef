"""gunicorn settings for `make serve`; every value can be set from the environment."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
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
