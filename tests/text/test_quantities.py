"""The one number reader: the value view the guard compares is the quantity reader the eval measures with."""

from __future__ import annotations

from assistant.text.quantities import (
    Quantity,
    extract,
    numbers_in,
    supported,
    value_supported,
)


def test_citation_ranges_are_not_numbers():
    assert extract("Start at 10 mg/day [1-3].") == [Quantity(10.0, "mass", "day", None, "10 mg/day")]
    assert numbers_in("Start low [1-3], see [2\u20134].") == []


def test_values_are_the_quantities_values_plus_number_words():
    text = "Take 5 mg three times daily, up to 1 g twice a week [1]."
    assert [q.value for q in extract(text)] == [5.0, 1000.0]
    assert sorted(numbers_in(text)) == [2.0, 3.0, 5.0, 1000.0]


def test_numbers_after_a_comma_or_slash_are_read():
    # a model's '5,10 mg' or '10/20 mg' must not hide a figure from the guard
    assert [q.value for q in extract("5,10 mg")] == [5.0, 10.0]
    assert [q.value for q in extract("10/20 mg")] == [10.0, 20.0]
    assert [q.value for q in extract("30,000 units")] == [30000.0]


def test_grams_and_milligrams_compare_by_value_in_mg():
    assert value_supported(numbers_in("1 g")[0], set(numbers_in("1000 mg")))
    assert not value_supported(numbers_in("1 mg")[0], set(numbers_in("1 g")))
    assert not supported(extract("30 g/day")[0], extract("30 mg/day"))
