"""The compiled drug dictionary finds exactly what the package's own `find_drugs` finds, without importing it."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.corpus.drug_dictionary import compiled_path, find_drug_names
from assistant.settings import REPO_ROOT

pytestmark = pytest.mark.slow
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")  # the question reader's tokens
EXTERNAL = REPO_ROOT.parent / "shared" / "external" / "medicationqa_questions.csv"


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _texts() -> list[str]:
    texts = [s for f in sorted((REPO_ROOT / "evals").rglob("*.yaml")) for s in _strings(yaml.safe_load(f.read_text()))]
    if EXTERNAL.exists():
        with EXTERNAL.open(encoding="utf-8") as f:
            texts += [" ".join(row) for row in csv.reader(f)]
    texts += [line for f in sorted((REPO_ROOT / "corpus").glob("*.md")) for line in f.read_text().splitlines()]
    return texts


def test_same_matches_as_the_package_on_every_eval_text(tmp_path: Path) -> None:
    from drug_named_entity_recognition import find_drugs

    texts = _texts()
    assert len(texts) > 1000
    differ, found = [], 0
    for text in texts:
        tokens = TOKEN.findall(text)
        expected = [(str(e.get("name", "")), a, b) for e, a, b in find_drugs(tokens, is_ignore_case=True)]
        got = find_drug_names(tokens, model_dir=tmp_path)
        found += len(got)
        if got != expected:
            differ.append((text, got, expected))
    assert not differ, differ[:3]
    assert found > 500  # brands, generics and two-word names were really looked up
    assert compiled_path(tmp_path).exists()


def test_brand_two_word_and_case_are_read(tmp_path: Path) -> None:
    tokens = "Is LIORESAL like tylenol or vitamin d for my Cramps".split()
    names = {n.lower() for n, _, _ in find_drug_names(tokens, model_dir=tmp_path)}
    assert {"baclofen", "acetaminophen"} <= names and "cramps" not in names
    assert find_drug_names([], model_dir=tmp_path) == []


def test_a_lookup_does_not_import_the_package(tmp_path: Path) -> None:
    find_drug_names(["baclofen"], model_dir=tmp_path)  # compiled here, in this process
    code = (
        "import sys; from pathlib import Path; from assistant.corpus.drug_dictionary import find_drug_names; "
        f"print(find_drug_names(['Lioresal'], model_dir=Path({str(tmp_path)!r}))[0][0], "
        "'drug_named_entity_recognition' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert out.stdout.split() == ["Baclofen", "False"], out.stderr


def test_many_token_lists_in_one_look_up_match_each_alone(tmp_path: Path) -> None:
    from assistant.corpus.drug_dictionary import find_drug_names_in_each

    lists = [TOKEN.findall(t) for t in _texts()[:400]] + [[], ["Vitamin", "D"], ["lioresal"]]
    assert find_drug_names_in_each(lists, model_dir=tmp_path) == [find_drug_names(t, model_dir=tmp_path) for t in lists]
