"""Turn passages into vectors with the packaged sentence-embedding model."""

from __future__ import annotations

from core import models

from .passages import Passage


def embedding_input(passage: Passage, with_section: bool) -> str:
    """The text the model sees; the section path gives short passages their topic."""
    if with_section and passage.section:
        return " > ".join(passage.section) + "\n" + passage.text
    return passage.text


def embed_passages(
    model, passages: list[Passage], with_section: bool, batch_size: int, progress: bool = True
):
    texts = [embedding_input(p, with_section) for p in passages]
    return models.embed(model, texts, batch_size=batch_size, progress=progress)


def embed_sentences(model, passages: list[Passage], batch_size: int):
    """One vector per sentence, so re-ranking can find the sentence that answers.

    Returns the vectors, for each the index of the passage it belongs to, and
    its (start, end) in that passage's text (where an answer sentence is cut).
    """
    import numpy as np

    from .sentences import sentence_spans

    texts, owner, spans = [], [], []
    for n, passage in enumerate(passages):
        for s, e in sentence_spans(passage.text):
            texts.append(passage.text[s:e])
            owner.append(n)
            spans.append((s, e))
    vectors = models.embed(model, texts, batch_size=batch_size, progress=False)
    return (
        vectors,
        np.asarray(owner, dtype="int32"),
        np.asarray(spans, dtype="int32").reshape(-1, 2),
    )


def sentence_pair_norms(vectors, owner):
    """|v_i + v_(i+1)| for each sentence and the next one of the same passage, 0
    where the next sentence belongs to another passage (or there is none).

    The searcher scores a pair of adjacent sentences as the mean of their
    vectors, (q.v_i + q.v_(i+1)) / |v_i + v_(i+1)|, from the sentence cosines
    it already has: an answer spread over two sentences needs no second
    embedding, only this one number per sentence.
    """
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    owner = np.asarray(owner)
    norms = np.zeros(len(owner), dtype=np.float32)
    if len(owner) > 1:
        same = owner[1:] == owner[:-1]
        sums = vectors[:-1][same] + vectors[1:][same]
        norms[:-1][same] = np.linalg.norm(sums, axis=1)
    return norms
