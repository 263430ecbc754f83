"""`python -m assistant serve` as a user starts it, the committed OpenAPI copy, and `ask`/`batch --server`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.interfaces.server.run import openapi_text
from tests.conftest import free_port, stop_process

ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=300,
        cwd=ROOT,
    )


def test_openapi_copy_in_docs_is_the_served_contract():
    # A change to the API's models shows as a diff of docs/openapi.json: `python -m assistant serve --openapi`.
    assert (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8") == openapi_text()


def test_a_public_bind_without_an_api_key_is_refused_in_one_line():
    done = cli("serve", "--host", "0.0.0.0", env={"ASSISTANT_SERVER_API_KEY": ""})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: binding to 0.0.0.0 needs an API key: set ASSISTANT_SERVER_API_KEY or ASSISTANT_SERVER_API_KEY_FILE"
    ]


@pytest.mark.slow
def test_serve_with_two_workers_answers_ask_and_batch_through_the_server(assistant, tmp_path):
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(assistant.settings.data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        question = "What is the maximum daily dose of baclofen for spasticity?"
        remote = cli("ask", "--json", "--server", url, question, env={"ASSISTANT_DATA_DIR": env["ASSISTANT_DATA_DIR"]})
        assert remote.returncode == 0, remote.stderr
        assert json.loads(remote.stdout)["answer"] == assistant.reply([], question).text
        text = cli("ask", "--server", url, question)
        assert "Sources:" in text.stdout and "80 mg" in text.stdout
        lines = '{"id": 1, "question": "%s"}\n{"id": 2}\n{"id": 3, "turns": ["Is 30 mg a day of baclofen OK?"]}\n'
        batch = cli("batch", "--server", url, "-", stdin=lines % question)
        out = [json.loads(line) for line in batch.stdout.splitlines()]
        assert [o["id"] for o in out] == [1, 2, 3] and "error" in out[1] and out[0]["answer"]
        assert batch.returncode == 1 and "3 line(s), 2 answered, 1 error(s)" in batch.stderr
        refused = cli("ask", "--server", url, "--route", "oral", question)
        assert refused.returncode == 2 and "cannot be sent to a server" in refused.stderr
    finally:
        stop_process(proc)
    down = cli("ask", "--server", url, "anything")
    assert down.returncode == 2 and down.stderr.startswith("error: cannot reach the server")
