"""Which state of the store a persisted lexical index belongs to, recorded in the Chroma collection's metadata.

Every ingest that adds or removes text gives the collection a new version and rebuilds the lexical index for it;
a reader loads the lexical index only when the versions agree.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from assistant.index import lexical
from assistant.index.store import StoreError, built_at_of, chunks_of, get_all, summaries_of
from assistant.types import Chunk

log = logging.getLogger("assistant")

VERSION_KEY = "index_version"
LEXICAL_KEY = "lexical_dir"
BACKEND_KEY = "embedding_backend"
LEGACY_BACKEND = "torch"  # stores built before the backend was recorded


def other_backend(collection, backend: str) -> str | None:
    """The embedding backend that built the store's vectors when it is not `backend` (None: the same, or empty)."""
    recorded = store_metadata(collection).get(BACKEND_KEY) or (LEGACY_BACKEND if collection.count() else None)
    return recorded if recorded and recorded != backend else None


def check_backend(collection, backend: str) -> None:
    """Refuse (one line) to query or extend vectors that another embedding backend built."""
    recorded = other_backend(collection, backend)
    if recorded:
        raise StoreError(
            f"this index was built with the {recorded} embedding backend, not {backend}: set "
            f"ASSISTANT_EMBEDDING_BACKEND={recorded}, or rebuild the index with `python -m assistant ingest --rebuild`"
        )


def record_backend(collection, backend: str) -> None:
    if store_metadata(collection).get(BACKEND_KEY) != backend:
        _set_metadata(collection, **{BACKEND_KEY: backend})


def store_metadata(collection) -> dict:
    """The collection's metadata as the store has it now (another worker may have ingested since we opened it)."""
    client = getattr(collection, "_client", None)
    try:
        fresh = client.get_collection(name=collection.name) if client is not None else collection
    except Exception:  # noqa: BLE001  # chroma raises many types; the cached copy is the best we have
        fresh = collection
    return dict(fresh.metadata or {})


def _set_metadata(collection, **values: str) -> None:
    collection.modify(metadata={**store_metadata(collection), **values})


def refresh_lexical(collection, target: Path, changed: bool) -> lexical.LexicalIndex | None:
    """After an ingest: give the store a new version when text changed, and rebuild the lexical index at `target`
    when it is missing or belongs to another version. Returns the rebuilt index, None when it was current."""
    meta = store_metadata(collection)
    version = meta.get(VERSION_KEY)
    if changed or not version:
        version = uuid.uuid4().hex
    elif lexical.saved_version(target) == version and meta.get(LEXICAL_KEY) == str(target):
        return None
    got = get_all(collection, ["documents", "metadatas", "embeddings"])  # one walk: the index and its rows
    chunks, subjects, _ = _read_rows(got)
    index = lexical.build(chunks, version, subjects)
    lexical.save(index, target, rows=got)
    _set_metadata(collection, **{VERSION_KEY: version, LEXICAL_KEY: str(target)})
    return index


def load_lexical(collection, target: Path | None = None) -> lexical.LexicalIndex:
    """The lexical index of the store's current version: loaded from disk (memory-mapped) when one was saved for it,
    otherwise built in memory from every stored chunk, with a warning (a reader never writes the shared index)."""
    meta = store_metadata(collection)
    version = meta.get(VERSION_KEY)
    where = target or (Path(meta[LEXICAL_KEY]) if meta.get(LEXICAL_KEY) else None)
    if where is not None and version and lexical.saved_version(where) == version:
        loaded = lexical.load(where)
        if loaded is not None:
            return loaded
    chunks, subjects, built_at = _read_store(collection)
    if chunks:
        log.warning("no current lexical index for this store; built in memory from %d chunks (run ingest)", len(chunks))
    index = lexical.build(chunks, str(version or "unversioned"), subjects)
    index.built_at = built_at  # not now: when the store last gained text
    return index


def _read_store(collection) -> tuple[list[Chunk], dict[str, tuple[list[str], str, str]], str | None]:
    """One walk of the store: its chunks, doc_id → (drugs, superseded_by, file) and the time it last gained text."""
    return _read_rows(get_all(collection, ["documents", "metadatas"]))


def _read_rows(got: dict[str, list]) -> tuple[list[Chunk], dict[str, tuple[list[str], str, str]], str | None]:
    subjects = {d.doc_id: (d.drugs, d.superseded_by, d.file) for d in summaries_of(got["metadatas"])}
    return chunks_of(got), subjects, built_at_of(got["metadatas"])
