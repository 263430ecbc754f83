"""Text coverage: a substance the text speaks about without rules becomes the subject; other named drugs that no
sentence speaks about are named as not covered, and a checked dose lists them as not checked."""

from assistant.answer.aspect import refusal_text, uncovered_aspect
from assistant.answer.coverage import names_subject, text_subject, unchecked_companions, without_names
from assistant.answer.relevance import Candidate
from assistant.query.subjects import DrugMention
from assistant.query.understand import Query
from assistant.types import Chunk, DoseCheck

KNOWN = {"albumin", "human", "cramps", "botulinum", "toxin", "baclofen"}


def _query(**kw) -> Query:
    return Query(message="m", search_text="m", intent="general", **kw)


def _mention(name: str, text: str, covered: bool = False) -> DrugMention:
    return DrugMention(name=name, text=text, start=0, end=len(text), covered=covered)


def test_a_substance_the_text_speaks_about_becomes_the_subject():
    q = _query(mentions=[_mention("botulinum toxin", "Botox")], not_covered=["Botox"])
    got = text_subject(q, KNOWN.__contains__)
    assert got.drug == "botulinum toxin" and got.not_covered == []


def test_a_substance_the_text_never_names_stays_not_covered():
    q = _query(mentions=[_mention("sertraline", "sertraline")], not_covered=["sertraline"])
    assert text_subject(q, KNOWN.__contains__).drug is None


def test_a_covered_drug_keeps_the_question():
    q = _query(drug="baclofen", mentions=[_mention("albumin", "albumin")], not_covered=["albumin"])
    assert text_subject(q, KNOWN.__contains__).drug == "baclofen"


def test_sentences_name_a_subject_by_every_word_of_its_name():
    assert names_subject("Targeted injection of botulinum toxin is recommended.", "botulinum toxin")
    assert not names_subject("A toxin may be injected.", "botulinum toxin")


def test_a_named_other_drug_is_not_checked_and_says_so():
    q = _query(drug="baclofen", not_covered=["tramadol"])
    check = DoseCheck(
        drug="baclofen", dose="10 mg tid", indication="x", route="oral", verdict="within_limits", hard_stop=False
    )
    companions, got = unchecked_companions(q, ["Baclofen is started at 5 mg."], check)
    assert companions == ["tramadol"]
    assert got is not None and got.verdict == "within_limits" and "tramadol" in got.assumptions[-1]
    assert unchecked_companions(q, ["Tramadol with baclofen is not advised."], check)[0] == []


def test_the_refusal_names_the_aspect_the_text_never_uses():
    chunk = Chunk(id="c", doc_id="d", title="t", section="Dosing", text="x", refs=[], position=0)
    cands = [Candidate("Start baclofen at 10 mg/day for cramps.", chunk, 1, None)]  # type: ignore[arg-type]
    assert uncovered_aspect("how do you pronounce baclofen for cramps", cands, ["baclofen", "cramps"]) == ["pronounce"]
    assert refusal_text(["pronounce"]).endswith("Not covered: pronounce.")
    assert without_names("Is Baclofen, 10 mg ok?", {"baclofen"}) == "Is 10 mg ok?"


def test_a_dose_question_about_a_substance_whose_sentences_state_no_dose_is_not_covered():
    from assistant.answer.coverage import unstated_dose

    chunk = Chunk(id="c", doc_id="d", title="t", section="s", text="x", refs=[], position=0)
    named = [Candidate("Baclofen is first-line along with tizanidine.", chunk, 1, None)]  # type: ignore[arg-type]
    dosed = [Candidate("Human albumin (20-40 g/week) can be considered.", chunk, 1, None)]  # type: ignore[arg-type]
    assert unstated_dose(_query(drug="tizanidine"), named, dosing=True, ruled=False) == ["tizanidine dose"]
    assert unstated_dose(_query(drug="albumin"), dosed, dosing=True, ruled=False) == []
    assert unstated_dose(_query(drug="tizanidine"), named, dosing=False, ruled=False) == []  # its role: answered
    assert unstated_dose(_query(drug="baclofen"), named, dosing=True, ruled=True) == []  # rules answer its doses
