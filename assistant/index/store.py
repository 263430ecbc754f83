"""Chroma: embedded PersistentClient by default, HttpClient to a `chroma run` server when configured.

Chunks are keyed by content hash, so a re-ingest embeds only new text and deletes what left the corpus.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, Field

from assistant.errors import AssistantError, one_line
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


def embedding_text(chunk: Chunk) -> str:
    """What is embedded: title and section give a bullet its context."""
    return f"{chunk.title}. {chunk.section}: {chunk.text}"


def _metadata(chunk: Chunk, indexed_at: str, file: str, doc: dict[str, str] | None = None) -> dict[str, str | int]:
    page = {"page": chunk.page} if chunk.page is not None else {}  # Chroma metadata holds no None
    return {
        **page,
        **(doc or {}),
        "doc_id": chunk.doc_id,
        "file": file,
        "title": chunk.title,
        "section": chunk.section,
        "refs": ",".join(str(r) for r in chunk.refs),
        "position": chunk.position,
        "indexed_at": indexed_at,
    }


def chunk_from(chunk_id: str, text: str, meta: dict) -> Chunk:
    refs = [int(r) for r in str(meta.get("refs", "")).split(",") if r.strip()]
    return Chunk(
        id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        section=str(meta["section"]),
        text=text,
        refs=refs,
        position=int(meta.get("position", 0)),
        page=int(meta["page"]) if meta.get("page") is not None else None,
    )


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
                out[key] += got[key] or []


def stored_chunks(collection) -> list[Chunk]:
    """Every chunk in the collection, in document order."""
    return chunks_of(get_all(collection, ["documents", "metadatas"]))


def chunks_of(got: dict[str, list]) -> list[Chunk]:
    """The chunks of a `get_all(…, ["documents", "metadatas"])` read, in document order."""
    chunks = [chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
    return sorted(chunks, key=lambda c: (c.doc_id, c.position))


def built_at_of(metadatas: list[dict]) -> str | None:
    """ISO time of the latest ingest that added text, None for an empty index."""
    stamps = [str(m.get("indexed_at", "")) for m in metadatas]
    return max(stamps) if stamps else None


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
            metadatas=[_metadata(c, now, files.get(c.doc_id, ""), doc_meta.get(c.doc_id)) for c in batch],
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


class DocumentSummary(BaseModel):
    """One indexed guideline, for the library listing."""

    doc_id: str
    title: str
    file: str = Field(description="File name in the corpus folder, or the full path of an ingested file.")
    drugs: list[str] = Field(default_factory=list, description="Drugs it is about (front matter, title, rules).")
    source_date: str = Field(default="", description="Date of the source text (front matter `date`).")
    chunks: int
    pages: int | None = Field(default=None, description="Highest page number cited, for a PDF.")
    indexed_at: str = Field(default="", description="When its newest chunk was indexed (ISO time, UTC).")
    superseded_by: str = Field(default="", description="Id of the document that replaces it (front matter).")


def document_summaries(collection) -> list[DocumentSummary]:
    """Every indexed document with its drugs, chunk count, source date and indexing time."""
    return summaries_of(get_all(collection, ["metadatas"])["metadatas"])


def summaries_of(metadatas: list[dict]) -> list[DocumentSummary]:
    """The documents described by these chunk metadatas (one entry per doc_id)."""
    docs: dict[str, DocumentSummary] = {}
    for meta in metadatas:
        doc_id = str(meta.get("doc_id", ""))
        entry = docs.setdefault(
            doc_id,
            DocumentSummary(
                doc_id=doc_id,
                title=str(meta.get("title", "")),
                file=str(meta.get("file", "")),
                drugs=[d for d in str(meta.get("drugs", "")).split(",") if d],
                source_date=str(meta.get("source_date", "")),
                chunks=0,
                superseded_by=str(meta.get("superseded_by", "")),
            ),
        )
        entry.chunks += 1
        entry.indexed_at = max(entry.indexed_at, str(meta.get("indexed_at", "")))
        if meta.get("page") is not None:
            entry.pages = max(entry.pages or 0, int(meta["page"]))
    return sorted(docs.values(), key=lambda d: d.doc_id)
