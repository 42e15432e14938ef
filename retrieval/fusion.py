"""Combine rankings from several retrievers: plain functions over score arrays."""

from __future__ import annotations

import numpy as np


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of every item (1 = best)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(1, len(scores) + 1)
    return out


def rrf(
    score_lists: list[np.ndarray], k: int = 60, weights: list[float] | None = None
) -> np.ndarray:
    """Reciprocal rank fusion (Cormack et al., 2009): robust to incomparable scales."""
    weights = weights or [1.0] * len(score_lists)
    return sum(w / (k + ranks(s)) for w, s in zip(weights, score_lists))


def minmax(scores: np.ndarray) -> np.ndarray:
    return scaled(scores, float(scores.min()), float(scores.max()))


def scaled(scores: np.ndarray, low: float, high: float) -> np.ndarray:
    """Min-max normalisation with the bounds given, so part of an array can be
    normalised exactly as the whole would be."""
    if high - low < 1e-9:
        return np.zeros_like(scores, dtype=np.float32)
    return ((scores - low) / (high - low)).astype(np.float32)


def blend(dense: np.ndarray, lexical: np.ndarray, alpha: float) -> np.ndarray:
    """alpha * dense + (1 - alpha) * lexical, each min-max normalised."""
    return alpha * minmax(dense) + (1 - alpha) * minmax(lexical)
