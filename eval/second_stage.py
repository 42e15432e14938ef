"""python -m eval.second_stage: can a learned second stage beat the fixed blend?

For every answerable gold question the service's re-ranked head (the first
stage's best RERANK_DEPTH passages) is dumped with per-passage features the
pipeline already computes or could compute cheaply; then feature weights are
fitted on the dev split only, by a listwise (softmax) logistic loss, and
judged by 5-fold cross-validation on dev against the weights in settings.
The held-out split is scored once with weights fitted on all of dev.

    python -m eval.second_stage --index /tmp/idx           # the report
    python -m eval.second_stage --features first,sent,bm25,defn,heading_cos

Features (each per passage of the head):
  first        first-stage score, min-max over the head (what the service uses)
  sent         cosine of the passage's best-matching sentence (service)
  bm25         BM25, min-max over the head (service)
  defn         1 when the passage defines a term the question asks about (service)
  intent       1 when the passage's headings are about what the question asks (service)
  meta         -1 for front or back matter when the question is not about the document (service)
  dense        cosine of the passage vector
  coverage     share of the question's idf mass the passage's words hold
  heading_cov  the same, over the words of the passage's heading path alone
  heading_cos  cosine of the innermost heading (embedded here, once per heading)
  neighbour    best-sentence cosine of the previous or next passage of the section
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import analysis, models, settings

SERVICE = ("first", "sent", "bm25", "defn", "intent", "meta")
FEATURES = SERVICE + ("dense", "coverage", "heading_cov", "heading_cos", "neighbour")


@dataclass
class Head:
    """One question's re-ranked head: passage indices, features, relevance."""

    question_id: str
    split: str
    style: str
    passages: np.ndarray
    features: np.ndarray  # len(passages) x len(FEATURES)
    relevant: np.ndarray  # bool per passage


def heads(searcher, questions, qrels, pipeline=None) -> list[Head]:
    """Features of the service's head for each answerable question."""
    from retrieval import first_stage, fusion
    from retrieval.intents import DOCUMENT
    from retrieval.querying import defined_term_stems
    from retrieval.search import Pipeline

    p = pipeline or Pipeline()
    passages = searcher.index.passages
    n = len(passages)
    innermost = [q["section"][-1] if q["section"] else "" for q in passages]
    heading_vectors = models.embed(searcher.model, innermost)
    heading_tokens = [set(analysis.bm25_tokens([" ".join(q["section"])])[0]) for q in passages]
    text_tokens = [set(analysis.bm25_tokens([q["text"]])[0]) for q in passages]
    section_of = [(q["doc_id"], tuple(q["section"])) for q in passages]
    dense_vectors = np.stack([searcher.index.dense.reconstruct(i) for i in range(n)])
    out = []
    for q in questions:
        if not q.answerable:
            continue
        plan = searcher.plan(q.question, p)
        vector = searcher.embed_query(plan.text)
        stage = first_stage.run(searcher.parts, p, plan, vector, None)
        order, first, _ = stage.candidates.top(p.rerank_depth)
        best = searcher.parts.sentences.best_sentence_scores(vector)
        query = vector.reshape(-1)
        own = list(dict.fromkeys(plan.own_tokens))
        idf = np.array([searcher.parts.lexical.idf(t) for t in own])

        def coverage(tokens: set[str]) -> float:
            found = np.array([t in tokens for t in own], dtype=float)
            return float((idf * found).sum() / idf.sum()) if len(own) else 0.0

        def neighbour(i: int) -> float:
            near = [
                best[j] for j in (i - 1, i + 1) if 0 <= j < n and section_of[j] == section_of[i]
            ]
            return float(max(near)) if near else -1.0

        terms = set(defined_term_stems(plan.text))
        about_document = DOCUMENT in plan.intents
        first_head = fusion.minmax(first)
        lexical_head = fusion.minmax(stage.lexical[order])
        rows = []
        for r, i in enumerate(order.tolist()):
            rows.append(
                [
                    first_head[r],
                    best[i],
                    lexical_head[r],
                    float(bool(terms & searcher.parts.defines[i])),
                    float(bool(plan.intents & searcher.parts.section_intents[i] - {DOCUMENT})),
                    -float(DOCUMENT in searcher.parts.section_intents[i] and not about_document),
                    float(dense_vectors[i] @ query),
                    coverage(text_tokens[i]),
                    coverage(heading_tokens[i]),
                    float(heading_vectors[i] @ query),
                    neighbour(i),
                ]
            )
        relevant = np.array([passages[i]["id"] in qrels[q.id] for i in order.tolist()])
        out.append(
            Head(q.id, q.split, q.style, order, np.asarray(rows, dtype=np.float64), relevant)
        )
    return out


def columns(names) -> list[int]:
    return [FEATURES.index(name) for name in names]


def reciprocal_ranks(items: list[Head], cols: list[int], weights) -> np.ndarray:
    """RR@10 of each head ordered by features @ weights (ties: first-stage order)."""
    out = []
    for h in items:
        scores = h.features[:, cols] @ np.asarray(weights, dtype=np.float64)
        order = np.lexsort((np.arange(len(scores)), -scores))
        hits = np.flatnonzero(h.relevant[order][:10])
        out.append(1.0 / (hits[0] + 1) if len(hits) else 0.0)
    return np.asarray(out)


def fit(items: list[Head], cols: list[int], l2: float = 0.01) -> np.ndarray:
    """Weights minimising the listwise softmax loss -log P(relevant | head), plus l2."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    data = [(h.features[:, cols], h.relevant) for h in items if h.relevant.any()]

    def loss(w):
        total, grad = 0.0, np.zeros_like(w)
        for x, y in data:
            s = x @ w
            z_all, z_rel = logsumexp(s), logsumexp(s[y])
            total += z_all - z_rel
            grad += x.T @ (np.exp(s - z_all) - np.where(y, np.exp(s - z_rel), 0.0))
        return total / len(data) + 0.5 * l2 * w @ w, grad / len(data) + l2 * w

    return minimize(loss, np.zeros(len(cols)), jac=True, method="L-BFGS-B").x


def cross_validated(items: list[Head], cols: list[int], folds: int = 5, seed: int = 0) -> float:
    """Mean RR@10 on each fold with weights fitted on the other folds."""
    order = np.random.default_rng(seed).permutation(len(items))
    rr = np.zeros(len(items))
    for part in np.array_split(order, folds):
        held = set(part.tolist())
        weights = fit([h for k, h in enumerate(items) if k not in held], cols)
        rr[part] = reciprocal_ranks([items[k] for k in part], cols, weights)
    return float(rr.mean())


def service_weights(p=None) -> list[float]:
    from retrieval.search import Pipeline

    p = p or Pipeline()
    return [*p.rerank_weights, p.definition_boost, p.intent_boost, p.meta_penalty]


def report(all_heads: list[Head], names) -> str:
    dev = [h for h in all_heads if h.split == "dev"]
    test = [h for h in all_heads if h.split == "test"]
    base = columns(SERVICE)
    fixed = service_weights()
    lines = [
        f"service weights {dict(zip(SERVICE, fixed))}: "
        f"dev MRR@10 {reciprocal_ranks(dev, base, fixed).mean():.3f}, "
        f"test {reciprocal_ranks(test, base, fixed).mean():.3f}"
    ]
    for extra in [()] + [(f,) for f in names if f not in SERVICE]:
        cols = columns(SERVICE + extra)
        weights = fit(dev, cols)
        lines.append(
            f"learned {'+'.join(SERVICE + extra)}: dev 5-fold CV {cross_validated(dev, cols):.3f}, "
            f"fit on dev: dev {reciprocal_ranks(dev, cols, weights).mean():.3f}, "
            f"test {reciprocal_ranks(test, cols, weights).mean():.3f}, "
            f"weights {np.round(weights, 2).tolist()}"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.second_stage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--index", type=Path, default=settings.INDEX_DIR)
    parser.add_argument("--corpus", type=Path, default=settings.CORPUS_DIR)
    parser.add_argument(
        "--features",
        default=",".join(FEATURES[len(SERVICE) :]),
        help="extra features to try one at a time beside the service's",
    )
    args = parser.parse_args(argv)

    from retrieval.index import load_index
    from retrieval.search import Searcher

    from .gold import judge, load_gold

    searcher = Searcher(load_index(args.index))
    searcher.exhaustive = True
    questions = load_gold()
    sources = {p.name: p.read_bytes().decode("utf-8") for p in args.corpus.iterdir() if p.is_file()}
    qrels = judge(questions, searcher.index.passages, sources)
    print(report(heads(searcher, questions, qrels), args.features.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
