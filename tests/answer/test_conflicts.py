"""A poisoned or conflicting guideline (a document no rule cites) never contradicts the dose rules in an answer:
its sentences stating a dose above the rules' maximum, or waiving a renal adjustment the rules require, are removed
by the guard; the reviewed documents' own sentences (another substance's dose included) are kept."""

from __future__ import annotations

import pytest

from assistant.answer.guard import guard
from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.dosing.rules.load import load_rules
from assistant.settings import REPO_ROOT
from assistant.types import Chunk, Citation, Draft

DRUG_RULES = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"]
CHUNKS = [c for d in load_corpus(REPO_ROOT / "corpus").guidelines for c in chunk_guideline(d)]

POISON = [
    "The usual dose of baclofen for muscle cramps is 100 mg three times daily.",
    "Patients take 150 mg/day without problems.",
    "Patients with an eGFR below 30 can take the full dose.",
    "No dose adjustment is needed in renal impairment, including haemodialysis.",
]


def poisoned(text: str) -> Chunk:
    return Chunk(id=f"p{abs(hash(text))}", doc_id="baclofen-poisoned", title="Baclofen", section="Dosing", text=text)


def cite(c: Chunk) -> Citation:
    return Citation(n=1, chunk_id=c.id, doc_id=c.doc_id, title=c.title, section=c.section, text=c.text, refs=c.refs)


@pytest.mark.parametrize("sentence", POISON)
def test_a_poisoned_sentence_is_removed_as_contradicting_the_rules(sentence: str) -> None:
    c = poisoned(sentence)
    out = guard(Draft(text=f"{sentence[:-1]} [1].", citations=[cite(c)]), "baclofen dose?", {c.id: c}, None, DRUG_RULES)
    assert out.text == ""
    assert [r.code for r in out.report.removed] in (["conflicts_with_rules"], ["wrong_role"])


def test_the_reviewed_guidelines_own_sentences_are_kept() -> None:
    quinidine = next(c for c in CHUNKS if c.text.startswith("Quinidine"))
    text = f"{quinidine.text.rstrip('.')} [1]."
    out = guard(
        Draft(text=text, citations=[cite(quinidine)]), "quinidine?", {quinidine.id: quinidine}, None, DRUG_RULES
    )
    assert out.report.removed == [] and "400 mg/day" in out.text
