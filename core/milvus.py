"""What the indexer and the Milvus backend agree on: the collection's fields,
its name for a build, and how to reach Milvus, embedded or a server.

Milvus Lite keeps its database in a directory that one process at a time may
open (a file lock). The process that opens it serves it on a local port and
writes that address beside it; any other process (a forked web worker, the
indexer while the service runs) connects to that address instead.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import index_files

# Fields of a build's collection. `id` is the passage's row in passages.jsonl.
ID, VECTOR, DOC_ID, TOKENS, SPARSE = "id", "vector", "doc_id", "tokens", "bm25"
TOKENS_MAX_LENGTH = 65_535  # the longest VARCHAR Milvus stores
DOC_ID_MAX_LENGTH = 512
SERVER_SCHEMES = ("http://", "https://", "tcp://", "grpc://", "unix:")
BUILD_PROPERTY = "cancer_search_build"  # collection property: JSON of describe() below
ADDRESS_SUFFIX = ".address"  # beside a Milvus Lite database: where its holder serves it


class MilvusUnavailable(RuntimeError):
    """Milvus cannot be reached or does not hold what the build needs; one line."""


def collection_name(alias: str, version: str) -> str:
    """A build's own collection: the alias plus the build version (Milvus allows
    letters, digits and underscores)."""
    return f"{alias}_{re.sub(r'[^A-Za-z0-9_]', '_', version)}"


def is_server(uri: str) -> bool:
    return uri.startswith(SERVER_SCHEMES)


def resolve_uri(uri: str, index_dir: Path) -> str:
    """The configured URI; by default the embedded database beside the builds."""
    return uri or str(Path(index_dir) / index_files.MILVUS_LITE)


def redact(uri: str) -> str:
    """The URI without user, password or query string, for logs and /api/health."""
    if not is_server(uri):
        return uri
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def describe(meta: dict, k1: float, b: float) -> str:
    """The collection's description: what a reader checks against its build."""
    return json.dumps(
        {
            "version": meta["version"],
            "model": meta["model"]["name"],
            "dimension": meta["model"]["dimension"],
            "passage_count": meta["passage_count"],
            "analysis": meta.get("analysis"),
            "bm25_k1": k1,
            "bm25_b": b,
        },
        sort_keys=True,
    )


_served: dict[str, str] = {}  # Milvus Lite databases this process serves -> their address


def _held_elsewhere(path: Path) -> bool:
    import fcntl

    fd = os.open(path / "LOCK", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def lite_address(path: Path) -> str:
    """The address serving the Milvus Lite database at `path`: this process's own
    server (started on first use), or that of the process holding it."""
    path = Path(path).resolve()
    key = str(path)
    if key in _served:
        return _served[key]
    path.mkdir(parents=True, exist_ok=True)
    address_file = path.with_name(path.name + ADDRESS_SUFFIX)
    if _held_elsewhere(path):
        try:
            return address_file.read_text(encoding="utf-8").strip()
        except OSError:
            raise MilvusUnavailable(
                f"Milvus Lite database {path} is open in another process that does not serve it"
            ) from None
    from milvus_lite.adapter.grpc.server import start_server_in_thread

    server, db, port = start_server_in_thread(data_dir=key, host="127.0.0.1", port=0)
    address = f"http://127.0.0.1:{port}"
    _served[key] = address
    tmp = address_file.with_name(f".{address_file.name}.{os.getpid()}")
    tmp.write_text(address + "\n", encoding="utf-8")
    os.replace(tmp, address_file)
    owner = os.getpid()

    def stop() -> None:
        if os.getpid() == owner:  # forked children share the parent's server; it stops it
            server.stop(grace=1)
            db.close()

    atexit.register(stop)
    return address


def connect(uri: str, token: str = "", timeout: float = 5.0):
    """A MilvusClient for `uri` (a server address or a Milvus Lite path);
    MilvusUnavailable, in one line, when it cannot be reached."""
    quiet()
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    try:
        address = uri if is_server(uri) else lite_address(Path(uri))
        # Dedicated: a connection that failed is closed and the next one starts afresh;
        # pymilvus's shared ones can stay broken after the server comes back.
        return MilvusClient(uri=address, token=token, timeout=timeout, dedicated=True)
    except MilvusUnavailable:
        raise
    except (MilvusException, OSError, RuntimeError) as exc:
        raise MilvusUnavailable(
            f"Milvus at {redact(uri)} is unreachable: {one_line(exc)}"
        ) from None


def quiet() -> None:
    """pymilvus logs a traceback for every failed call; the service logs one line per
    problem instead (search_app/errors.py), and gRPC's fork notices are noise."""
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    for name in ("pymilvus", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def close(client) -> None:
    """Close a client, whatever state its connection is in."""
    try:
        client.close()
    except Exception:  # noqa: BLE001 - it is being thrown away
        pass


def one_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:300]
