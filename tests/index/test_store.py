"""Ingest against a real Chroma: the embedded client and a `chroma run` server (see conftest.store_settings)."""

import pytest

from assistant.index.ingest import ingest
from assistant.index.store import open_collection, stored_chunks

pytestmark = pytest.mark.slow


class CountingEmbed:
    """The real model, counting how many texts it embeds."""

    def __init__(self, embeddings):
        self.embeddings = embeddings
        self.count = 0

    def __call__(self, texts):
        self.count += len(texts)
        return self.embeddings.embed_documents(texts)


def test_ingest_is_idempotent_and_incremental(store_settings, embeddings):
    embed = CountingEmbed(embeddings)
    first = ingest(store_settings, embed=embed)
    assert first.report.added == 37 and first.report.removed == 0 and embed.count == 37
    second = ingest(store_settings, embed=embed)
    assert (second.report.added, second.report.removed, second.report.unchanged) == (0, 0, 37)
    assert embed.count == 37  # nothing re-embedded

    doc = store_settings.corpus_dir / "baclofen-spasticity.md"
    text = doc.read_text()
    doc.write_text(
        text.replace("Optimal therapy is the lowest effective dosage", "Optimal therapy is the lowest useful dosage")
    )
    third = ingest(store_settings, embed=embed)
    assert (third.report.added, third.report.removed, third.report.unchanged) == (1, 1, 36)
    assert embed.count == 38

    doc.unlink()
    fourth = ingest(store_settings, embed=embed)
    assert fourth.report.removed == 18 and fourth.report.total == 19 and embed.count == 38
    chunks = stored_chunks(open_collection(store_settings))
    assert {c.doc_id for c in chunks} == {"baclofen-muscle-cramps"}


def test_corrupt_edit_keeps_the_indexed_document(store_settings, embeddings):
    ingest(store_settings, embed=embeddings.embed_documents)
    (store_settings.corpus_dir / "baclofen-spasticity.md").write_bytes(b"\xff\xfe garbage \x00")
    (store_settings.corpus_dir / "new.md").write_text(
        "---\nid: new-doc\ntitle: New\nsource: test\ndate: 2026-01-01\n---\n"
        "New\nHeading\n- A new bullet about cramps 9\n"
    )
    result = ingest(store_settings, embed=embeddings.embed_documents)
    assert len(result.errors) == 1 and "baclofen-spasticity.md" in result.errors[0]
    assert result.report.added == 1 and result.report.removed == 0
    assert result.report.total == 38  # the broken file's chunks are still there, the new one was added
    chunk = next(c for c in stored_chunks(open_collection(store_settings)) if c.doc_id == "new-doc")
    assert chunk.section == "Heading" and chunk.refs == [9]


def test_chunk_metadata_round_trips(store_settings, embeddings):
    ingest(store_settings, embed=embeddings.embed_documents)
    chunks = stored_chunks(open_collection(store_settings))
    assert len(chunks) == 37
    c = next(c for c in chunks if c.text.startswith("For muscle cramps, start"))
    assert (c.doc_id, c.section, c.refs) == ("baclofen-muscle-cramps", "Dosing Protocol for Muscle Cramps", [1, 2])


def test_unreachable_server_is_one_line_error(tmp_path, unused_port):
    from assistant.index.store import StoreError
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{unused_port}")
    with pytest.raises(StoreError, match="cannot open Chroma store") as err:
        open_collection(settings)
    assert "\n" not in str(err.value)
