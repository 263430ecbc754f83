"""Corpus folder → chunks → Chroma collection, incrementally."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.drugs import document_drugs
from assistant.corpus.load import load_corpus
from assistant.index.library import record, refresh
from assistant.index.store import EmbedFn, IngestReport, open_collection, sync
from assistant.settings import Settings


class IngestResult(BaseModel):
    """The store change plus documents that could not be read (one line each)."""

    report: IngestReport
    documents: dict[str, int]
    errors: list[str]


def rules_citing(settings: Settings) -> dict[str, set[str]]:
    """doc_id → the drugs whose rules cite it (empty when the rules cannot be read: listing only, never a check)."""
    from assistant.dosing.cited import sourced
    from assistant.dosing.rules import RulesError, load_rules

    try:
        table = load_rules(settings.rules_dir)
    except RulesError:
        return {}
    out: dict[str, set[str]] = {}
    for drug, rules in table.items():
        for _, _, src in sourced(rules, drug):
            out.setdefault(src.doc_id, set()).add(drug)
    return out


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
    cited = rules_citing(settings)
    doc_meta = {
        doc.id: {"drugs": ",".join(document_drugs(doc, cited)), "source_date": doc.date,
                 "superseded_by": doc.superseded_by or ""}
        for doc in loaded.guidelines
    }
    report = sync(collection, chunks, lazy_embed, progress, files=files, keep_files=keep, doc_meta=doc_meta)
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    return IngestResult(report=report, documents=counts, errors=[*loaded.errors, *missing])
