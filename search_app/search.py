"""Rank passages for a query. The service and the evaluation harness both call this.

The pipeline: normalise and spell-correct the query, expand lay words, score
with BM25 and with the dense index, fuse the two rankings, re-score the top
candidates in a second stage, drop repeated text, and judge whether the best
passage is likely to answer at all. Each stage is a switch in `Pipeline`, so
the harness can measure every configuration with this same code.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from core import analysis, models, settings

from . import answer_types, cancers, candidates, fusion
from .bridging import VocabularyBridge, WordVectorCache, content_words
from .index import Index
from .lexical import LexicalScorer
from .querying import (Expander, SpellCorrector, defined_term_stems, glossary_groups,
                       load_synonym_file)
from .rerank import CrossEncoderReranker, SentenceReranker
from .scope import ScopeVote


@dataclass(frozen=True)
class Pipeline:
    lexical: bool = True
    dense: bool = True
    spelling: bool = settings.SPELLING_CORRECTION
    expansion: bool = settings.QUERY_EXPANSION
    bridge: bool = settings.VOCABULARY_BRIDGE
    fusion: str = settings.FUSION
    rrf_k: int = settings.RRF_K
    blend_alpha: float = settings.BLEND_ALPHA
    candidates: int = settings.CANDIDATES
    # Also rank passages by their best-matching sentence in the first stage.
    sentence_ranking: bool = settings.SENTENCE_RANKING
    rerank: str = settings.RERANK
    rerank_depth: int = settings.RERANK_DEPTH
    # Second-stage blend: first-stage score, best sentence, BM25 (each in 0..1).
    rerank_weights: tuple[float, float, float] = settings.RERANK_WEIGHTS
    # Second stage: added to passages that define the term a question asks about.
    definition_boost: float = settings.DEFINITION_BOOST
    dedupe: bool = True

    def replace(self, **changes) -> "Pipeline":
        return dataclasses.replace(self, **changes)


@dataclass
class Hit:
    passage: dict
    score: float


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    confident: bool
    took_ms: float
    corrected_query: str | None = None
    details: dict = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)  # other cancers the question names


@dataclass
class FirstStage:
    candidates: candidates.Candidates
    lexical: np.ndarray | None  # BM25 score of every passage (bm25s computes them all)
    dense_ids: np.ndarray | None  # the dense top, when it is not every passage
    dense_max: float | None


@dataclass
class QueryPlan:
    text: str  # what the dense side embeds
    corrected: str | None  # set only when spelling correction changed something
    tokens: list[str]  # BM25 tokens, expansion included
    expansion: list[str]
    content_words: int = 0  # words that can carry its subject (abstention calibrates by length)
    unknown: list[str] = field(default_factory=list)  # words no passage contains
    unknown_vectors: np.ndarray | None = None

    @property
    def own_tokens(self) -> list[str]:
        return self.tokens[: len(self.tokens) - len(self.expansion)]


def _load_array(path) -> np.ndarray:
    """Big arrays memory-mapped, as big dense indexes are: workers share one
    page-cached copy, and the candidate path reads only the rows it needs."""
    big = path.stat().st_size >= settings.DENSE_MMAP_MIN_BYTES
    return np.load(path, mmap_mode="r" if big else None)


def _normalized_text(passage: dict) -> str:
    return " ".join(passage["text"].split()).lower()


class Searcher:
    """Holds the loaded model and index parts; built once per process."""

    def __init__(self, index: Index, confidence_threshold: float | None = None,
                 pipeline: Pipeline | None = None, cross_encoder_dir: str | None = None):
        self.index = index
        self.pipeline = pipeline or Pipeline()
        self.model = models.load_embedder(index.meta["model"]["name"])
        n = len(index.passages)
        self.lexical = LexicalScorer(index.path / "bm25", n)
        vocabulary = json.loads((index.path / "vocabulary.json").read_text(encoding="utf-8"))
        self.speller = SpellCorrector(vocabulary)
        glossary = json.loads((index.path / "glossary.json").read_text(encoding="utf-8"))
        self.expander = Expander(load_synonym_file() + glossary_groups(glossary),
                                 self.lexical.document_frequency)
        self.bridge = self._read_bridge(index.path)
        self._stop = frozenset(analysis.STOPWORDS)
        self.answer_types = answer_types.load()
        definitions = index.path / "definitions.json"  # absent from builds made before it
        self.defines = ([set(d) for d in json.loads(definitions.read_text(encoding="utf-8"))]
                        if definitions.is_file() else [set() for _ in range(n)])
        self.word_vectors = WordVectorCache(self._embed_words, settings.WORD_CACHE_SIZE)
        pairs = index.path / "sentence_pairs.npy"  # absent from builds made before it
        self.sentences = SentenceReranker(
            _load_array(index.path / "sentences.npy"), np.load(index.path / "sentence_owner.npy"), n,
            _load_array(pairs) if pairs.is_file() and settings.SENTENCE_PAIRS else None)
        cross_dir = cross_encoder_dir if cross_encoder_dir is not None else settings.CROSS_ENCODER_DIR
        self.cross_encoder = CrossEncoderReranker(cross_dir) if cross_dir else None
        self.doc_of = np.array([p["doc_id"] for p in index.passages])
        self.doc_ids, self.doc_code = np.unique(self.doc_of, return_inverse=True)
        # True: score, sort and scan every passage, as the candidate path must match (tests).
        self.exhaustive = False
        self.passage_ids = np.array([p["id"] for p in index.passages])
        # Index-time work done once per process, not per request: dedupe compares these.
        self.normalized = [_normalized_text(p) for p in index.passages]
        self.cancer_names = cancers.load()
        self.subject_cancers = cancers.Subjects(self.cancer_names, self.normalized,
                                                settings.SUBJECT_MIN_MENTIONS)
        self.scope = ScopeVote.load(index.path, settings.SCOPE_NEIGHBOURS)
        self.calibration = self._read_calibration()
        if confidence_threshold is None:
            confidence_threshold = self.calibration.get("threshold", settings.CONFIDENCE_THRESHOLD)
        self.confidence_threshold = confidence_threshold
        self._embed_cached = lru_cache(maxsize=max(settings.QUERY_CACHE_SIZE, 1))(self._embed)

    def _read_bridge(self, path) -> VocabularyBridge | None:
        words_file, vectors_file = path / "bridge_words.json", path / "bridge_vectors.npy"
        if not (words_file.is_file() and vectors_file.is_file()):
            return None  # a build from before the bridge: BM25 sees the query's own words only
        lexicon_file, lexicon_vectors = path / "lexicon_words.json", path / "lexicon_vectors.npy"
        lexicon = (json.loads(lexicon_file.read_text(encoding="utf-8"))
                   if lexicon_file.is_file() and lexicon_vectors.is_file() else [])
        return VocabularyBridge(json.loads(words_file.read_text(encoding="utf-8")),
                                np.load(vectors_file), self.lexical.retriever.vocab_dict,
                                settings.BRIDGE_MIN_SIMILARITY, settings.BRIDGE_NEIGHBOURS,
                                lexicon, np.load(lexicon_vectors, mmap_mode="r") if lexicon else None)

    def _read_calibration(self) -> dict:
        path = self.index.path / "calibration.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        return {}

    # --- query side ---------------------------------------------------------
    def _embed(self, text: str) -> np.ndarray:
        vector = models.embed(self.model, [text])
        vector.setflags(write=False)
        return vector

    def _embed_words(self, words: list[str]) -> np.ndarray:
        return models.embed(self.model, words, batch_size=max(len(words), 1))

    def clear_cache(self) -> None:
        self._embed_cached.cache_clear()
        self.word_vectors.clear()

    def embed_query(self, text: str) -> np.ndarray:
        """LRU-cached: a repeated query skips the model."""
        return self._embed_cached(text)

    def plan(self, query: str, pipeline: Pipeline) -> QueryPlan:
        text = analysis.normalize(query)
        corrected = None
        if pipeline.spelling:
            fixed = self.speller.correct(text)
            if fixed != text:
                corrected, text = fixed, fixed
        tokens = analysis.bm25_tokens([text])[0]
        expansion = self.expander.expand(text, tokens) if pipeline.expansion else []
        words = content_words(text, self._stop)
        unknown, vectors = [], None
        # Unknown words feed the bridge and, wherever the model runs, abstention.
        if self.bridge is not None and (pipeline.bridge or pipeline.dense or pipeline.rerank != "none"):
            unknown = self.bridge.unknown(words)
            if unknown:
                vectors = self.bridge.word_vectors(unknown, self.word_vectors.vectors)
                if pipeline.bridge:
                    expansion += self.bridge.expand(vectors, tokens + expansion)
        return QueryPlan(text=text, corrected=corrected, tokens=tokens + expansion,
                         expansion=expansion, content_words=len(words),
                         unknown=unknown, unknown_vectors=vectors)

    # --- retrieval ------------------------------------------------------------
    def _dense_top(self, vector: np.ndarray, depth: int, mask: np.ndarray | None):
        """Passages and scores of the dense top `depth` (all passages when the corpus is small)."""
        total = self.index.dense.ntotal
        every = mask is not None or total <= settings.SCORE_ALL_MAX_PASSAGES
        depth = total if every else min(depth, total)
        scores, ids = self.index.dense.search(vector, depth)
        valid = ids[0] >= 0
        return ids[0][valid].astype(np.int64), scores[0][valid]

    def _first_stage(self, p: Pipeline, plan: QueryPlan, vector, mask) -> FirstStage:
        """First-stage candidates; scores every passage only where the full arrays are needed."""
        n = len(self.index.passages)
        dense_ids = dense_values = None
        if p.dense:
            dense_ids, dense_values = self._dense_top(vector, p.candidates, mask)
        lexical = self.lexical.scores(plan.tokens) if p.lexical else None
        allowed = mask
        if p.lexical and not p.dense:
            allowed = lexical > 0 if mask is None else mask & (lexical > 0)  # BM25 alone: shared words only
        partial = dense_ids is not None and len(dense_ids) < n
        top_ids = dense_ids if partial else None
        if (partial and not self.exhaustive and not p.sentence_ranking
                and (lexical is None or p.fusion == "blend")):
            dense_max = max(float(dense_values.max()), -1.0) if len(dense_values) else -1.0
            if lexical is None:  # dense alone: every passage outside its top scores -1
                keep = slice(None) if allowed is None else allowed[dense_ids]
                stage = candidates.Candidates(
                    dense_ids[keep], dense_values[keep].astype(np.float32), -1.0,
                    lambda: candidates.Candidates.complete(
                        self._full_dense(dense_ids, dense_values), allowed))
            else:
                stage = candidates.blend(dense_ids, dense_values, lexical, p.blend_alpha, allowed)
            return FirstStage(stage, lexical, top_ids, dense_max)

        # The full computation: small corpora, RRF, sentence ranking, or the reference.
        dense = self._full_dense(dense_ids, dense_values) if p.dense else None
        if dense is not None and p.sentence_ranking:
            # A passage is as close as its closest sentence, or the passage as a whole.
            dense = np.maximum(dense, self.sentences.best_sentence_scores(vector))
        if dense is not None and lexical is not None:
            if p.fusion == "blend":
                first = fusion.blend(dense, lexical, p.blend_alpha)
            else:
                first = fusion.rrf([dense, lexical], k=p.rrf_k)
        else:
            first = dense if dense is not None else lexical
        first = first.astype(np.float32)
        return FirstStage(candidates.Candidates.complete(first, allowed), lexical, top_ids,
                          float(dense.max()) if dense is not None else None)

    def _full_dense(self, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        dense = np.full(len(self.index.passages), -1.0, dtype=np.float32)
        dense[ids] = values
        return dense

    def _sentence_scores(self, vector, stage: FirstStage, ranked: np.ndarray):
        """Best-sentence scores of the passages in play: every passage while the
        corpus is small, else the dense top and the ranked head."""
        n = len(self.index.passages)
        if self.exhaustive or n <= settings.SCORE_ALL_MAX_PASSAGES:
            return self.sentences.best_sentence_scores(vector)
        ids = ranked if stage.dense_ids is None else np.union1d(stage.dense_ids, ranked)
        return candidates.PassageScores(ids, self.sentences.best_sentence_scores(vector, ids))

    def search(self, query: str, k: int = 10, sources: set[str] | None = None,
               pipeline: Pipeline | None = None) -> SearchResult:
        """Rank passages; `sources` (document ids) restricts the search to those documents."""
        started = time.perf_counter()
        p = pipeline or self.pipeline
        plan = self.plan(query, p)
        mask = self._source_mask(sources) if sources else None
        vector = self.embed_query(plan.text) if (p.dense or p.rerank != "none") else None
        stage = self._first_stage(p, plan, vector, mask)

        # Rank only as deep as k answers need; deeper only when duplicates ate the list.
        depth = max(k, p.rerank_depth if p.rerank != "none" else 0) + 10
        while True:
            ranked, final, exact, best_sentence = self._ranked(p, plan, vector, stage, depth)
            hits, rows, seen = [], [], []
            for i, score in zip(ranked[:exact].tolist(), final[:exact].tolist()):
                if p.dedupe:
                    text = self.normalized[i]
                    if any(text in other or other in text for other in seen):
                        continue
                    seen.append(text)
                hits.append(Hit(self.index.passages[i], score))
                rows.append(i)
                if len(hits) == k:
                    break
            if len(hits) == k or exact == len(ranked) < depth:
                break
            depth *= 4

        top = int(ranked[0]) if len(ranked) else None
        if best_sentence is None and top is not None and vector is not None:
            best_sentence = self._sentence_scores(vector, stage, ranked[:1])
        confidence = self._confidence_features(plan, vector, top, best_sentence, stage.dense_max)
        others: list[str] = []
        if hits:
            others = self.cancer_names.other_cancers(plan.text, self.subject_cancers)
            confidence["coverage"] = self.lexical.coverage(plan.own_tokens, rows[:3])
            confidence["answer_type_missing"] = float(answer_types.missing(
                self.answer_types, plan.text, [self.index.passages[i]["text"] for i in rows[:3]]))
            confidence["other_cancer"] = float(bool(others))
        if "weights" in self.calibration and confidence:
            confidence["combined"] = self.calibration["bias"] + sum(
                w * confidence.get(f, 0.0) for f, w in self.calibration["weights"].items())
        # A question naming only cancers the library mentions in passing is
        # about another disease, however close its words come to a passage.
        not_covered = others if settings.OTHER_CANCER_ABSTAINS else []
        confident = bool(hits) and not not_covered and confidence.get(
            self.calibration.get("feature", "top_sentence"), -1.0) >= self.confidence_threshold
        return SearchResult(
            query=query,
            hits=hits,
            confident=confident,
            took_ms=(time.perf_counter() - started) * 1000,
            corrected_query=plan.corrected,
            details={"expansion": plan.expansion, "confidence": confidence},
            not_covered=not_covered,
        )

    def _source_mask(self, sources: set[str]) -> np.ndarray:
        codes = np.flatnonzero(np.isin(self.doc_ids, list(sources)))
        return np.isin(self.doc_code, codes)

    def _ranked(self, p: Pipeline, plan: QueryPlan, vector, stage: FirstStage, depth: int):
        """The best `depth` passages in final order, their scores, how many of them are
        surely in the order the full computation gives, and their sentence scores."""
        order, first, exhausted = stage.candidates.top(depth)
        if p.rerank == "none" or not len(order):
            return order, first, len(order), None
        best_sentence = self._sentence_scores(vector, stage, order)
        final = self._rerank(p, plan, order, candidates.PassageScores(order, first),
                             stage.lexical, best_sentence)
        if p.definition_boost:
            self._boost_definitions(plan, order[: p.rerank_depth], final, p.definition_boost)
        by_final = np.lexsort((order, -final))
        order, final = order[by_final], final[by_final]
        # Passages beyond `depth` would score -1 - (their place) <= -1 - depth.
        exact = len(order) if exhausted else int(np.count_nonzero(final > -1.0 - depth))
        return order, final, exact, best_sentence

    def _rerank(self, p: Pipeline, plan: QueryPlan, order, first, lexical, best_sentence):
        """Final scores of `order` (the first stage's best, best first): its head re-scored."""
        top = order[: p.rerank_depth]
        # Candidates below the re-ranked head keep their order, beneath it.
        final = -1.0 - np.arange(len(order), dtype=np.float32)
        head = slice(0, len(top))
        if p.rerank == "cross-encoder" and self.cross_encoder is not None:
            texts = [self.index.passages[i]["text"] for i in top]
            final[head] = self.cross_encoder.scores(plan.text, texts)
            return final
        w_first, w_sentence, w_lexical = p.rerank_weights
        head_first = fusion.minmax(first[top])
        head_lexical = fusion.minmax(lexical[top]) if lexical is not None else 0.0
        final[head] = (w_first * head_first + w_sentence * best_sentence[top]
                       + w_lexical * head_lexical)
        return final

    def _boost_definitions(self, plan: QueryPlan, head, final: np.ndarray, boost: float) -> None:
        """A question asking what a term means prefers the passages that define it.
        `final[j]` is the score of passage `head[j]`."""
        terms = set(defined_term_stems(plan.text))
        if terms:
            for j, i in enumerate(head.tolist()):
                if terms & self.defines[i]:
                    final[j] += boost

    def _confidence_features(self, plan: QueryPlan, vector, top, best_sentence,
                             dense_max) -> dict:
        """Signals of whether the best passage answers at all, for calibration.

        A similarity means more for a short query than for a long one, and
        more when the best sentence stands out from the next passages' than
        when the whole topic is merely near: hence query_length and
        sentence_lead beside it. Above SCORE_ALL_MAX_PASSAGES, max_sentence and
        sentence_lead are over the dense top and the ranked head rather than
        over every passage."""
        if top is None or vector is None:
            return {}
        top_dense = float(self.index.dense.reconstruct(top) @ vector.reshape(-1))
        scored = np.asarray(getattr(best_sentence, "values", best_sentence), dtype=np.float64)
        best10 = np.sort(scored)[::-1][:10]
        features = {
            "top_sentence": float(best_sentence[top]),
            "top_dense": top_dense,
            "max_sentence": float(best10[0]),
            "max_dense": dense_max if dense_max is not None else top_dense,
            "query_length": float(np.log1p(plan.content_words)),
            "foreign": (self.bridge.foreignness(plan.unknown, plan.unknown_vectors, vector,
                                                   plan.content_words)
                        if plan.unknown else 0.0),
            "sentence_lead": float(best10[0] - best10[1:].mean()) if len(best10) > 1 else 0.0,
        }
        if self.scope is not None:  # what labelled questions like this one were (search_app/scope.py)
            features["scope_vote"] = self.scope.vote(vector)
        return features
