"""Shared fixtures: the real embedding model, temporary corpora and stores, a real `chroma run` server."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

REPO = REPO_ROOT
CORPUS = REPO / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def unused_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def embeddings():
    from assistant.index.embeddings import get_embeddings

    return get_embeddings()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory, embeddings):
    """One Assistant over the real corpus in a private data dir (never the user's .data)."""
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    return Assistant(Settings(data_dir=tmp_path_factory.mktemp("data")), embeddings=embeddings)


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the corpus that a test may edit."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port; stopped at the end of the session."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).parent / "chroma"
    log = open(path / "server.log", "w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited: {(path / 'server.log').read_text()[-500:]}") from None
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma run did not answer within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(params=["embedded", "server"])
def store_settings(request, tmp_path, corpus_copy):
    """Settings for a fresh collection, on the embedded client and on the `chroma run` server."""
    from assistant.settings import Settings

    if request.param == "embedded":
        return Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    url = request.getfixturevalue("chroma_server")
    return Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus_copy,
        chroma_url=url,
        collection=f"t-{tmp_path.name[-20:].lower().replace('_', '-')}x",
    )
