"""Chunk lookup from the store by id or by document, so no process has to hold every chunk in memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from assistant.index.store import PAGE, chunk_from
from assistant.types import Chunk


def fetch_chunks(collection, ids: list[str]) -> dict[str, Chunk]:
    """The stored chunks with these ids (missing ids are left out), in one request."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    got = collection.get(ids=wanted, include=["documents", "metadatas"])
    return {i: chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}


def chunk_vectors(collection, ids: list[str]) -> dict[str, list[float]]:
    """The stored (indexed) vectors of these chunks, in one request."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    got = collection.get(ids=wanted, include=["embeddings"])
    return {i: list(map(float, e)) for i, e in zip(got["ids"], got["embeddings"], strict=True)}


def document_chunks(collection, doc_id: str) -> list[Chunk]:
    """Every chunk of one document, in document order (cost grows with the document, not the library)."""
    got = collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
    chunks = [chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
    return sorted(chunks, key=lambda c: (c.position, c.id))


def quote_matches(chunk: Chunk, quote: str) -> bool:
    """The test a rule's quoted source passes against the chunk that holds it (either contains the other)."""
    return quote in chunk.text or chunk.text.rstrip(".") in quote


class StoredChunkMap(Mapping[str, Chunk]):
    """`chunk id → Chunk` read from the store on demand (the old in-memory table's interface).

    Single look-ups cost one request; iterating walks the collection page by page (use it for rare, whole-corpus
    work only)."""

    def __init__(self, collection) -> None:
        self.collection = collection
        self._all: list[Chunk] | None = None

    def __getitem__(self, chunk_id: str) -> Chunk:
        found = fetch_chunks(self.collection, [chunk_id])
        if chunk_id not in found:
            raise KeyError(chunk_id)
        return found[chunk_id]

    def __contains__(self, chunk_id: object) -> bool:
        return isinstance(chunk_id, str) and bool(self.collection.get(ids=[chunk_id], include=[])["ids"])

    def __len__(self) -> int:
        return self.collection.count()

    def _pages(self, include: list[str]) -> Iterator[dict]:
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=PAGE, offset=offset)
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    def __iter__(self) -> Iterator[str]:
        for page in self._pages([]):
            yield from page["ids"]

    def values(self):
        """Every chunk in document order: one paged walk, kept until the retriever reloads (callers that still scan
        the table per turn pay for it once, as with the old in-memory table)."""
        if self._all is None:
            chunks = [
                chunk_from(i, d, m)
                for page in self._pages(["documents", "metadatas"])
                for i, d, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
            ]
            self._all = sorted(chunks, key=lambda c: (c.doc_id, c.position))
        return self._all
