"""A re-index from the chat runs aside: replies keep coming from the old index (vectors and BM25) until the new one
is swapped in whole, and only changed text is embedded (issue 13)."""

from __future__ import annotations

import threading

import pytest

from assistant.pipeline import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow

NEW_DOC = """---
id: zanzibar-note
title: "Zanzibarian dosing note"
---
Zanzibarian dosing note

## Dosing
- Baclofen zanzibarian titration should follow the local protocol.
"""


class CountingEmbed:
    def __init__(self, embeddings) -> None:
        self.embeddings = embeddings
        self.texts = 0
        self.backend = embeddings.backend

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.embeddings.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embeddings.embed_query(text)


def test_replies_use_the_old_index_until_the_new_one_is_swapped_in(tmp_path, corpus_copy, embeddings):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    assistant = Assistant(settings, embeddings=embeddings)
    old_store, old_count = assistant.collection, assistant.collection.count()
    old_hash = assistant.provenance["index_sha256"]
    (corpus_copy / "zanzibar.md").write_text(NEW_DOC)
    counting = CountingEmbed(embeddings)
    assistant.embeddings = counting
    swap_lock = threading.Lock()
    seen_during: list[tuple[int, bool, bool]] = []

    def progress(batches):
        for batch in batches:
            # mid-re-index: the assistant still answers from the old store and the old BM25 index
            hits = assistant.search("zanzibarian titration")
            seen_during.append(
                (
                    assistant.collection.count(),
                    any("zanzibarian" in h.chunk.text.lower() for h in hits),
                    bool(assistant.retriever.bm25_ranking("zanzibarian")),
                )
            )
            yield batch

    result = assistant.reindex_aside(swap_lock, progress)
    assert seen_during == [(old_count, False, False)]
    assert result.report.added == 1 and counting.texts == 1  # the copy kept every unchanged vector
    assert assistant.collection is not old_store and assistant.collection.count() == old_count + 1
    assert old_store.count() == old_count  # the store replies used meanwhile was never written
    top = assistant.retriever.bm25_ranking("zanzibarian")
    assert top and "zanzibarian" in assistant.retriever.chunk_by_id(top[0]).text.lower()
    assert assistant.provenance["index_sha256"] != old_hash
    answer = assistant.reply([], "What is the maximum daily dose of baclofen for muscle cramps?")
    assert not answer.refused and answer.citations

    again = assistant.reindex_aside(swap_lock)  # nothing changed: no copy, no swap
    assert again.report.added == 0 and assistant.collection.count() == old_count + 1
    stores = sorted(p.name for p in settings.data_dir.glob("chroma-*"))
    assert len(stores) <= 2  # the live one and the one before it, no more
