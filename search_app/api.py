"""The JSON API: /api/search, /api/sources and /api/health."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

import orjson
from flask import Blueprint, current_app, jsonify, request

from core import analysis
from retrieval import integrity

from .display import readable
from .errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api")


def _raw_args() -> dict[str, str]:
    """Query parameters decoded strictly: invalid UTF-8 is an error, not U+FFFD."""
    args: dict[str, str] = {}
    for name, text in _raw_pairs():
        args.setdefault(name, text)
    return args


def _raw_pairs():
    """Every (name, value) of the query string, repeated names included, in order."""
    for pair in request.query_string.split(b"&"):
        if not pair:
            continue
        key, _, value = pair.partition(b"=")
        key = unquote_to_bytes(key.replace(b"+", b" "))
        value = unquote_to_bytes(value.replace(b"+", b" "))
        try:
            name, text = key.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "invalid_encoding", "The query must be valid UTF-8.") from None
        yield name, text


REFUSALS = {
    "missing_query": "Give a question in the 'q' parameter.",
    "query_too_long": "The query is longer than {limit} characters (as typed or once "
    "its Unicode is normalised).",
    "query_too_many_words": "The query has more than {limit} words.",
}


def parse_query(args: dict[str, str]) -> str:
    """The question as the pipeline will see it: normalised, then held to the limits."""
    q = args.get("q")
    if q is None:
        raise ApiError(400, "missing_query", REFUSALS["missing_query"])
    if "\x00" in q:
        raise ApiError(400, "invalid_query", "The query contains a NUL character.")
    config = current_app.config
    try:
        return analysis.clean_query(q, config["MAX_QUERY_CHARS"], config["MAX_QUERY_WORDS"])
    except analysis.QueryRefused as refused:
        message = REFUSALS[refused.code].format(limit=refused.limit)
        raise ApiError(400, refused.code, message) from None


_K = re.compile(r"[0-9]+")


def parse_k(args: dict[str, str]) -> int:
    """ASCII digits only, read only when short enough to be in range: no sign, space,
    exponent or other script's digit, and never a 4,300-digit int() (ValueError)."""
    max_k = current_app.config["MAX_K"]
    raw = args.get("k")
    if raw is None or raw == "":
        return current_app.config["DEFAULT_K"]
    digits = raw.lstrip("0") if _K.fullmatch(raw) else None
    if digits is None or len(digits) > len(str(max_k)) or not 1 <= int(digits or 0) <= max_k:
        raise ApiError(400, "invalid_k", f"'k' must be an integer from 1 to {max_k}.")
    return int(digits)


def parse_spell(args: dict[str, str]) -> bool:
    """`spell=0` searches for the words as typed, without spelling correction."""
    raw = args.get("spell", "")
    if raw not in ("", "0", "1"):
        raise ApiError(400, "invalid_spell", "'spell' must be 0 (as typed) or 1 (corrected).")
    return raw != "0"


def pipeline_args(searcher, spell: bool) -> dict:
    """Searcher.search's pipeline argument: none (its own), or its own without
    spelling correction."""
    return {} if spell else {"pipeline": searcher.pipeline.replace(spelling=False)}


MAX_SOURCES = 100


def parse_sources(documents: dict[str, dict]) -> set[str] | None:
    """`source=` filter: document ids, comma-separated and/or repeated; None means all."""
    values = [text for name, text in _raw_pairs() if name == "source"]
    if not values:
        return None
    ids = [part.strip() for value in values for part in value.split(",")]
    if not all(ids) or len(ids) > MAX_SOURCES:
        raise ApiError(
            400,
            "invalid_source",
            "'source' must be document ids from /api/sources, separated by commas.",
        )
    unknown = [i for i in dict.fromkeys(ids) if i not in documents]
    if unknown:
        shown = ", ".join(repr(i[:80]) for i in unknown[:5])
        raise ApiError(
            400, "unknown_source", f"Unknown source {shown}; /api/sources lists the documents."
        )
    return set(ids)


def _location_json(p: dict, doc: dict, corpus_prefix: str) -> dict:
    """Where a passage sits in the original when it is cited through a text layer."""
    out = {}
    if "original_start" in p:
        out.update(
            original_file=f"{corpus_prefix}/{doc['file']}",
            original_start=p["original_start"],
            original_end=p["original_end"],
        )
    if "page" in p:
        out["page"] = p["page"]
        if "page_end" in p:
            out["page_end"] = p["page_end"]
    return out


def result_json(searcher, hit, rank: int) -> dict:
    p = hit.passage
    doc = searcher.index.documents[p["doc_id"]]
    corpus_prefix = searcher.index.meta.get("corpus_dir", "corpus")
    return {
        "id": p["id"],
        "rank": rank,
        "score": round(hit.score, 4),
        "text": p["text"],
        "display_text": readable(p["text"]),
        "title": doc["title"],
        "section": p["section"],
        "publisher": doc["publisher"],
        "url": doc["url"],
        "updated": doc["updated"],
        "source_file": f"{corpus_prefix}/{p['source_file']}",
        "start": p["start"],
        "end": p["end"],
        **_location_json(p, doc, corpus_prefix),
    }


# What the service says when it is not confident, by abstention reason.
REASONS = {
    "care_team": "This asks for a decision about someone's own care. General information "
    "cannot make it: it is a question for your care team.",
    "not_covered": "The library's documents do not cover this; they mention it at most in passing.",
    "no_clear_answer": "Nothing in the library clearly answers this question.",
}


def answer_json(searcher, result) -> dict | None:
    """The answer sentence: an exact span of the cited file, inside the first result."""
    answer = result.answer
    if answer is None:
        return None
    corpus_prefix = searcher.index.meta.get("corpus_dir", "corpus")
    source_file = result.hits[0].passage["source_file"]
    return {
        "id": answer.passage_id,
        "text": answer.text,
        "start": answer.start,
        "end": answer.end,
        "source_file": f"{corpus_prefix}/{source_file}",
    }


@bp.get("/search")
def search():
    args = _raw_args()
    query, k, spell = parse_query(args), parse_k(args), parse_spell(args)
    searcher = current_app.extensions["searcher"]
    sources = parse_sources(searcher.index.documents)
    result = searcher.search(query, k, sources=sources, **pipeline_args(searcher, spell))
    body = {
        "query": query,
        "results": [result_json(searcher, hit, n) for n, hit in enumerate(result.hits, start=1)],
        "confident": result.confident,
        "answer": answer_json(searcher, result),
        "took_ms": round(result.took_ms, 2),
    }
    if result.reason:
        body["reason"] = {"code": result.reason, "message": REASONS[result.reason]}
    if result.corrected_query:
        body["corrected_query"] = result.corrected_query
    if result.not_covered:
        body["not_covered"] = result.not_covered
    return json_response(body)


def json_response(body: dict):
    """What jsonify gives (compact, UTF-8, keys in order, a final newline), encoded by
    orjson, several times faster than the standard encoder on a search's results."""
    return current_app.response_class(orjson.dumps(body) + b"\n", mimetype="application/json")


@bp.get("/sources")
def sources():
    """The documents searched, with what a citation needs and how many passages each gave."""
    index = current_app.extensions["searcher"].index
    counts: dict[str, int] = {}
    for p in index.passages:
        counts[p["doc_id"]] = counts.get(p["doc_id"], 0) + 1
    fields = ("id", "title", "publisher", "url", "updated", "citation", "file", "text_file")
    return jsonify(
        {
            "sources": [
                {**{f: doc[f] for f in fields if f in doc}, "passages": counts.get(doc_id, 0)}
                for doc_id, doc in index.documents.items()
            ]
        }
    )


@bp.get("/health")
def health():
    searcher = current_app.extensions["searcher"]
    index = searcher.index
    return jsonify(
        {
            "status": "ok",
            **integrity.health(index, current_app.config),
            "backend": searcher.parts.backend.describe(),  # name and URI, never credentials
            "index": index.meta,
        }
    )
