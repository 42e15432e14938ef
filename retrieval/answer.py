"""The answer sentence: the one or two consecutive sentences of the top passage
that best answer the question, cut as an exact span of the cited file.

The sentences and their vectors are the second stage's (the indexer stores each
sentence's span in its passage); a pair of adjacent sentences is scored by the
mean of their vectors, as the second stage does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .components import Components


@dataclass(frozen=True)
class Answer:
    passage_id: str
    start: int  # offsets in the cited file, as the passage's own
    end: int
    text: str  # exactly the file's [start:end]


def answer_span(
    parts: Components, vector: np.ndarray, row: int, pair_margin: float
) -> Answer | None:
    """The best sentence of passage `row`, or the best adjacent pair when it beats
    the best sentence by at least `pair_margin`; None without sentence spans."""
    spans = parts.sentence_spans
    if spans is None:
        return None
    rows = parts.sentences.rows_of(row)
    if not len(rows):
        return None
    singles, pairs = parts.sentences.sentence_and_pair_scores(vector, rows)
    first = last = int(np.argmax(singles))
    if len(pairs) and pairs.max() >= singles[first] + pair_margin:
        first = int(np.argmax(pairs))
        last = first + 1
    passage = parts.index.passages[row]
    start, end = int(spans[rows[first]][0]), int(spans[rows[last]][1])
    return Answer(
        passage["id"], passage["start"] + start, passage["start"] + end, passage["text"][start:end]
    )
