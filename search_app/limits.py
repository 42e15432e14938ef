"""Request limits: body size and a per-client request budget.

Every search costs a model call, so one client looping over the API could
starve everyone else; the budget answers it with 429 and Retry-After instead.
Health checks and the API description are free, so monitors are never throttled.

One budget per client, however it searches: /api/search and /search share one
limit (scope "search"), so alternating them gains nothing, and the count lives
in RATE_LIMIT_STORAGE_URI, which must be a shared store (redis://) for the
budget to hold across worker processes and replicas; memory:// counts per
process. The client is the connecting address, or, behind TRUSTED_PROXIES
reverse proxies, the address they forwarded (werkzeug's ProxyFix); a client
cannot choose its own address by sending X-Forwarded-For to a server that
trusts no proxy. If the shared store goes away, each process counts on its
own until it is back, rather than refusing every request.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from core import settings

from .errors import ApiError, error_response

EXEMPT_ENDPOINTS = {"api.health", "openapi.spec", "static"}
# The routes that run a search: one budget between them.
SEARCH_ENDPOINTS = ("api.search", "pages.search")
SEARCH_SCOPE = "search"


def _check_body_size() -> None:
    """Refuse an oversized body up front: werkzeug only checks it when the body is read."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and (request.content_length or 0) > limit:
        raise ApiError(413, "request_too_large", f"The request body is larger than {limit} bytes.")


def _retry_after(limiter: Limiter) -> int:
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, math.ceil(current.reset_at - time.time()))


def trust_proxies(app: Flask, hops: int) -> None:
    """Take the client's address from X-Forwarded-For, `hops` proxies back (0: never)."""
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)


def register(app: Flask) -> Limiter:
    """Attach the limits; values come from settings unless the app's config overrides them.
    Call after the blueprints are registered: the search views get the shared limit."""
    app.config.setdefault("RATELIMIT_ENABLED", settings.RATE_LIMIT_ENABLED)
    app.config.setdefault("RATELIMIT_DEFAULT", settings.RATE_LIMIT)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.RATE_LIMIT_STORAGE_URI)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)  # Retry-After only on 429
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "cancer-search")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.before_request(_check_body_size)

    limiter = Limiter(get_remote_address, app=app)
    shared = limiter.shared_limit(lambda: app.config["RATELIMIT_DEFAULT"], scope=SEARCH_SCOPE)
    for endpoint in SEARCH_ENDPOINTS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])

    @limiter.request_filter
    def _exempt() -> bool:
        return request.endpoint in EXEMPT_ENDPOINTS or (request.endpoint or "").endswith(".static")

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        wait = _retry_after(limiter)
        response = error_response(
            429, "rate_limited", f"Too many requests; try again in {wait} seconds."
        )
        response.headers["Retry-After"] = str(wait)
        return response

    app.extensions["rate_limiter"] = limiter
    return limiter
