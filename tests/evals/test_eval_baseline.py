"""The LangChain baseline: fixed-size chunks in an ephemeral Chroma collection (fake embeddings: no model)."""

from __future__ import annotations

from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.settings import REPO_ROOT
from evals.baseline import CHUNK_SIZE, BaselineRetriever, split_corpus
from evals.cases import load_cases, phrase_in

REPO = REPO_ROOT


def test_fixed_size_chunks_cover_both_guidelines():
    chunks = split_corpus(REPO / "corpus")
    assert all(len(c.page_content) <= CHUNK_SIZE for c in chunks)
    assert {c.metadata["doc_id"] for c in chunks} == {"baclofen-muscle-cramps", "baclofen-spasticity"}


def test_every_gold_phrase_can_be_found_in_some_baseline_chunk():
    """The matching rule does not handicap the baseline: each gold phrase survives fixed-size chunking."""
    chunks = split_corpus(REPO / "corpus")
    for case in load_cases(REPO / "evals" / "cases"):
        for g in case.gold_chunks:
            assert any(c.metadata["doc_id"] == g.doc and phrase_in(g.phrase, c.page_content) for c in chunks), g.phrase


def test_search_returns_k_hits_from_a_private_collection():
    first = BaselineRetriever(REPO / "corpus", DeterministicFakeEmbedding(size=16))
    second = BaselineRetriever(REPO / "corpus", DeterministicFakeEmbedding(size=16))
    try:
        hits, seconds = first.timed_search("maximum baclofen dose for muscle cramps", 5)
        assert len(hits) == 5 and seconds >= 0
        assert all(h.doc_id in {"baclofen-muscle-cramps", "baclofen-spasticity"} for h in hits)
        assert len(second.store.get()["ids"]) == len(first.chunks)  # collections do not share chunks
    finally:
        first.close()
        second.close()
