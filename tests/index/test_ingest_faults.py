"""Ingest is cheap to interrupt and runs once at a time (issue 13): completion without duplicates, a PID lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.index.ingest import ingest
from assistant.index.lock import LOCK_NAME, IngestBusy, ingest_lock
from assistant.index.store import open_collection
from assistant.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow

EXTRA_BULLETS = 150  # with the shipped 37 chunks: several embedding batches of 64


def _long_doc(corpus: Path) -> None:
    bullets = "".join(
        f"- Observation {n}: cramps eased in patient group {n} after a week 1\n" for n in range(EXTRA_BULLETS)
    )
    front = "---\nid: long-doc\ntitle: Long\nsource: test\ndate: 2026-01-01\n---\n"
    (corpus / "long.md").write_text(f"{front}Long\nFindings\n{bullets}")


class Crash(Exception):
    """Stands for a kill in the middle of an ingest."""


def test_interrupted_ingest_is_completed_by_the_next_run_without_duplicates(
    tmp_path, corpus_copy, embeddings, monkeypatch
):
    from assistant.index import store

    monkeypatch.setattr(store, "BATCH", 64)  # small batches, so the crash falls between two of them
    _long_doc(corpus_copy)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    calls = 0

    def embed_then_crash(texts: list[str]) -> list[list[float]]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Crash  # the first batch is stored, the rest never is
        return embeddings.embed_documents(texts)

    with pytest.raises(Crash):
        ingest(settings, embed=embed_then_crash)
    assert open_collection(settings).count() == 64
    assert not (settings.data_dir / LOCK_NAME).exists()  # released on the way out

    result = ingest(settings, embed=embeddings.embed_documents)
    loaded = load_corpus(corpus_copy)
    total = len({c.id for doc in loaded.guidelines for c in chunk_guideline(doc)})
    assert total > 2 * 64
    assert (result.report.added, result.report.total) == (total - 64, total)
    ids = open_collection(settings).get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == total


def test_two_concurrent_ingests_do_the_work_once(tmp_path):
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(REPO_ROOT),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest"],
            env=env,
            cwd=REPO_ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    added = sorted(out.splitlines()[-1].split(",")[0] for out, _ in outputs)
    assert added == ["added 0", "added 37"]


def test_a_stale_lock_is_cleared_and_a_live_one_waited_for(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (data / LOCK_NAME).write_text(str(dead.pid))  # left by a killed ingest
    with ingest_lock(data, wait=0):
        assert (data / LOCK_NAME).read_text() == str(os.getpid())
    assert not (data / LOCK_NAME).exists()

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (data / LOCK_NAME).write_text(str(live.pid))
        with (
            pytest.raises(IngestBusy, match=rf"another ingest \(pid {live.pid}\) is running"),
            ingest_lock(data, wait=0.5),
        ):
            pass
        assert (data / LOCK_NAME).read_text() == str(live.pid)  # not ours: left alone
    finally:
        live.kill()
        live.wait()


def test_every_file_is_indexed_with_a_chunk_or_reported(tmp_path, corpus_copy, embeddings):
    one_line = "Baclofen for spasms: start 5 mg three times daily and increase slowly; do not stop abruptly. " * 3
    (corpus_copy / "one-line.txt").write_text(one_line.strip(), encoding="utf-8")
    (corpus_copy / "title-only.md").write_text("# Baclofen notes\n", encoding="utf-8")
    result = ingest(Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy), embed=embeddings.embed_documents)
    assert result.documents["one-line"] >= 1
    assert "title-only.md: no text to index (0 chunks)" in result.errors
