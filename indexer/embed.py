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
