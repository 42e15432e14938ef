"""Sentence vectors from ONNX Runtime and the model's own fast tokenizer: no torch.

The ONNX graph (written by ``indexer/onnx_export.py``) holds the transformer,
mean pooling and L2 normalisation; the tokenizer is the model's
``tokenizer.json`` read by the ``tokenizers`` library, cut to the same length
sentence-transformers cuts it to and padded to the longest text of a batch.
``encode`` takes sentence-transformers' arguments, so either model fits
wherever ``core.models.embed`` is called.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import threads


class OnnxEmbedder:
    def __init__(self, onnx_file: Path, model_dir: Path, max_tokens: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from .models import max_length

        self.max_tokens = max_tokens or max_length(model_dir)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json may carry its own (shorter, fixed) lengths: use the model's.
        pad = tokenizer.padding or {}
        tokenizer.no_truncation()
        tokenizer.enable_truncation(self.max_tokens)
        tokenizer.no_padding()
        tokenizer.enable_padding(
            pad_id=pad.get("pad_id", 0),
            pad_type_id=pad.get("pad_type_id", 0),
            pad_token=pad.get("pad_token", "[PAD]"),
        )
        self.tokenizer = tokenizer
        self.session = ort.InferenceSession(
            str(onnx_file), threads.onnx_session_options(ort), providers=["CPUExecutionProvider"]
        )
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.dimension = int(self.session.get_outputs()[0].shape[-1])
        self.path = Path(onnx_file)

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        return self._run_tokens(*_arrays(encodings))

    def _run_tokens(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {name: feeds[name] for name in self.input_names}
        return self.session.run(None, feeds)[0]

    def encode(
        self,
        texts: list[str],
        batch_size: int = 32,
        normalize_embeddings: bool = True,  # noqa: ARG002 - the graph always normalises
        convert_to_numpy: bool = True,  # noqa: ARG002
        show_progress_bar: bool = False,  # noqa: ARG002
        **_,
    ) -> np.ndarray:
        """Unit-length float32 vectors, one per text, in the order given.

        Texts are tokenized once, and run in groups of similar length (at most
        `batch_size` each): every row of a call is padded to its longest, and a
        call costs a fixed part (the weights read once) plus its padded rows,
        so a long question and a short word go together while a few short words
        beside long questions go apart (`groups`)."""
        if isinstance(texts, str):
            texts = [texts]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        ids, mask, types = _arrays(self.tokenizer.encode_batch(texts))
        lengths = mask.sum(axis=1)
        order = np.argsort(lengths, kind="stable")
        for group in groups(lengths[order].tolist(), max(batch_size, 1)):
            rows = order[group]
            width = int(lengths[rows].max())  # padding is on the right: cut it to the group's
            out[rows] = self._run_tokens(ids[rows, :width], mask[rows, :width], types[rows, :width])
        return out


# What one model call costs beyond its padded token rows, in token rows: the
# weights read once per call (docs/performance.md, "Model CPU per query").
CALL_COST_ROWS = 22


def groups(lengths: list[int], limit: int, call_cost: int = CALL_COST_ROWS) -> list[slice]:
    """Contiguous groups of `lengths` (sorted ascending), at most `limit` each, that
    minimise the calls' estimated cost: call_cost + rows x the group's longest."""
    n = len(lengths)
    best = [0.0] + [float("inf")] * n  # best[j]: cost of the first j lengths
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - limit), j):
            cost = best[i] + call_cost + (j - i) * lengths[j - 1]
            if cost < best[j]:  # ties keep the larger group: fewer calls
                best[j], cut[j] = cost, i
    out, j = [], n
    while j:
        out.append(slice(cut[j], j))
        j = cut[j]
    return out[::-1]


def _arrays(encodings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """input_ids, attention_mask and token_type_ids of a padded batch."""
    return (
        np.array([e.ids for e in encodings], dtype=np.int64),
        np.array([e.attention_mask for e in encodings], dtype=np.int64),
        np.array([e.type_ids for e in encodings], dtype=np.int64),
    )
