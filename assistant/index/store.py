"""Chroma: embedded PersistentClient by default, HttpClient to a `chroma run` server when configured.

Chunks are keyed by content hash, so a re-ingest embeds only new text and deletes what left the corpus. How a
chunk becomes a Chroma row and back is `assistant.index.rows` (re-exported here).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel

from assistant.errors import AssistantError, one_line
from assistant.index.rows import DocumentSummary as DocumentSummary
from assistant.index.rows import built_at_of as built_at_of
from assistant.index.rows import chunk_from as chunk_from
from assistant.index.rows import chunk_metadata, chunks_of, embedding_text, summaries_of
from assistant.settings import Settings
from assistant.types import Chunk

EmbedFn = Callable[[list[str]], list[list[float]]]
BATCH = 256  # chunks per embed call and Chroma add: the encoder sorts a call by length, so less padding


class StoreError(AssistantError, RuntimeError):
    """The store cannot be reached or used; the message is one line."""


class IngestReport(BaseModel):
    """What one ingest changed."""

    added: int
    removed: int
    unchanged: int
    total: int


REBUILD_HINT = "rebuild it from the corpus with: python -m assistant ingest --rebuild"


@contextmanager
def store_errors(what: str) -> Iterator[None]:
    """Turn whatever Chroma raises into one StoreError line that starts with `what` (the store and the action)."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 -- chroma, sqlite and httpx raise many types; the user needs one line
        raise StoreError(f"{what}: {one_line(exc)}") from None
    except BaseException as exc:
        # Chroma's Rust core panics on a damaged file; pyo3 raises that as a BaseException that cannot be imported
        # by name. Only that one is turned into a message; KeyboardInterrupt and SystemExit pass through.
        if type(exc).__name__ != "PanicException":
            raise
        raise StoreError(f"{what}: the store is damaged ({one_line(exc)}); {REBUILD_HINT}") from None


def check_sqlite_file(path: Path) -> None:
    """Refuse a damaged embedded store before Chroma opens it (its Rust core panics and prints a backtrace)."""
    db = path / "chroma.sqlite3"
    if not db.is_file():
        return
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            rows = "\n".join(str(row[0]) for row in conn.execute("PRAGMA quick_check(3)"))
            problems = [line for line in rows.splitlines() if line.strip() and not line.startswith("***")]
    except sqlite3.DatabaseError as exc:
        if "malformed" not in str(exc) and "not a database" not in str(exc):
            return  # e.g. locked or unreadable: Chroma's own error says more
        problems = [str(exc)]
    if problems != ["ok"]:
        raise StoreError(
            f"the Chroma store at {path} is damaged (SQLite: {problems[0] if problems else 'corrupt'}); {REBUILD_HINT}"
        )


def open_collection(settings: Settings, path: Path | None = None):
    """The guideline collection, created if missing (cosine space, embeddings supplied by us).

    `path` overrides the embedded store's folder (a rebuild fills a fresh one). A server URL is checked for shape
    and reachability here, before any model loads.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url and path is None:
        host, port, ssl = parse_chroma_url(settings.chroma_url)
        with store_errors(f"cannot open Chroma store at {settings.chroma_url}"):
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            return client.get_or_create_collection(
                name=settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
    where = path or settings.chroma_path
    check_sqlite_file(where)
    with store_errors(f"cannot open Chroma store at {where}"):
        try:
            where.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(where), settings=chroma_settings)
            return client.get_or_create_collection(
                name=settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        except Exception as exc:
            if "readonly" in str(exc).replace("-", "").replace(" ", "") or isinstance(exc, PermissionError):
                raise StoreError(f"cannot open Chroma store at {where}: {READ_ONLY_HINT}") from None
            raise


READ_ONLY_HINT = (
    "the embedded store needs write access, even to answer; for a read-only deployment serve the index "
    "with `chroma run --path DIR` and set ASSISTANT_CHROMA_URL (README: Reliability)"
)


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of ASSISTANT_CHROMA_URL; StoreError naming the URL when it is not http(s)://host:port."""
    try:
        parsed = urlparse(url.strip())
        port = parsed.port
    except ValueError as exc:
        raise StoreError(f"ASSISTANT_CHROMA_URL {url!r} is not a URL ({exc}); expected http://host:port") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname or not port:
        raise StoreError(f"ASSISTANT_CHROMA_URL must look like http://host:port, got {url!r}")
    if parsed.path.strip("/") or parsed.query or parsed.fragment:
        raise StoreError(f"ASSISTANT_CHROMA_URL must be http://host:port with no path, got {url!r}")
    return parsed.hostname, port, parsed.scheme == "https"


PAGE = 5000  # rows per request when the whole collection is read (one request for 100k rows exceeds SQLite's limits)


def get_all(collection, include: list[str]) -> dict[str, list]:
    """`collection.get(include=…)` over every row, read page by page."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    with store_errors("cannot read the Chroma store"):
        while True:
            got = collection.get(include=include, limit=PAGE, offset=len(out["ids"]))
            if not got["ids"]:
                return out
            out["ids"] += got["ids"]
            for key in include:
                value = got[key]  # embeddings come as one array: never tested for truth
                out[key] += list(value) if value is not None else []


def stored_chunks(collection) -> list[Chunk]:
    """Every chunk in the collection, in document order."""
    return chunks_of(get_all(collection, ["documents", "metadatas"]))


def sync(
    collection,
    chunks: list[Chunk],
    embed: EmbedFn,
    progress: Callable[[Iterable], Iterable] = iter,
    files: dict[str, str] | None = None,
    keep_files: Iterable[str] = (),
    doc_meta: dict[str, dict[str, str]] | None = None,
) -> IngestReport:
    """Make the collection hold exactly these chunks: embed new ones, delete removed ones, keep the rest.

    `files` maps doc_id to its file name; chunks from `keep_files` (documents that failed to load this
    time) are kept, so a broken edit never wipes a guideline from the index. `doc_meta` adds per-document
    metadata (drugs, source date) to each new chunk, for the library listing.
    """
    files = files or {}
    doc_meta = doc_meta or {}
    protected = set(keep_files)
    wanted = {c.id: c for c in chunks}
    got = get_all(collection, ["metadatas"])
    existing = set(got["ids"])
    stale = sorted(
        i
        for i, m in zip(got["ids"], got["metadatas"], strict=True)
        if i not in wanted and m.get("file") not in protected
    )
    new = [c for cid, c in wanted.items() if cid not in existing]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    batches = [new[i : i + BATCH] for i in range(0, len(new), BATCH)]
    for batch in progress(batches):
        collection.add(
            ids=[c.id for c in batch],
            documents=[c.text for c in batch],
            metadatas=[chunk_metadata(c, now, files.get(c.doc_id, ""), doc_meta.get(c.doc_id)) for c in batch],
            embeddings=embed([embedding_text(c) for c in batch]),
        )
    # Positions can shift when a line is inserted above; update them without re-embedding.
    kept = [c for cid, c in wanted.items() if cid in existing]
    if kept:
        current = dict(zip(got["ids"], got["metadatas"], strict=True))  # read above, before anything was added
        moved = [
            c
            for c in kept
            if int(current[c.id].get("position", -1)) != c.position
            or any(current[c.id].get(k) != v for k, v in doc_meta.get(c.doc_id, {}).items())
        ]
        for start in range(0, len(moved), PAGE):  # in pages: one request per 100k rows exceeds SQLite's limits
            page = moved[start : start + PAGE]
            collection.update(
                ids=[c.id for c in page],
                metadatas=[{**current[c.id], **doc_meta.get(c.doc_id, {}), "position": c.position} for c in page],
            )
    for start in range(0, len(stale), PAGE):
        collection.delete(ids=stale[start : start + PAGE])
    return IngestReport(added=len(new), removed=len(stale), unchanged=len(kept), total=collection.count())


def query(collection, vector: list[float], n: int) -> list[tuple[str, float]]:
    """Nearest chunk ids with cosine similarity (1 - cosine distance), best first; StoreError if the store fails."""
    with store_errors("the Chroma store stopped answering"):
        # No count() first: it costs as much as the search at 100k rows, and Chroma returns fewer (or no) results
        # when the collection holds fewer than n.
        res = collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
    return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]


def document_summaries(collection) -> list[DocumentSummary]:
    """Every indexed document with its drugs, chunk count, source date and indexing time."""
    return summaries_of(get_all(collection, ["metadatas"])["metadatas"])
