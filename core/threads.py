"""Every native thread pool sized from one setting, CANCER_SEARCH_NATIVE_THREADS.

ONNX Runtime, FAISS (OpenMP), BLAS, the tokenizers' Rayon pool and torch each
start one thread per core by default. In a server that already runs requests
on several threads, pools of that size fight over the cores (measured: see
docs/performance.md); 1 lets the request threads be the only parallelism.
0 leaves every library its own default (the indexer, alone on the machine).
"""

from __future__ import annotations

import os

from . import settings

# Read by OpenMP, OpenBLAS, MKL, numexpr and Rayon when they start.
ENV_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "RAYON_NUM_THREADS",
)


def count() -> int:
    return settings.NATIVE_THREADS


def set_environment(n: int | None = None) -> None:
    """Before the libraries load: their pools read these once, at start."""
    n = count() if n is None else n
    if n <= 0:
        return
    for name in ENV_VARIABLES:
        os.environ[name] = str(n)
    # One request's few words gain nothing from a parallel tokenizer.
    os.environ["TOKENIZERS_PARALLELISM"] = "true" if n > 1 else "false"


def apply(n: int | None = None) -> None:
    """After the libraries loaded: resize the pools that already exist."""
    n = count() if n is None else n
    if n <= 0:
        return
    set_environment(n)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=n)  # BLAS and OpenMP loaded so far
    try:
        import faiss
    except ImportError:
        return
    faiss.omp_set_num_threads(n)


def onnx_session_options(ort):
    """intra-op threads from the setting, no inter-op pool, no spinning on a shared machine."""
    options = ort.SessionOptions()
    n = count()
    options.intra_op_num_threads = n if n > 0 else 0
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def configure_torch(torch) -> None:
    n = count()
    if n > 0:
        torch.set_num_threads(n)
