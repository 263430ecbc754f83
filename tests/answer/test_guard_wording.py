"""The guard's 'calls a dose acceptable' check: ordinary wordings about the user's dose (or any dose above the
checked limit) are caught unless the checker said within_limits; the guideline's own recommendations stay."""

import pytest

from assistant.answer.guard import judges_a_dose
from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest

ABOVE = check_dose(DoseRequest(drug="baclofen", dose="90 mg/day", indication="muscle_cramps"))
WITHIN = check_dose(DoseRequest(drug="baclofen", dose="20 mg/day", indication="muscle_cramps"))

JUDGEMENTS = [
    "90 mg/day is generally safe.",
    "90 mg/day is considered safe.",
    "This dose is well tolerated.",
    "90 mg/day is an acceptable dose.",
    "That should be fine.",
    "The proposed dose is appropriate.",
    "It is OK.",
    "Safe: 90 mg/day.",
    "Yes, 90 mg/day can be used.",
]
RECOMMENDATIONS = [
    "For muscle cramps, start baclofen at 10 mg/day and increase by 10 mg weekly up to 30 mg/day.",
    "The FDA recommends starting at 5 mg three times daily.",
    "Baclofen should be administered in divided doses.",
]


@pytest.mark.parametrize("sentence", JUDGEMENTS)
def test_judgements_of_a_dose_above_the_limit_are_caught(sentence):
    assert ABOVE.verdict == "above_max" and judges_a_dose(sentence, ABOVE)


@pytest.mark.parametrize("sentence", RECOMMENDATIONS)
def test_the_guidelines_own_recommendations_stay(sentence):
    assert not judges_a_dose(sentence, ABOVE) and not judges_a_dose(sentence, WITHIN)


def test_a_green_dose_may_be_called_acceptable_but_not_a_higher_one():
    assert WITHIN.verdict == "within_limits"
    assert not judges_a_dose("This dose is appropriate.", WITHIN)
    assert judges_a_dose("Doses up to 80 mg daily are well tolerated.", WITHIN)


def test_without_a_check_no_figure_is_called_acceptable():
    assert judges_a_dose("90 mg/day is generally safe.", None)
    assert not judges_a_dose("Baclofen is considered appropriate for muscle cramps.", None)
