"""Fixed texts' vectors are read back from disk only for the exact text and backend they were computed from."""

from __future__ import annotations

from pathlib import Path

from assistant.index.vector_cache import VectorCache, fixed_text_embedder


class CountingEmbed:
    """A deterministic fake: the vector is [len(text), n-th call], so a cached vector is told from a fresh one."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[float(len(t)), float(len(self.calls))] for t in texts]


def test_a_second_start_reads_the_vectors_and_an_edited_text_is_a_miss(tmp_path: Path) -> None:
    embed = CountingEmbed()
    first = VectorCache(tmp_path, "onnx").embed(["dose question", "side effects"], embed)
    again = VectorCache(tmp_path, "onnx").embed(["dose question", "side effects"], embed)
    assert again == first == [[13.0, 1.0], [12.0, 1.0]] and len(embed.calls) == 1
    edited = VectorCache(tmp_path, "onnx").embed(["dose question", "side effects!"], embed)
    assert edited == [[13.0, 1.0], [13.0, 2.0]] and embed.calls[-1] == ["side effects!"]


def test_another_backend_never_gets_these_vectors(tmp_path: Path) -> None:
    embed = CountingEmbed()
    VectorCache(tmp_path, "onnx").embed(["dose question"], embed)
    assert VectorCache(tmp_path, "torch").embed(["dose question"], embed) == [[13.0, 2.0]]


def test_an_unwritable_or_corrupt_cache_only_costs_the_embedding(tmp_path: Path) -> None:
    embed = CountingEmbed()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert VectorCache(blocked, "onnx").embed(["a"], embed) == [[1.0, 1.0]]
    (tmp_path / "vectors.sqlite").write_bytes(b"garbage, not SQLite")
    assert VectorCache(tmp_path, "onnx").embed(["a", "bb"], embed) == [[1.0, 2.0], [2.0, 2.0]]


def test_a_callers_own_embeddings_are_not_cached(tmp_path: Path) -> None:
    class Fake:
        def __init__(self) -> None:
            self.embed_documents = CountingEmbed()

    fake = Fake()
    embed = fixed_text_embedder(fake, tmp_path)
    embed(["x"])
    embed(["x"])
    assert len(fake.embed_documents.calls) == 2 and not (tmp_path / "vectors.sqlite").exists()
