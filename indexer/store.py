"""Write an index build atomically and point `current` at it.

A build is written into a temporary directory beside the others and renamed
into `builds/<version>`; then the `current` symlink is swapped in one
`os.replace`. A crash at any point leaves the previous index serving and no
half-written build where a reader could find it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from core import index_files

CURRENT = index_files.CURRENT
BUILDS = index_files.BUILDS
KEEP_BUILDS = 3


def write_build(out_dir: Path, version: str, write_files) -> Path:
    """Call write_files(tmp_dir), then publish tmp_dir as the current build."""
    builds = out_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=builds))
    tmp.chmod(0o755)
    try:
        write_files(tmp)
        for f in tmp.rglob("*"):  # durable before it becomes visible
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        final = builds / version
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    link_tmp = out_dir / f".{CURRENT}.{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(Path(BUILDS) / version, link_tmp)
    os.replace(link_tmp, out_dir / CURRENT)
    _prune(builds, keep=final.name)
    return final


def _prune(builds: Path, keep: str) -> None:
    """Drop old builds and abandoned temporaries, keeping the newest few."""
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in done[KEEP_BUILDS:]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in builds.glob(".tmp-*"):
        if tmp.stat().st_mtime < (builds / keep).stat().st_mtime - 3600:
            shutil.rmtree(tmp, ignore_errors=True)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace a file in one rename, so no reader ever sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
