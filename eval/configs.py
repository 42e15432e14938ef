"""The retriever configurations the harness compares, as Pipeline switches.

`bm25` and `dense` are the baselines; `service` is exactly what the running
service does (the Pipeline defaults from core/settings.py).
"""

from retrieval.search import Pipeline

_BARE = Pipeline(spelling=False, expansion=False, bridge=False, rerank="none", answer_passages=0)

CONFIGS: dict[str, Pipeline] = {
    "bm25": _BARE.replace(dense=False),
    "dense": _BARE.replace(lexical=False),
    "fusion": _BARE,
    "fusion+rerank": _BARE.replace(rerank="sentence"),
    "fusion+lay": _BARE.replace(spelling=True, expansion=True, bridge=True),
    "service": Pipeline(),
}
BASELINES = ("bm25", "dense")
