"""Turn passages into vectors with the packaged sentence-embedding model."""

from __future__ import annotations

from core import models

from .passages import Passage


def embedding_input(passage: Passage, with_section: bool) -> str:
    """The text the model sees; the section path gives short passages their topic."""
    if with_section and passage.section:
        return " > ".join(passage.section) + "\n" + passage.text
    return passage.text


def embed_passages(model, passages: list[Passage], with_section: bool,
                   batch_size: int, progress: bool = True):
    texts = [embedding_input(p, with_section) for p in passages]
    return models.embed(model, texts, batch_size=batch_size, progress=progress)


def embed_sentences(model, passages: list[Passage], batch_size: int):
    """One vector per sentence, so re-ranking can find the sentence that answers.

    Returns the vectors and, for each, the index of the passage it belongs to.
    """
    import numpy as np

    from .sentences import sentence_spans

    texts, owner = [], []
    for n, passage in enumerate(passages):
        for s, e in sentence_spans(passage.text):
            texts.append(passage.text[s:e])
            owner.append(n)
    vectors = models.embed(model, texts, batch_size=batch_size, progress=False)
    return vectors, np.asarray(owner, dtype="int32")
