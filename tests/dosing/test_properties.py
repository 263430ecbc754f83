"""Property tests: nothing crashes, and nothing above a maximum or unreadable is ever within_limits."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.dosing.check import check_dose
from assistant.dosing.reading.parse import ParsedDose, ParseFailure, parse_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules
from assistant.settings import REPO_ROOT
from assistant.types import DoseCheck

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VERDICTS = {"contraindicated", "above_max", "exceeds_titration_step", "caution", "within_limits", "unable_to_check"}
RULES = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"]
MAX = {r.indication: r.max_daily_mg.value for r in RULES.rules_for_route("oral")}

UNITS = {
    "mg": Decimal(1),
    "g": Decimal(1000),
    "mcg": Decimal("0.001"),
    "µg": Decimal("0.001"),
    "milligrams": Decimal(1),
}
SINGLE_FREQ = {
    "once daily": 1,
    "twice a day": 2,
    "bid": 2,
    "tid": 3,
    "t.i.d.": 3,
    "three times daily": 3,
    "qid": 4,
    "four times a day": 4,
    "q8h": 3,
    "every 6 hours": 4,
    "every 12 hours": 2,
    "5 times daily": 5,
}
DAILY_FREQ = ["/day", "daily", "per day", "a day", "/d"]

dose_words = st.sampled_from(
    [
        "mg",
        "g",
        "mcg",
        "µg",
        "daily",
        "/day",
        "tid",
        "bid",
        "q8h",
        "-",
        "to",
        " ",
        ".",
        "0",
        "5",
        "10",
        "30 000",
        "kg",
        "ml",
        "stop",
        "times",
        "every",
        "hours",
        "ten",
        ",",
        "x",
        "or",
        "½",
        "−",
    ]
)
text_like_doses = st.lists(dose_words, max_size=8).map(" ".join) | st.lists(dose_words, max_size=8).map("".join)
indications = st.sampled_from([None, "muscle_cramps", "spasticity", "cramps", "spasm", ""]) | st.text(max_size=15)
routes = st.sampled_from(["oral", "po", "intrathecal", "it", "iv"]) | st.text(max_size=8)
numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10, 10**6)
patients = st.none() | st.dictionaries(
    st.sampled_from(["egfr", "dialysis", "cirrhosis", "age", "sodium", "weight"]),
    numbers | st.booleans() | st.text(max_size=5) | st.none(),
    max_size=5,
)
amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(2000), places=3)


def number_text(d: Decimal) -> str:
    return format(d.normalize(), "f")


@SETTINGS
@given(st.text(max_size=120) | text_like_doses)
def test_parser_never_crashes(text: str) -> None:
    got = parse_dose(text)
    assert isinstance(got, (ParsedDose, ParseFailure))
    if isinstance(got, ParsedDose):
        assert got.daily_mg > 0 and math.isfinite(got.daily_mg)
        assert got.daily_max_mg is None or got.daily_max_mg > got.daily_mg


@SETTINGS
@given(
    st.text(max_size=120) | text_like_doses,
    indications,
    routes,
    patients,
    st.none() | st.text(max_size=20) | text_like_doses,
    st.none() | numbers,
)
def test_checker_always_returns_a_dose_check(
    dose: str, indication: str | None, route: str, patient: dict | None, previous: str | None, interval: float | None
) -> None:
    got = check_dose(  # a mapping, so that a request the model refuses is a DoseCheck too, never an exception
        dict(
            drug="baclofen",
            dose=dose,
            indication=indication,
            route=route,
            patient=patient,
            previous_dose=previous,
            interval_days=interval,
        )
    )
    assert isinstance(got, DoseCheck) and got.verdict in VERDICTS
    assert got.hard_stop == (got.verdict in ("contraindicated", "above_max"))
    assert (got.verdict == "unable_to_check") == (got.reason is not None)
    if isinstance(parse_dose(dose), ParseFailure):
        assert got.verdict in ("unable_to_check", "contraindicated")


@SETTINGS
@given(st.text(max_size=20), st.text(max_size=40))
def test_any_drug_name_never_crashes(drug: str, dose: str) -> None:
    assert check_dose(DoseRequest(drug=drug, dose=dose)).verdict in VERDICTS


@SETTINGS
@given(
    amounts, st.sampled_from(sorted(UNITS)), st.sampled_from(sorted(SINGLE_FREQ)), st.sampled_from([None, *sorted(MAX)])
)
def test_never_within_limits_above_the_maximum_single_with_frequency(
    amount: Decimal, unit: str, freq: str, indication: str | None
) -> None:
    daily = amount * UNITS[unit] * SINGLE_FREQ[freq]
    got = check_dose(DoseRequest(drug="baclofen", dose=f"{number_text(amount)} {unit} {freq}", indication=indication))
    assert got.daily_dose_mg is not None and math.isclose(got.daily_dose_mg, float(daily), rel_tol=1e-6, abs_tol=1e-6)
    _assert_respects_max(got, float(daily), indication)


@SETTINGS
@given(amounts, st.sampled_from(sorted(UNITS)), st.sampled_from(DAILY_FREQ), st.sampled_from([None, *sorted(MAX)]))
def test_never_within_limits_above_the_maximum_daily_total(
    amount: Decimal, unit: str, freq: str, indication: str | None
) -> None:
    daily = amount * UNITS[unit]
    got = check_dose(
        DoseRequest(
            drug="baclofen",
            dose=f"{number_text(amount)} {unit}{freq if freq.startswith('/') else ' ' + freq}",
            indication=indication,
        )
    )
    assert got.daily_dose_mg is not None and math.isclose(got.daily_dose_mg, float(daily), rel_tol=1e-6, abs_tol=1e-6)
    _assert_respects_max(got, float(daily), indication)


@SETTINGS
@given(amounts, amounts, st.sampled_from([None, *sorted(MAX)]))
def test_ranges_are_checked_at_their_upper_end(a: Decimal, b: Decimal, indication: str | None) -> None:
    low, high = sorted((a, b))
    got = check_dose(
        DoseRequest(drug="baclofen", dose=f"{number_text(low)}-{number_text(high)} mg/day", indication=indication)
    )
    _assert_respects_max(got, float(high), indication)


@SETTINGS
@given(st.integers(1, 200), st.integers(1, 200), st.floats(0, 30), st.sampled_from(sorted(MAX)))
def test_titration_verdict_is_never_within_limits_for_a_fast_cramps_increase(
    prev: int, new: int, days: float, indication: str
) -> None:
    got = check_dose(
        DoseRequest(
            drug="baclofen",
            dose=f"{new} mg/day",
            indication=indication,
            previous_dose=f"{prev} mg/day",
            interval_days=days,
        )
    )
    if indication == "muscle_cramps" and new > prev and (new - prev > 10 or days < 7):
        assert got.verdict in ("exceeds_titration_step", "above_max")
    if new > MAX[indication]:
        assert got.verdict == "above_max"


def _assert_respects_max(got: DoseCheck, daily: float, indication: str | None) -> None:
    limit = MAX[indication] if indication else min(MAX.values())
    if daily > limit:
        assert got.verdict != "within_limits"
        if indication is not None:
            assert got.verdict == "above_max" and got.hard_stop
    if indication is None and daily > max(MAX.values()):
        assert got.verdict == "above_max"
