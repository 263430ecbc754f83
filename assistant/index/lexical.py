"""The persisted lexical side of the index: BM25 (bm25s), the row → chunk id table, the corpus vocabulary and the
per-document chunk counts, written at ingest time next to the Chroma store and memory-mapped at start-up.

Nothing here is proportional to the library at start-up: the BM25 matrix is mmapped, the id table is one JSON
array. Each saved index carries the store's version (see `assistant.index.version`), so a reader can tell a stale
index from a current one; a new index is written to a temporary folder and swapped in with one rename, so a reader
in another worker never sees half an index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np

from assistant.text.words import content_terms, stem, words
from assistant.types import Chunk

log = logging.getLogger("assistant")

FORMAT = 1  # bump when the saved layout changes; an index of another format is rebuilt
_META = "lexical.json"
_IDS = "ids.json"
_VOCAB = "vocabulary.json"
_DOCS = "documents.json"
_BM25 = "bm25"


def lexical_dir(data_dir: Path, collection: str) -> Path:
    """Where the lexical index of one collection lives (shared read-only by workers on one machine)."""
    return data_dir / "index" / collection / "lexical"


def bm25_tokens(chunk: Chunk) -> list[str]:
    """What BM25 indexes: section heading and text, stemmed, no stopwords ('_' keeps an empty chunk's row)."""
    return content_terms(f"{chunk.section} {chunk.text}") or ["_"]


def vocabulary_words(chunk: Chunk) -> set[str]:
    """The words a chunk contributes to the corpus vocabulary (titles, sections, text; no numbers)."""
    return {w for w in words(f"{chunk.title} {chunk.section} {chunk.text}") if not w[0].isdigit()}


@dataclass
class LexicalIndex:
    """A loaded lexical index: BM25 over chunk rows and the tables built with it."""

    version: str
    ids: list[str]
    bm25: bm25s.BM25 | None
    words: frozenset[str]
    stems: frozenset[str]
    documents: dict[str, dict[str, str | int]]
    built_at: str | None = None

    def ranking(self, terms: list[str], n: int) -> list[str]:
        """Chunk ids of the n best BM25 scores above zero, best first (ties by row, as a stable sort)."""
        if not terms or not self.ids or self.bm25 is None:
            return []
        known = [t for t in terms if t in self.bm25.vocab_dict]
        if not known:
            return []
        scores = np.asarray(self.bm25.get_scores(known))
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        order = sorted(top.tolist(), key=lambda i: (-float(scores[i]), i))
        return [self.ids[i] for i in order if scores[i] > 0]


def build(chunks: list[Chunk], version: str) -> LexicalIndex:
    """Index chunks (in a stable order, so that ties rank the same in every worker)."""
    ordered = sorted(chunks, key=lambda c: (c.doc_id, c.position, c.id))
    bm25 = None
    if ordered:
        bm25 = bm25s.BM25()
        bm25.index([bm25_tokens(c) for c in ordered], show_progress=False)
    vocabulary: set[str] = set()
    documents: dict[str, dict[str, str | int]] = {}
    for c in ordered:
        vocabulary |= vocabulary_words(c)
        entry = documents.setdefault(c.doc_id, {"title": c.title, "chunks": 0})
        entry["chunks"] = int(entry["chunks"]) + 1
    return LexicalIndex(
        version=version,
        ids=[c.id for c in ordered],
        bm25=bm25,
        words=frozenset(vocabulary),
        stems=frozenset(stem(w) for w in vocabulary),
        documents=documents,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def save(index: LexicalIndex, target: Path) -> None:
    """Write the index to `target`, replacing any previous one in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=target.parent))
    try:
        if index.bm25 is not None:
            index.bm25.save(str(tmp / _BM25))
        (tmp / _IDS).write_text(json.dumps(index.ids))
        (tmp / _VOCAB).write_text(json.dumps({"words": sorted(index.words), "stems": sorted(index.stems)}))
        (tmp / _DOCS).write_text(json.dumps(index.documents, sort_keys=True))
        # Written last: a folder without it is incomplete and is never loaded.
        meta = {"format": FORMAT, "version": index.version, "chunks": len(index.ids), "built_at": index.built_at}
        (tmp / _META).write_text(json.dumps(meta))
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def saved_version(source: Path) -> str | None:
    """The store version a saved index was built for, None when there is no complete index of this format."""
    try:
        meta = json.loads((source / _META).read_text())
    except (OSError, ValueError):
        return None
    return str(meta.get("version")) if meta.get("format") == FORMAT else None


def load(source: Path) -> LexicalIndex | None:
    """The saved index, BM25 memory-mapped; None when it is missing, incomplete or of another format."""
    version = saved_version(source)
    if version is None:
        return None
    try:
        built_at = json.loads((source / _META).read_text()).get("built_at")
        ids = json.loads((source / _IDS).read_text())
        vocab = json.loads((source / _VOCAB).read_text())
        documents = json.loads((source / _DOCS).read_text())
        bm25 = bm25s.BM25.load(str(source / _BM25), mmap=True, load_corpus=False) if ids else None
    except (OSError, ValueError) as exc:
        log.warning("lexical index at %s unreadable (%s); it will be rebuilt", source, exc)
        return None
    return LexicalIndex(
        version=version,
        ids=ids,
        bm25=bm25,
        words=frozenset(vocab["words"]),
        stems=frozenset(vocab["stems"]),
        documents=documents,
        built_at=built_at,
    )
