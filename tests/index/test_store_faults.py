"""The store fails clearly and recovers (issue 13): damaged file, rebuild and swap, read-only data, odd URLs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index.store import (
    StoreError,
    open_collection,
    parse_chroma_url,
    store_errors,
)
from assistant.settings import REPO_ROOT, Settings

GARBAGE = bytes(range(256)) * 128  # 32 KB of fixed bytes: the damage is the same on every run
QUESTION = "What is the maximum daily dose of baclofen for muscle cramps?"


def damage(store: Path) -> None:
    """Overwrite 32 KB at offset 16 KB of chroma.sqlite3 (header intact, first B-tree pages gone)."""
    with open(store / "chroma.sqlite3", "r+b") as f:
        f.seek(16 * 1024)
        f.write(GARBAGE)


def cli(args: list[str], env: dict[str, str], prefix: list[str] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=600,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT), **env},
    )


@pytest.fixture(scope="module")
def built_store(tmp_path_factory, embeddings) -> Path:
    """A data dir with an indexed embedded store, built once and copied by the tests that damage it."""
    from assistant.index.ingest import ingest

    data = tmp_path_factory.mktemp("built") / "data"
    ingest(Settings(data_dir=data), embed=embeddings.embed_documents)
    return data


@pytest.mark.slow
def test_damaged_store_is_one_line_and_rebuild_repairs_it_without_touching_the_audit_log(built_store, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_store, data)
    damage(data / "chroma")
    audit = data / "audit.jsonl"
    audit.write_bytes(b'{"event":"answer","question":"kept"}\n')
    env = {"ASSISTANT_DATA_DIR": str(data)}

    out = cli(["ask", QUESTION], env)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "panicked" not in out.stderr and "Traceback" not in out.stderr
    assert f"the Chroma store at {data / 'chroma'} is damaged" in out.stderr
    assert "python -m assistant ingest --rebuild" in out.stderr

    out = cli(["ingest", "--rebuild"], env)
    assert out.returncode == 0, out.stderr
    assert "added 37" in out.stdout and "swapped in" in out.stdout
    assert audit.read_bytes() == b'{"event":"answer","question":"kept"}\n'
    out = cli(["ask", "--json", QUESTION], env)
    assert out.returncode == 0, out.stderr
    assert "30 mg/day" in json.loads(out.stdout)["answer"]


def test_a_rust_panic_is_caught_where_the_store_is_opened(built_store, tmp_path):
    import chromadb

    store = tmp_path / "store"
    shutil.copytree(built_store / "chroma", store)
    damage(store)
    # Chroma directly: no SQLite pre-check in the way
    with (
        pytest.raises(StoreError, match=r"^opening .*: the store is damaged .*ingest --rebuild$"),
        store_errors(f"opening {store}"),
    ):
        chromadb.PersistentClient(path=str(store))


def test_store_errors_lets_interrupts_through():
    with pytest.raises(KeyboardInterrupt), store_errors("x"):
        raise KeyboardInterrupt


@pytest.mark.slow
def test_rebuild_swaps_atomically_and_keeps_one_previous_version(tmp_path, embeddings):
    from assistant.index.rebuild import rebuild
    from assistant.index.store import stored_chunks

    settings = Settings(data_dir=tmp_path / "data")
    versions = []
    for _ in range(3):
        result = rebuild(settings, embed=embeddings.embed_documents)
        assert result.report.total == 37
        assert settings.chroma_path.is_symlink()
        versions.append(settings.chroma_path.resolve())
    assert len(set(versions)) == 3
    assert sorted(p.name for p in settings.data_dir.glob("chroma-*")) == sorted(v.name for v in versions[1:])
    assert len(stored_chunks(open_collection(settings))) == 37


def _can_bind_mount() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def read_only(path: Path) -> list[str]:
    """A command prefix that runs the rest with `path` bind-mounted read-only over itself (private mount namespace).

    A read-only mount refuses writes even to root, unlike chmod."""
    script = f'mount --bind "{path}" "{path}" && mount -o remount,bind,ro "{path}" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, "sh"]


@pytest.mark.slow
@pytest.mark.skipif(not _can_bind_mount(), reason="needs unshare --mount (a private read-only bind mount)")
def test_read_only_data_dir_embedded_is_one_line_and_the_server_answers(built_store, tmp_path):
    from tests.conftest import start_chroma_server, stop_process

    data = tmp_path / "data"
    shutil.copytree(built_store, data)
    proof = cli([], {}, prefix=[*read_only(data), "touch", str(data / "x")])  # the mount really is read-only
    assert proof.returncode != 0 and not (data / "x").exists()

    out = cli(["ask", QUESTION], {"ASSISTANT_DATA_DIR": str(data)}, prefix=read_only(data))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "needs write access" in out.stderr and "ASSISTANT_CHROMA_URL" in out.stderr

    # The supported read-only deployment: the server owns a writable copy of the store; the app's data dir is read-only.
    server_dir = tmp_path / "server"
    server_dir.mkdir()
    shutil.copytree(built_store / "chroma", server_dir / "db")
    started = time.monotonic()
    server, url = start_chroma_server(server_dir)
    print(f"chroma run start-up over the 37-chunk store: {time.monotonic() - started:.1f} s")
    try:
        out = cli(
            ["ask", "--json", QUESTION],
            {"ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CHROMA_URL": url},
            prefix=read_only(data),
        )
    finally:
        stop_process(server)
    assert out.returncode == 0, out.stderr
    assert "30 mg/day" in json.loads(out.stdout)["answer"]


@pytest.mark.parametrize(
    "url",
    [
        "localhost:8000",
        "http://127.0.0.1:abc",
        "http://[::1",
        "ftp://127.0.0.1:1",
        "http://127.0.0.1:8000/api/v2",
        "http://:8000",
        "http://127.0.0.1:70000",
    ],
)
def test_odd_chroma_url_is_one_line_naming_it(url):
    with pytest.raises(StoreError) as err:
        parse_chroma_url(url)
    assert url in str(err.value) and "\n" not in str(err.value)


def test_unreachable_chroma_url_fails_before_the_model_loads(unused_port, tmp_path):
    url = f"http://127.0.0.1:{unused_port}"
    probe = (
        "import sys\n"
        "from assistant.pipeline import Assistant\n"
        "from assistant.index.store import StoreError\n"
        "from assistant.settings import Settings\n"
        f"try:\n    Assistant(Settings(data_dir={str(tmp_path)!r}, chroma_url={url!r}))\n"
        "except StoreError as exc:\n    print(exc)\n"
        "print('model loaded' if 'sentence_transformers' in sys.modules else 'model not loaded')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"cannot open Chroma store at {url}: "), out.stdout + out.stderr
    assert lines[1] == "model not loaded"
