"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) fused by reciprocal rank."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.index.chunks import StoredChunkMap, chunk_vectors, document_chunks, fetch_chunks, quote_matches
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.lexical import LexicalIndex
from assistant.index.store import query as dense_query
from assistant.index.version import check_backend, load_lexical
from assistant.query.scope import CorpusVocabulary
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
    """BM25 from the persisted lexical index (memory-mapped), dense ranks and chunk text from Chroma.

    Start-up reads no chunk: what is proportional to the library stays on disk or in the store."""

    def __init__(
        self,
        collection,
        embeddings: LocalEmbeddings,
        candidates: int = 20,
        rrf_k: int = 60,
        lexical_path: Path | None = None,
    ) -> None:
        """`lexical_path`: the lexical index folder; by default the one the last ingest recorded in the store."""
        self.collection = collection
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.lexical_path = lexical_path
        self.reload()

    def reload(self) -> None:
        """Pick up the index an ingest left (a new store version loads its lexical index)."""
        check_backend(self.collection, getattr(self.embeddings, "backend", "torch"))
        self.lexical: LexicalIndex = load_lexical(self.collection, self.lexical_path)
        self.chunks = StoredChunkMap(self.collection)  # the old table's interface; prefer the methods below
        self._quotes: dict[tuple[str, str], Chunk | None] = {}

    # -- look-ups the pipeline needs, none of them a scan of the library -----------------------------------------
    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        """One stored chunk, None when the id is not in the index."""
        return self.chunks_by_id([chunk_id]).get(chunk_id)

    def vectors_by_id(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """The indexed vectors of these chunks (from the index's copy of the store's rows, else one store request)."""
        rows = self.lexical.rows
        return rows.vectors(chunk_ids) if rows is not None else chunk_vectors(self.collection, chunk_ids)

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        """Stored chunks by id (unknown ids are left out): from the index's copy of the store's rows, else in one
        store request."""
        rows = self.lexical.rows
        return rows.chunks(chunk_ids) if rows is not None else fetch_chunks(self.collection, chunk_ids)

    def chunk_for_quote(self, doc_id: str, quote: str) -> Chunk | None:
        """The first chunk (in document order) of `doc_id` that holds a rule's quoted text, or whose text the quote
        holds; reads that one document's chunks once per quote (rules are fixed between ingests)."""
        quote = quote.strip().rstrip(".")
        key = (doc_id, quote)
        if key not in self._quotes:
            self._quotes[key] = next((c for c in self._document(doc_id) if quote_matches(c, quote)), None)
        return self._quotes[key]

    def vocabulary(self) -> CorpusVocabulary:
        """The corpus vocabulary with its typo index, as the persisted index holds them."""
        return CorpusVocabulary(words=self.lexical.words, stems=self.lexical.stems, typos=self.lexical.typos)

    def _document(self, doc_id: str) -> list[Chunk]:
        """One document's chunks in order: by id from the lexical index's row table (a primary-key read), else by a
        metadata filter (which the store answers by a scan of every row)."""
        ids = self.lexical.document_ids(doc_id)
        if ids is None:
            return document_chunks(self.collection, doc_id)
        found = self.chunks_by_id(ids)
        return [found[i] for i in ids if i in found]

    def corpus_words(self) -> frozenset[str]:
        """Every word the indexed titles, sections and texts use (numbers excluded), from the persisted index."""
        return self.lexical.words

    def corpus_stems(self) -> frozenset[str]:
        """The stems of `corpus_words`, precomputed at ingest."""
        return self.lexical.stems

    def documents(self) -> dict[str, tuple[str, int]]:
        """doc_id → (title, chunk count) of the indexed documents."""
        return {doc_id: (str(d["title"]), int(d["chunks"])) for doc_id, d in self.lexical.documents.items()}

    def document_file(self, doc_id: str) -> str:
        """The file a document was indexed from ('' when the index does not record it)."""
        return str(self.lexical.documents.get(doc_id, {}).get("file", ""))

    def any_text_matches(self, pattern: str) -> bool:
        """Does any stored chunk text match the regex (case-insensitive)? Asked of the store, which stops at the first
        match; a pattern its regex engine rejects (e.g. a look-around) is searched here instead."""
        try:
            got = self.collection.get(where_document={"$regex": f"(?i){pattern}"}, limit=1, include=[])
        except Exception:  # noqa: BLE001  # chroma raises several types for a pattern it cannot compile
            compiled = re.compile(pattern, re.IGNORECASE)
            return any(compiled.search(c.text) for c in self.chunks.values())
        return bool(got["ids"])

    def content_hash(self) -> str:
        """The index's content hash (chunk ids), computed when the lexical index was built."""
        return self.lexical.content_hash

    def built_at(self) -> str | None:
        """ISO time the index was last built with changed text (None for an empty index)."""
        return self.lexical.built_at if self.lexical.ids else None

    # -- ranking -------------------------------------------------------------------------------------------------
    def bm25_ranking(self, question: str) -> list[str]:
        return self.lexical.ranking(content_terms(question), self.candidates)

    def dense_ranking(self, question: str, vector: list[float] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks to the question (its vector when the caller has it already)."""
        vector = vector if vector is not None else self.embeddings.embed_query(question)
        return dense_query(self.collection, vector, self.candidates)

    def search(
        self,
        question: str,
        k: int = 5,
        cue: str | None = None,
        prior: list[str] | None = None,
        cue_weight: float = 1.0,
        vector: list[float] | None = None,
    ) -> list[Hit]:
        """Top-k fused hits. `cue` (a regex of wording that answers the question's intent, e.g. 'maxim|up to')
        adds a list to the fusion: the dense and BM25 candidates that contain such wording. `prior` adds
        chunk ids known to matter (the corpus text behind a dose-check finding) as one more list. `vector`: the
        question's embedding, when the caller has computed it (the answer's relevance step uses it too)."""
        ranked_dense = self.dense_ranking(question, vector)
        sparse = self.bm25_ranking(question)
        # One store request for every candidate's text (a BM25 id of a chunk deleted since is dropped here).
        table = self.chunks_by_id([cid for cid, _ in ranked_dense] + sparse + list(prior or []))
        dense = [(cid, sim) for cid, sim in ranked_dense if cid in table]
        sparse = [cid for cid in sparse if cid in table]
        dense_ids = [cid for cid, _ in dense]
        lists = [dense_ids, sparse]
        weights = [1.0, 1.0]
        if cue:
            pattern = re.compile(cue, re.IGNORECASE)
            two_way = rrf(lists, self.rrf_k)
            by_two_way = sorted(two_way, key=lambda cid: (-two_way[cid], cid))
            lists.append([cid for cid in by_two_way if pattern.search(table[cid].text)])
            weights.append(cue_weight)
        if prior:
            lists.append([cid for cid in prior if cid in table])
            weights.append(1.0)
        fused = rrf(lists, self.rrf_k, weights)
        similarity = dict(dense)
        ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))[:k]
        return [
            Hit(
                chunk=table[cid],
                score=fused[cid],
                dense_rank=dense_ids.index(cid) + 1 if cid in similarity else None,
                bm25_rank=sparse.index(cid) + 1 if cid in sparse else None,
                similarity=similarity.get(cid),
            )
            for cid in ranked
        ]
