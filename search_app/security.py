"""Response headers that keep the pages and the API from being abused by other sites.

Patients type health questions; the headers make sure those questions never
leak to another site (Referrer-Policy), that nothing but our own files runs in
our pages (CSP), and that no other site can frame them to trick a click.
"""

from __future__ import annotations

from flask import Flask, Response, request

# Nothing by default; then only the app's own scripts, styles, images, fonts
# and fetches; no inline code, no plugins, no framing, forms only back to us.
# (The pages blueprint sets a narrower policy of the same kind on HTML; the
# first one set wins, and both allow only 'self'.)
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # The query string is the patient's question: never send it to the sources we link.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def _add_headers(response: Response) -> Response:
    # As setdefault on each, in one pass: werkzeug's per-name look-up raises
    # and catches a KeyError for every missing header (0.1 ms a request).
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend(
        [(name, value) for name, value in HEADERS.items() if name.lower() not in present]
    )
    if request.args:  # results for a question are private: no shared caches, no disk
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    # FLASK_DEBUG=1 in a deployment's environment must not turn on debug mode.
    app.debug = False
    app.after_request(_add_headers)
