"""From what a person typed to what the retrievers search for.

Spelling is corrected towards the corpus's own vocabulary ("myloma" ->
"myeloma"), and lay phrases are expanded with the clinical words the corpus
uses, from a maintained synonym file and from the definitions the indexer
harvested from the corpus itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from core import analysis

from . import intents
from .bridging import content_words

SYNONYMS_FILE = Path(__file__).parent / "lexicon" / "synonyms.txt"
# Bounds on the stages whose cost grows with the query, whatever called them
# (the API also caps the query's words). Each is above anything the gold
# questions need: spelling looks up the first words that are neither corpus
# nor English words, the bridge embeds the first unknown words, and a word
# longer than any medical term is neither corrected nor bridged.
MAX_SPELLING_LOOKUPS = 8
MAX_BRIDGED_WORDS = 8
MAX_WORD_CHARS = 24
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\S")


@lru_cache(maxsize=1)
def _english():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


def _english_correction(word: str) -> str | None:
    """The commonest English word one edit away; None when two are equally common.
    (SpellChecker.correction breaks such ties by set order, which changes with
    the process's hash seed: "covid" became "bovid" in one worker, "covin" in another.)"""
    english = _english()
    found = english.candidates(word) or ()
    ranked = sorted(
        ((english.word_usage_frequency(w), w) for w in found if w != word), reverse=True
    )
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


class SpellCorrector:
    """Correct words that are neither English nor corpus words to the nearest corpus word."""

    def __init__(self, vocabulary: dict[str, int]):
        self.vocabulary = {w: c for w, c in vocabulary.items() if len(w) > 2}
        self.words = list(self.vocabulary)
        # The English word list, loaded now, not on the first request. For a
        # lowercase word of letters, SpellChecker.known is membership in it.
        self.english = _english().word_frequency.dictionary

    def known(self, word: str) -> bool:
        """`word`: lowercase letters (what correct and correct_word look up)."""
        return word in self.vocabulary or word in self.english

    def correct_word(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < 4 or not lower.isalpha() or self.known(lower):
            return word
        # Short words tolerate one edit, longer ones two; the nearest, then the commonest, wins.
        max_edits = 1 if len(lower) < 6 else 2
        matches = process.extract(
            lower,
            self.words,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=max_edits,
            limit=None,
        )
        if matches:
            best = min(matches, key=lambda m: (m[1], -self.vocabulary[m[0]], m[0]))
            return best[0]
        return _english_correction(lower) or word

    def correct(self, text: str) -> str:
        # A word in capitals inside a question that is not all capitals is an
        # acronym ("EGFR", "ABVD", "MRD"): correcting it only invents a word.
        shouting = text.isupper()
        done: dict[str, str] = {}
        lookups = 0
        out = []
        for piece in re.split(r"([^\W\d_]+)", text):
            if (
                piece[:1].isalpha()
                and len(piece) <= MAX_WORD_CHARS
                and (shouting or not (piece.isupper() and len(piece) > 1))
            ):
                if piece not in done:
                    # Each lookup scans the vocabulary: only the first few are made.
                    lookups += len(piece) >= 4 and not self.known(piece.lower())
                    done[piece] = (
                        self.correct_word(piece) if lookups <= MAX_SPELLING_LOOKUPS else piece
                    )
                piece = done[piece]
            out.append(piece)
        return "".join(out)


_DEFINITION_CUE = re.compile(
    r"\b(?:mean|means|meaning|definition|define|defined|what\s+(?:is|are)|what'?s|wat\s+is)\b", re.I
)
DEFINITION_CUE_STEMS = frozenset(
    analysis.bm25_tokens(["mean means meaning definition define defined wat"])[0]
)


def defined_term_stems(text: str) -> list[str]:
    """The stems a question asks the meaning of ("wat does refractory mean" -> refractori);
    empty when it does not ask what something means."""
    if not _DEFINITION_CUE.search(text):
        return []
    return [t for t in analysis.bm25_tokens([text])[0] if t not in DEFINITION_CUE_STEMS]


@dataclass(frozen=True)
class Phrase:
    stems: tuple[str, ...]  # every word, stemmed: what must appear, in order, in the query
    tokens: tuple[str, ...]  # BM25 tokens (stopwords removed): what gets added


@dataclass(frozen=True)
class Equivalence:
    """When a `sources` phrase is in the query, the `targets` phrases are searched too."""

    sources: tuple[Phrase, ...]
    targets: tuple[Phrase, ...]


def _phrase(text: str) -> Phrase | None:
    tokens = tuple(analysis.bm25_tokens([text])[0])
    return Phrase(tuple(analysis.stems(text)), tokens) if tokens else None


def parse_synonym_line(line: str) -> Equivalence | None:
    """`a | b` is two-way; `lay | plain => clinical` adds the right side for the left."""
    line = line.split("#", 1)[0].strip()
    left, arrow, right = line.partition("=>")
    sources = tuple(p for p in map(_phrase, left.split("|")) if p)
    targets = tuple(p for p in map(_phrase, right.split("|")) if p) if arrow else sources
    if not sources or not targets or (not arrow and len(sources) < 2):
        return None
    return Equivalence(sources, targets)


def load_synonym_file(path: Path = SYNONYMS_FILE) -> list[Equivalence]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [g for g in map(parse_synonym_line, lines) if g]


def glossary_groups(glossary: list[dict]) -> list[Equivalence]:
    """A term the corpus glosses is also searched by its gloss ("MGUS" -> "monoclonal
    gammopathy ..."), one way: a gloss is often a list of members or an everyday
    phrase ("bortezomib" in "proteasome inhibitors ( bortezomib , ... )", "a type
    of white blood cell"), and a question using those words is seldom about the
    term (docs/decisions.md)."""
    groups = []
    for entry in glossary:
        term, gloss = _phrase(entry["term"]), _phrase(entry["gloss"])
        if term and gloss and term.tokens != gloss.tokens:
            groups.append(Equivalence((term,), (gloss,)))
    return groups


class Expander:
    """Adds the tokens of the phrases equivalent to one the query contains.

    Phrases are indexed by their first stem at load time, so a query costs a
    look-up per word, not a scan of every synonym group.
    """

    def __init__(
        self, groups: list[Equivalence], document_frequency: dict[str, float], max_df: float = 0.25
    ):
        self.groups = groups
        self.df = document_frequency
        self.max_df = max_df
        self.by_first_stem: dict[str, list[tuple[int, Phrase]]] = {}
        for g, group in enumerate(groups):
            for phrase in group.sources:
                if phrase.stems and self._specific(phrase):
                    self.by_first_stem.setdefault(phrase.stems[0], []).append((g, phrase))

    def _specific(self, phrase: Phrase) -> bool:
        # One common word ("cancer", "treatment") is too vague to expand on.
        return len(phrase.tokens) > 1 or self.df.get(phrase.tokens[0], 0.0) <= self.max_df

    def triggered(self, stems: list[str]) -> dict[int, list[Phrase]]:
        """Group index -> the source phrases of that group the query contains, in order."""
        hits: dict[int, list[Phrase]] = {}
        for i, stem in enumerate(stems):
            for g, phrase in self.by_first_stem.get(stem, ()):
                if tuple(
                    stems[i : i + len(phrase.stems)]
                ) == phrase.stems and phrase not in hits.get(g, ()):
                    hits.setdefault(g, []).append(phrase)
        return hits

    def expand(self, text: str, tokens: list[str]) -> list[str]:
        hits = self.triggered(analysis.stems(text))
        added: list[str] = []
        for g in sorted(hits):
            for phrase in self.groups[g].targets:
                if phrase not in hits[g]:
                    added.extend(t for t in phrase.tokens if t not in tokens and t not in added)
        return added


@dataclass
class QueryPlan:
    """What the retrievers search for, derived once from what a person typed."""

    text: str  # what the dense side embeds
    corrected: str | None  # set only when spelling correction changed something
    tokens: list[str]  # BM25 tokens, expansion included
    expansion: list[str]
    content_words: int = 0  # words that can carry its subject (abstention calibrates by length)
    unknown: list[str] = field(default_factory=list)  # words no passage contains
    unknown_vectors: np.ndarray | None = None
    unknown_similarities: np.ndarray | None = None  # to every corpus word (bridge.similarities)
    intents: frozenset = frozenset()  # what it asks about (retrieval/intents.py)

    @property
    def own_tokens(self) -> list[str]:
        return self.tokens[: len(self.tokens) - len(self.expansion)]


def plan(parts, word_vectors, query: str, pipeline) -> QueryPlan:
    """Normalise, correct spelling, expand lay words and bridge unknown ones.
    `parts` are the loaded Components; `word_vectors` embeds words (cached)."""
    query_plan = prepare(parts, query, pipeline)
    if query_plan.unknown:
        vectors = parts.bridge.word_vectors(query_plan.unknown, word_vectors)
        bridge(parts, query_plan, vectors, pipeline)
    return query_plan


def prepare(parts, query: str, pipeline) -> QueryPlan:
    """The plan up to the bridge: its unknown words are found, not yet embedded
    (`bridge` finishes it), so that their model work can join the query's."""
    text = analysis.normalize(query)
    corrected = None
    if pipeline.spelling:
        fixed = parts.speller.correct(text)
        if fixed != text:
            corrected, text = fixed, fixed
    tokens = analysis.bm25_tokens([text])[0]
    expansion = parts.expander.expand(text, tokens) if pipeline.expansion else []
    words = content_words(text, parts.stopwords)
    unknown = []
    # Unknown words feed the bridge and, wherever the model runs, abstention.
    if parts.bridge is not None and (pipeline.bridge or pipeline.uses_model):
        unknown = parts.bridge.unknown([w for w in words if len(w) <= MAX_WORD_CHARS])
        unknown = unknown[:MAX_BRIDGED_WORDS]
    return QueryPlan(
        text=text,
        corrected=corrected,
        tokens=tokens + expansion,
        expansion=expansion,
        content_words=len(words),
        unknown=unknown,
        intents=intents.asked(parts.intents, text),
    )


def bridge(parts, query_plan: QueryPlan, vectors: np.ndarray, pipeline) -> None:
    """Finish a prepared plan with its unknown words' vectors: the corpus words
    nearest to them join the BM25 tokens (when the pipeline bridges)."""
    query_plan.unknown_vectors = vectors
    query_plan.unknown_similarities = sims = parts.bridge.similarities(vectors)
    if pipeline.bridge:
        added = parts.bridge.expand(vectors, query_plan.tokens, sims)
        query_plan.expansion.extend(added)
        query_plan.tokens.extend(added)
