"""The search service: a Flask app factory.

Serving reads the index files the indexer wrote and never imports the indexer.
The model and the index load once, when the app is created (once per worker).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from core import analysis, settings


def create_app(overrides: dict | None = None) -> Flask:
    settings.check()  # a bad setting stops the start, in one line
    from core import threads

    threads.apply()  # every native pool sized from CANCER_SEARCH_NATIVE_THREADS
    app = Flask(__name__)
    app.config.update(
        INDEX_DIR=str(settings.INDEX_DIR),
        DEFAULT_K=settings.DEFAULT_K,
        MAX_K=settings.MAX_K,
        MAX_QUERY_CHARS=settings.MAX_QUERY_CHARS,
        MAX_QUERY_WORDS=settings.MAX_QUERY_WORDS,
        CONFIDENCE_THRESHOLD=settings.CONFIDENCE_THRESHOLD,
        MAX_CONTENT_LENGTH=settings.MAX_REQUEST_BYTES,
        JSON_SORT_KEYS=False,
        TRUSTED_HOSTS=list(settings.TRUSTED_HOSTS) or None,
        TRUSTED_PROXIES=settings.TRUSTED_PROXIES,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    if overrides:
        app.config.update(overrides)

    from retrieval import integrity
    from retrieval.index import load_index
    from retrieval.search import Searcher

    from . import api, errors, hosts, limits, live, openapi, options, pages, requestlog, security

    requestlog.register(app)  # first, so refused requests are logged too
    hosts.register(app, app.config["TRUSTED_HOSTS"] or [])  # before anything reads the Host
    options.register(app)
    security.register(app)
    index = load_index(Path(app.config["INDEX_DIR"]))
    integrity.check_index(index, app.config.get("EMBED_MODEL", settings.EMBED_MODEL))
    app.extensions["searcher"] = Searcher(index, app.config["CONFIDENCE_THRESHOLD"])
    analysis.invisible()  # its table is built once, here, not on a first request
    errors.register(app)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    limits.register(app)  # after the blueprints: the search views share one budget
    limits.trust_proxies(app, app.config["TRUSTED_PROXIES"])
    live.register(app, lambda new: Searcher(new, app.config["CONFIDENCE_THRESHOLD"]))
    return app
