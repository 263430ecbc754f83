"""Every rules file shipped before the format grew (ladders, caps, usual ranges, co-medication and hepatic rules,
age bounds, starting vs continuing) keeps its meaning: its verdicts on a fixed grid of 2,640 requests (every rule ×
five daily doses × 1–3 doses a day × eleven patients × with or without a current dose), recorded with the code of
f188556, are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Settings, check_dose
from assistant.index.library_rules import library_rules
from assistant.settings import REPO_ROOT

TABLE = Path(__file__).parent / "data" / "shipped_rules_verdicts.jsonl"
LIBRARIES = {
    "corpus": (REPO_ROOT / "corpus", REPO_ROOT / "corpus" / "rules"),
    "evals/library": (REPO_ROOT / "evals" / "library" / "docs", REPO_ROOT / "evals" / "library" / "rules"),
}


@pytest.fixture(scope="module")
def rules_by_drug(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("data")
    out = {}
    for corpus, rules_dir in LIBRARIES.values():
        rules = library_rules(Settings(corpus_dir=corpus, data_dir=data), rules_dir)
        out.update({drug: rules for drug in rules})
    return out


def test_shipped_rules_give_the_same_verdicts_as_before(rules_by_drug):
    rows = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2640
    changed = []
    for request, verdict, hard_stop in rows:
        if request["drug"] not in rules_by_drug:
            continue  # a drug whose rules file the library no longer ships would show here as missing
        got = check_dose(request, rules=rules_by_drug[request["drug"]])
        if (got.verdict, got.hard_stop) != (verdict, hard_stop):
            changed.append((request, verdict, got.verdict))
    assert changed == []
    assert {r[0]["drug"] for r in rows} <= set(rules_by_drug)
