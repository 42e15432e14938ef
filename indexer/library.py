"""Support staff's commands: add a document to the corpus, remove one, list them.

`add` checks everything before touching the corpus (the file exists, its
format is supported, it has text to index, the id and file are new, the
metadata is complete), copies the file in unchanged, records it in the
manifest and rebuilds; if the rebuild fails the corpus is put back as it was.
Only the documents that changed are embedded again (see incremental.py).
One lock file serialises staff working on the same corpus at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import re
import string
from pathlib import Path

from core import index_files, settings

from .manifest import ID_PATTERN, ManifestError, load_manifest
from .sources import cut, write_if_changed
from .store import write_bytes_atomic
from .structure import RENDERERS, layout_for, render

LOCK_NAME = ".manifest.lock"
PLACEHOLDERS = {"updated", "accessed"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LibraryError(ValueError):
    """A request the corpus cannot take; the message is one line for the operator."""


# --- the manifest file ----------------------------------------------------------


@contextlib.contextmanager
def locked(corpus_dir: Path):
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with open(corpus_dir / LOCK_NAME, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_manifest(corpus_dir: Path) -> dict:
    path = corpus_dir / settings.MANIFEST_NAME
    if not path.is_file():
        return {"documents": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LibraryError(f"manifest {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise LibraryError(f"manifest {path} has no 'documents' list")
    return data


def _snapshot(corpus_dir: Path):
    """The manifest's bytes, to put back exactly if a change has to be undone."""
    path = corpus_dir / settings.MANIFEST_NAME
    original = path.read_bytes() if path.is_file() else None

    def restore() -> None:
        if original is None:
            path.unlink(missing_ok=True)
        else:
            write_bytes_atomic(path, original)

    return restore


def write_manifest(corpus_dir: Path, data: dict) -> None:
    write_if_changed(
        corpus_dir / settings.MANIFEST_NAME, json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    )


# --- checks -------------------------------------------------------------------------


def slug(text: str) -> str:
    """A document id from a file name: lowercase words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")


def check_date(value: str, today: dt.date | None = None) -> str:
    try:
        if not _DATE.match(value):
            raise ValueError
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise LibraryError(f"bad date {value!r}: --updated must be YYYY-MM-DD") from None
    if date > (today or dt.date.today()):
        raise LibraryError(f"bad date {value!r}: --updated is in the future")
    return value


def check_citation(citation: str) -> str:
    """Citations are filled with str.format: only {updated} and {accessed} may appear."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(citation) if f is not None}
    except ValueError as exc:
        raise LibraryError(f"bad citation: {exc} (write a literal brace as {{{{ or }}}})") from None
    unknown = fields - PLACEHOLDERS
    if unknown:
        raise LibraryError(
            f"bad citation: unknown placeholder {{{sorted(unknown)[0]}}}; "
            "only {updated} and {accessed} are filled in"
        )
    return citation


def default_citation(title: str, publisher: str, url: str) -> str:
    def literal(s: str) -> str:
        return s.replace("{", "{{").replace("}", "}}")

    return (
        f"{literal(publisher)}. {literal(title)}. Updated {{updated}}. "
        f"Available at: {literal(url)}. Accessed {{accessed}}."
    )


def _required(name: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise LibraryError(f"--{name} is required and must not be blank")
    if "\x00" in value:
        raise LibraryError(f"--{name} contains a NUL character")
    return value.strip()


# --- commands -----------------------------------------------------------------------


def add(
    path: Path,
    *,
    title: str,
    publisher: str,
    url: str,
    updated: str,
    doc_id: str | None = None,
    citation: str | None = None,
    layout: str | None = None,
    corpus_dir: Path | None = None,
    out_dir: Path | None = None,
    build: bool = True,
    progress: bool = False,
) -> tuple[dict, object]:
    """Add one document; returns its manifest entry and the BuildResult (None without build)."""
    corpus_dir = Path(corpus_dir or settings.CORPUS_DIR)
    path = Path(path)
    if not path.is_file():
        raise LibraryError(f"no such file: {path}")
    try:
        layout_for(path.name, layout)
    except ValueError as exc:
        raise LibraryError(str(exc)) from None
    title, publisher = _required("title", title), _required("publisher", publisher)
    url = _required("url", url)
    if not re.match(r"^https?://\S+$", url):
        raise LibraryError(f"bad url {url!r}: it must start with http:// or https://")
    updated = check_date(_required("updated", updated))
    citation = check_citation(
        citation.strip()
        if citation and citation.strip()
        else default_citation(title, publisher, url)
    )
    doc_id = doc_id if doc_id is not None else slug(path.stem)
    if not ID_PATTERN.match(doc_id):
        raise LibraryError(
            f"bad id {doc_id!r}: use lowercase letters, digits and dashes (--id to choose one)"
        )
    data = path.read_bytes()
    file_name = doc_id + path.suffix.lower()

    try:
        used_layout, rendering = render(data, file_name, title, layout)
    except ValueError as exc:
        raise LibraryError(f"cannot read {path}: {exc}") from None
    if not cut(doc_id, rendering):
        hint = " (a scanned PDF needs text recognition first)" if used_layout == "pdf" else ""
        raise LibraryError(f"empty document: {path} has no text to index{hint}")

    with locked(corpus_dir):
        manifest, restore = read_manifest(corpus_dir), _snapshot(corpus_dir)
        entries = manifest["documents"]
        digest = hashlib.sha256(data).hexdigest()
        for entry in entries:
            if isinstance(entry, dict) and entry.get("id") == doc_id:
                raise LibraryError(
                    f"duplicate id {doc_id!r}: the corpus already has it "
                    f"({entry.get('title', '')}); choose another with --id"
                )
            other = corpus_dir / str(entry.get("file", "")) if isinstance(entry, dict) else None
            if (
                other
                and other.is_file()
                and hashlib.sha256(other.read_bytes()).hexdigest() == digest
            ):
                raise LibraryError(
                    f"duplicate document: this file is already in the corpus as {entry.get('id')!r}"
                )
        text_file = file_name + ".txt" if used_layout in RENDERERS else None
        for name in filter(None, (file_name, text_file)):
            if (corpus_dir / name).exists():
                raise LibraryError(
                    f"the corpus already has a file named {name}; choose another --id"
                )

        entry = {
            "id": doc_id,
            "file": file_name,
            "title": title,
            "publisher": publisher,
            "url": url,
            "updated": updated,
            "citation": citation,
        }
        if layout:
            entry["layout"] = layout
        if text_file:
            entry["text_file"] = text_file
        written = [corpus_dir / file_name]
        write_bytes_atomic(written[0], data)
        if text_file:
            written.append(corpus_dir / text_file)
            write_bytes_atomic(written[1], rendering.text.encode("utf-8"))
        write_manifest(corpus_dir, {**manifest, "documents": entries + [entry]})
        try:
            load_manifest(corpus_dir, settings.MANIFEST_NAME)
            result = _build(corpus_dir, out_dir, progress) if build else None
        except BaseException:
            restore()  # put the corpus back as it was
            for f in written:
                f.unlink(missing_ok=True)
            raise
    return entry, result


def remove(
    doc_id: str,
    *,
    corpus_dir: Path | None = None,
    out_dir: Path | None = None,
    build: bool = True,
    keep_file: bool = False,
    progress: bool = False,
):
    """Take a document out of the manifest, rebuild, then delete its files."""
    corpus_dir = Path(corpus_dir or settings.CORPUS_DIR)
    with locked(corpus_dir):
        manifest, restore = read_manifest(corpus_dir), _snapshot(corpus_dir)
        entries = manifest["documents"]
        match = [e for e in entries if isinstance(e, dict) and e.get("id") == doc_id]
        if not match:
            raise LibraryError(
                f"no document with id {doc_id!r} (python -m indexer list shows them)"
            )
        if len(entries) == 1:
            raise LibraryError(
                f"cannot remove {doc_id!r}: it is the only document, "
                "and an index needs at least one"
            )
        entry = match[0]
        write_manifest(
            corpus_dir, {**manifest, "documents": [e for e in entries if e is not entry]}
        )
        try:
            result = _build(corpus_dir, out_dir, progress) if build else None
        except BaseException:
            restore()
            raise
        if not keep_file:
            for name in filter(None, _files_of(entry)):
                target = (corpus_dir / name).resolve()
                if corpus_dir.resolve() in target.parents:
                    target.unlink(missing_ok=True)
    return entry, result


def _files_of(entry: dict) -> list[str]:
    """The original and, for rendered formats, its text layer."""
    names = [str(entry.get("file") or "")]
    try:
        if layout_for(names[0], entry.get("layout")) in RENDERERS:
            names.append(str(entry.get("text_file") or names[0] + ".txt"))
    except ValueError:
        pass
    return names


def list_documents(corpus_dir: Path | None = None, out_dir: Path | None = None) -> list[dict]:
    """Manifest entries with their format and, when indexed, their passage count."""
    corpus_dir = Path(corpus_dir or settings.CORPUS_DIR)
    out_dir = Path(out_dir or settings.INDEX_DIR)
    counts: dict[str, int] | None = None
    passages_file = out_dir / index_files.CURRENT / index_files.PASSAGES
    if passages_file.is_file():
        counts = {}
        with open(passages_file, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    doc = json.loads(line)["doc_id"]
                    counts[doc] = counts.get(doc, 0) + 1
    rows = []
    for doc in load_manifest(corpus_dir, settings.MANIFEST_NAME):
        layout = layout_for(doc.file, doc.layout)
        rows.append(
            {
                "id": doc.id,
                "format": {None: "text"}.get(layout, layout),
                "updated": doc.updated,
                "passages": None if counts is None else counts.get(doc.id, 0),
                "title": doc.title,
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    header = {
        "id": "ID",
        "format": "FORMAT",
        "updated": "UPDATED",
        "passages": "PASSAGES",
        "title": "TITLE",
    }
    cells = [header] + [
        {**r, "passages": "not indexed" if r["passages"] is None else str(r["passages"])}
        for r in rows
    ]
    widths = {k: max(len(str(c[k])) for c in cells) for k in header if k != "title"}
    return "\n".join(
        "  ".join([str(c[k]).ljust(widths[k]) for k in widths] + [str(c["title"])]) for c in cells
    )


def _build(corpus_dir: Path, out_dir: Path | None, progress: bool):
    from .build import build

    return build(corpus_dir, out_dir, progress=progress)


__all__ = ["LibraryError", "ManifestError", "add", "remove", "list_documents", "format_table"]


# --- command line ---------------------------------------------------------------------


def add_commands(sub) -> None:
    """The add, remove and list sub-commands of `python -m indexer`."""

    def places(p):
        p.add_argument("--corpus", type=Path, default=settings.CORPUS_DIR, help="corpus directory")
        p.add_argument("--out", type=Path, default=settings.INDEX_DIR, help="index directory")

    a = sub.add_parser("add", help="copy a document into the corpus, record it, rebuild")
    a.add_argument("path", type=Path, help="an .html, .md, .txt or .pdf file")
    a.add_argument("--title", required=True)
    a.add_argument("--publisher", required=True)
    a.add_argument("--url", required=True, help="where the publisher serves it (http/https)")
    a.add_argument("--updated", required=True, help="the publisher's last-updated date, YYYY-MM-DD")
    a.add_argument("--id", dest="doc_id", help="document id (default: from the file name)")
    a.add_argument("--citation", help="requested citation; {updated} and {accessed} are filled in")
    a.add_argument("--layout", help="force a text layout (plain-text or flat-pdq) for a .txt file")
    a.add_argument("--no-build", action="store_true", help="record only; build later")
    places(a)
    r = sub.add_parser("remove", help="take a document out of the corpus and rebuild")
    r.add_argument("doc_id", metavar="ID")
    r.add_argument(
        "--keep-file", action="store_true", help="leave its file in the corpus directory"
    )
    r.add_argument("--no-build", action="store_true", help="record only; build later")
    places(r)
    places(sub.add_parser("list", help="the documents in the corpus, with their passage counts"))


def run(args) -> int:
    """Run add/remove/list; every refusal is one line on stderr and exit status 2."""
    import sys

    try:
        if args.command == "add":
            entry, result = add(
                args.path,
                title=args.title,
                publisher=args.publisher,
                url=args.url,
                updated=args.updated,
                doc_id=args.doc_id,
                citation=args.citation,
                layout=args.layout,
                corpus_dir=args.corpus,
                out_dir=args.out,
                build=not args.no_build,
            )
            print(f"added {entry['id']} as {args.corpus / entry['file']}")
        elif args.command == "remove":
            entry, result = remove(
                args.doc_id,
                corpus_dir=args.corpus,
                out_dir=args.out,
                build=not args.no_build,
                keep_file=args.keep_file,
            )
            print(f"removed {entry['id']}")
        else:
            print(format_table(list_documents(args.corpus, args.out)))
            return 0
    except (LibraryError, ManifestError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split())
        print(f"indexer: error: {message}", file=sys.stderr)
        return 2
    if result is not None:
        print(result.summary())
    return 0
