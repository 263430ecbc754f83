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
from hypothesis import settings as hypothesis_settings

from assistant.settings import REPO_ROOT

# Tests never assert wall-clock time: a property test's first example may pay a cold cache on a loaded machine.
hypothesis_settings.register_profile("no-deadline", deadline=None)
hypothesis_settings.load_profile("no-deadline")

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
def torch_embeddings():
    """The sentence-transformers (torch) backend, for comparisons with the default ONNX one."""
    from assistant.index.embeddings import LocalEmbeddings

    return LocalEmbeddings(backend="torch")


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


def start_chroma_server(path: Path) -> tuple[subprocess.Popen, str]:
    """Start `chroma run` on a free loopback port with its store under `path`; (process, url) once it answers."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    with open(path / "server.log", "w") as log:  # the child keeps its own handle
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
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited: {(path / 'server.log').read_text()[-500:]}") from None
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not answer within 60 s")


def stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port; stopped at the end of the session."""
    proc, url = start_chroma_server(tmp_path_factory.mktemp("chroma-server"))
    yield url
    stop_process(proc)


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


def write_test_pdf(path: Path, pages: list[list[tuple[str, str]]]) -> None:
    """A PDF with a running footer; each page a list of (kind, text), kind in title/heading/para/bullet."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(False)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        for kind, text in page:
            style = {"title": ("B", 16), "heading": ("B", 12)}.get(kind, ("", 10))
            pdf.set_font("Helvetica", *style)
            pdf.multi_cell(0, 6 if kind != "title" else 9, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3 if kind in ("para", "heading", "title") else 0)
        pdf.set_y(-15)
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(0, 5, f"Test material - page {number} of {len(pages)}")
    pdf.output(str(path))


@pytest.fixture()
def make_pdf():
    """Write a real multi-page PDF (fpdf2): `make_pdf(path, [[(kind, text), ...], ...])`."""
    return write_test_pdf
