"""`ingest PATH…`: files outside the corpus folder are recorded in the library manifest and stay indexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.corpus.load import CorpusError
from assistant.index.ingest import ingest
from assistant.index.library import manifest_path, record
from assistant.index.store import document_summaries, open_collection, stored_chunks
from assistant.settings import Settings


@pytest.fixture()
def outside(tmp_path: Path, make_pdf) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "Methocarbamol label.md").write_text(
        "# Methocarbamol\n\nTest material.\n\n## Adults\n\n- 1500 mg four times a day for 48 to 72 hours.\n",
        encoding="utf-8",
    )
    make_pdf(
        folder / "levetiracetam.pdf",
        [
            [("title", "Levetiracetam Summary"), ("heading", "Adults"), ("bullet", "- 500 mg twice daily.")],
            [("heading", "Renal"), ("bullet", "- CrCl below 30 mL/min: 250 to 500 mg every 12 hours.")],
        ],
    )
    (folder / "notes.docx").write_bytes(b"ignored: not a guideline suffix")
    return folder


@pytest.mark.slow
def test_ingested_files_are_recorded_and_included_in_every_later_ingest(tmp_path, corpus_copy, outside, embeddings):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    first = ingest(settings, embed=embeddings.embed_documents, paths=[outside])
    assert first.errors == []
    assert {"methocarbamol-label", "levetiracetam"} <= set(first.documents)
    manifest = json.loads(manifest_path(settings).read_text())
    assert sorted(Path(e["path"]).name for e in manifest["files"]) == ["Methocarbamol label.md", "levetiracetam.pdf"]
    assert all(len(e["sha256"]) == 64 and e["added"] for e in manifest["files"])

    again = ingest(settings, embed=embeddings.embed_documents)  # no paths: the manifest brings them back
    assert again.report.added == 0 and again.report.removed == 0 and set(again.documents) == set(first.documents)

    listing = {d.doc_id: d for d in document_summaries(open_collection(settings))}
    assert listing["methocarbamol-label"].drugs == ["methocarbamol"]  # no front matter: named by its title
    assert listing["levetiracetam"].pages == 2 and listing["levetiracetam"].indexed_at
    assert listing["baclofen-muscle-cramps"].drugs == ["baclofen"] and listing["baclofen-muscle-cramps"].source_date

    chunks = stored_chunks(open_collection(settings))
    renal = next(c for c in chunks if c.doc_id == "levetiracetam" and c.section == "Renal")
    assert renal.page == 2 and all(c.page is None for c in chunks if c.doc_id.startswith("baclofen"))

    (outside / "levetiracetam.pdf").unlink()
    gone = ingest(settings, embed=embeddings.embed_documents)
    assert any("levetiracetam.pdf: recorded in the library but missing" in e for e in gone.errors)
    assert gone.report.removed == 0  # a file that went missing is never silently dropped from the index


def test_bad_paths_are_one_line_errors(tmp_path, corpus_copy):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    with pytest.raises(CorpusError, match="no such file or folder"):
        record(settings, [tmp_path / "nope.pdf"])
    (tmp_path / "a.docx").write_text("x")
    with pytest.raises(CorpusError, match="not a guideline file"):
        record(settings, [tmp_path / "a.docx"])
    manifest_path(settings).parent.mkdir(parents=True)
    manifest_path(settings).write_text("{not json")
    with pytest.raises(CorpusError, match="library manifest .* is unreadable"):
        record(settings, [corpus_copy])
