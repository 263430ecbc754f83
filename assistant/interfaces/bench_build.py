"""The bench's library build, in a background process that survives the bench being interrupted and resumes.

`ensure_built` starts `python -m assistant.interfaces.bench_build ROOT N` in its own session (or waits for one that is
already running) and returns the build record. The build writes the synthetic library (files already written are
kept), ingests it (chunks already in the store are not re-embedded, so an interrupted ingest resumes), and measures
raw `SentenceTransformer.encode` throughput on a sample of the same texts with the same threads, before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.settings import Settings

SAMPLE = 512  # texts in the raw-encode measurement


class BuildRecord(BaseModel):
    """What the build did, summed over its resumed segments."""

    scale: int
    complete: bool = False
    added: int = Field(default=0, description="Chunks embedded and stored, over all segments.")
    embedded: int = Field(default=0, description="Texts embedded (chunks and sentences of multi-sentence chunks).")
    ingest_seconds: float = Field(default=0.0, description="Wall time of the ingest calls, over all segments.")
    raw_rates: list[float] = Field(default_factory=list, description="Raw encode texts/s, measured around each ingest.")
    threads: int = 0
    total: int = 0
    documents: int = 0
    errors: list[str] = Field(default_factory=list)


def bench_settings(root: Path, chroma_url: str | None = None, collection: str = "bench") -> Settings:
    corpus = root / "corpus"
    return Settings(
        data_dir=root / "data",
        corpus_dir=corpus,
        rules_dir=corpus / "rules",
        chroma_url=chroma_url,
        collection=collection,
    )


def _record_path(root: Path) -> Path:
    return root / "build.json"


def read_record(root: Path, scale: int) -> BuildRecord:
    try:
        record = BuildRecord.model_validate_json(_record_path(root).read_text())
    except (OSError, ValueError):
        return BuildRecord(scale=scale)
    return record if record.scale == scale else BuildRecord(scale=scale)


def _write_record(root: Path, record: BuildRecord) -> None:
    tmp = _record_path(root).with_suffix(".tmp")
    tmp.write_text(record.model_dump_json())
    tmp.replace(_record_path(root))


def raw_encode_rate(texts: list[str], threads: int) -> float:
    """Texts/s of one plain `SentenceTransformer.encode` call over `texts` (the ceiling ingest is compared with)."""
    from assistant.index.embeddings import bulk_threads, get_embeddings

    model = get_embeddings().model
    with bulk_threads(threads):
        model.encode(texts[:8], batch_size=8, normalize_embeddings=True, show_progress_bar=False)  # warm, untimed
        started = time.perf_counter()
        model.encode(texts, batch_size=get_embeddings().batch_size, normalize_embeddings=True, show_progress_bar=False)
        return len(texts) / (time.perf_counter() - started)


def build(root: Path, scale: int, chroma_url: str | None, collection: str) -> BuildRecord:
    """One build segment (the child process's work)."""
    from assistant.corpus.chunk import chunk_guideline
    from assistant.corpus.load import parse_document
    from assistant.index.ingest import ingest
    from assistant.index.rows import sentence_texts
    from assistant.index.store import embedding_text
    from assistant.interfaces.synthetic import write_library

    settings = bench_settings(root, chroma_url, collection)
    write_library(settings.corpus_dir, scale)
    record = read_record(root, scale)
    first_docs = sorted(settings.corpus_dir.glob("*.md"))[: SAMPLE // 10 + 1]  # a guideline has ~18 chunks
    # The same mix of texts the ingest embeds: each chunk, then its sentences when it has several.
    chunks = [c for p in first_docs for c in chunk_guideline(parse_document(p))]
    sample: list[str] = []
    for c in chunks:
        units = sentence_texts(c)[1]
        sample += [embedding_text(c), *(units if len(units) > 1 else [])]
    sample = sample[:SAMPLE]
    threads = settings.ingest_threads or os.cpu_count() or 1
    record.raw_rates.append(raw_encode_rate(sample, threads))
    started = time.perf_counter()
    result = ingest(settings)
    record.ingest_seconds += time.perf_counter() - started
    record.added += result.report.added
    record.embedded += result.embedded
    record.raw_rates.append(raw_encode_rate(sample, threads))
    record.threads, record.total, record.documents = threads, result.report.total, len(result.documents)
    record.errors, record.complete = result.errors, result.report.total == scale
    _write_record(root, record)
    return record


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def ensure_built(root: Path, scale: int, chroma_url: str | None, collection: str, say=print) -> BuildRecord:
    """The complete build of this scale in root: done already, waited for, or started (resuming) and waited for.

    Interrupting the caller leaves the build running; calling again waits for it or resumes it."""
    root.mkdir(parents=True, exist_ok=True)
    record = read_record(root, scale)
    if record.complete:
        return record
    pid_file = root / "build.pid"
    pid = int(pid_file.read_text()) if pid_file.exists() and pid_file.read_text().strip().isdigit() else 0
    proc = None
    if not (pid and _alive(pid)):
        args = [sys.executable, "-m", "assistant.interfaces.bench_build", str(root), str(scale), collection]
        with open(root / "build.log", "a") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                args + ([chroma_url] if chroma_url else []),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        pid = proc.pid
        pid_file.write_text(str(pid))
        say(f"building a {scale}-chunk library in the background (pid {pid}, log {root / 'build.log'})")
    else:
        say(f"waiting for the running build (pid {pid})")
    while (proc.poll() is None) if proc else _alive(pid):
        time.sleep(1.0)
    record = read_record(root, scale)
    if not record.complete:
        raise RuntimeError(f"the library build did not complete; see {root / 'build.log'}")
    return record


if __name__ == "__main__":
    root_arg, scale_arg, collection_arg = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    out = build(root_arg, scale_arg, sys.argv[4] if len(sys.argv) > 4 else None, collection_arg)
    print(json.dumps(out.model_dump()), flush=True)
