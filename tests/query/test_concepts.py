"""The closed world over concepts and whole numbers (generated variants): a patient fact named in words, as a stage
or with its number in words, blocks green when the drug's rules use it; a negated mention never does; a digit
inside a dose is never dropped."""

from __future__ import annotations

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.judge import judge

CRAMPS = "baclofen 10 mg/day for cramps, {}"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
ONES += "seventeen eighteen nineteen"
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def in_words(n: int) -> list[str]:
    """Every usual spelling of 1..100 ('twenty-five', 'twenty five', 'one hundred')."""
    if n == 100:
        return ["one hundred", "a hundred"]
    if n < 20:
        return [ONES.split()[n]]
    tens, ones = divmod(n, 10)
    if ones == 0:
        return [TENS[tens]]
    return [f"{TENS[tens]}-{ONES.split()[ones]}", f"{TENS[tens]} {ONES.split()[ones]}"]


def verdict(reader, rules, message: str, *earlier: str) -> str | None:
    check = judge(reader.understand(message, list(earlier)), rules)
    return check.verdict if check else None


def stage_forms(n: int) -> list[str]:
    forms = [
        "stage {} CKD",
        "CKD stage {}",
        "CKD {}",
        "stage {} chronic kidney disease",
        "chronic kidney disease stage {}",
    ]
    forms += ["CKD G{}", "stage {} kidney disease", "CKD grade {}"]
    return [f.format(x) for f in forms for x in (str(n), ROMAN[n])]


@pytest.mark.parametrize("stage", [3, 4, 5])
def test_a_kidney_stage_in_any_written_form_is_never_green(fast_reader, shipped_rules, stage: int) -> None:
    greens = [f for f in stage_forms(stage) if verdict(fast_reader, shipped_rules, CRAMPS.format(f)) == "within_limits"]
    assert greens == []


def test_kidney_function_with_its_number_in_words_is_read_as_the_number(fast_reader, shipped_rules) -> None:
    differ = [
        (words, got, digits)
        for n in range(1, 101)
        for words in in_words(n)
        if (got := verdict(fast_reader, shipped_rules, CRAMPS.format(f"eGFR {words}")))
        != (digits := verdict(fast_reader, shipped_rules, CRAMPS.format(f"eGFR {n}")))
    ]
    assert differ == []


NAMED = {
    "kidney disease": "no kidney disease",
    "on dialysis": "not on dialysis",
    "kidneys are failing": "kidneys are fine",
    "severe hyponatraemia": "no hyponatraemia",
    "low sodium": "sodium normal",
    "hyponatremic": "not hyponatremic",
    "she is pregnant": "she is not pregnant",
    "breastfeeding": "not breastfeeding",
}


@pytest.mark.parametrize(("named", "negation"), NAMED.items())
def test_named_states_block_green_and_their_negations_do_not(fast_reader, shipped_rules, named, negation) -> None:
    assert verdict(fast_reader, shipped_rules, CRAMPS.format(named)) != "within_limits"
    assert verdict(fast_reader, shipped_rules, CRAMPS.format(negation)) == "within_limits"


def test_a_state_named_in_an_earlier_turn_counts(fast_reader, shipped_rules) -> None:
    earlier = "my patient on baclofen for cirrhotic cramps has stage 4 CKD"
    assert verdict(fast_reader, shipped_rules, "can she take 10 mg/day?", earlier) != "within_limits"


def test_a_fact_the_rules_of_the_drug_do_not_use_does_not_grey(fast_reader, shipped_rules) -> None:
    assert verdict(fast_reader, shipped_rules, CRAMPS.format("her liver is cirrhotic")) == "within_limits"


SEPARATORS = [" ", "\u2009", "\u202f", ",", ".", "'", "\u2019"]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_no_digit_inside_a_dose_is_dropped(fast_reader, shipped_rules, sep: str) -> None:
    for written in (f"1{sep}020 mg daily", f"30{sep}5 mg daily", f"2{sep}500 mg daily"):
        message = f"baclofen {written} for cramps"
        query = fast_reader.understand(message, [])
        amount = written.split(" mg")[0]  # every digit is in a reading, or reported as not understood
        assert any(amount in r.dose for r in query.readings) or query.not_understood, (written, query.readings)
        assert verdict(fast_reader, shipped_rules, message) != "within_limits", written
        grammar = check_dose(DoseRequest(drug="baclofen", dose=written, indication="muscle_cramps"))
        assert grammar.verdict != "within_limits", written


@pytest.mark.parametrize("dose", ["30.000000000000001 mg/day", "10.0005 mg daily", "0.0101 g daily"])
def test_implausible_precision_is_never_green(dose: str) -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose=dose, indication="muscle_cramps"))
    assert got.verdict == "unable_to_check" and "implausible precision" in (got.reason or "")


@pytest.mark.parametrize("written", ["2 mcg IV every 6 hours", "5 mg IM daily", "10 mg subcut tid"])
def test_a_route_the_rules_lack_is_never_read_past(fast_reader, shipped_rules, written: str) -> None:
    assert verdict(fast_reader, shipped_rules, f"baclofen {written} for spasticity") == "unable_to_check"


def test_a_route_of_the_rules_written_in_the_dose_stays_green(fast_reader, shipped_rules) -> None:
    assert verdict(fast_reader, shipped_rules, "baclofen 10 mg po tid for spasticity") == "within_limits"


KDIGO = {"1": (90, 200), "2": (60, 89), "3a": (45, 59), "3b": (30, 44), "4": (15, 29), "5": (0, 14)}


@pytest.mark.parametrize("stage", list(KDIGO))
def test_a_ckd_stage_is_checked_as_its_egfr_range(fast_reader, shipped_rules, stage: str) -> None:
    low, high = KDIGO[stage]
    expected = verdict(fast_reader, shipped_rules, CRAMPS.format(f"eGFR {low}-{high}"))
    number, suffix = stage[0], stage[1:]
    forms = [f"stage {stage} CKD", f"CKD stage {stage}", f"CKD G{stage}", f"stage {ROMAN[int(number)]}{suffix} CKD"]
    assert [verdict(fast_reader, shipped_rules, CRAMPS.format(f)) for f in forms] == [expected] * len(forms)
