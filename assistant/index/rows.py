"""Chroma rows and the typed objects they hold: a chunk's embedded text and metadata, a chunk read back from
a row, and the library listing read from the metadatas. Pure conversions: nothing here talks to Chroma.

Re-exported by `assistant.index.store`, so `from assistant.index.store import chunk_from` keeps working.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.text.sentences import split_sentences
from assistant.types import Chunk


def embedding_text(chunk: Chunk) -> str:
    """What is embedded: title and section give a bullet its context."""
    return f"{chunk.title}. {chunk.section}: {chunk.text}"


def sentence_texts(chunk: Chunk) -> tuple[list[str], list[str]]:
    """A chunk's sentences (its answer units) and what is embedded for each: title and section first, as for the
    chunk, so a one-sentence chunk's sentence vector is the chunk's own."""
    sentences = split_sentences(chunk.text) or [chunk.text]
    return sentences, [f"{chunk.title}. {chunk.section}: {s}" for s in sentences]


def chunk_metadata(chunk: Chunk, indexed_at: str, file: str, doc: dict[str, str] | None = None) -> dict[str, str | int]:
    """The Chroma metadata of a chunk: its place in the document, the file, the ingest time and `doc` fields."""
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
    """The Chunk stored as one Chroma row (id, document text and metadata)."""
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


def chunks_of(got: dict[str, list]) -> list[Chunk]:
    """The chunks of a `get_all(…, ["documents", "metadatas"])` read, in document order."""
    chunks = [chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
    return sorted(chunks, key=lambda c: (c.doc_id, c.position))


def built_at_of(metadatas: list[dict]) -> str | None:
    """ISO time of the latest ingest that added text, None for an empty index."""
    stamps = [str(m.get("indexed_at", "")) for m in metadatas]
    return max(stamps) if stamps else None


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
