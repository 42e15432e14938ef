"""The first stage's best passages, without scoring or sorting every passage.

Sorting a million fused scores costs ~90 ms a request, blending them ~10 ms.
A `Candidates` holds the exact first-stage scores of the passages that can
reach the top, and a bound that no other passage's score exceeds; `top(m)`
returns the same passages in the same order (score descending, index
ascending) as sorting the full score array would, and falls back to the full
computation in the rare case that the candidates run out before m.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import fusion

EMPTY = np.zeros(0, dtype=np.int64)


def ordered(ids: np.ndarray, scores: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The m best of `ids` by score, ties by index, as a stable argsort would give them."""
    if len(ids) > m:  # partition first: linear in len(ids), the sort is then only m long
        kth = len(scores) - m
        value = np.partition(scores, kth)[kth]
        keep = np.flatnonzero(scores >= value)  # ties at the cut all stay, for the index order
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:m]
    return ids[order], scores[order]


@dataclass
class Candidates:
    ids: np.ndarray  # allowed passages whose exact score is known
    scores: np.ndarray  # their first-stage scores, float32, as the full computation gives them
    # No allowed passage outside `ids` scores above this; -inf when `ids` are all of them.
    bound: float = -np.inf
    # The full computation (a Candidates with bound -inf), for when these run out.
    everything: Callable[[], "Candidates"] | None = None

    @classmethod
    def complete(cls, scores: np.ndarray, allowed: np.ndarray | None) -> "Candidates":
        """Every allowed passage of a full score array."""
        ids = np.arange(len(scores)) if allowed is None else np.flatnonzero(allowed)
        return cls(ids, scores[ids])

    def top(self, m: int) -> tuple[np.ndarray, np.ndarray, bool]:
        """The m best allowed passages and their scores, in the full order; and whether
        that is all of them (fewer than m allowed passages)."""
        ids, scores = ordered(self.ids, self.scores, m)
        if self.bound == -np.inf:
            return ids, scores, len(ids) < m
        if np.count_nonzero(scores > self.bound) >= m:
            return ids, scores, False
        full = self.everything()
        self.ids, self.scores, self.bound, self.everything = full.ids, full.scores, -np.inf, None
        return self.top(m)


def blend(
    dense_ids: np.ndarray,
    dense_values: np.ndarray,
    lexical: np.ndarray,
    alpha: float,
    allowed: np.ndarray | None = None,
) -> Candidates:
    """Candidates of `fusion.blend` when the dense side scored only `dense_ids` (its top).

    The full computation gives every other passage a dense score of -1; so
    outside the dense top a passage's fused score grows with its BM25 score
    alone, and only passages whose BM25 score could lift them past the
    weakest dense candidate need a fused score: one comparison over the BM25
    array finds them.
    """
    n = len(lexical)
    fill = np.float32(-1.0)
    d_low = min(float(dense_values.min()), -1.0) if len(dense_values) else -1.0
    d_high = max(float(dense_values.max()), -1.0) if len(dense_values) else -1.0
    l_low, l_high = float(lexical.min()), float(lexical.max())

    def fused(dense: np.ndarray, lex: np.ndarray) -> np.ndarray:
        # Term by term what fusion.blend computes over the full arrays, so values match exactly.
        return (
            alpha * fusion.scaled(dense, d_low, d_high)
            + (1 - alpha) * fusion.scaled(lex, l_low, l_high)
        ).astype(np.float32)

    def everything() -> Candidates:
        dense = np.full(n, fill, dtype=np.float32)
        dense[dense_ids] = dense_values
        return Candidates.complete(fused(dense, lexical), allowed)

    dense_scores = fused(dense_values, lexical[dense_ids])
    in_reach = dense_scores if allowed is None else dense_scores[allowed[dense_ids]]
    if not len(in_reach):
        return everything()
    weakest = float(in_reach.min())

    def outside(lex_value: float) -> float:
        """Fused score of a passage outside the dense top with this BM25 score."""
        return float(fused(np.array([fill]), np.array([lex_value], dtype=np.float32))[0])

    spread = l_high - l_low
    if alpha >= 1 or spread < 1e-9:  # BM25 cannot separate the passages outside the dense top
        extra, bound = EMPTY, outside(l_high)
    else:
        # The BM25 score at which an outside passage would tie the weakest dense
        # candidate, lowered a little so that rounding cannot leave one out.
        need = (weakest - float(alpha * fusion.scaled(np.array([fill]), d_low, d_high)[0])) / (
            1 - alpha
        )
        cut = np.float32(l_low + (need - 1e-6) * spread)
        if cut <= l_low:
            return everything()
        extra = np.setdiff1d(np.flatnonzero(lexical >= cut), dense_ids, assume_unique=True)
        bound = outside(min(float(cut), l_high))
    ids = np.concatenate([dense_ids, extra]).astype(np.int64)
    scores = np.concatenate(
        [dense_scores, fused(np.full(len(extra), fill, dtype=np.float32), lexical[extra])]
    )
    if allowed is not None:
        keep = allowed[ids]
        ids, scores = ids[keep], scores[keep]
    return Candidates(ids, scores, bound, everything)


class PassageScores:
    """Scores of some passages, indexed by passage number as the full array would be."""

    def __init__(self, ids: np.ndarray, values: np.ndarray):
        order = np.argsort(ids, kind="stable")
        self.ids, self.values = ids[order], values[order]

    def __getitem__(self, passages):
        at = np.searchsorted(self.ids, passages)
        if not len(self.ids) or not np.array_equal(
            self.ids[np.minimum(at, len(self.ids) - 1)], passages
        ):
            raise KeyError("scores asked for a passage that was not scored")
        return self.values[at]

    def max(self):
        return self.values.max()
