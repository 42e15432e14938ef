"""Everything a search reads besides the query, loaded once per process from an index build."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import analysis, index_files, settings

from . import answer_types, cancers, decisions, intents
from .backend import Backend, open_backend
from .bridging import VocabularyBridge
from .index import Index
from .lexical import LexicalScorer
from .querying import Expander, SpellCorrector, glossary_groups, load_synonym_file
from .rerank import CrossEncoderReranker, SentenceReranker
from .scope import ScopeVote


def load_array(path: Path) -> np.ndarray:
    """Big arrays memory-mapped, as big dense indexes are: workers share one
    page-cached copy, and the candidate path reads only the rows it needs."""
    big = path.stat().st_size >= settings.DENSE_MMAP_MIN_BYTES
    return np.load(path, mmap_mode="r" if big else None)


def _read_json(path: Path, default=None):
    """Optional files are absent from builds made before them."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else default


def _normalized_text(passage: dict) -> str:
    return " ".join(passage["text"].split()).lower()


@dataclass
class Components:
    index: Index
    lexical: LexicalScorer
    speller: SpellCorrector
    expander: Expander
    bridge: VocabularyBridge | None
    stopwords: frozenset
    answer_types: list
    decision_forms: decisions.DecisionForms  # asking for a decision about one's own care
    defines: list[set]  # stems of the terms each passage defines ...
    defined: frozenset  # ... and of every term some passage defines
    intents: list  # what questions ask about (lexicon/intents.txt) ...
    section_intents: list[frozenset]  # ... and what each passage's headings are about
    sentences: SentenceReranker
    sentence_spans: np.ndarray | None  # (start, end) of each sentence in its passage
    sentence_stems: SentenceStems | None  # the BM25 stems of each sentence, by sentence row
    cross_encoder: CrossEncoderReranker | None
    doc_ids: np.ndarray  # distinct document ids ...
    doc_code: np.ndarray  # ... and each passage's position among them
    passage_ids: np.ndarray
    normalized: list[str]  # each passage's text, folded once for duplicate checks
    cancer_names: cancers.CancerNames
    subject_cancers: cancers.Subjects
    scope: ScopeVote | None
    backend: Backend  # where the first stage's dense and BM25 candidates come from

    @classmethod
    def load(cls, index: Index, cross_encoder_dir: str | None = None) -> "Components":
        path, n = index.path, len(index.passages)
        lexical = LexicalScorer(path / index_files.BM25, n)
        glossary = _read_json(path / index_files.GLOSSARY, [])
        definitions = _read_json(path / index_files.DEFINITIONS)
        pairs = path / index_files.SENTENCE_PAIRS
        spans = path / index_files.SENTENCE_SPANS  # absent from builds made before it
        doc_of = np.array([p["doc_id"] for p in index.passages])
        doc_ids, doc_code = np.unique(doc_of, return_inverse=True)
        normalized = [_normalized_text(p) for p in index.passages]
        owner = np.load(path / index_files.SENTENCE_OWNER)
        spans = np.load(spans) if spans.is_file() else None
        names = cancers.load()
        asked = intents.load()
        defines = [set(d) for d in definitions] if definitions else [set() for _ in range(n)]
        cross_dir = settings.CROSS_ENCODER_DIR if cross_encoder_dir is None else cross_encoder_dir
        return cls(
            index=index,
            lexical=lexical,
            speller=SpellCorrector(_read_json(path / index_files.VOCABULARY)),
            expander=Expander(
                load_synonym_file() + glossary_groups(glossary), lexical.document_frequency
            ),
            bridge=_read_bridge(path, lexical),
            stopwords=frozenset(analysis.STOPWORDS),
            answer_types=answer_types.load(),
            decision_forms=decisions.load(),
            defines=defines,
            defined=frozenset().union(*defines),
            intents=asked,
            section_intents=[
                intents.of_section(asked, p["section"], _title(index, p["doc_id"]))
                for p in index.passages
            ],
            sentences=SentenceReranker(
                load_array(path / index_files.SENTENCES),
                owner,
                n,
                load_array(pairs) if pairs.is_file() and settings.SENTENCE_PAIRS else None,
            ),
            sentence_spans=spans,
            sentence_stems=SentenceStems(index.passages, owner, spans)
            if spans is not None
            else None,
            cross_encoder=CrossEncoderReranker(cross_dir) if cross_dir else None,
            doc_ids=doc_ids,
            doc_code=doc_code,
            passage_ids=np.array([p["id"] for p in index.passages]),
            normalized=normalized,
            cancer_names=names,
            subject_cancers=cancers.Subjects(names, normalized, settings.SUBJECT_MIN_MENTIONS),
            scope=ScopeVote.load(path, settings.SCOPE_NEIGHBOURS),
            backend=open_backend(index, lexical),
        )

    def source_mask(self, sources: set[str]) -> np.ndarray:
        """Passages of the given documents."""
        codes = np.flatnonzero(np.isin(self.doc_ids, list(sources)))
        return np.isin(self.doc_code, codes)

    def mask_sources(self, mask: np.ndarray) -> list[str]:
        """The documents a source mask allows, for a backend that filters by them."""
        return [str(d) for d in self.doc_ids[np.unique(self.doc_code[mask])]]


def _title(index: Index, doc_id: str) -> str:
    return index.documents.get(doc_id, {}).get("title", "")


def _read_bridge(path: Path, lexical: LexicalScorer) -> VocabularyBridge | None:
    words = _read_json(path / index_files.BRIDGE_WORDS)
    vectors_file = path / index_files.BRIDGE_VECTORS
    if words is None or not vectors_file.is_file():
        return None  # a build from before the bridge: BM25 sees the query's own words only
    lexicon_vectors = path / index_files.LEXICON_VECTORS
    lexicon = _read_json(path / index_files.LEXICON_WORDS, []) if lexicon_vectors.is_file() else []
    return VocabularyBridge(
        words,
        np.load(vectors_file),
        lexical.retriever.vocab_dict,
        settings.BRIDGE_MIN_SIMILARITY,
        settings.BRIDGE_NEIGHBOURS,
        lexicon,
        np.load(lexicon_vectors, mmap_mode="r") if lexicon else None,
    )


class SentenceStems:
    """The BM25 stems of each sentence (what the answer stage's coverage counts),
    by sentence row: a sentence's text never changes, so each is analysed once,
    the first time its passage is searched for an answer, not on every request."""

    def __init__(self, passages: list[dict], owner: np.ndarray, spans: np.ndarray):
        self.passages, self.owner, self.spans = passages, owner, spans
        self._stems: list[frozenset | None] = [None] * len(spans)

    def __getitem__(self, row: int) -> frozenset:
        stems = self._stems[row]
        if stems is None:  # two threads at once only analyse it twice
            start, end = self.spans[row]
            text = self.passages[self.owner[row]]["text"][start:end]
            stems = self._stems[row] = frozenset(analysis.bm25_tokens([text])[0])
        return stems
