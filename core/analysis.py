"""Text analysis shared by the BM25 index (built by the indexer) and its queries.

The same stemmer, stopwords and token pattern must be used on both sides, or
query terms silently miss; so the recipe lives here and its name is recorded
in the index metadata.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

import bm25s
import bm25s.stopwords
import Stemmer

# bm25s's English list is Lucene's 33 words; questions typed by patients also
# carry pronouns, auxiliaries and question words that say nothing about topic.
QUESTION_WORDS = frozenset(
    """
about am any anything been being can could did do does doing done get gets got
had has have having he her here hers him his how i i'm im me mine my myself our
ours she should so some something than them those too up us very we were what
what's whats when where which who whom whose why would you your yours ive
""".split()
)
STOPWORDS = sorted(set(bm25s.stopwords.STOPWORDS_EN) | QUESTION_WORDS)
RECIPE = {"stemmer": "english", "stopwords": "lucene+questions", "token_pattern": r"(?u)\b\w\w+\b"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# C0 and C1 control characters and DEL; tab and line breaks count as spaces.
_CONTROL = dict.fromkeys(
    [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0x7F] + list(range(0x80, 0xA0))
)


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer(RECIPE["stemmer"])


@lru_cache(maxsize=1)
def invisible() -> dict[int, None]:
    """Controls and every format character (category Cf: zero-width spaces and
    joiners, soft hyphens, bidi marks): invisible, so one inside a word must not
    split it. Built once per process from the running Unicode tables."""
    table = dict(_CONTROL)
    table.update(
        (c, None) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
    )
    return table


def normalize(text: str) -> str:
    """Fold Unicode compatibility forms, drop invisible characters, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_CONTROL if text.isascii() else invisible())
    return " ".join(text.split())


# What the spelling and bridge stages take one at a time: runs of letters, runs of digits.
_QUERY_WORD = re.compile(r"[^\W\d_]+|\d+")


def query_words(text: str) -> list[str]:
    return _QUERY_WORD.findall(text)


class QueryRefused(ValueError):
    """A query the service will not search: `code` names the limit, `limit` its value."""

    def __init__(self, code: str, limit: int = 0):
        super().__init__(code)
        self.code, self.limit = code, limit


def clean_query(typed: str, max_chars: int, max_words: int) -> str:
    """The query exactly as the pipeline will see it, or QueryRefused.

    Limits hold on the normalised text, since NFKC can multiply the length
    (one U+FDFA is 18 characters) and every later stage costs by what it sees;
    the typed length is checked first too, so normalising itself stays cheap.
    """
    if len(typed) > max_chars:
        raise QueryRefused("query_too_long", max_chars)
    text = normalize(typed)
    if not text:
        raise QueryRefused("missing_query")
    if len(text) > max_chars:
        raise QueryRefused("query_too_long", max_chars)
    if len(query_words(text)) > max_words:
        raise QueryRefused("query_too_many_words", max_words)
    return text


_TOKEN = re.compile(RECIPE["token_pattern"])
_STOPWORD_SET = frozenset(STOPWORDS)
# "Stage I" loses its numeral to the stopword list ("i") and the two-letter
# token rule, so stage I, II and III passages looked alike to BM25. A numeral
# after "stage" (Roman or Arabic) also becomes one token: "stage 3" = "stage III".
_STAGE = re.compile(r"\bstage\s+(iv|iii|ii|i|4|3|2|1)\b")
_ROMAN = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}


def stage_terms(lowered: str) -> str:
    """Lowercased text with "stage N" followed by its token "stageN" (Roman)."""
    return _STAGE.sub(lambda m: f"{m.group(0)} stage{_ROMAN.get(m.group(1), m.group(1))}", lowered)


def _tokenize(texts: list[str], stopwords: frozenset[str]) -> list[list[str]]:
    """What bm25s.tokenize(lower=True, return_ids=False) returns for these texts
    (tests/test_request_overhead.py checks it), without its progress bars and per-call
    set building: a third of a query's analysis time."""
    stem = stemmer().stemWord
    stems: dict[str, str] = {}
    out = []
    for text in texts:
        words = [
            w for w in _TOKEN.findall(stage_terms(normalize(text).lower())) if w not in stopwords
        ]
        out.append([stems[w] if w in stems else stems.setdefault(w, stem(w)) for w in words])
    return out


def bm25_tokens(texts: list[str]) -> list[list[str]]:
    """Stemmed, stopword-free tokens, as bm25s indexes them."""
    return _tokenize(texts, _STOPWORD_SET)


def words(text: str) -> list[str]:
    """Lowercase alphabetic words, for the spelling vocabulary."""
    return [w.lower() for w in _WORD.findall(normalize(text))]


# Words whose presence never changes what a phrase means ("the blood" = "blood").
DETERMINERS = [
    "a",
    "an",
    "the",
    "my",
    "your",
    "his",
    "her",
    "their",
    "our",
    "its",
    "this",
    "that",
    "these",
    "those",
    "some",
    "any",
]


_DETERMINER_SET = frozenset(DETERMINERS)


def stems(text: str) -> list[str]:
    """Words stemmed, only determiners dropped: for matching multi-word phrases."""
    return _tokenize([text], _DETERMINER_SET)[0]
