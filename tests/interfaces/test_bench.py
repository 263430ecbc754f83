"""`python -m assistant bench --scale N` end to end on a tiny library (figures are printed, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.settings import REPO_ROOT

pytestmark = pytest.mark.slow


def test_bench_scale_prints_one_json_line_and_a_table(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "bench",
            "--scale",
            "40",
            "--questions",
            "20",
            "--dir",
            str(tmp_path / "bench"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=1500,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    first, *table = out.stdout.splitlines()
    figures = json.loads(first)
    assert figures["chunks"] == 40 and figures["rules_files"] >= 1
    assert sum(figures["questions"].values()) == 20
    assert 0 < sum(figures["refused"].values()) < 20
    assert figures["reingest_added"] == 0  # the unchanged library was not re-embedded
    assert figures["verdicts"]  # dose questions reached the dose checker
    for key in ("ingest_pct_of_raw", "startup_s", "reply_ms", "vanilla_ms", "peak_rss_mb"):
        assert figures[key] is not None
    assert any(line.startswith("warm reply p50 / p95") for line in table)
    # The yardstick is sentence-transformers (torch); the same-encoder search is timed beside it.
    assert figures["backend"] == "onnx" and set(figures["vanilla_ms"]) == set(figures["p95_ratio"]) == {"torch", "onnx"}
    # A second run finds the complete build and does not rebuild.
    record = json.loads((tmp_path / "bench" / "build.json").read_text())
    assert record["complete"] and record["added"] == 40
