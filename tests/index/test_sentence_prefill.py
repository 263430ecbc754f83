"""The ingest embeds the sentences of multi-sentence chunks once, in bulk; a reply then embeds only the question."""

from __future__ import annotations

import sqlite3

import pytest

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.index.ingest import ingest
from assistant.index.rows import sentence_texts
from assistant.index.vector_cache import CACHE_FILE, sentence_cache_dir
from assistant.pipeline import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow
PARAGRAPH = (
    "---\ntitle: Baclofen monitoring notes\ndrug: baclofen\n---\n\n# Baclofen monitoring notes\n\n## Follow-up\n\n"
    "Review the patient two weeks after each dose change. Ask about drowsiness, dizziness and confusion at every "
    "visit. Check renal function before any increase in patients over 65.\n"
)


def _multi_sentence_texts(settings: Settings) -> list[str]:
    chunks = [c for g in load_corpus(settings.corpus_dir).guidelines for c in chunk_guideline(g)]
    return [t for c in chunks if len(units := sentence_texts(c)[1]) > 1 for t in units]


def test_a_reply_embeds_only_the_question(tmp_path, corpus_copy, embeddings, monkeypatch) -> None:
    (corpus_copy / "baclofen-monitoring.md").write_text(PARAGRAPH, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    result = ingest(settings, embed=embeddings.embed_documents)
    texts = _multi_sentence_texts(settings)
    assert len(texts) >= 3 and result.embedded == result.report.added + len(set(texts))
    with sqlite3.connect(sentence_cache_dir(settings) / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM vectors").fetchone()[0] == len(set(texts))

    assistant = Assistant(settings, embeddings=embeddings)
    calls: list[list[str]] = []
    encode = embeddings.model.encode

    def counted(batch, *args, **kwargs):
        calls.append(list(batch))
        return encode(batch, *args, **kwargs)

    monkeypatch.setattr(embeddings.model, "encode", counted)
    answer = assistant.reply([], "How soon after a baclofen dose change should the patient be reviewed?")
    assert any("two weeks after each dose change" in c.text for c in answer.citations)
    assert len(calls) == 1  # the question (with its masked twin) in one model call; no sentence embedded now


def test_a_second_ingest_embeds_no_sentence_again(tmp_path, corpus_copy, embeddings) -> None:
    (corpus_copy / "baclofen-monitoring.md").write_text(PARAGRAPH, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    ingest(settings, embed=embeddings.embed_documents)
    (corpus_copy / "baclofen-monitoring.md").write_text(PARAGRAPH + "\nA new closing sentence.\n", encoding="utf-8")
    again = ingest(settings, embed=embeddings.embed_documents)
    assert again.report.added >= 1 and again.embedded - again.report.added <= 1  # at most the new sentence


def test_a_test_double_never_fills_the_cache(tmp_path, corpus_copy) -> None:
    (corpus_copy / "baclofen-monitoring.md").write_text(PARAGRAPH, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    result = ingest(settings, embed=lambda texts: [[1.0] + [0.0] * 383 for _ in texts])
    assert result.embedded == result.report.added
    assert not (sentence_cache_dir(settings) / CACHE_FILE).exists()
