"""`bench --scale N`: build a synthetic library of N chunks (in the background, resumable), then measure it.

Figures: ingest chunks/s and its share of raw `SentenceTransformer.encode` throughput (same run, same threads);
start-up of a fresh `ask` process with the built index (process start → first answer); re-ingest of the unchanged
library; warm reply p50/p95 over distinct mixed questions, interleaved with a vanilla LangChain
`Chroma.similarity_search` on the same collection; peak RSS. No answer is cached; no question repeats.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from assistant.interfaces.bench_build import BuildRecord, bench_settings, ensure_built
from assistant.interfaces.synthetic import write_library
from assistant.settings import REPO_ROOT, Settings
from assistant.stats import percentile

WARMUP = 10


def _env(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_RULES_DIR": str(settings.rules_dir),
        "ASSISTANT_COLLECTION": settings.collection,
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_OFFLINE": "1",
    }
    if settings.chroma_url:
        env["ASSISTANT_CHROMA_URL"] = settings.chroma_url
    return env


def startup(settings: Settings, question: str) -> tuple[float, float]:
    """Seconds from starting `python -m assistant ask` to its answer, and that process's peak RSS in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ask", "--json", question],
        env=_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
    )
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0 or "question" not in json.loads(out or b"{}"):
        raise RuntimeError("the start-up probe `ask` did not answer")
    return elapsed, usage.ru_maxrss / 1024


def _vanilla_store(settings: Settings, embeddings):
    """A plain LangChain Chroma over the same collection (same store, same embedding model)."""
    from urllib.parse import urlparse

    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000, settings=chroma_settings)
    else:
        client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    return Chroma(client=client, collection_name=settings.collection, embedding_function=embeddings)


def measure(settings: Settings, record: BuildRecord, n_questions: int, say=print) -> dict:
    """Every figure except the build's, in this process (after one `ask` process for start-up)."""
    from assistant.index.ingest import ingest
    from assistant.interfaces.bench_questions import questions
    from assistant.pipeline import Assistant, Turn

    asked = questions(record.scale, n_questions + WARMUP)
    random.Random(7).shuffle(asked)  # warm-up and timed sets both mixed
    warm, timed = asked[:WARMUP], asked[WARMUP:]
    say("start-up: two fresh `ask` processes")
    runs = [startup(settings, warm[i].message) for i in range(2)]
    started = time.perf_counter()
    assistant = Assistant(settings)
    in_process = time.perf_counter() - started
    started = time.perf_counter()
    again = ingest(settings, embed=assistant.embeddings.embed_documents, collection=assistant.collection)
    reingest = time.perf_counter() - started
    # The yardstick a user would pick by default: LangChain's Chroma with a sentence-transformers (torch) encoder;
    # and, when the assistant runs another backend, the same search with the assistant's own encoder.
    from assistant.index.embeddings import LocalEmbeddings

    backend = str(getattr(assistant.embeddings, "backend", "custom"))
    vanillas = {"torch": _vanilla_store(settings, LocalEmbeddings(backend="torch"))}
    if backend != "torch":
        vanillas[backend] = _vanilla_store(settings, assistant.embeddings)
    for q in warm:
        assistant.reply([Turn(role="user", content=h) for h in q.history], q.message)
        for vanilla in vanillas.values():
            vanilla.similarity_search(q.message, k=settings.top_k)
    say(f"timing {len(timed)} questions, each answered and searched once per vanilla encoder")
    reply_ms: dict[str, list[float]] = {}
    vanilla_ms: dict[str, list[float]] = {name: [] for name in vanillas}
    refused: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for q in timed:
        history = [Turn(role="user", content=h) for h in q.history]
        for name, vanilla in vanillas.items():
            t0 = time.perf_counter()
            vanilla.similarity_search(q.message, k=settings.top_k)
            vanilla_ms[name].append((time.perf_counter() - t0) * 1000)
        t1 = time.perf_counter()
        answer = assistant.reply(history, q.message)
        t2 = time.perf_counter()
        reply_ms.setdefault(q.kind, []).append((t2 - t1) * 1000)
        refused[q.kind] = refused.get(q.kind, 0) + answer.refused
        if answer.dose_check is not None:
            verdicts[answer.dose_check.verdict] = verdicts.get(answer.dose_check.verdict, 0) + 1
    every = [ms for values in reply_ms.values() for ms in values]
    raw = statistics.mean(record.raw_rates) if record.raw_rates else 0.0
    texts = record.embedded or record.added  # a build recorded before sentences were embedded counted chunks only
    ingest_rate = texts / record.ingest_seconds if record.ingest_seconds else 0.0
    return {
        "scale": record.scale,
        "chunks": record.total,
        "documents": record.documents,
        "rules_files": len(list(settings.rules_dir.glob("*.toml"))),
        "store": settings.chroma_url or "embedded",
        "ingest_texts_per_s": round(ingest_rate, 1),
        "ingest_texts": texts,
        "raw_encode_per_s": round(raw, 1),
        "ingest_pct_of_raw": round(100 * ingest_rate / raw, 1) if raw else None,
        "threads": record.threads,
        "startup_s": [round(s, 2) for s, _ in runs],
        "assistant_init_s": round(in_process, 2),
        "reingest_unchanged_s": round(reingest, 3),
        "reingest_added": again.report.added,
        "questions": {k: len(v) for k, v in reply_ms.items()},
        "refused": refused,
        "verdicts": verdicts,
        "reply_ms": {"p50": round(statistics.median(every), 1), "p95": round((percentile(every, 95) or 0.0), 1)},
        "reply_p50_ms_by_kind": {k: round(statistics.median(v), 1) for k, v in reply_ms.items()},
        "backend": backend,
        "vanilla_ms": {
            name: {"p50": round(statistics.median(ms), 1), "p95": round((percentile(ms, 95) or 0.0), 1)}
            for name, ms in vanilla_ms.items()
        },
        "p95_ratio": {
            name: round((percentile(every, 95) or 0.0) / (percentile(ms, 95) or 1.0), 2)
            for name, ms in vanilla_ms.items()
        },
        "peak_rss_mb": {
            "bench": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "ask": round(max(rss for _, rss in runs)),
        },
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def table(figures: dict) -> str:
    rows = [
        (
            "chunks / documents / rules files",
            f"{figures['chunks']} / {figures['documents']} / {figures['rules_files']}",
        ),
        (
            "ingest",
            (
                f"{figures['ingest_texts_per_s']} texts/s ({figures['ingest_texts']} chunks and sentences) = "
                f"{figures['ingest_pct_of_raw']}% of raw encode "
                f"{figures['raw_encode_per_s']}/s ({figures['threads']} threads)"
            ),
        ),
        ("start-up (process → first answer)", " / ".join(f"{s} s" for s in figures["startup_s"])),
        ("re-ingest, unchanged library", f"{figures['reingest_unchanged_s']} s (added {figures['reingest_added']})"),
        ("warm reply p50 / p95", f"{figures['reply_ms']['p50']} / {figures['reply_ms']['p95']} ms"),
        *(
            (f"vanilla search ({name}) p50 / p95", f"{ms['p50']} / {ms['p95']} ms")
            for name, ms in figures["vanilla_ms"].items()
        ),
        *((f"reply p95 / vanilla ({name}) p95", f"{ratio}x") for name, ratio in figures["p95_ratio"].items()),
        ("peak RSS bench / ask", f"{figures['peak_rss_mb']['bench']} / {figures['peak_rss_mb']['ask']} MB"),
        ("questions / refused", f"{figures['questions']} / {figures['refused']}"),
        ("dose-check verdicts", str(figures["verdicts"])),
        (
            "machine",
            f"{figures['cpus']} CPUs, load {figures['load_avg_1m']}, store {figures['store']}, "
            f"assistant encoder {figures['backend']}",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def run_scale(scale: int, root: Path, n_questions: int, chroma_url: str | None) -> int:
    collection = f"bench-{scale}"

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)  # stdout carries the JSON line and the table only

    record = ensure_built(root, scale, chroma_url, collection, say=say)
    settings = bench_settings(root, chroma_url, collection)
    write_library(settings.corpus_dir, scale)  # refreshes the glossary and general files of an older build
    figures = measure(settings, record, n_questions, say=say)
    print(json.dumps(figures), flush=True)
    print(table(figures), flush=True)
    return 0
