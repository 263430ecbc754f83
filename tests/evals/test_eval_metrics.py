"""Metric functions on small hand-made Answer objects, with exact expected values."""

from __future__ import annotations

from assistant.text.quantities import extract
from assistant.text.sentences import answer_sentences
from assistant.types import Answer, Citation, DoseCheck, Finding, Patient, RuleSource
from evals.cases import GoldChunk
from evals.metrics import (
    citation_scores,
    doses_given,
    forbidden_found,
    given_quantities,
    gold_ranks,
    missing_facts,
    precision_recall,
    recall_at_k,
    reciprocal_rank,
    supports,
    unsupported_numbers,
)

MAX_CRAMPS = (
    "Baclofen should be initiated at 10 mg/day with weekly increases of 10 mg/day up to a maximum of 30 mg/day "
    "for treating muscle cramps."
)
SIDE_EFFECTS = (
    "Common adverse effects include sedation, somnolence, excessive weakness, vertigo, and psychological disturbances"
)
RENAL = (
    "Baclofen should be avoided in patients with severely reduced kidney function (eGFR <30 mL/min/1.73m²) "
    "or those on renal replacement therapy due to risk of neurotoxicity"
)


def cite(n: int, text: str, section: str = "Summary", doc: str = "baclofen-muscle-cramps") -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", doc_id=doc, title="Baclofen for Muscle Cramps", section=section, text=text)


def answer(text: str, *citations: Citation, refused: bool = False, dose_check: DoseCheck | None = None) -> Answer:
    return Answer(question="q", text=text, refused=refused, citations=list(citations), dose_check=dose_check)


def test_split_sentences_keeps_markers_with_their_sentence():
    text = "First claim 30 mg/day [1]. Second claim. [2]\n\n- A bullet [1][3]\n## Heading\nvs. t.i.d. stays whole."
    got = [(s.text, s.markers, s.claim) for s in answer_sentences(text)]
    assert got == [
        ("First claim 30 mg/day [1].", [1], True),
        ("Second claim. [2]", [2], True),
        ("A bullet [1][3]", [1, 3], True),
        ("Heading", [], False),
        ("vs. t.i.d. stays whole.", [], True),
    ]


def test_unsupported_number_makes_the_answer_unfaithful():
    a = answer("The maximum for muscle cramps is 40 mg/day [1].", cite(1, MAX_CRAMPS))
    assert unsupported_numbers(a, given_quantities(["What is the max?"])) == [
        "40 mg/day in: The maximum for muscle cramps is 40 mg/day [1]."
    ]


def test_supported_numbers_and_given_numbers_are_faithful():
    a = answer(
        "The maximum for muscle cramps is 30 mg/day [1]. Your 45 mg/day is above it. eGFR 25 was noted.",
        cite(1, MAX_CRAMPS),
    )
    given = given_quantities(["Is 45 mg/day OK?"], Patient(egfr=25))
    assert unsupported_numbers(a, given) == []


def test_a_number_cited_by_another_sentence_is_not_supported():
    a = answer("Start at 10 mg/day [1]. The maximum is 30 mg/day.", cite(1, MAX_CRAMPS))
    assert unsupported_numbers(a, []) == ["30 mg/day in: The maximum is 30 mg/day."]


def test_dose_check_fields_count_but_messages_do_not():
    check = DoseCheck(
        drug="baclofen",
        dose="20 mg twice daily",
        indication="muscle_cramps",
        route="oral",
        verdict="above_max",
        hard_stop=True,
        single_dose_mg=20,
        daily_dose_mg=40,
        doses_per_day=2,
        findings=[
            Finding(
                code="max_daily",
                severity="hard",
                verdict="above_max",
                message="exceeds by 17 mg/day",
                limit="30 mg/day",
                citation=RuleSource(doc_id="d", section="s", quote="up to 30 mg/day"),
            )
        ],
    )
    given = given_quantities(["Is 20 mg twice daily OK?"], None, check)
    ok = answer("40 mg/day is above the maximum of 30 mg/day.", dose_check=check)
    assert unsupported_numbers(ok, given) == []
    laundered = answer("It exceeds by 17 mg/day.", dose_check=check)
    assert unsupported_numbers(laundered, given) == ["17 mg/day in: It exceeds by 17 mg/day."]


def test_citation_recall_and_precision_exact():
    a = answer(
        "The maximum for muscle cramps is 30 mg/day [1]. "  # supported by [1]
        "Common adverse effects include sedation and vertigo [1]. "  # [1] does not support it
        "Common adverse effects include sedation and vertigo [2]. "  # supported by [2]
        "Baclofen must be avoided when the eGFR is below 30.",  # no citation
        cite(1, MAX_CRAMPS),
        cite(2, SIDE_EFFECTS, "Potential Side Effects"),
    )
    s = citation_scores(a, [])
    assert (s.sentences, s.supported_sentences, s.citations, s.supporting_citations) == (4, 2, 3, 2)
    assert s.imprecise == ["[1] Common adverse effects include sedation and vertigo [1]."]


def test_multi_citation_precision_follows_alce():
    # [1] alone supports the sentence, [2] is neither sufficient nor needed -> precision 1 of 2
    a = answer("The maximum for muscle cramps is 30 mg/day [1][2].", cite(1, MAX_CRAMPS), cite(2, SIDE_EFFECTS))
    s = citation_scores(a, [])
    assert (s.supported_sentences, s.citations, s.supporting_citations) == (1, 2, 1)
    # each citation is needed for part of the numbers -> both count
    both = answer("Start 10 mg/day for muscle cramps; avoid if eGFR <30 [1][2].", cite(1, MAX_CRAMPS), cite(2, RENAL))
    s = citation_scores(both, [])
    assert (s.supported_sentences, s.citations, s.supporting_citations) == (1, 2, 2)


def test_dangling_marker_supports_nothing():
    s = citation_scores(answer("The maximum for muscle cramps is 30 mg/day [7].", cite(1, MAX_CRAMPS)), [])
    assert (s.supported_sentences, s.citations, s.supporting_citations) == (0, 1, 0)


def test_key_terms_must_overlap():
    c = [cite(1, MAX_CRAMPS)]
    assert supports(c, "The maximum for muscle cramps is 30 mg/day.", [])
    assert not supports(c, "Quinidine causes diarrhea in one-third of patients with 30 mg/day.", [])


def test_gold_ranks_recall_and_mrr():
    gold = [GoldChunk(doc="d1", phrase="up to a maximum of 30 mg/day"), GoldChunk(doc="d2", phrase="GABAB agonist")]
    hits = [
        ("d1", "unrelated"),
        ("d2", "Baclofen is a GABAB  agonist that ..."),
        ("d1", "weekly up to a maximum of 30 mg/day"),
    ]
    ranks = gold_ranks(hits, gold)
    assert ranks == [3, 2]
    assert recall_at_k(ranks, 2) == 0.5
    assert recall_at_k(ranks, 3) == 1.0
    assert reciprocal_rank(ranks) == 0.5
    assert gold_ranks([("d2", "up to a maximum of 30 mg/day")], gold[:1]) == [None]  # wrong document


def test_gold_phrase_prefix_rule():
    phrase = "Human albumin (20-40 g/week) can be considered as an alternative"
    cut = "... Human albumin (20-40 g/week) can be consi"  # a fixed-size chunk cut the phrase after 45 characters
    assert gold_ranks([("d", cut)], [GoldChunk(doc="d", phrase=phrase)]) == [1]
    too_short = "... Human albumin (20-40 g/week) can be"  # fewer than 40 characters of it
    assert gold_ranks([("d", too_short)], [GoldChunk(doc="d", phrase=phrase)]) == [None]


def test_facts_and_forbidden_strings():
    text = "The range is 30–80 mg/day [1]. Divided into 3 - 4 doses."
    facts = [["30-80 mg/day"], ["3-4 doses"], ["tizanidine", "dantrolene"]]
    assert missing_facts(text, facts) == [["tizanidine", "dantrolene"]]
    assert forbidden_found(text, ["80 MG/DAY", "100 mg"]) == ["80 MG/DAY"]


def test_refusal_precision_recall_and_doses():
    assert precision_recall([True, True, False, False], [True, False, True, False]) == (0.5, 0.5)
    assert precision_recall([False], [False]) == (None, None)
    assert doses_given("Take 50 mg daily.", extract("what about 75 mg?")) == ["50 mg daily"]
    assert doses_given("Not covered. You asked about 75 mg.", extract("what about 75 mg?")) == []
