"""The cheaper per-request code computes exactly what the code it replaced did."""

from __future__ import annotations

import json

import bm25s
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import analysis

FAST = settings(
    max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
WORDY = st.text(
    alphabet=st.sampled_from(list("abcdeiostuy' -_9ÉéßİıﬁǅΣς\u0301\u00a0\u200b.,;")), max_size=80
)


def bm25s_tokens(texts: list[str], stopwords) -> list[list[str]]:
    """The tokenisation the index was first built with: bm25s.tokenize itself."""
    texts = [analysis.stage_terms(analysis.normalize(t).lower()) for t in texts]
    return bm25s.tokenize(
        texts,
        lower=True,
        stopwords=list(stopwords),
        stemmer=analysis.stemmer(),
        token_pattern=analysis.RECIPE["token_pattern"],
        return_ids=False,
        show_progress=False,
    )


def real_texts(index_dir) -> list[str]:
    from bench.floor import gold_questions
    from retrieval.querying import SYNONYMS_FILE

    with open(index_dir / "current" / "passages.jsonl", encoding="utf-8") as fh:
        passages = [json.loads(line)["text"] for line in fh if line.strip()]
    return passages + gold_questions() + SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()


def test_tokens_of_the_corpus_and_questions_are_bm25s_tokens(index_dir):
    texts = real_texts(index_dir)
    assert len(texts) > 300
    assert analysis.bm25_tokens(texts) == bm25s_tokens(texts, analysis.STOPWORDS)
    for text in texts:
        assert analysis.bm25_tokens([text]) == bm25s_tokens([text], analysis.STOPWORDS)
        assert analysis.stems(text) == bm25s_tokens([text], analysis.DETERMINERS)[0]


@FAST
@given(st.lists(WORDY, min_size=1, max_size=4))
def test_tokens_of_odd_text_are_bm25s_tokens(texts):
    assert analysis.bm25_tokens(texts) == bm25s_tokens(texts, analysis.STOPWORDS)
    assert analysis.stems(texts[0]) == bm25s_tokens(texts[:1], analysis.DETERMINERS)[0]


def test_coverage_by_bisection_equals_coverage_by_isin(app, monkeypatch):
    from bench.floor import gold_questions

    searcher = app.extensions["searcher"]
    lexical = searcher.parts.lexical
    assert lexical._sorted  # bm25s writes each token's passages in order
    rng = np.random.default_rng(0)
    cases = [
        (
            searcher.plan(q, searcher.pipeline).own_tokens,
            [
                int(p)
                for p in rng.choice(len(searcher.index.passages), rng.integers(1, 4), replace=False)
            ],
        )
        for q in gold_questions()[::2]
    ]
    fast = [lexical.coverage(tokens, rows) for tokens, rows in cases]
    monkeypatch.setattr(lexical, "_sorted", False)  # the np.isin way, as before
    assert [lexical.coverage(tokens, rows) for tokens, rows in cases] == fast
    assert 0 < sum(f == 1.0 for f in fast) < len(fast) and any(0 < f < 1 for f in fast)


def test_unsorted_postings_are_noticed(app, tmp_path):
    from retrieval.lexical import LexicalScorer

    lexical = app.extensions["searcher"].parts.lexical
    scores = lexical.retriever.scores
    column = int(np.argmax(np.diff(scores["indptr"])))  # the token with the most passages
    start, end = scores["indptr"][column], scores["indptr"][column + 1]
    original = scores["indices"][start:end].copy()
    try:
        scores["indices"][start:end] = original[::-1]
        lexical.retriever.save(str(tmp_path / "bm25"))
    finally:
        scores["indices"][start:end] = original
    assert not LexicalScorer(tmp_path / "bm25", lexical.n_passages)._sorted
