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
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
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
        """Unit-length float32 vectors, one per text, in the order given."""
        if isinstance(texts, str):
            texts = [texts]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Similar lengths together, as sentence-transformers does: less padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), max(batch_size, 1)):
            rows = order[start : start + batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        return out
