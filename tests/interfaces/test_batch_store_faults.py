"""A `chroma run` server killed mid-batch: per-line errors, bounded retries, a circuit breaker, a summary (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT

pytestmark = pytest.mark.slow

QUESTION = "What is the maximum daily dose of baclofen for muscle cramps?"


def test_store_killed_mid_batch_every_line_gets_an_answer_or_an_error(tmp_path: Path):
    from tests.conftest import start_chroma_server, stop_process

    server, url = start_chroma_server(tmp_path)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "ASSISTANT_CHROMA_URL": url,
        "ASSISTANT_STORE_RETRIES": "2",
        "ASSISTANT_STORE_BACKOFF": "0.05",
        "ASSISTANT_STORE_BREAKER": "3",
    }
    try:
        ingest = subprocess.run(
            [sys.executable, "-m", "assistant", "ingest"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert ingest.returncode == 0, ingest.stderr
        batch = subprocess.Popen(
            [sys.executable, "-m", "assistant", "batch", "-"],
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert batch.stdin and batch.stdout
        rows = []
        for n in range(3):  # answered while the store is up, read back one by one through the pipe
            batch.stdin.write((json.dumps({"id": n, "question": QUESTION}) + "\n").encode())
            batch.stdin.flush()
            rows.append(json.loads(batch.stdout.readline()))
    finally:
        stop_process(server)
    lines = b"".join((json.dumps({"id": n, "question": QUESTION}) + "\n").encode() for n in range(3, 10))
    out, err = batch.communicate(lines, timeout=600)
    rows += [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == list(range(10))
    assert all("error" not in r and r["refused"] is False for r in rows[:3])
    assert all("the Chroma store stopped answering" in r["error"] for r in rows[3:6])
    assert all("skipped: the store failed on 3 lines in a row" in r["error"] for r in rows[6:])
    stderr = err.decode()
    assert "Traceback" not in stderr and batch.returncode == 1
    assert stderr.strip().splitlines()[-1] == (
        "batch: 10 line(s), 3 answered, 7 error(s) (3 store failure(s), 4 skipped after the store stopped answering)"
    )


def test_retries_are_bounded_with_doubling_backoff():
    from assistant.index.store import StoreError
    from assistant.interfaces.batch import _with_retries
    from assistant.settings import Settings
    from assistant.types import Patient

    calls: list[list[str]] = []
    waits: list[float] = []

    def failing_reply(turns: list[str], patient: Patient):
        calls.append(turns)
        raise StoreError("the Chroma store stopped answering: connection refused")

    settings = Settings(store_retries=3, store_backoff=0.5)
    with pytest.raises(StoreError):
        _with_retries(failing_reply, ["q"], Patient(), settings, waits.append)
    assert len(calls) == 4 and waits == [0.5, 1.0, 2.0]
