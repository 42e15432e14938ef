"""The search pages for patients and staff: /, /search and /passages/<id>.

Server-rendered, so they work without JavaScript; Jinja escapes everything by
default and highlighted passages are built escape-first (see highlight.py).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request

from core import analysis, settings
from retrieval import context

from . import citation, textfragment
from .api import _raw_args, parse_query
from .errors import ApiError
from .highlight import highlight, query_stems

bp = Blueprint("pages", __name__)

# The page's own resources only: no CDN, font or script from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def friendly_message(exc: ApiError) -> str:
    """What a patient sees instead of the API's error code."""
    if exc.code == "missing_query":
        return "Please type a question in the search box, for example \u201chow is myeloma treated\u201d."
    if exc.code == "query_too_long":
        limit = current_app.config["MAX_QUERY_CHARS"]
        return (
            f"Your question is longer than {limit:,} characters. "
            "Please shorten it to the main words and search again."
        )
    if exc.code == "query_too_many_words":
        limit = current_app.config["MAX_QUERY_WORDS"]
        return (
            f"Your question has more than {limit} words. "
            "Please shorten it to the main words and search again."
        )
    return "Your question contains characters we could not read. Please type it again."


def _searcher():
    return current_app.extensions["searcher"]


def _document(passage: dict) -> dict:
    return _searcher().index.documents[passage["doc_id"]]


def passage_view(passage: dict, stems: frozenset[str], today: dt.date) -> dict:
    """Everything a page shows about one passage."""
    doc = _document(passage)
    return {
        "id": passage["id"],
        "html": highlight(passage["text"], stems),
        "title": doc["title"],
        "section": list(passage["section"]),
        "publisher": doc["publisher"],
        "updated": dt.date.fromisoformat(doc["updated"]),
        "url": doc["url"],
        "source_link": textfragment.link(doc["url"], passage["text"], settings.TEXT_FRAGMENT_WORDS),
        "citation": citation.citation(doc, settings.CITATION_DATE_FORMAT, today),
        "quotation": citation.quotation(passage, doc, settings.CITATION_DATE_FORMAT, today),
    }


@bp.get("/")
def home():
    return render_template("home.html", query="")


@bp.get("/search")
def search():
    typed = request.args.get("q", "")
    try:
        query = parse_query(_raw_args())
    except ApiError as exc:
        return render_template("results.html", query=typed, error=friendly_message(exc)), 400
    result = _searcher().search(query, current_app.config["DEFAULT_K"])
    stems = query_stems(query, result.corrected_query)
    today = dt.date.today()
    return render_template(
        "results.html",
        query=query,
        corrected_query=result.corrected_query,
        confident=result.confident,
        not_covered=result.not_covered,
        results=[passage_view(hit.passage, stems, today) for hit in result.hits],
    )


def _positions() -> dict[str, int]:
    """Passage id -> position, computed once per loaded index."""
    index = _searcher().index
    cached = current_app.extensions.get("passage_positions")
    if cached is None or cached[0] is not index:
        cached = (index, context.positions(index.passages))
        current_app.extensions["passage_positions"] = cached
    return cached[1]


@bp.get("/passages/<passage_id>")
def passage(passage_id: str):
    found = context.in_context(_searcher().index.passages, _positions(), passage_id)
    if found is None:
        abort(404, description="There is no passage with this address.")
    limit = current_app.config["MAX_QUERY_CHARS"]
    query = analysis.normalize(request.args.get("q", "")[:limit])[:limit]  # for marking only
    stems = query_stems(query)
    today = dt.date.today()
    return render_template(
        "passage.html",
        query=query,
        item=passage_view(found.passage, stems, today),
        before=found.before and highlight(found.before["text"], frozenset()),
        after=found.after and highlight(found.after["text"], frozenset()),
    )


@bp.app_template_filter("long_date")
def long_date(day: dt.date | str) -> str:
    """ "November 17, 2023": the way both publishers write their dates."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day:%B} {day.day}, {day.year}"


@bp.app_context_processor
def _sources():
    """Every page names its sources (error pages too, hence app-wide)."""

    def sources() -> list[dict]:
        searcher = current_app.extensions.get("searcher")
        return list(searcher.index.documents.values()) if searcher else []

    return {"sources": sources}


@bp.after_app_request
def _security_headers(response):
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
