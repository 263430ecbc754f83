"""Two workers against one Chroma server: each a separate process with its own model, answering at the same time.

`python -m assistant.interfaces.bench_workers --scale N --chroma-url URL` (after `bench --scale N --chroma-url URL`
built the library into that server) times one worker alone, then two at once, over distinct questions, and prints
one JSON line: reply p50/p95 per worker in each phase. Measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path

from assistant.interfaces.bench_build import bench_settings
from assistant.interfaces.bench_questions import questions
from assistant.stats import percentile

WARMUP = 10


def _worker(root: str, scale: int, url: str, start: int, count: int, ready, go, out) -> None:
    from assistant.pipeline import Assistant, Turn

    assistant = Assistant(bench_settings(Path(root), url, f"bench-{scale}"))
    asked = questions(scale, 2 * count + WARMUP)
    for q in asked[:WARMUP]:
        assistant.reply([Turn(role="user", content=h) for h in q.history], q.message)
    ready.set()
    go.wait()
    times = []
    for q in asked[WARMUP + start : WARMUP + start + count]:
        t = time.perf_counter()
        assistant.reply([Turn(role="user", content=h) for h in q.history], q.message)
        times.append((time.perf_counter() - t) * 1000)
    out.put((start, times))


def run(root: Path, scale: int, url: str, workers: int, count: int) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    ready = [ctx.Event() for _ in range(workers)]
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(str(root), scale, url, i * count, count, ready[i], go, out))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    for r in ready:
        r.wait()
    go.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    stats: dict[str, float] = {}
    for start, times in sorted(results):
        stats[f"worker{start // count + 1}_p50_ms"] = round((percentile(times, 50) or 0.0), 1)
        stats[f"worker{start // count + 1}_p95_ms"] = round((percentile(times, 95) or 0.0), 1)
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--chroma-url", required=True)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--questions", type=int, default=100, help="timed questions per worker (distinct)")
    args = parser.parse_args()
    root = args.dir or Path(".data") / f"bench-{args.scale}"
    alone = run(root, args.scale, args.chroma_url, 1, args.questions)
    together = run(root, args.scale, args.chroma_url, 2, args.questions)
    print(json.dumps({"scale": args.scale, "server": args.chroma_url, "one_worker": alone, "two_workers": together}))


if __name__ == "__main__":
    main()
