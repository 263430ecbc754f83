"""The fidelity gate: the real assistant on the written cases (and MedicationQA when ../shared holds it).

Fails with the failing metrics and cases. Slow: loads the embedding model and answers every question.
"""

from __future__ import annotations

import os

import pytest

from assistant.settings import REPO_ROOT
from evals.cases import load_cases
from evals.report import write_reports
from evals.runner import DEFAULT_CASES, DEFAULT_MEDICATIONQA, run_eval

pytestmark = pytest.mark.slow
REPO = REPO_ROOT


def test_fidelity_gate(assistant):
    """`assistant` is the session fixture of tests/conftest.py: the real corpus in a private data dir."""
    mqa = DEFAULT_MEDICATIONQA if DEFAULT_MEDICATIONQA.is_file() else None
    report = run_eval(assistant, load_cases(DEFAULT_CASES), mqa, k=5, progress=False, with_suites=True)
    artifacts = REPO / "tests" / "artifacts"
    if artifacts.is_dir() and os.access(artifacts, os.W_OK):
        write_reports(report, artifacts / "eval")
    if not report.gate_passed:
        lines = ["fidelity gate failed:"] + [f"  metric: {f}" for f in report.gate_failures]
        lines += [f"  case {c.id} ({c.category}): {'; '.join(c.failures)}" for c in report.failed_cases]
        lines += [
            f"  MedicationQA row {r.row} ({r.focus}): {'; '.join(r.failures)}"
            for r in report.medicationqa
            if r.failures
        ]
        pytest.fail("\n".join(lines), pytrace=False)
