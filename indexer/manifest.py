"""The corpus manifest: which documents exist and how to cite them.

A document without a complete citation must never reach the index, so the
manifest is validated before anything is read or embedded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .structure import RENDERERS, layout_for

REQUIRED_FIELDS = ("id", "file", "title", "publisher", "url", "updated", "citation")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the offending entry."""


@dataclass(frozen=True)
class Document:
    id: str
    file: str
    title: str
    publisher: str
    url: str
    updated: str  # ISO date
    citation: str
    path: Path
    sha256: str
    layout: str | None = None  # None: from the extension (and, for .txt, the text's shape)
    text_file: str | None = None  # HTML, Markdown, PDF: the text layer passages slice
    text_path: Path | None = None

    @property
    def cited_file(self) -> str:
        """The file whose characters a passage's offsets index."""
        return self.text_file or self.file

    def metadata(self) -> dict:
        return {
            "id": self.id,
            "file": self.file,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "updated": self.updated,
            "citation": self.citation,
            "sha256": self.sha256,
            **{k: v for k, v in (("layout", self.layout), ("text_file", self.text_file)) if v},
        }


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entry_name(entry, position: int) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"].strip():
        return f"entry {position} ({entry['id']!r})"
    return f"entry {position}"


def validate_entry(entry, position: int, corpus_dir: Path) -> Document:
    name = _entry_name(entry, position)
    if not isinstance(entry, dict):
        raise ManifestError(f"manifest {name}: must be an object")
    for field in REQUIRED_FIELDS:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ManifestError(f"manifest {name}: missing field {field!r}")
    if not ID_PATTERN.match(entry["id"]):
        raise ManifestError(f"manifest {name}: id must be lowercase letters, digits and dashes")
    try:
        dt.date.fromisoformat(entry["updated"])
    except ValueError:
        raise ManifestError(
            f"manifest {name}: 'updated' must be an ISO date (YYYY-MM-DD)"
        ) from None
    if not re.match(r"^https?://", entry["url"]):
        raise ManifestError(f"manifest {name}: 'url' must be an http(s) URL")
    path = (corpus_dir / entry["file"]).resolve()
    if corpus_dir.resolve() not in path.parents:
        raise ManifestError(f"manifest {name}: file must be inside the corpus directory")
    if not path.is_file():
        raise ManifestError(f"manifest {name}: file not found: {entry['file']}")
    layout, text_file = entry.get("layout"), None
    try:
        if layout is not None and not isinstance(layout, str):
            raise ValueError("'layout' must be a string")
        if layout_for(entry["file"], layout) in RENDERERS:
            text_file = entry.get("text_file") or entry["file"] + ".txt"
            if (
                not isinstance(text_file, str)
                or corpus_dir.resolve() not in (corpus_dir / text_file).resolve().parents
            ):
                raise ValueError("'text_file' must be inside the corpus directory")
    except ValueError as exc:
        raise ManifestError(f"manifest {name}: {exc}") from None
    return Document(
        id=entry["id"],
        file=entry["file"],
        title=entry["title"].strip(),
        publisher=entry["publisher"].strip(),
        url=entry["url"].strip(),
        updated=entry["updated"],
        citation=entry["citation"].strip(),
        path=path,
        sha256=file_sha256(path),
        layout=layout,
        text_file=text_file,
        text_path=(corpus_dir / text_file).resolve() if text_file else None,
    )


def load_manifest(corpus_dir: Path, manifest_name: str = "manifest.json") -> list[Document]:
    """Read and validate the manifest; raise ManifestError naming the bad entry."""
    manifest_path = corpus_dir / manifest_name
    if not manifest_path.is_file():
        raise ManifestError(f"no manifest at {manifest_path}")
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ManifestError(f"manifest {manifest_path} is not valid JSON: {exc}") from None
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ManifestError("manifest must have a non-empty 'documents' list")
    documents, seen = [], set()
    for position, entry in enumerate(entries, start=1):
        doc = validate_entry(entry, position, corpus_dir)
        if doc.id in seen:
            raise ManifestError(f"manifest {_entry_name(entry, position)}: duplicate id")
        seen.add(doc.id)
        documents.append(doc)
    return documents
