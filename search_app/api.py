"""The JSON API: /api/search and /api/health."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Blueprint, current_app, jsonify, request

from .errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api")


def _raw_args() -> dict[str, str]:
    """Query parameters decoded strictly: invalid UTF-8 is an error, not U+FFFD."""
    args: dict[str, str] = {}
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
        args.setdefault(name, text)
    return args


def parse_query(args: dict[str, str]) -> str:
    max_chars = current_app.config["MAX_QUERY_CHARS"]
    q = args.get("q")
    if q is None or not q.strip():
        raise ApiError(400, "missing_query", "Give a question in the 'q' parameter.")
    if "\x00" in q:
        raise ApiError(400, "invalid_query", "The query contains a NUL character.")
    if len(q) > max_chars:
        raise ApiError(400, "query_too_long", f"The query is longer than {max_chars} characters.")
    return q.strip()


def parse_k(args: dict[str, str]) -> int:
    max_k = current_app.config["MAX_K"]
    raw = args.get("k")
    if raw is None or raw == "":
        return current_app.config["DEFAULT_K"]
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= max_k:
        raise ApiError(400, "invalid_k", f"'k' must be an integer from 1 to {max_k}.")
    return int(raw)


def result_json(searcher, hit, rank: int) -> dict:
    p = hit.passage
    doc = searcher.index.documents[p["doc_id"]]
    corpus_prefix = searcher.index.meta.get("corpus_dir", "corpus")
    return {
        "id": p["id"],
        "rank": rank,
        "score": round(hit.score, 4),
        "text": p["text"],
        "title": doc["title"],
        "section": p["section"],
        "publisher": doc["publisher"],
        "url": doc["url"],
        "updated": doc["updated"],
        "source_file": f"{corpus_prefix}/{p['source_file']}",
        "start": p["start"],
        "end": p["end"],
    }


@bp.get("/search")
def search():
    args = _raw_args()
    query, k = parse_query(args), parse_k(args)
    searcher = current_app.extensions["searcher"]
    result = searcher.search(query, k)
    body = {
        "query": query,
        "results": [result_json(searcher, hit, n) for n, hit in enumerate(result.hits, start=1)],
        "confident": result.confident,
        "took_ms": round(result.took_ms, 2),
    }
    if result.corrected_query:
        body["corrected_query"] = result.corrected_query
    return jsonify(body)


@bp.get("/health")
def health():
    index = current_app.extensions["searcher"].index
    return jsonify({"status": "ok", "index": index.meta})
