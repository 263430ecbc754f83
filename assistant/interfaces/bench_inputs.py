"""What the benchmarks send, from the library's own data: its timed questions and a dose of its rules."""

from __future__ import annotations

import tomllib
from pathlib import Path

QUESTIONS_FILE = "bench_questions.toml"


def corpus_questions(corpus_dir: Path) -> list[str]:
    """The timed questions of a corpus (its `bench_questions.toml`)."""
    path = corpus_dir / QUESTIONS_FILE
    if not path.exists():
        raise SystemExit(f"error: no {QUESTIONS_FILE} in {corpus_dir}: list the questions to time there")
    return [str(q) for q in tomllib.loads(path.read_text(encoding="utf-8")).get("questions", [])]


def probe_dose(rules_dir: Path) -> tuple[str, str, str]:
    """(drug, dose, indication) for the check-dose timing: the first rule's maximum, from the loaded rules."""
    from assistant.dosing.rules.load import load_rules

    for drug, rules in sorted(load_rules(rules_dir).items()):
        for rule in rules.rules:
            if rule.max_daily_mg is not None:
                return drug, f"{rule.max_daily_mg.value:g} mg/day", rule.indication
    raise SystemExit(f"error: no rule with a maximum daily dose in {rules_dir}")
