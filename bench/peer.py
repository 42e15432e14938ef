"""The plain peer the benchmark compares with: what a search service is without our work.

sentence-transformers + FAISS + Flask under gunicorn (2 workers x 2 threads,
gthread), the same model and the same passages from the same index build,
one torch thread per worker so that two workers share two cores without
fighting. No spelling, BM25, re-ranking or abstention: a dense top k.
Started by bench/server.py's `peer_command` with PEER_INDEX_DIR set.
"""

import json
import os
from pathlib import Path

GUNICORN_ARGS = ["--workers", "2", "--threads", "2", "--worker-class", "gthread"]
GUNICORN_ARGS += ["--no-control-socket", "bench.peer:app"]


def create():
    import faiss
    import torch
    from flask import Flask, jsonify, request
    from sentence_transformers import SentenceTransformer

    from core.models import model_path

    torch.set_num_threads(1)
    build = Path(os.environ["PEER_INDEX_DIR"]).resolve()
    build = build / "current" if (build / "current").exists() else build
    meta = json.loads((build / "meta.json").read_text())
    passages = [json.loads(line) for line in open(build / "passages.jsonl", encoding="utf-8")]
    index = faiss.read_index(str(build / "dense.faiss"))
    model = SentenceTransformer(str(model_path(meta["model"]["name"])), device="cpu")
    app = Flask(__name__)

    @app.get("/api/search")
    def search():
        q = request.args.get("q", "")
        k = min(int(request.args.get("k", 10)), 50)
        vector = model.encode([q], normalize_embeddings=True, convert_to_numpy=True)
        scores, rows = index.search(vector.astype("float32"), k)
        hits = [{**passages[r], "score": float(s)} for s, r in zip(scores[0], rows[0]) if r >= 0]
        return jsonify({"query": q, "results": hits})

    @app.get("/api/health")
    def health():
        return jsonify({"status": "ok"})

    return app


app = create() if os.environ.get("PEER_INDEX_DIR") else None
