"""Corpus folder → chunks → Chroma collection, incrementally."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.index.library import record, refresh
from assistant.index.store import EmbedFn, IngestReport, open_collection, sync
from assistant.settings import Settings


class IngestResult(BaseModel):
    """The store change plus documents that could not be read (one line each)."""

    report: IngestReport
    documents: dict[str, int]
    errors: list[str]


def ingest(
    settings: Settings,
    embed: EmbedFn | None = None,
    progress: Callable[[Iterable], Iterable] = iter,
    collection=None,
    paths: list[Path] | None = None,
) -> IngestResult:
    """Index every readable document; a corrupt one is reported and the others still indexed.

    `paths` (files or folders outside the corpus folder) are added to the library manifest first; every ingest
    includes the manifest's files. The embedding model is loaded only when there is new text to embed.
    """
    if paths:
        record(settings, paths)
    extra, missing = refresh(settings)
    loaded = load_corpus(settings.corpus_dir, extra=extra)
    chunks = [c for doc in loaded.guidelines for c in chunk_guideline(doc)]
    if collection is None:
        collection = open_collection(settings)

    def lazy_embed(texts: list[str]) -> list[list[float]]:
        nonlocal embed
        if embed is None:
            from assistant.index.embeddings import get_embeddings

            embed = get_embeddings().embed_documents
        return embed(texts)

    files = {doc.id: doc.file for doc in loaded.guidelines}
    keep = [*loaded.failed_files, *(line.split(": ", 1)[0] for line in missing)]
    report = sync(collection, chunks, lazy_embed, progress, files=files, keep_files=keep)
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    return IngestResult(report=report, documents=counts, errors=[*loaded.errors, *missing])
