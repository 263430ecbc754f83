"""The index's copy of the store's rows answers exactly as the store does, and the store is asked when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.index.chunk_rows import ROWS_FILE
from assistant.index.chunks import chunk_vectors, fetch_chunks
from assistant.index.ingest import ingest
from assistant.index.store import open_collection
from assistant.index.version import LEXICAL_KEY, store_metadata
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture()
def built(tmp_path, embeddings):
    settings = Settings(data_dir=tmp_path / "data")
    ingest(settings, embed=embeddings.embed_documents)
    collection = open_collection(settings)
    return collection, HybridRetriever(collection, embeddings)


def test_rows_and_vectors_are_the_stores(built) -> None:
    collection, retriever = built
    assert retriever.lexical.rows is not None
    ids = collection.get(include=[])["ids"]
    assert len(ids) == 37
    wanted = [*ids[:20], "no-such-chunk", ids[3]]
    assert retriever.chunks_by_id(wanted) == fetch_chunks(collection, wanted)
    assert retriever.vectors_by_id(wanted) == chunk_vectors(collection, wanted)


def test_a_reply_reads_chunks_without_asking_the_store(built, monkeypatch) -> None:
    collection, retriever = built

    def no_get(*_args, **_kwargs):
        raise AssertionError("the store was asked for rows the index holds")

    monkeypatch.setattr(collection, "get", no_get)
    hits = retriever.search("maximum daily dose of baclofen for muscle cramps", k=5)
    assert any("30 mg/day" in h.chunk.text for h in hits)
    assert len(retriever.vectors_by_id([h.chunk.id for h in hits])) == len(hits)


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_without_a_readable_copy_the_store_answers(built, damage) -> None:
    collection, retriever = built
    path = Path(store_metadata(collection)[LEXICAL_KEY]) / ROWS_FILE
    assert path.exists()
    retriever.lexical.rows = None  # release the open file before damaging it
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(b"not a database")
    retriever.reload()
    assert retriever.lexical.rows is None
    ids = collection.get(include=[])["ids"][:5]
    assert retriever.chunks_by_id(ids) == fetch_chunks(collection, ids)
