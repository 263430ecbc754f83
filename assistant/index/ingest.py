"""Corpus folder → chunks → Chroma collection, incrementally."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.drug_dictionary import compile_dictionary
from assistant.corpus.drugs import document_drugs
from assistant.corpus.load import load_corpus
from assistant.index import manifest as hashes
from assistant.index.embeddings import prepare_backend
from assistant.index.lexical import lexical_dir, saved_version
from assistant.index.library import file_hash, record, refresh
from assistant.index.lock import ingest_lock
from assistant.index.rows import sentence_texts
from assistant.index.store import EmbedFn, IngestReport, open_collection, sync
from assistant.index.vector_cache import VectorCache, sentence_cache_dir
from assistant.index.version import (
    VERSION_KEY,
    check_backend,
    record_backend,
    refresh_lexical,
    store_metadata,
)
from assistant.settings import Settings
from assistant.types import Chunk


class IngestResult(BaseModel):
    """The store change plus documents that could not be read (one line each)."""

    report: IngestReport
    documents: dict[str, int]
    errors: list[str]
    notes: list[str] = []  # what reading a file left out or warned about, one line each (the file named)
    embedded: int = 0  # texts this ingest embedded: new chunks, and the sentences of multi-sentence chunks


def rules_citing(settings: Settings) -> dict[str, set[str]]:
    """doc_id → the drugs whose rules cite it (empty when the rules cannot be read: listing only, never a check)."""
    from assistant.dosing.rules.load import load_rules
    from assistant.dosing.rules.quotes import sourced
    from assistant.dosing.rules.schema import RulesError

    try:
        rules = load_rules(settings.rules_dir)
    except RulesError:
        return {}
    out: dict[str, set[str]] = {}
    for drug, drug_rules in rules.items():
        for _, _, src in sourced(drug_rules, drug):
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
    includes the manifest's files. The embedding model is loaded only when there is new text to embed; an unchanged
    library is not even parsed. One ingest at a time per data dir: a second one waits for the first
    (settings.ingest_lock_wait) and then finds nothing left to do.
    """
    with ingest_lock(settings.data_dir, settings.ingest_lock_wait):
        return index_corpus(settings, embed, progress, collection, paths)


def index_corpus(
    settings: Settings,
    embed: EmbedFn | None = None,
    progress: Callable[[Iterable], Iterable] = iter,
    collection=None,
    paths: list[Path] | None = None,
) -> IngestResult:
    """The ingest itself, for a caller that already holds the ingest lock (a rebuild)."""
    if paths:
        record(settings, paths)
    extra, missing = refresh(settings)
    if collection is None:
        collection = open_collection(settings)
    backend = _backend(settings, embed)
    model_embeds = embed is None or hasattr(getattr(embed, "__self__", None), "backend")
    check_backend(collection, backend)
    prepare_backend(backend, settings.model_dir)
    compile_dictionary(settings.model_dir)  # so that no later start pays the dictionary's import
    files = _library_files(settings, extra)
    if not missing and (same := _unchanged_library(settings, collection, files)) is not None:
        return same
    loaded = load_corpus(settings.corpus_dir, settings.max_document_bytes, extra=extra)
    chunks = [c for doc in loaded.guidelines for c in chunk_guideline(doc)]

    def lazy_embed(texts: list[str]) -> list[list[float]]:
        nonlocal embed
        # Recorded before the first vector is stored: an ingest interrupted after it leaves a store that says which
        # backend wrote it (an unrecorded, non-empty store is read as the legacy torch one).
        record_backend(collection, backend)
        if embed is None:
            from assistant.index.embeddings import get_embeddings

            embed = get_embeddings().embed_documents
        from assistant.index.embeddings import bulk_threads

        with bulk_threads(settings.ingest_threads):  # every core for the bulk phase, one thread again for queries
            return embed(texts)

    doc_files = {doc.id: doc.file for doc in loaded.guidelines}
    keep = [*loaded.failed_files, *(line.split(": ", 1)[0] for line in missing)]
    cited = rules_citing(settings)
    doc_meta = {
        doc.id: {
            "drugs": ",".join(document_drugs(doc, cited)),
            "source_date": doc.date,
            "superseded_by": doc.superseded_by or "",
        }
        for doc in loaded.guidelines
    }
    report = sync(collection, chunks, lazy_embed, progress, files=doc_files, keep_files=keep, doc_meta=doc_meta)
    # Only the model's own vectors are kept for replies (a caller's test double never fills the cache).
    sentences = _embed_sentences(settings, chunks, backend, lazy_embed) if model_embeds else 0
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    # Every file is indexed with at least one chunk or reported: never recorded and silently empty.
    empty = [f"{doc.file or doc.id}: no text to index (0 chunks)" for doc in loaded.guidelines if doc.id not in counts]
    notes = [f"{doc.file or doc.id}: {note}" for doc in loaded.guidelines for note in doc.notes]
    errors = [*loaded.errors, *missing, *empty]
    result = IngestResult(
        report=report, documents=counts, errors=errors, notes=notes, embedded=report.added + sentences
    )
    if report.total:
        record_backend(collection, backend)
    _record_ingest(settings, collection, files, result)
    return result


def unchanged_since_last_ingest(settings: Settings, collection) -> IngestResult | None:
    """The last ingest's result when an ingest now would find nothing to do (no file changed, none missing)."""
    extra, missing = refresh(settings)
    return None if missing else _unchanged_library(settings, collection, _library_files(settings, extra))


def _library_files(settings: Settings, extra: list[Path]) -> dict[str, str]:
    """File → content hash of the library. Files added from outside the corpus folder count too: a change there must
    trigger a re-index."""
    return {**hashes.fingerprint(settings.corpus_dir), **{str(p): file_hash(p) for p in extra}}


def _backend(settings: Settings, embed: EmbedFn | None) -> str:
    """The embedding backend this ingest writes with: the given embed function's, else the settings'."""
    return str(getattr(getattr(embed, "__self__", None), "backend", settings.embedding_backend))


def _unchanged_library(settings: Settings, collection, files: dict[str, str]) -> IngestResult | None:
    """The last ingest's result when no corpus file changed since and the store is as it left it."""
    path = hashes.manifest_path(settings.data_dir, settings.collection)
    last = hashes.unchanged(path, files, collection)
    if last is None:
        return None
    if saved_version(lexical_dir(settings.data_dir, settings.collection)) != last.version:
        return None  # the lexical index is missing or of an older format: the full path rebuilds it (no re-embedding)
    report = IngestReport(added=0, removed=0, unchanged=last.total, total=last.total)
    return IngestResult(report=report, documents=last.documents, errors=last.errors)


def _record_ingest(settings: Settings, collection, files: dict[str, str], result: IngestResult) -> None:
    """Rebuild the persisted lexical index when text changed (or it is missing), then write the hash manifest."""
    changed = bool(result.report.added or result.report.removed)
    refresh_lexical(collection, lexical_dir(settings.data_dir, settings.collection), changed)
    manifest = hashes.Manifest(
        version=str(store_metadata(collection).get(VERSION_KEY)),
        files=files,
        documents=result.documents,
        errors=result.errors,
        total=result.report.total,
    )
    hashes.write_manifest(hashes.manifest_path(settings.data_dir, settings.collection), manifest)
    _validate_rules(settings)


def _embed_sentences(settings: Settings, chunks: list[Chunk], backend: str, embed: EmbedFn) -> int:
    """The vectors of every sentence of a multi-sentence chunk, computed now (bulk, every core) into the index's
    sentence cache, so that a reply ranking those sentences embeds nothing but the question. The number embedded."""
    texts = [t for c in chunks if len(units := sentence_texts(c)[1]) > 1 for t in units]
    return VectorCache(sentence_cache_dir(settings), backend).fill(texts, embed) if texts else 0


def _validate_rules(settings: Settings) -> None:
    """Validate the rules against the library just indexed, so the next start reads the result (rules_cache) instead
    of reading the whole library again. Problems are reported where the rules are used, not here."""
    from assistant.dosing.rules.schema import RulesError
    from assistant.index.library_rules import library_rules

    try:
        library_rules(settings)
    except RulesError:
        pass
