"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) fused by reciprocal rank."""
from __future__ import annotations

import re

import bm25s
import numpy as np

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.store import query as dense_query
from assistant.index.store import stored_chunks
from assistant.text.words import content_terms
from assistant.types import Chunk, Hit


def rrf(ranked_lists: list[list[str]], k: int, weights: list[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of weight / (k + rank) over the lists an id appears in (weights default to 1)."""
    scores: dict[str, float] = {}
    for i, ranked in enumerate(ranked_lists):
        weight = weights[i] if weights else 1.0
        for rank, cid in enumerate(ranked, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
    return scores


class HybridRetriever:
    """Holds the chunk table and BM25 index in memory; Chroma answers the dense half."""

    def __init__(self, collection, embeddings: LocalEmbeddings, candidates: int = 20, rrf_k: int = 60) -> None:
        self.collection = collection
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.reload()

    def reload(self) -> None:
        """Re-read chunks after an ingest."""
        self.chunks: dict[str, Chunk] = {c.id: c for c in stored_chunks(self.collection)}
        self._ids = list(self.chunks)
        self._bm25 = bm25s.BM25()
        corpus_tokens = [content_terms(f"{c.section} {c.text}") or ["_"] for c in self.chunks.values()]
        if corpus_tokens:
            self._bm25.index(corpus_tokens, show_progress=False)

    def bm25_ranking(self, question: str) -> list[str]:
        terms = content_terms(question)
        if not terms or not self._ids:
            return []
        scores = self._bm25.get_scores(terms)
        order = np.argsort(-scores, kind="stable")[: self.candidates]
        return [self._ids[i] for i in order if scores[i] > 0]

    def dense_ranking(self, question: str) -> list[tuple[str, float]]:
        return dense_query(self.collection, self.embeddings.embed_query(question), self.candidates)

    def search(
        self, question: str, k: int = 5, cue: str | None = None, prior: list[str] | None = None, cue_weight: float = 1.0
    ) -> list[Hit]:
        """Top-k fused hits. `cue` (a regex of wording that answers the question's intent, e.g. 'maxim|up to')
        adds a list to the fusion: the dense and BM25 candidates that contain such wording. `prior` adds
        chunk ids known to matter (the corpus text behind a dose-check finding) as one more list."""
        dense = [(cid, sim) for cid, sim in self.dense_ranking(question) if cid in self.chunks]
        sparse = self.bm25_ranking(question)
        dense_ids = [cid for cid, _ in dense]
        lists = [dense_ids, sparse]
        weights = [1.0, 1.0]
        if cue:
            pattern = re.compile(cue, re.IGNORECASE)
            two_way = rrf(lists, self.rrf_k)
            by_two_way = sorted(two_way, key=lambda cid: (-two_way[cid], cid))
            lists.append([cid for cid in by_two_way if pattern.search(self.chunks[cid].text)])
            weights.append(cue_weight)
        if prior:
            lists.append([cid for cid in prior if cid in self.chunks])
            weights.append(1.0)
        fused = rrf(lists, self.rrf_k, weights)
        similarity = dict(dense)
        ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))[:k]
        return [
            Hit(
                chunk=self.chunks[cid],
                score=fused[cid],
                dense_rank=dense_ids.index(cid) + 1 if cid in similarity else None,
                bm25_rank=sparse.index(cid) + 1 if cid in sparse else None,
                similarity=similarity.get(cid),
            )
            for cid in ranked
        ]
