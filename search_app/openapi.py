"""The API's OpenAPI 3 description, served at /api/openapi.json.

Built from the app's own config, so the limits it states (query length, k)
are the limits the app enforces; tests/test_openapi.py runs schemathesis
against it to keep every documented status, header and body true.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .api import MAX_SOURCES

bp = Blueprint("openapi", __name__, url_prefix="/api")

# A question: at least one visible character and no NUL (NUL is refused with 400).
QUERY_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    response["headers"] = {
        "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
        **(headers or {}),
    }
    return response


def _error(description: str, retry: bool = False) -> dict:
    headers = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}} if retry else None
    return _json({"$ref": "#/components/schemas/Error"}, description, headers)


def _errors(*statuses: int) -> dict:
    described = {
        400: _error(
            "Bad input: missing, blank, too long or unreadable `q`, bad `k`, "
            "`source` or `spell`, or a malformed or untrusted Host header. `error.code` "
            "is one of missing_query, invalid_query, query_too_long, query_too_many_words, "
            "invalid_k, invalid_encoding, invalid_source, unknown_source, invalid_spell, "
            "invalid_host."
        ),
        "host": _error("The Host header is malformed or not served here (`invalid_host`)."),
        404: _error("No such passage or path."),
        413: _error("The request body is larger than the limit."),
        429: _error("The client sent too many requests; wait `Retry-After` seconds.", retry=True),
        503: _error(
            "The index is unavailable (being repaired); try again after `Retry-After` seconds.",
            retry=True,
        ),
    }
    return {str(s): described[s] for s in statuses}


def _host_errors(*statuses: int) -> dict:
    """An operation without parameters: a 400 can only be a bad Host."""
    return {"400": _errors("host")["host"], **_errors(*statuses)}


def _options(name: str) -> dict:
    return {
        "operationId": f"{name}_options",
        "summary": "The methods this path allows; no body.",
        "responses": {
            "204": {
                "description": "No content: `Allow` lists the methods.",
                "headers": {
                    "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
                    "Allow": {
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[A-Z]+(, [A-Z]+)*$"},
                    },
                },
            },
            **_host_errors(),
        },
    }


def _schemas(max_k: int) -> dict:
    string = {"type": "string"}
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "pattern": "^[a-z_]+$"},
                        "message": {"type": "string", "minLength": 1},
                    },
                }
            },
        },
        "Result": {
            "type": "object",
            "description": "A passage quoted verbatim: `text` is exactly `source_file[start:end]`.",
            "required": [
                "id",
                "rank",
                "score",
                "text",
                "display_text",
                "title",
                "section",
                "publisher",
                "url",
                "updated",
                "source_file",
                "start",
                "end",
            ],
            "properties": {
                "id": string,
                "rank": {"type": "integer", "minimum": 1, "maximum": max_k},
                "score": {"type": "number"},
                "text": {"type": "string", "minLength": 1},
                "display_text": {
                    "type": "string",
                    "minLength": 1,
                    "description": "`text` made readable by whitespace alone: a line break "
                    "before each list item, a blank line between paragraphs, no space before "
                    "closing punctuation. Quote `text` for an exact citation.",
                },
                "title": string,
                "section": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "publisher": string,
                "url": {"type": "string", "pattern": "^https?://"},
                "updated": {"type": "string", "format": "date"},
                "source_file": string,
                "start": {"type": "integer", "minimum": 0},
                "end": {"type": "integer", "minimum": 1},
                "original_file": {
                    "type": "string",
                    "description": "For documents cited through a text layer (HTML, PDF): the "
                    "original file, with `original_start`/`original_end` in it.",
                },
                "original_start": {"type": "integer", "minimum": 0},
                "original_end": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "page_end": {"type": "integer", "minimum": 1},
            },
        },
        "Sources": {
            "type": "object",
            "required": ["sources"],
            "properties": {
                "sources": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "id",
                            "title",
                            "publisher",
                            "url",
                            "updated",
                            "citation",
                            "file",
                            "passages",
                        ],
                        "properties": {
                            "id": string,
                            "title": string,
                            "publisher": string,
                            "url": {"type": "string", "pattern": "^https?://"},
                            "updated": {"type": "string", "format": "date"},
                            "citation": string,
                            "file": string,
                            "text_file": string,
                            "passages": {"type": "integer", "minimum": 0},
                        },
                    },
                }
            },
        },
        "SearchResponse": {
            "type": "object",
            "required": ["query", "results", "confident", "answer", "took_ms"],
            "properties": {
                "query": {
                    "type": "string",
                    "description": "The question as searched: normalised (NFKC, invisible "
                    "characters dropped, spaces collapsed).",
                },
                "results": {
                    "type": "array",
                    "maxItems": max_k,
                    "items": {"$ref": "#/components/schemas/Result"},
                },
                "confident": {
                    "type": "boolean",
                    "description": "false when the best passage is unlikely to answer the question",
                },
                "answer": {
                    "description": "null unless confident: the one or two consecutive "
                    "sentences of the first result that best answer the question; `text` is "
                    "exactly `source_file[start:end]`.",
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["id", "text", "start", "end", "source_file"],
                            "properties": {
                                "id": {"type": "string", "description": "The result's id."},
                                "text": string,
                                "start": {"type": "integer", "minimum": 0},
                                "end": {"type": "integer", "minimum": 0},
                                "source_file": string,
                            },
                        },
                    ],
                },
                "reason": {
                    "type": "object",
                    "required": ["code", "message"],
                    "description": "Present when confident is false: why. `care_team` when "
                    "the question asks for a decision about someone's own care.",
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": ["care_team", "not_covered", "no_clear_answer"],
                        },
                        "message": string,
                    },
                },
                "took_ms": {"type": "number", "minimum": 0},
                "corrected_query": {
                    "type": "string",
                    "description": "Present when misspellings were corrected.",
                },
                "not_covered": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Present when the question names only cancers the documents "
                    "do not cover (then confident is false).",
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "index_version", "corpus_changed", "backend", "index"],
            "properties": {
                "status": {"type": "string", "enum": ["ok"]},
                "backend": {
                    "type": "object",
                    "description": "Where the first stage runs: faiss (this process) or milvus, "
                    "with its URI (never credentials) and the build's collection.",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "enum": ["faiss", "milvus"]},
                        "uri": {"type": "string"},
                        "collection": {"type": "string"},
                        "alias": {"type": "string"},
                    },
                },
                "index_version": {"type": "string", "minLength": 1},
                "corpus_changed": {
                    "type": "boolean",
                    "description": "true when a source file (or the labelled scope examples) differs from the one indexed",
                },
                "corpus": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "string",
                        "enum": ["unchanged", "changed", "missing", "new"],
                    },
                },
                "index": {
                    "type": "object",
                    "description": "The index build's metadata.",
                    "required": ["version", "model", "passage_count"],
                },
            },
        },
    }


def build_spec(config, document_ids) -> dict:
    max_k, default_k = config["MAX_K"], config["DEFAULT_K"]
    max_chars, max_words = config["MAX_QUERY_CHARS"], config["MAX_QUERY_WORDS"]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Cited cancer-information search",
            "version": "1",
            "description": (
                "Finds passages, quoted verbatim from vetted cancer-information documents, "
                "that answer a question. It never gives advice. Every response carries "
                "X-Request-ID (yours, if you send a safe one). Every error is JSON "
                '`{"error": {"code", "message"}}`. OPTIONS gets 204 with `Allow` and no '
                "body; other methods than GET and HEAD get 405; request bodies over "
                f"{config['MAX_CONTENT_LENGTH']} bytes get 413; a malformed or untrusted "
                "Host header gets 400 `invalid_host`. /api/search shares one request "
                "budget per client with the search page."
            ),
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Passages that answer a question, best first.",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "description": "The question, in the user's words. Its limits "
                            f"hold after Unicode normalisation (NFKC, invisible characters "
                            f"dropped, spaces collapsed): at most {max_chars} characters "
                            f"(query_too_long) and {max_words} words, a word being a run of "
                            "letters or of digits (query_too_many_words).",
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": max_chars,
                                "pattern": QUERY_PATTERN,
                            },
                        },
                        {
                            "name": "k",
                            "in": "query",
                            "required": False,
                            "description": "How many passages to return.",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": max_k,
                                "default": default_k,
                            },
                        },
                        {
                            "name": "source",
                            "in": "query",
                            "required": False,
                            "style": "form",
                            "explode": True,
                            "description": "Search only these documents (ids from /api/sources); "
                            "repeat the parameter or separate ids with commas.",
                            "schema": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": MAX_SOURCES,
                                "items": {"type": "string", "enum": sorted(document_ids)},
                            },
                        },
                        {
                            "name": "spell",
                            "in": "query",
                            "required": False,
                            "description": "0: search for the words as typed, without spelling "
                            "correction (no `corrected_query`).",
                            "schema": {"type": "string", "enum": ["0", "1"], "default": "1"},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {"$ref": "#/components/schemas/SearchResponse"}, "Ranked passages."
                        ),
                        **_errors(400, 413, 429, 503),
                    },
                },
                "options": _options("search"),
            },
            "/api/sources": {
                "get": {
                    "operationId": "sources",
                    "summary": "The documents searched, with what a citation needs.",
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Sources"}, "The documents."),
                        **_host_errors(413, 429, 503),
                    },
                },
                "options": _options("sources"),
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "The index being served and whether the corpus changed since.",
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Health"}, "Serving."),
                        **_host_errors(413, 503),
                    },
                },
                "options": _options("health"),
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description.",
                    "responses": {
                        "200": _json(
                            {"type": "object", "required": ["openapi", "paths"]},
                            "The OpenAPI document.",
                        ),
                        **_host_errors(413),
                    },
                },
                "options": _options("openapi"),
            },
        },
        "components": {
            "schemas": _schemas(max_k),
            "headers": {
                "RequestId": {
                    "required": True,
                    "description": "Echoed or generated request id.",
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
                },
                "RetryAfter": {
                    "required": True,
                    "description": "Seconds to wait.",
                    "schema": {"type": "integer", "minimum": 1},
                },
            },
        },
    }


@bp.get("/openapi.json")
def spec():
    documents = current_app.extensions["searcher"].index.documents
    return jsonify(build_spec(current_app.config, documents))
