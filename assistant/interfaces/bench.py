"""`python -m assistant bench`: the speed targets, measured (not asserted in tests)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.interfaces.bench_inputs import corpus_questions, probe_dose
from assistant.stats import percentile


def main(argv: list[str] | None = None) -> int:
    """`bench` (the shipped corpus) or `bench --scale N` (a generated library of N chunks)."""
    import argparse

    from assistant.settings import REPO_ROOT

    parser = argparse.ArgumentParser(prog="python -m assistant bench", description=__doc__)
    parser.add_argument("--scale", type=int, help="chunks in a generated library (built in the background, resumable)")
    parser.add_argument(
        "--dir", type=Path, help="where the generated library and its index live (default .data/bench-N)"
    )
    parser.add_argument("--questions", type=int, default=240, help="timed questions (distinct; default 240)")
    parser.add_argument("--chroma-url", help="a `chroma run` server (http://host:port) instead of the embedded store")
    parser.add_argument("--serve", metavar="URL", help="load-test a running `serve` instead (see bench_serve)")
    parser.add_argument("--clients", type=int, default=20, help="--serve: concurrent clients (default 20)")
    parser.add_argument("--seconds", type=float, default=60, help="--serve: how long (default 60)")
    parser.add_argument("--audit", type=Path, help="--serve: the server's audit log (default: this settings' one)")
    args = parser.parse_args(argv or [])
    if args.serve:
        import os

        from assistant.interfaces.bench_serve import main as load

        return load(args.serve, args.clients, args.seconds, os.environ.get("ASSISTANT_SERVER_API_KEY"), args.audit)
    if args.scale is None:
        return shipped_corpus()
    if args.scale < 20 or args.questions < 20:
        parser.error("--scale and --questions must be at least 20")
    from assistant.interfaces.bench_scale import run_scale

    root = args.dir or REPO_ROOT / ".data" / f"bench-{args.scale}"
    return run_scale(args.scale, root, args.questions, args.chroma_url)


def shipped_corpus(rounds: int = 20) -> int:
    from assistant.index.ingest import ingest
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    questions = corpus_questions(Settings().corpus_dir)
    drug, dose, indication = probe_dose(Settings().rules_dir)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        t0 = time.perf_counter()
        assistant = Assistant(settings)  # model load + first (full) ingest
        startup = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = ingest(settings, embed=assistant.embeddings.embed_documents, collection=assistant.collection).report
        reingest = time.perf_counter() - t0
        for q in questions:  # warm-up
            assistant.reply([], q)
        times = []
        for _ in range(rounds):
            for q in questions:
                t0 = time.perf_counter()
                assistant.reply([], q)
                times.append((time.perf_counter() - t0) * 1000)
        from assistant.interfaces.bench_scale import startup as ask_process

        asks = [ask_process(settings, questions[i % len(questions)]) for i in range(5)]  # a fresh process each
    check_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "assistant",
                "check-dose",
                "--json",
                "--drug",
                drug,
                "--dose",
                dose,
                "--indication",
                indication,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        check_times.append(time.perf_counter() - t0)
        json.loads(out.stdout)
    probe_code = (
        "import sys; from assistant.interfaces.cli import run; "
        f"run(['check-dose','--json','--drug',{drug!r},'--dose',{dose!r}]); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, 'chromadb' in sys.modules)"
    )
    probe = subprocess.run(
        [sys.executable, "-c", probe_code], capture_output=True, text=True, check=False
    ).stdout.splitlines()[-1]
    print(f"startup (model load + first ingest of {report.total} chunks): {startup:.1f} s")
    print(
        f"second ingest, unchanged corpus: {reingest * 1000:.0f} ms "
        f"(added {report.added}, unchanged {report.unchanged})"
    )
    print(
        f"ask, warm, {len(times)} calls: p50 {statistics.median(times):.1f} ms, "
        f"p95 {(percentile(times, 95) or 0.0):.1f} ms, max {max(times):.1f} ms"
    )
    print(
        f"ask CLI on the built index, whole process, 5 runs: median {statistics.median(s for s, _ in asks):.2f} s, "
        f"max {max(s for s, _ in asks):.2f} s; peak RSS {max(rss for _, rss in asks):.0f} MB"
    )
    print(
        f"check-dose CLI, whole process: median {statistics.median(check_times) * 1000:.0f} ms; "
        f"torch/sentence_transformers/chromadb imported: {probe}"
    )
    return 0
