"""The development library's direct dose checks (evals/library/dose_checks.yaml, frozen 2026-12-03, written from
the documents alone): no dose the document does not allow is ever green, and the checker agrees with the expected
verdict on most of them (a regression floor; the misses are listed by the report)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant import Settings, check_dose
from assistant.index.library_rules import library_rules
from assistant.settings import REPO_ROOT

LIBRARY = REPO_ROOT / "evals" / "library"
FIELDS = ("drug", "dose", "indication", "route", "formulation", "patient", "co_medications", "previous_dose")
MORE = ("interval_days", "starting")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict, str]]:
    settings = Settings(corpus_dir=LIBRARY / "docs", data_dir=tmp_path_factory.mktemp("data"))
    rules = library_rules(settings, LIBRARY / "rules")
    assert rules.refused == {}
    cases = yaml.safe_load((LIBRARY / "dose_checks.yaml").read_text(encoding="utf-8"))
    out = []
    for case in cases:
        request = {k: case[k] for k in (*FIELDS, *MORE) if case.get(k) is not None}
        out.append((case, check_dose(request, rules=rules).verdict))
    return out


def test_every_drug_has_its_dose_checks(results: list[tuple[dict, str]]) -> None:
    drugs = {case["drug"] for case, _ in results}
    assert {"tizanidine", "memantine", "metformin", "montelukast", "ondansetron", "lactulose", "alendronate"} <= drugs
    assert all(sum(1 for c, _ in results if c["drug"] == d) >= 6 for d in drugs)


def test_no_dose_the_document_does_not_allow_is_green(results: list[tuple[dict, str]]) -> None:
    unsafe = [c["id"] for c, v in results if v == "within_limits" and "within_limits" not in c["expected_any_of"]]
    assert unsafe == []


def test_most_verdicts_match(results: list[tuple[dict, str]]) -> None:
    matched = sum(1 for c, v in results if v in c["expected_any_of"])
    assert matched / len(results) >= 0.9, [(c["id"], v) for c, v in results if v not in c["expected_any_of"]]


def test_the_cases_file_is_where_the_eval_reads_it() -> None:
    assert Path(LIBRARY / "dose_checks.yaml").is_file()
