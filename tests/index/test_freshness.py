"""A guideline deleted, changed or emptied after ingest is never quoted from the index's old copy: the answer drops
its text and says to re-ingest; emptying a file withdraws it at the next ingest (an unreadable one keeps its chunks).
Real model, real Chroma, a writable copy of the corpus."""

from __future__ import annotations

import pytest

from assistant.index.freshness import GONE, STALE
from assistant.index.ingest import ingest
from assistant.index.store import open_collection
from assistant.pipeline import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow
QUESTION = "What is the maximum dose of baclofen for muscle cramps in cirrhosis?"
DOC = "baclofen-muscle-cramps"


def cited_docs(answer) -> set[str]:
    return {c.doc_id for c in answer.citations}


@pytest.mark.parametrize("fault", ["deleted", "changed"])
def test_a_document_changed_or_deleted_after_ingest_is_never_quoted(tmp_path, corpus_copy, embeddings, fault):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    assistant = Assistant(settings, embeddings=embeddings)
    assert DOC in cited_docs(assistant.reply([], QUESTION))
    path = corpus_copy / f"{DOC}.md"
    if fault == "deleted":
        path.unlink()
    else:
        path.write_text(path.read_text(encoding="utf-8").replace("30 mg/day", "300 mg/day"), encoding="utf-8")
    answer = assistant.reply([], QUESTION)
    now = path.read_text(encoding="utf-8") if path.exists() else ""
    # only text still in the file may be quoted from this document (a chunk the change left alone still is)
    assert all(c.text in now for c in answer.citations if c.doc_id == DOC)
    assert not any("30 mg/day" in c.text for c in answer.citations if c.doc_id == DOC)  # the changed text is gone
    assert "300" not in answer.text
    assert f"{DOC}: {GONE if fault == 'deleted' else STALE}" in answer.notes


def test_emptying_a_file_withdraws_it_at_the_next_ingest(tmp_path, corpus_copy, embeddings):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    ingest(settings, embed=embeddings.embed_documents)
    (corpus_copy / f"{DOC}.md").write_text("", encoding="utf-8")
    result = ingest(settings, embed=embeddings.embed_documents)
    assert DOC not in result.documents
    left = open_collection(settings).get(where={"doc_id": DOC}, include=[])["ids"]
    assert left == []


def test_an_unchanged_document_is_checked_by_its_hash_not_parsed_again(tmp_path, corpus_copy, embeddings, monkeypatch):
    from assistant.index import freshness

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    assistant = Assistant(settings, embeddings=embeddings)

    def parse_again(*_args, **_kwargs):
        raise AssertionError("an unchanged document was parsed again")

    monkeypatch.setattr(freshness, "admitted", parse_again)
    answer = assistant.reply([], QUESTION)
    assert DOC in cited_docs(answer) and not answer.notes
