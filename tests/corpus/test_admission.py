"""The corpus folder cannot block or hang ingest (issue 13): odd entries, oversized files, hostile front matter."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from assistant.corpus.load import load_corpus
from assistant.settings import REPO_ROOT

GOOD = "---\nid: {id}\ntitle: T\nsource: test\ndate: 2026-01-01\n---\nTitle\nHeading\n- A bullet about cramps 1\n"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPO_ROOT / "corpus" / "baclofen-muscle-cramps.md", corpus)
    return corpus


@pytest.fixture()
def no_hang():
    """Fail instead of hanging forever if something opens a FIFO."""

    def timeout(*_):
        raise TimeoutError("load_corpus blocked")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_directory_dangling_symlink_and_fifo_are_skipped_with_one_line_each(folder: Path, no_hang):
    (folder / "a-folder.md").mkdir()
    (folder / "dangling.md").symlink_to(folder / "missing-target.md")
    os.mkfifo(folder / "pipe.md")
    loaded = load_corpus(folder)
    assert [g.id for g in loaded.guidelines] == ["baclofen-muscle-cramps"]
    assert sorted(loaded.errors) == [
        "a-folder.md: a directory, not a file",
        "dangling.md: a symlink to a missing file",
        "pipe.md: not a regular file (FIFO, socket or device)",
    ]


def test_oversized_document_is_skipped_with_the_limit_named(folder: Path):
    (folder / "big.md").write_text(GOOD.format(id="big") + "- filler line\n" * 2000)
    loaded = load_corpus(folder, max_bytes=10_000)
    assert [g.id for g in loaded.guidelines] == ["baclofen-muscle-cramps"]
    assert len(loaded.errors) == 1 and loaded.errors[0].startswith("big.md: ")
    assert "over the 10,000-byte limit per document (ASSISTANT_MAX_DOCUMENT_BYTES)" in loaded.errors[0]
    assert load_corpus(folder).errors == []  # the default limit (2 MB) admits it


def test_yaml_alias_bomb_is_refused_before_it_expands(folder: Path, no_hang):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    bomb += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(9)
    ]
    tail = "\nid: *j\ntitle: *j\nsource: s\ndate: d\n---\nT\n- x 1\n"
    (folder / "bomb.md").write_text("---\n" + "\n".join(bomb) + tail)
    loaded = load_corpus(folder)
    assert loaded.errors == ["bomb.md: front matter uses YAML anchors or aliases (& and *), which are not allowed"]


@pytest.mark.parametrize(
    "doc_id, reason",
    [
        ("../../etc/passwd", "not a path"),
        ("sub/dir", "not a path"),
        ("/abs", "not a path"),
        ("12345", "contain a letter"),
        ("1.5", "contain a letter"),
        ("a..b", "not a path"),
    ],
)
def test_path_like_or_numeric_id_is_refused(folder: Path, doc_id: str, reason: str):
    (folder / "odd.md").write_text(GOOD.format(id=doc_id))
    loaded = load_corpus(folder)
    assert [g.id for g in loaded.guidelines] == ["baclofen-muscle-cramps"]
    assert len(loaded.errors) == 1 and loaded.errors[0].startswith(f"odd.md: id '{doc_id}' must")
    assert reason in loaded.errors[0]
