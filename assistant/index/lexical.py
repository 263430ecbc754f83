"""The persisted lexical side of the index: BM25 (bm25s), the row → chunk id table, the corpus vocabulary with its
typo index, the per-document chunk counts, drugs and supersession, and the index's content hash, written at ingest
time next to the Chroma store and memory-mapped (or opened read-only) at start-up.

Nothing here walks the library at start-up: the BM25 matrix is mmapped, the typo index is a SQLite file, the id
table is one JSON array. Each saved index carries the store's version (see `assistant.index.version`), so a
reader can tell a stale index from a current one; a new index is written to a temporary folder and swapped in with
one rename, so a reader in another worker never sees half an index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.index.chunk_rows import ROWS_FILE, ChunkRows, open_rows, write_rows
from assistant.index.provenance import index_hash
from assistant.index.typos import TypoIndex
from assistant.text.words import content_terms, stem, words
from assistant.types import Chunk

log = logging.getLogger("assistant")

FORMAT = 4  # bump when the saved layout changes; an index of another format is rebuilt (4: the rows copy)
_META = "lexical.json"
_IDS = "ids.json"
_VOCAB = "vocabulary.json"
_DOCS = "documents.json"
_BM25 = "bm25"
_TYPOS = "typos.sqlite"


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
    documents: dict[str, dict[str, Any]]
    built_at: str | None = None
    content_hash: str = ""
    _typos: TypoIndex | None = None
    rows: ChunkRows | None = None  # the store's rows for this version, read by id (None: ask the store)

    @property
    def typos(self) -> TypoIndex:
        """The vocabulary's typo index: the saved file, or built in memory on first use for an unsaved index."""
        if self._typos is None:
            self._typos = TypoIndex.in_memory(self.words)
        return self._typos

    def document_ids(self, doc_id: str) -> list[str] | None:
        """The chunk ids of one document in document order (its rows are contiguous); None when not recorded."""
        doc = self.documents.get(doc_id)
        if doc is None or doc.get("first_row") is None:
            return None
        return self.ids[int(doc["first_row"]) : int(doc["first_row"]) + int(doc["chunks"])]

    def subject_drugs(self) -> set[str]:
        """The drugs of every document still in force (a superseded document's drugs do not make a drug covered)."""
        return {d.lower() for doc in self.documents.values() if not doc.get("superseded_by") for d in doc["drugs"]}

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


def build(
    chunks: list[Chunk], version: str, subjects: Mapping[str, tuple[list[str], str, str]] | None = None
) -> LexicalIndex:
    """Index chunks (in a stable order, so that ties rank the same in every worker). `subjects`: doc_id → (its
    drugs, the id of the document that supersedes it or '', its file) as ingest recorded them."""
    subjects = subjects or {}
    ordered = sorted(chunks, key=lambda c: (c.doc_id, c.position, c.id))
    bm25 = None
    if ordered:
        bm25 = bm25s.BM25()
        bm25.index([bm25_tokens(c) for c in ordered], show_progress=False)
    vocabulary: set[str] = set()
    documents: dict[str, dict[str, Any]] = {}
    for row, c in enumerate(ordered):
        vocabulary |= vocabulary_words(c)
        drugs, superseded_by, file = subjects.get(c.doc_id, ([], "", ""))
        entry = documents.setdefault(
            c.doc_id,
            {
                "title": c.title,
                "chunks": 0,
                "first_row": row,
                "drugs": list(drugs),
                "superseded_by": superseded_by,
                "file": file,
            },
        )
        entry["chunks"] += 1
    return LexicalIndex(
        version=version,
        ids=[c.id for c in ordered],
        bm25=bm25,
        words=frozenset(vocabulary),
        stems=frozenset(stem(w) for w in vocabulary),
        documents=documents,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        content_hash=index_hash(c.id for c in ordered),
    )


def save(index: LexicalIndex, target: Path, rows: dict[str, list] | None = None) -> None:
    """Write the index to `target`, replacing any previous one in one rename; `rows` (a full read of the store the
    index was built from: ids, documents, metadatas, embeddings) are written beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=target.parent))
    try:
        if index.bm25 is not None:
            index.bm25.save(str(tmp / _BM25))
        (tmp / _IDS).write_text(json.dumps(index.ids))
        (tmp / _VOCAB).write_text(json.dumps({"words": sorted(index.words), "stems": sorted(index.stems)}))
        (tmp / _DOCS).write_text(json.dumps(index.documents, sort_keys=True))
        TypoIndex.write(index.words, tmp / _TYPOS)
        if rows is not None:
            write_rows(tmp / ROWS_FILE, rows)
        # Written last: a folder without it is incomplete and is never loaded.
        meta = {
            "format": FORMAT,
            "version": index.version,
            "chunks": len(index.ids),
            "built_at": index.built_at,
            "content_hash": index.content_hash,
        }
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
        meta = json.loads((source / _META).read_text())
        ids = json.loads((source / _IDS).read_text())
        vocab = json.loads((source / _VOCAB).read_text())
        documents = json.loads((source / _DOCS).read_text())
        bm25 = bm25s.BM25.load(str(source / _BM25), mmap=True, load_corpus=False) if ids else None
        typos = TypoIndex.open(source / _TYPOS)
    except (OSError, ValueError, sqlite3.Error) as exc:
        log.warning("lexical index at %s unreadable (%s); it will be rebuilt", source, exc)
        return None
    return LexicalIndex(
        version=version,
        ids=ids,
        bm25=bm25,
        words=frozenset(vocab["words"]),
        stems=frozenset(vocab["stems"]),
        documents=documents,
        built_at=meta.get("built_at"),
        content_hash=str(meta.get("content_hash", "")),
        _typos=typos,
        rows=open_rows(source),
    )
