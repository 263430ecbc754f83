"""The answer units of retrieved chunks and their vectors. A unit is one sentence of a chunk, embedded as the chunk
is at ingest (title and section first, assistant/index/rows.py), so a one-sentence chunk's vector is the stored one
(read with the chunk, no model call); the sentences of a longer chunk were embedded by the ingest into the index's
sentence-vector cache (read from disk; a text not found there is embedded then), and are kept (bounded) in memory.
A list item that continues a lead-in is one chunk already (corpus/chunk.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from assistant.index.rows import sentence_texts
from assistant.types import Chunk

EmbedFn = Callable[[list[str]], list[list[float]]]
KEPT_CHUNKS = 20_000  # chunks whose sentence vectors stay in memory (~4 sentences x 384 floats each)


class SentenceVectors:
    """`units(chunks)` → per chunk its sentences and their unit-length vectors, in one model call for the chunks
    not seen before (a reply re-uses what earlier replies embedded)."""

    def __init__(self, embed: EmbedFn, kept: int = KEPT_CHUNKS) -> None:
        self.embed, self.kept = embed, kept
        self._cache: OrderedDict[tuple[str, str], tuple[list[str], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def units(
        self, chunks: Sequence[Chunk], stored: Callable[[list[str]], Mapping[str, Sequence[float]]] | None = None
    ) -> dict[str, tuple[list[str], np.ndarray]]:
        """`stored(ids)`: the chunks' vectors as indexed (a one-sentence chunk's sentence vector), asked only for the
        one-sentence chunks not seen before (a warm reply reads nothing more from the store)."""
        single = [c for c in chunks if self._get(c) is None and len(sentence_texts(c)[0]) == 1]
        indexed = stored([c.id for c in single]) if stored and single else {}
        for c in single:
            if c.id in indexed:
                self._put(c, sentence_texts(c)[0], _unit_rows(np.asarray([indexed[c.id]], np.float32)))
        missing = [c for c in chunks if self._get(c) is None]
        if missing:
            split = [sentence_texts(c) for c in missing]
            flat = [text for _, texts in split for text in texts]
            matrix = _unit_rows(np.asarray(self.embed(flat), dtype=np.float32)) if flat else np.zeros((0, 1))
            start = 0
            for chunk, (sentences, _) in zip(missing, split, strict=True):
                self._put(chunk, sentences, matrix[start : start + len(sentences)])
                start += len(sentences)
        out: dict[str, tuple[list[str], np.ndarray]] = {}
        for chunk in chunks:
            found = self._get(chunk)
            if found is not None:
                out[chunk.id] = found
        return out

    def _get(self, chunk: Chunk) -> tuple[list[str], np.ndarray] | None:
        with self._lock:
            found = self._cache.get((chunk.id, chunk.text))
            if found is not None:
                self._cache.move_to_end((chunk.id, chunk.text))
            return found

    def _put(self, chunk: Chunk, sentences: list[str], matrix: np.ndarray) -> None:
        with self._lock:
            self._cache[(chunk.id, chunk.text)] = (sentences, matrix)
            while len(self._cache) > self.kept:
                self._cache.popitem(last=False)


def unit_vector(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)
