"""The development library (evals/library): cases grounded in its documents, rules that validate against them."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.dosing.rules.load import rules_file_problems
from assistant.interfaces.validate_rules import quote_problems
from assistant.settings import REPO_ROOT
from evals.cases import load_cases, normalise, phrase_in

LIBRARY = REPO_ROOT / "evals" / "library"
LOADED = load_corpus(LIBRARY / "docs")
CASES = load_cases(LIBRARY / "cases")
CHUNKS = [c for g in LOADED.guidelines for c in chunk_guideline(g)]
TEXT = normalise(" ".join(g.text for g in LOADED.guidelines))
DOC_CATEGORIES = ["levetiracetam", "enoxaparin", "cyclobenzaprine", "methocarbamol", "apixaban", "ascites"]


def test_the_library_is_mixed_and_loads_whole() -> None:
    assert LOADED.errors == []
    kinds = Counter(g.file.rsplit(".", 1)[-1] for g in LOADED.guidelines)
    assert len(LOADED.guidelines) >= 6 and kinds["pdf"] >= 2 and kinds["txt"] >= 1 and kinds["md"] >= 3
    assert all("not clinical advice" in g.text for g in LOADED.guidelines)
    assert all(g.line_pages and max(g.line_pages) >= 2 for g in LOADED.guidelines if g.file.endswith(".pdf"))


def test_enough_cases_of_each_kind() -> None:
    cats = Counter(c.category for c in CASES)
    assert all(cats[d] >= 8 for d in DOC_CATEGORIES), cats
    assert sum(1 for c in CASES if c.expect_refusal) >= 12
    two_docs = [c for c in CASES if len({g.doc for g in c.gold_chunks}) >= 2]
    assert len(two_docs) >= 6
    assert sum(1 for c in CASES if c.category == "switches" and c.multi_turn) >= 5


@pytest.mark.parametrize("case", [c for c in CASES if c.gold_chunks], ids=lambda c: c.id)
def test_every_gold_phrase_names_exactly_one_chunk(case) -> None:
    for g in case.gold_chunks:
        found = [c for c in CHUNKS if c.doc_id == g.doc and phrase_in(g.phrase, c.text)]
        assert len(found) == 1, f"{g.doc}: '{g.phrase}' matches {len(found)} chunks"


@pytest.mark.parametrize("case", [c for c in CASES if c.must_include], ids=lambda c: c.id)
def test_every_fact_has_an_alternative_in_the_library_wording(case) -> None:
    for fact in case.must_include:
        assert any(normalise(alt) in TEXT for alt in fact), f"no alternative of {fact} is in the library"


@pytest.mark.parametrize("path", sorted((LIBRARY / "rules").glob("*.toml")), ids=lambda p: p.name)
def test_library_rules_validate_against_the_library(path) -> None:
    rules, problems = rules_file_problems(path)
    assert rules is not None and problems == []
    sections: dict[str, dict[str, list[str]]] = {}
    for c in CHUNKS:
        sections.setdefault(c.doc_id, {}).setdefault(c.section, []).append(" ".join(c.text.split()))
    assert quote_problems(rules, sections) == []
