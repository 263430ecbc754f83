"""A cited guideline must still say what was indexed: a document deleted, emptied or changed since indexing is never
quoted from the index's old copy. Each document's current chunks are read again only when its file changes
(size and modification time), so a reply pays one `stat` per cited document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import CorpusError, admitted
from assistant.settings import Settings
from assistant.types import Hit

STALE = "document changed since indexing: re-ingest"
GONE = "document missing or unreadable since indexing: re-ingest"


class DocumentFreshness:
    """The chunk ids each indexed file holds now, cached by the file's size and modification time."""

    def __init__(self, settings: Settings) -> None:
        self.corpus_dir, self.max_bytes = settings.corpus_dir, settings.max_document_bytes
        self._seen: dict[str, tuple[tuple[int, int], frozenset[str] | None]] = {}

    def current_ids(self, file: str) -> frozenset[str] | None:
        """The ids of the file's chunks as it is now; None when it is gone or cannot be read."""
        path = Path(file) if Path(file).is_absolute() else self.corpus_dir / file
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
            ids = self.current_ids(file)
            if ids is not None and hit.chunk.id in ids:
                fresh.append(hit)
            else:
                notes[hit.chunk.doc_id] = f"{hit.chunk.doc_id}: {GONE if ids is None else STALE}"
        return fresh, list(notes.values())
