"""The search pages for patients and staff: /, /search and /passages/<id>.

Server-rendered, so they work without JavaScript; Jinja escapes everything by
default and highlighted passages are built escape-first (see highlight.py).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request, url_for

from core import analysis
from retrieval import context

from .api import _raw_args, parse_query, parse_sources, parse_spell, pipeline_args
from .display import readable
from .errors import ApiError
from .highlight import passage_html, query_stems
from .views import passage_view, short_publisher, source_labels

bp = Blueprint("pages", __name__)

# The page's own resources only: no CDN, font or script from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


# The query limits a patient can hit: the setting that holds each, and how it reads.
TOO_LONG = {
    "query_too_long": ("MAX_QUERY_CHARS", "is longer than {limit:,} characters"),
    "query_too_many_words": ("MAX_QUERY_WORDS", "has more than {limit} words"),
}


def friendly_message(exc: ApiError) -> str:
    """What a patient sees instead of the API's error code."""
    if exc.code == "missing_query":
        return "Please type a question in the search box, for example \u201chow is myeloma treated\u201d."
    if exc.code in TOO_LONG:
        setting, what = TOO_LONG[exc.code]
        return (
            f"Your question {what.format(limit=current_app.config[setting])}. "
            "Please shorten it to the main words and search again."
        )
    if exc.code in ("unknown_source", "invalid_source"):
        return "That source is not in the library. Search again to look in every source."
    if exc.code == "invalid_spell":
        return "That link is not quite right. Please search again with the box above."
    return "Your question contains characters we could not read. Please type it again."


def _searcher():
    return current_app.extensions["searcher"]


def _document(passage: dict) -> dict:
    return _searcher().index.documents[passage["doc_id"]]


def _view(passage: dict, stems: frozenset[str], today: dt.date, answer=None) -> dict:
    return passage_view(passage, _document(passage), stems, today, answer)


@bp.get("/")
def home():
    return render_template("home.html", query="")


def source_filter(query: str, selected: set[str] | None, spell: bool) -> list[dict]:
    """ "All sources" and each document, as links that keep the question."""
    keep = {"q": query, "spell": None if spell else "0"}
    choices = [
        {"label": "All sources", "href": url_for("pages.search", **keep), "current": not selected}
    ]
    for doc_id, label in source_labels(_searcher().index.documents).items():
        choices.append(
            {
                "label": label,
                "href": url_for("pages.search", **keep, source=doc_id),
                "current": selected == {doc_id},
            }
        )
    return choices


@bp.get("/search")
def search():
    typed = request.args.get("q", "")
    searcher = _searcher()
    try:
        args = _raw_args()
        query, spell = parse_query(args), parse_spell(args)
        sources = parse_sources(searcher.index.documents)
    except ApiError as exc:
        return render_template("results.html", query=typed, error=friendly_message(exc)), 400
    result = searcher.search(
        query, current_app.config["DEFAULT_K"], sources=sources, **pipeline_args(searcher, spell)
    )
    stems = query_stems(query, result.corrected_query)
    today = dt.date.today()
    answer = result.answer if result.confident else None
    views = []
    for hit in result.hits:
        holds = answer is not None and not views and answer.passage_id == hit.passage["id"]
        views.append(_view(hit.passage, stems, today, answer if holds else None))
    selected = sorted(sources or [])
    return render_template(
        "results.html",
        query=query,
        corrected_query=result.corrected_query,
        instead_href=url_for("pages.search", q=query, spell="0", source=",".join(selected) or None),
        confident=result.confident,
        reason=result.reason,
        not_covered=result.not_covered,
        results=views,
        selected_sources=selected,
        source_filter=source_filter(query, sources, spell),
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
        item=_view(found.passage, stems, today),
        before=found.before and passage_html(readable(found.before["text"]), frozenset()),
        after=found.after and passage_html(readable(found.after["text"]), frozenset()),
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

    return {"sources": sources, "short_publisher": short_publisher}


@bp.after_app_request
def _security_headers(response):
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
