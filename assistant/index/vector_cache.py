"""Vectors of texts that do not change between replies, kept on disk: the question-kind and safety-net examples
(embedding them cost ~0.8 s of every process start) and the sentences of the library's multi-sentence chunks (embedded
in bulk by the ingest, so that a reply embeds nothing but the question). Each vector is
stored under a hash of the embedding backend and the exact text, so an edited example or another backend is simply
a miss (embedded and added); nothing is ever served for a text it was not computed from. A cache that cannot be read
or written costs the embedding, never the answer.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np

from assistant.settings import Settings

CACHE_FILE = "vectors.sqlite"
EmbedFn = Callable[[list[str]], list[list[float]]]


class VectorCache:
    def __init__(self, folder: Path, backend: str) -> None:
        self.path = folder / CACHE_FILE
        self.backend = backend

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.backend}\n{text}".encode()).hexdigest()

    def embed(self, texts: list[str], embed: EmbedFn) -> list[list[float]]:
        """`embed(texts)`, with the vectors already on disk read instead of computed."""
        return self._embed(texts, embed)[0]

    def fill(self, texts: list[str], embed: EmbedFn, batch: int = 2048) -> int:
        """Embed the texts not on disk yet and store them, batch by batch (nothing is kept, so a library's worth of
        sentences never sits in memory); the number embedded."""
        return sum(
            self._embed(list(dict.fromkeys(texts[i : i + batch])), embed)[1] for i in range(0, len(texts), batch)
        )

    def _embed(self, texts: list[str], embed: EmbedFn) -> tuple[list[list[float]], int]:
        """The texts' vectors (read, or computed and stored) and how many were computed."""
        keys = [self._key(t) for t in texts]
        found = self._read(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            computed = embed([texts[i] for i in missing])
            fresh = {keys[i]: vector for i, vector in zip(missing, computed, strict=True)}
            self._write(fresh)
            found.update(fresh)
        return [found[k] for k in keys], len(missing)

    def bound(self, embed: EmbedFn) -> EmbedFn:
        return lambda texts: self.embed(texts, embed)

    def _read(self, keys: list[str]) -> dict[str, list[float]]:
        if not self.path.exists() or not keys:
            return {}
        try:
            with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)) as db:
                rows: dict[str, list[float]] = {}
                for start in range(0, len(keys), 500):
                    part = keys[start : start + 500]
                    sql = f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})"
                    for key, blob in db.execute(sql, part):
                        rows[key] = np.frombuffer(blob, dtype=np.float32).tolist()
            return rows
        except sqlite3.Error:
            return {}

    def _write(self, vectors: dict[str, list[float]]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=5)) as db, db:
                db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                db.executemany(
                    "INSERT OR IGNORE INTO vectors VALUES (?, ?)",
                    [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()],
                )
        except (OSError, sqlite3.Error):
            pass  # a read-only or full disk: the next start embeds them again


def sentence_cache_dir(settings: Settings) -> Path:
    """Where the ingest keeps the vectors of the library's sentences (beside the collection's lexical index)."""
    return settings.data_dir / "index" / settings.collection


def fixed_text_embedder(embeddings, folder: Path) -> EmbedFn:
    """The model's `embed_documents` through the cache; a caller's own embeddings object (no `backend`, e.g. a
    test's fake) is never cached, since its vectors cannot be told apart from the model's."""
    backend = getattr(embeddings, "backend", None)
    return VectorCache(folder, backend).bound(embeddings.embed_documents) if backend else embeddings.embed_documents
