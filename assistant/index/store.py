"""Chroma: embedded PersistentClient by default, HttpClient to a `chroma run` server when configured.

Chunks are keyed by content hash, so a re-ingest embeds only new text and deletes what left the corpus.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import urlparse

from pydantic import BaseModel

from assistant.errors import AssistantError, one_line
from assistant.settings import Settings
from assistant.types import Chunk

EmbedFn = Callable[[list[str]], list[list[float]]]
BATCH = 64


class StoreError(AssistantError, RuntimeError):
    """The store cannot be reached or used; the message is one line."""


class IngestReport(BaseModel):
    """What one ingest changed."""

    added: int
    removed: int
    unchanged: int
    total: int


def open_collection(settings: Settings):
    """The guideline collection, created if missing (cosine space, embeddings supplied by us)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            if not url.hostname or not url.port:
                raise StoreError(f"ASSISTANT_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}")
            client = chromadb.HttpClient(
                host=url.hostname, port=url.port, ssl=url.scheme == "https", settings=chroma_settings
            )
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
        return client.get_or_create_collection(
            name=settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
    except StoreError:
        raise
    except Exception as exc:  # chroma raises many types; the user needs one line naming the store
        where = settings.chroma_url or settings.chroma_path
        raise StoreError(f"cannot open Chroma store at {where}: {one_line(exc)}") from None


def embedding_text(chunk: Chunk) -> str:
    """What is embedded: title and section give a bullet its context."""
    return f"{chunk.title}. {chunk.section}: {chunk.text}"


def _metadata(chunk: Chunk, indexed_at: str, file: str) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "file": file,
        "title": chunk.title,
        "section": chunk.section,
        "refs": ",".join(str(r) for r in chunk.refs),
        "position": chunk.position,
        "indexed_at": indexed_at,
    }


def _chunk_from(chunk_id: str, text: str, meta: dict) -> Chunk:
    refs = [int(r) for r in str(meta.get("refs", "")).split(",") if r.strip()]
    return Chunk(
        id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        section=str(meta["section"]),
        text=text,
        refs=refs,
        position=int(meta.get("position", 0)),
    )


def stored_chunks(collection) -> list[Chunk]:
    """Every chunk in the collection, in document order."""
    got = collection.get(include=["documents", "metadatas"])
    chunks = [_chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
    return sorted(chunks, key=lambda c: (c.doc_id, c.position))


def index_built_at(collection) -> str | None:
    """ISO time of the latest ingest that added text, None for an empty index."""
    got = collection.get(include=["metadatas"])
    stamps = [str(m.get("indexed_at", "")) for m in got["metadatas"] or []]
    return max(stamps) if stamps else None


def sync(
    collection,
    chunks: list[Chunk],
    embed: EmbedFn,
    progress: Callable[[Iterable], Iterable] = iter,
    files: dict[str, str] | None = None,
    keep_files: Iterable[str] = (),
) -> IngestReport:
    """Make the collection hold exactly these chunks: embed new ones, delete removed ones, keep the rest.

    `files` maps doc_id to its file name; chunks from `keep_files` (documents that failed to load this
    time) are kept, so a broken edit never wipes a guideline from the index.
    """
    files = files or {}
    protected = set(keep_files)
    wanted = {c.id: c for c in chunks}
    got = collection.get(include=["metadatas"])
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
            metadatas=[_metadata(c, now, files.get(c.doc_id, "")) for c in batch],
            embeddings=embed([embedding_text(c) for c in batch]),
        )
    # Positions can shift when a line is inserted above; update them without re-embedding.
    kept = [c for cid, c in wanted.items() if cid in existing]
    if kept:
        got = collection.get(ids=[c.id for c in kept], include=["metadatas"])
        current = dict(zip(got["ids"], got["metadatas"], strict=True))
        moved = [c for c in kept if int(current[c.id].get("position", -1)) != c.position]
        if moved:
            collection.update(
                ids=[c.id for c in moved],
                metadatas=[{**current[c.id], "position": c.position} for c in moved],
            )
    if stale:
        collection.delete(ids=stale)
    return IngestReport(added=len(new), removed=len(stale), unchanged=len(kept), total=collection.count())


def query(collection, vector: list[float], n: int) -> list[tuple[str, float]]:
    """Nearest chunk ids with cosine similarity (1 - cosine distance), best first."""
    count = collection.count()
    if count == 0:
        return []
    res = collection.query(query_embeddings=[vector], n_results=min(n, count), include=["distances"])
    return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]
