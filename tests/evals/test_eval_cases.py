"""The written cases: valid, grounded in the corpus, and enough of each kind."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.settings import REPO_ROOT
from evals.cases import load_cases, normalise, phrase_in

REPO = REPO_ROOT
CASES = load_cases(REPO / "evals" / "cases")
GUIDELINES = load_corpus(REPO / "corpus").guidelines
CHUNKS = [c for g in GUIDELINES for c in chunk_guideline(g)]
CORPUS_TEXT = normalise(" ".join(g.text for g in GUIDELINES))


def test_enough_cases_of_each_kind():
    cats = Counter(c.category for c in CASES)
    assert cats["in_corpus_cramps"] + cats["in_corpus_spasticity"] >= 60
    assert sum(1 for c in CASES if c.expected_verdict) >= 20
    assert sum(1 for c in CASES if c.multi_turn) >= 10
    assert cats["adversarial"] >= 5
    assert sum(1 for c in CASES if c.expect_refusal and c.category == "out_of_corpus") >= 20


@pytest.mark.parametrize("case", [c for c in CASES if c.gold_chunks], ids=lambda c: c.id)
def test_every_gold_phrase_names_exactly_one_chunk(case):
    for g in case.gold_chunks:
        found = [c for c in CHUNKS if c.doc_id == g.doc and phrase_in(g.phrase, c.text)]
        assert len(found) == 1, f"{g.doc}: '{g.phrase}' matches {len(found)} chunks"


@pytest.mark.parametrize("case", [c for c in CASES if c.must_include], ids=lambda c: c.id)
def test_every_fact_has_an_alternative_in_the_guideline_wording(case):
    for fact in case.must_include:
        assert any(normalise(alt) in CORPUS_TEXT for alt in fact), f"no alternative of {fact} is in the corpus"


def test_every_section_of_both_guidelines_is_covered():
    sections = {(c.doc_id, c.section) for c in CHUNKS}
    covered = {
        (c.doc_id, c.section)
        for case in CASES
        for g in case.gold_chunks
        for c in CHUNKS
        if c.doc_id == g.doc and phrase_in(g.phrase, c.text)
    }
    assert sections - covered == set()
