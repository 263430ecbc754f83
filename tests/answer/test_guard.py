"""The guard on hand-written bad drafts: each rule catches exactly what it should."""

import pytest

from assistant.answer.guard import guard
from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules
from assistant.settings import REPO_ROOT
from assistant.types import Citation, Draft

REPO = REPO_ROOT
CHUNKS = {c.id: c for d in load_corpus(REPO / "corpus").guidelines for c in chunk_guideline(d)}
DRUG_RULES = load_rules(REPO / "corpus" / "rules")["baclofen"]


def chunk(prefix: str):
    return next(c for c in CHUNKS.values() if c.text.startswith(prefix))


CRAMPS_MAX = chunk("Baclofen should be initiated at 10 mg/day")
GENERAL = chunk("For general conditions requiring baclofen")
RENAL = chunk("Baclofen should be avoided in patients with severely reduced")
REDUCE = chunk("Dose reduction is recommended")


def cite(n: int, c) -> Citation:
    return Citation(n=n, chunk_id=c.id, doc_id=c.doc_id, title=c.title, section=c.section, text=c.text, refs=c.refs)


def run(text: str, citations: list[Citation], question: str = "What is the maximum dose for cramps?", dose_check=None):
    allowed = {c.id: c for c in (CRAMPS_MAX, GENERAL, RENAL, REDUCE)}
    return guard(Draft(text=text, citations=citations), question, allowed, dose_check, DRUG_RULES)


def test_correct_answer_passes_untouched():
    text = "The maximum for muscle cramps is 30 mg/day [1]."
    out = run(text, [cite(1, CRAMPS_MAX)])
    assert out.text == text and out.report.removed == []


def test_wrong_number_is_removed():
    out = run("The maximum for muscle cramps is 40 mg/day [1].", [cite(1, CRAMPS_MAX)])
    assert out.text == ""
    assert "number 40 is not in the cited text" in out.report.removed[0].reason
    assert out.report.removed[0].code == "unsupported_number"


@pytest.mark.parametrize(
    "claim",
    [
        "The maximum for muscle cramps is 10 mg/day [1].",
        "The max dose for muscle cramps is 10 mg/day, and the maximum dose for muscle cramps is 30 mg/day [1].",
        "The highest dose for muscle cramps is 10 mg/day [1].",
    ],
)
def test_right_number_in_wrong_role_is_removed(claim):
    # 10 mg/day is in the cited text (the starting dose and step), but it is not the maximum.
    out = run(claim, [cite(1, CRAMPS_MAX)])
    assert out.text == "" and "states maximum 10 mg" in out.report.removed[0].reason


def test_other_indications_maximum_is_blocked_for_cramps():
    out = run("For muscle cramps the maximum is 80 mg daily [1].", [cite(1, GENERAL)])
    assert out.text == "" and "states maximum 80 mg" in out.report.removed[0].reason


def test_general_text_keeps_its_own_maximum():
    text = "For general conditions requiring baclofen, the FDA recommends a maximum of 80 mg daily [1]."
    assert run(text, [cite(1, GENERAL)]).text == text


def test_invented_citation_is_removed_and_sentence_dropped_when_nothing_left():
    out = run("Baclofen is great [7].", [cite(1, CRAMPS_MAX)])
    assert out.text == "" and out.report.removed[0].reason == "no citation to a retrieved guideline chunk"


def test_invented_citation_next_to_a_real_one_is_stripped_and_renumbered():
    out = run("Avoid at eGFR <30 mL/min/1.73m² [2, 7].", [cite(1, CRAMPS_MAX), cite(2, RENAL)])
    assert out.text == "Avoid at eGFR <30 mL/min/1.73m² [1]."
    assert [c.chunk_id for c in out.citations] == [RENAL.id]


def test_citation_to_unretrieved_chunk_is_removed():
    other = chunk("Quinidine (400 mg/day)")
    out = run("Quinidine 400 mg/day works [1].", [cite(1, other)])
    assert out.text == ""


@pytest.mark.parametrize(
    "claim",
    [
        "150 mg/day is safe [1].",
        "150 mg/day is perfectly fine for spasticity [1].",
        "You can safely give 150 mg/day [1].",
    ],
)
def test_acceptability_against_a_hard_stop_is_removed(claim):
    check = check_dose(DoseRequest(drug="baclofen", dose="150 mg/day", indication="spasticity"))
    assert check.verdict == "above_max"
    out = run(claim, [cite(1, GENERAL)], question="Is 150 mg/day safe?", dose_check=check)
    assert out.text == "" and "dose checker says above_max" in out.report.removed[0].reason


def test_acceptability_passes_when_checker_agrees():
    check = check_dose(DoseRequest(drug="baclofen", dose="20 mg/day", indication="muscle_cramps"))
    assert check.verdict == "within_limits"
    text = "20 mg/day is within the guideline limits [1]."
    assert run(text, [cite(1, CRAMPS_MAX)], question="Is 20 mg/day ok?", dose_check=check).text == text


def test_numbers_from_the_question_are_supported():
    text = "At eGFR 45 a dose reduction applies (eGFR 30-60 mL/min/1.73m²) [1]."
    assert run(text, [cite(1, REDUCE)], question="and if the eGFR is 45?").text == text
    out = run(text, [cite(1, REDUCE)], question="and if the kidneys are bad?")
    assert out.text == "" and "number 45" in out.report.removed[0].reason


def test_only_the_bad_sentence_goes():
    text = "The maximum for muscle cramps is 30 mg/day [1]. It is 60 mg/day in the evening [1]."
    out = run(text, [cite(1, CRAMPS_MAX)])
    assert out.text == "The maximum for muscle cramps is 30 mg/day [1]."
    assert len(out.report.removed) == 1
