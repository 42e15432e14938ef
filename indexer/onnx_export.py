"""Export the packaged sentence model to ONNX once, so that serving never needs torch.

The exported graph is the whole sentence-transformers pipeline after the
tokenizer: the transformer, mean pooling over the attention mask and L2
normalisation, so that ONNX Runtime returns exactly what
``SentenceTransformer.encode(normalize_embeddings=True)`` returns. The file
depends only on the model's weights and the export recipe, so one copy is
cached under ``.cache/onnx/`` keyed by both, and each build gets a hard link
to it (a copy across file systems) named ``index_files.QUERY_ENCODER``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from core import index_files, models

OPSET = 17
# Bump when the wrapper or export options change: the cache key includes it.
RECIPE = f"mean-pool+l2norm/opset{OPSET}/torchscript/v1"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"


def weights_sha256(model_dir: Path) -> str:
    """One digest over every file that shapes the vectors (weights, config, tokenizer)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        if path.suffix in (".md",) or path.name.startswith("."):
            continue
        digest.update(str(path.relative_to(model_dir)).encode())
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _export(model_name: str, target: Path) -> None:
    """torch.onnx.export of the transformer with pooling and normalisation inside."""
    import torch

    model = models.load_embedder(model_name)
    transformer = model[0].auto_model

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    wrapper = SentenceEmbedding(transformer).eval()
    example = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {OUTPUT: {0: "batch"}}
    # The tracer warns about shape-dependent branches the exported graph does not need.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (example, example, torch.zeros_like(example)),
            str(target),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def cached_export(model_name: str, cache_dir: Path) -> tuple[Path, dict]:
    """The cached ONNX file for this model (exported on first need) and its record."""
    model_dir = models.model_path(model_name)
    weights = weights_sha256(model_dir)
    key = hashlib.sha256(f"{weights}/{RECIPE}".encode()).hexdigest()[:16]
    folder = Path(cache_dir) / "onnx" / f"{Path(model_name).name}-{key}"
    path = folder / index_files.QUERY_ENCODER
    record_path = folder / "record.json"
    if not (path.is_file() and record_path.is_file()):
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            staged = Path(tmp) / index_files.QUERY_ENCODER
            _export(model_name, staged)
            record = {
                "file": index_files.QUERY_ENCODER,
                "sha256": _file_sha256(staged),
                "weights_sha256": weights,
                "recipe": RECIPE,
                "max_length": models.max_length(model_dir),
                "precision": "fp32",
                "inputs": list(INPUTS),
                "output": OUTPUT,
            }
            staged_record = Path(tmp) / record_path.name
            staged_record.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
            os.replace(staged, path)  # each rename is atomic: a concurrent build sees
            os.replace(staged_record, record_path)  # no file or a whole one
    return path, json.loads(record_path.read_text(encoding="utf-8"))


def write_query_encoder(model_name: str, cache_dir: Path, build_dir: Path) -> dict:
    """Put the ONNX query encoder into a build being written; return meta.json's record."""
    source, record = cached_export(model_name, cache_dir)
    target = build_dir / index_files.QUERY_ENCODER
    try:
        os.link(source, target)  # the same bytes for every build: no copy
    except OSError:
        shutil.copyfile(source, target)
    return record


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
