"""A cited guideline must still say what was indexed: a document deleted, emptied or changed since indexing is never
quoted from the index's old copy. A file whose bytes hash as the last complete ingest of this store version recorded
(its manifest) holds exactly the indexed chunks; any other file is parsed and chunked again to see which of its chunks
are still there. Either result is kept until the file's size or modification time changes, so a reply pays one
`stat` per cited document, and a document's first citation one hash (not a parse)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import CorpusError, admitted
from assistant.index.library import file_hash
from assistant.index.manifest import manifest_path, read_manifest
from assistant.index.version import VERSION_KEY, store_metadata
from assistant.settings import Settings
from assistant.types import Hit

STALE = "document changed since indexing: re-ingest"
GONE = "document missing or unreadable since indexing: re-ingest"


class DocumentFreshness:
    """The chunk ids each indexed file holds now, cached by the file's size and modification time."""

    def __init__(self, settings: Settings) -> None:
        self.corpus_dir, self.max_bytes, self.data_dir = (
            settings.corpus_dir,
            settings.max_document_bytes,
            settings.data_dir,
        )
        self._seen: dict[str, tuple[tuple[int, int], frozenset[str] | None]] = {}
        self._indexed: dict[str, str] = {}  # file → sha256 of the bytes the current store version was built from
        self._as_indexed: dict[str, tuple[int, int]] = {}  # files found to hash as indexed, at this size and time

    def use_index(self, collection) -> None:
        """Trust the file hashes of the last complete ingest only when it left the store at its current version."""
        manifest = read_manifest(manifest_path(self.data_dir, collection.name))
        current = manifest is not None and store_metadata(collection).get(VERSION_KEY) == manifest.version
        self._indexed = dict(manifest.files) if manifest is not None and current else {}
        self._as_indexed.clear()

    def current_ids(self, file: str) -> frozenset[str] | None:
        """The ids of the file's chunks as it is now; None when it is gone or cannot be read."""
        path = self._path(file)
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (stat.st_size, stat.st_mtime_ns)
        cached = self._seen.get(file)
        if cached is None or cached[0] != key:
            try:
                doc = admitted(path, self.max_bytes, display_file=None if path.parent == self.corpus_dir else str(path))
                ids: frozenset[str] | None = frozenset(c.id for c in chunk_guideline(doc))
            except (CorpusError, OSError, ValueError):  # DocumentError is a ValueError
                ids = None
            cached = self._seen[file] = (key, ids)
        return cached[1]

    def split(self, hits: list[Hit], file_of: Callable[[str], str]) -> tuple[list[Hit], list[str]]:
        """(the hits whose text is still in their document, one note per document that changed or went away)."""
        fresh: list[Hit] = []
        notes: dict[str, str] = {}
        for hit in hits:
            file = file_of(hit.chunk.doc_id)
            if not file:  # an index that does not record files cannot be checked: kept as before
                fresh.append(hit)
                continue
            if self._unchanged(file):
                fresh.append(hit)
                continue
            ids = self.current_ids(file)
            if ids is not None and hit.chunk.id in ids:
                fresh.append(hit)
            else:
                notes[hit.chunk.doc_id] = f"{hit.chunk.doc_id}: {GONE if ids is None else STALE}"
        return fresh, list(notes.values())

    def _path(self, file: str) -> Path:
        return Path(file) if Path(file).is_absolute() else self.corpus_dir / file

    def _unchanged(self, file: str) -> bool:
        """The file holds the bytes the store was built from (so every indexed chunk of it is current)."""
        path = self._path(file)
        try:
            stat = path.stat()
        except OSError:
            return False
        key = (stat.st_size, stat.st_mtime_ns)
        if self._as_indexed.get(file) == key:
            return True
        if file in self._indexed and file_hash(path) == self._indexed[file]:
            self._as_indexed[file] = key
            return True
        return False
