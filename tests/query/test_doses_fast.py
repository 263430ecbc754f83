"""assistant/query/doses.py without a model: which drug a dose belongs to, the role the words give it, the interval
since the last change, and the readings of the doses (a change, a sum, alternatives, a first dose)."""

from __future__ import annotations

import pytest

from assistant.query.doses import DoseMention, attribute, interval_days, plan, relation, start_mark
from assistant.query.numbers import DoseSpan, dose_spans
from assistant.query.subjects import drug_mentions


@pytest.mark.parametrize(
    "text, default, owners",
    [
        ("tizanidine 4 mg tid plus baclofen 10 mg tid", "baclofen", ["tizanidine", "baclofen"]),  # nearest before
        ("10 mg of baclofen. Then 4 mg tizanidine", None, ["baclofen", "tizanidine"]),  # 'N mg of X', then after
        ("20 mg daily for my patient on baclofen", None, ["baclofen"]),  # later in the same sentence
        ("20 mg daily", "baclofen", ["baclofen"]),  # no drug named: the conversation's drug
        ("20 mg daily", None, [None]),
    ],
)
def test_attribute_gives_each_dose_its_drug(lexicon, text, default, owners):
    assert attribute(dose_spans(text), drug_mentions(text, lexicon), text, default) == owners


def relations(text: str, lexicon) -> list[tuple[str, str, str | None]]:
    out, previous_end = [], 0
    for i, span in enumerate(dose_spans(text)):
        role = relation(text, span, previous_end, i == 0, lexicon)
        out.append((span.text, role, start_mark(text, span, previous_end, lexicon)))
        previous_end = span.end
    return out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Is 30 mg/day fine?", [("30 mg/day", "first", None)]),
        ("was on 20 mg/day last month", [("20 mg/day", "history", None)]),
        ("on 10 mg/day, can I go to 30 mg/day", [("10 mg/day", "current", None), ("30 mg/day", "change", None)]),
        (
            "currently 10 mg/day, increase to 20 mg/day",
            [("10 mg/day", "current", None), ("20 mg/day", "change", None)],
        ),
        ("10 mg/day or 20 mg/day?", [("10 mg/day", "first", None), ("20 mg/day", "alternative", None)]),
        ("20 mg/day plus an extra 20 mg/day", [("20 mg/day", "first", None), ("20 mg/day", "add", None)]),
        ("10 mg/day 20 mg/day", [("10 mg/day", "first", None), ("20 mg/day", "unmarked", None)]),
        # start words: in the dose's own clause ('clause') or near it ('near')
        ("begin baclofen at 30 mg/day", [("30 mg/day", "current", "clause")]),
        ("Can we initiate baclofen at 20 mg/day?", [("20 mg/day", "current", "clause")]),
        ("For cramps, is 30 mg/day a sensible first dose?", [("30 mg/day", "first", "near")]),
    ],
)
def test_relation_and_start_mark(lexicon, text, expected):
    assert relations(text, lexicon) == expected


@pytest.mark.parametrize(
    "texts, days",
    [
        (["nothing about time"], None),
        (["can I go to 30 mg/day next week?"], 7.0),
        (["increase tomorrow"], 1.0),
        (["increase in 3 days"], 3.0),  # 'in N days' is a delay
        (["on it for 2 weeks"], 14.0),  # time on the current dose
        (["a week ago"], 7.0),
        (["for a few days"], 3.0),  # words for numbers come from reader.toml
        (["on it for months"], 30.0),
        (["on it for 3 days, increase now"], 3.0),  # time on the dose plus a delay of 0
        (["for 3 days", "next week"], 10.0),  # over turns: 3 days on the dose + 7 days' delay
        (["increase immediately, in two weeks"], 0.0),  # the shortest delay: the strictest reading
    ],
)
def test_interval_days(lexicon, texts, days):
    assert interval_days(texts, lexicon) == days


def test_a_dose_is_not_a_duration_when_its_span_is_skipped(lexicon):
    assert interval_days(["10 mg a day"], lexicon) == 1.0  # unskipped, 'a day' reads as one day
    assert interval_days(["10 mg a day"], lexicon, [[(0, 11)]]) is None


def mentions(turns: list[str], relations_: list[str], starting: tuple[int, ...] = ()) -> list[DoseMention]:
    out: list[DoseMention] = []
    for turn, text in enumerate(turns):
        for span in dose_spans(text):
            k = len(out)
            out.append(
                DoseMention(span=span, drug="baclofen", turn=turn, relation=relations_[k], starting=k in starting)
            )
    return out


def readings(lexicon, turns: list[str], relations_: list[str], starting: tuple[int, ...] = ()):
    result = plan(mentions(turns, relations_, starting), "baclofen", turns, [[] for _ in turns], lexicon)
    return [(r.dose, r.previous, r.interval_days, r.starting, r.label) for r in result.readings], result.not_understood


@pytest.mark.parametrize(
    "turns, relations_, starting, expected",
    [
        (
            ["on 10 mg/day, can I go to 30 mg/day next week?"],
            ["current", "change"],
            (),
            [("30 mg/day", "10 mg/day", 7.0, False, "a change from 10 mg/day to 30 mg/day")],
        ),
        (
            ["20 mg/day plus an extra 20 mg/day"],
            ["first", "add"],
            (),
            [("40 mg/day", None, None, False, "20 mg/day + 20 mg/day (total 40 mg/day)")],
        ),
        (
            ["on 10 mg/day, wants to add 20 mg/day"],  # a new dose added to a standing one: a change to the total
            ["current", "add"],
            (),
            [
                (
                    "30 mg/day",
                    "10 mg/day",
                    None,
                    False,
                    "10 mg/day + 20 mg/day (total 30 mg/day), added to 10 mg/day",
                )
            ],
        ),
        (
            ["10 mg/day or 20 mg/day?"],
            ["first", "alternative"],
            (),
            [
                ("10 mg/day", None, None, False, "10 mg/day"),
                ("20 mg/day", None, None, False, "20 mg/day (an alternative)"),
            ],
        ),
        (
            ["start at 10 mg/day or 20 mg/day?"],  # alternatives of a start are both starts
            ["first", "alternative"],
            (0,),
            [
                ("10 mg/day", None, None, True, "10 mg/day"),
                ("20 mg/day", None, None, True, "20 mg/day (an alternative)"),
            ],
        ),
        (
            ["10 mg/day 20 mg/day"],  # unrelated by any word: both the sum and the change are checked
            ["first", "unmarked"],
            (),
            [
                ("30 mg/day", None, None, False, "10 mg/day + 20 mg/day taken together (total 30 mg/day)"),
                ("20 mg/day", "10 mg/day", None, False, "a change from 10 mg/day to 20 mg/day"),
            ],
        ),
        (
            ["10 mg/day 10 mg/day"],  # the same total twice is a restatement, not a sum
            ["first", "unmarked"],
            (),
            [("10 mg/day", "10 mg/day", None, False, "a change from 10 mg/day to 10 mg/day")],
        ),
        (
            ["Patient on 10 mg/day", "can I go to 30 mg/day?"],  # the current dose of an earlier turn
            ["current", "first"],
            (),
            [("30 mg/day", "10 mg/day", None, False, "a change from 10 mg/day to 30 mg/day")],
        ),
        (
            ["Patient naive. 20 mg/day?"],  # not yet on the drug: a first dose
            ["first"],
            (),
            [("20 mg/day", None, None, True, "20 mg/day as a first dose")],
        ),
        (
            ["Is 20 mg/day fine?"],
            ["first"],
            (),
            [("20 mg/day", None, None, False, "20 mg/day as written")],
        ),
    ],
)
def test_plan_readings(lexicon, turns, relations_, starting, expected):
    assert readings(lexicon, turns, relations_, starting) == (expected, [])


def test_a_change_to_an_unstated_dose_is_not_understood(lexicon):
    assert readings(lexicon, ["Can I go from 10 mg/day straight up to the max?"], ["current"]) == (
        [],
        ["a change from 10 mg/day was asked about without the new dose as a number"],
    )


def test_a_sum_with_an_unreadable_part_is_not_understood(lexicon):
    text = "20 mg/day plus a few tablets a day"
    vague = DoseSpan(text="a few tablets a day", expression="a few tablets a day", start=15, end=34)
    doses = [
        DoseMention(span=dose_spans(text)[0], drug="baclofen", turn=0, relation="first"),
        DoseMention(span=vague, drug="baclofen", turn=0, relation="add"),
    ]
    result = plan(doses, "baclofen", [text], [[]], lexicon)
    assert (result.readings, result.not_understood) == (
        [],
        ["doses that add up could not all be read, so their total is unknown"],
    )


def test_no_dose_of_the_drug_gives_an_empty_plan(lexicon):
    other = [DoseMention(span=dose_spans("4 mg tid")[0], drug="tizanidine", turn=0, relation="first")]
    result = plan(other, "baclofen", ["tizanidine 4 mg tid"], [[]], lexicon)
    assert (result.readings, result.not_understood) == ([], [])
