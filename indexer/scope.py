"""Questions labelled by whether the library answers them, embedded for the search side.

A question's similarity to the passages says it is on the library's topic,
not that the library answers it: "can I fly after my transplant" is close to
every transplant passage. People ask the same kinds of things again (daily
life, side-effect care, numbers or drugs the documents never give), so a
curator keeps a file of questions labelled answerable (with the quote that
answers) or out of scope (with why), next to the documents they were judged
against; retrieval/scope.py lets the nearest of them vote on a new question.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core import analysis, index_files, models

from .store import write_json

LABELS_FILE = index_files.SCOPE_EXAMPLES
VECTORS_FILE = index_files.SCOPE_VECTORS


def read_examples(path: Path) -> list[dict]:
    """The labelled questions of `path` (JSON lines); none when there is no such file."""
    if not path.is_file():
        return []
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    for n, row in enumerate(rows, 1):
        if not isinstance(row.get("question"), str) or not isinstance(row.get("answerable"), bool):
            raise ValueError(f"{path}:{n}: needs a question and answerable true/false")
    return rows


def write_scope(model, examples_file: Path, out_dir: Path, batch_size: int) -> int:
    """Embed the questions as the search side embeds a query (normalised text)."""
    rows = read_examples(examples_file)
    if not rows:
        return 0
    texts = [analysis.normalize(r["question"]) for r in rows]
    vectors = models.embed(model, texts, batch_size=batch_size, progress=False)
    write_json(
        out_dir / LABELS_FILE,
        [{"question": r["question"], "answerable": r["answerable"]} for r in rows],
    )
    np.save(out_dir / VECTORS_FILE, np.asarray(vectors, dtype=np.float32))
    return len(rows)
