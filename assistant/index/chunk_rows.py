"""The store's rows (text, metadata, vector), copied beside the lexical index when it is built, read by id from SQLite.

A reply reads the text and vectors of a few dozen candidate chunks; Chroma answers such a `get` by id in ~5 ms at
10,000 chunks (more as the store grows), a primary-key read here in well under one. The copy is written in the same
folder, from the same read of the store, as the lexical index of one store version, and is used only with it, so it
never holds text the store does not. Nothing is loaded at start-up: pages are read as rows are asked for.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import numpy as np

from assistant.index.rows import chunk_from
from assistant.types import Chunk

ROWS_FILE = "chunks.sqlite"
_BATCH = 500


def write_rows(path: Path, got: dict[str, list]) -> None:
    """Write the rows of a full store read (`ids`, `documents`, `metadatas`, `embeddings`) to a new file."""
    embeddings = got.get("embeddings") or [None] * len(got["ids"])
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE rows (id TEXT PRIMARY KEY, document TEXT NOT NULL, metadata TEXT NOT NULL, vector BLOB)"
            " WITHOUT ROWID"
        )
        db.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?)",
            (
                (i, d, json.dumps(m), None if e is None else np.asarray(e, dtype=np.float32).tobytes())
                for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], embeddings, strict=True)
            ),
        )
    db.close()


class ChunkRows:
    """Read-only look-ups by chunk id; one connection shared by the sessions' threads, one read at a time."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        # Memory-mapped: a look-up reads the OS page cache in place (10x faster at 100,000 chunks than SQLite's own
        # reads), and every process serving this index shares those pages.
        self._db.execute(f"PRAGMA mmap_size={path.stat().st_size + (1 << 20)}")
        self._lock = threading.Lock()
        self._db.execute("SELECT 1 FROM rows LIMIT 1").fetchall()  # not a rows file: fail here, at load

    def _select(self, columns: str, ids: list[str]) -> list[tuple]:
        wanted = list(dict.fromkeys(ids))
        out: list[tuple] = []
        with self._lock:
            for start in range(0, len(wanted), _BATCH):
                part = wanted[start : start + _BATCH]
                sql = f"SELECT id, {columns} FROM rows WHERE id IN ({','.join('?' * len(part))})"
                out += self._db.execute(sql, part).fetchall()
        return out

    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids (unknown ids are left out)."""
        return {i: chunk_from(i, d, json.loads(m)) for i, d, m in self._select("document, metadata", ids)}

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The indexed vectors of these chunks (unknown ids, or rows written without vectors, are left out)."""
        rows = self._select("vector", ids)
        return {i: np.frombuffer(v, dtype=np.float32).tolist() for i, v in rows if v is not None}


def open_rows(folder: Path) -> ChunkRows | None:
    """The rows file of a lexical index folder; None when it has none or it cannot be read (the store is asked)."""
    path = folder / ROWS_FILE
    if not path.exists():
        return None
    try:
        return ChunkRows(path)
    except sqlite3.Error:
        return None
