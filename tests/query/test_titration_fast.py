"""assistant/query/titration.py, borrowed.py and anaphora.py without a model: schedule labels, stated steps and their
tense, chains of numbers, bare targets, and what refers back to a dose; plus the route words read in capitals."""

from __future__ import annotations

import pytest

from assistant.query.anaphora import refers_back
from assistant.query.borrowed import bare_targets
from assistant.query.indications import route
from assistant.query.numbers import dose_spans, read_numbers
from assistant.query.titration import chains, label_days, label_interval, steps


@pytest.mark.parametrize(
    "text, labels, gap",
    [
        ("10 mg/d week 1, then 20 mg/d week 2", [(0.0, 0.0), (7.0, 7.0)], 7.0),
        ("week 1: 10 mg/d, week 2: 20 mg/d, week 3: 30 mg/d", [(0.0, 0.0), (7.0, 7.0), (14.0, 14.0)], 7.0),
        ("days 1-3 10 mg/d, day 4 onwards 20 mg/d", [(0.0, 2.0), (3.0, 3.0)], 3.0),
        ("wk1 10mg/d, wk2 20mg/d", [(0.0, 0.0), (7.0, 7.0)], 7.0),
        ("weeks 1-2 10 mg/d, week 2 20 mg/d", [(0.0, 13.0), (7.0, 7.0)], None),  # overlapping: not a schedule
        ("20 mg/d week 2, 10 mg/d week 1", [(7.0, 7.0), (0.0, 0.0)], None),  # reversed
        ("10 mg/d week 1, 20 mg/d", [(0.0, 0.0), (0.0, 0.0)], None),  # the second dose has no label of its own
    ],
)
def test_schedule_labels(lexicon, text, labels, gap):
    found = label_days(text, dose_spans(text), lexicon)
    assert found == labels and label_interval(found) == gap


def test_labels_are_times_not_unread_numbers(lexicon):
    text = "10 mg/d week 1, then 20 mg/d week 2, for the last 7 days"
    roles, unclaimed = read_numbers(text, lexicon, [(d.start, d.end) for d in dose_spans(text)])
    assert [(r.role, r.text.strip()) for r in roles] == [
        ("time_label", "week 1"),
        ("time_label", "week 2"),
        ("duration", "for the last 7 days"),
    ]
    assert unclaimed == []
    _, left = read_numbers("a day 3 times", lexicon, [])
    assert left == ["3"]  # 'day 3 times' is no label


@pytest.mark.parametrize(
    "text, step, days, past",
    [
        ("reached 30 mg/day by weekly 10 mg steps", 10.0, 7.0, True),
        ("increase by 10 mg weekly", 10.0, 7.0, False),
        ("went up by 5 mg every 3 days", 5.0, 3.0, True),
        ("in 10 mg increments", 10.0, None, None),
        ("has been on 20 mg/day, increase by 10 mg every week", 10.0, 7.0, False),  # the step's own verb decides
    ],
)
def test_stated_steps(lexicon, text, step, days, past):
    (found,) = steps(text, lexicon)
    assert (found.step_mg, found.interval_days, found.past) == (step, days, past)


def test_a_chain_borrows_the_unit_of_the_dose_it_ends_at(lexicon):
    text = "30mg/day split tds, reached via weekly steps 10 -> 20 -> 30"
    (chain,) = chains(text, dose_spans(text), lexicon)
    assert (chain.doses, chain.interval_days) == (["10 mg/day", "20 mg/day", "30 mg/day"], 7.0)
    other = "30 mg/day, titrated 10 -> 20 -> 25"
    assert chains(other, dose_spans(other), lexicon) == []  # not ending at the dose: no unit to borrow


def test_a_bare_target_borrows_only_a_daily_unit(lexicon):
    text = "been on 20 mg/d, go up one step to 30"
    assert [d.expression for d in bare_targets(text, dose_spans(text), lexicon, None)] == ["30 mg/d"]
    for unread in ("on 10 mg tid, go up to 15", "on 20 mg/d, sodium went to 122", "on 20 mg/d, go up to 2"):
        assert bare_targets(unread, dose_spans(unread), lexicon, None) == []


@pytest.mark.parametrize(
    "message, refers",
    [
        ("what about the same dose for the next patient?", True),
        ("another patient, is it ok for him?", True),
        ("keep that dose?", True),
        ("another patient, eGFR 25, what is the maximum?", False),
    ],
)
def test_what_refers_back_to_a_dose(lexicon, message, refers):
    assert refers_back(message, lexicon) is refers


def test_a_route_is_read_in_capitals_and_from_the_glossary(lexicon):
    assert route(lexicon, "baclofen", ["IT baclofen 300 mcg/day"]) == "intrathecal"
    assert route(lexicon, "baclofen", ["is it ok? IT IS URGENT"]) is None  # a run of capitals is shouting
    assert route(lexicon, "baclofen", ["is it ok to give baclofen 10 mg tid"]) is None
    assert route(lexicon, "baclofen", ["300 mcg/day via the pump"]) == "intrathecal"
    assert route(lexicon, "baclofen", ["300 mcg/day via the pump"], hints=False) is None
