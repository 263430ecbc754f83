"""A rules value must be stated by its own quote as a whole number, checked when the rules load."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dosing.rules.load import load_rules_file
from assistant.dosing.rules.quotes import states
from assistant.dosing.rules.schema import RulesError
from assistant.settings import REPO_ROOT

GOOD = (REPO_ROOT / "corpus" / "rules" / "baclofen.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("quote", "value", "expected"),
    [
        ("up to a maximum of 30 mg/day", 30, True),
        ("up to a maximum of 30 mg/day", 3, False),
        ("up to a maximum of 30 mg/day", 300, False),
        ("up to a maximum of 30 mg/day", 0.3, False),
        ("eGFR <30 mL/min/1.73m²", 30, True),
        ("eGFR <30 mL/min/1.73m²", 1.73, False),
        ("6 grams a day", 6000, True),
        ("6 grams a day", 6, True),
        ("1,500 mg four times daily", 1500, True),
        ("2.5 mg twice daily", 2.5, True),
        ("2.5 mg twice daily", 5, False),
        ("usually 40-80 mg daily", 80, True),
    ],
)
def test_whole_number_tokens_only(quote: str, value: float, expected: bool) -> None:
    assert states(quote, value) is expected


def test_a_typo_30_to_300_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "baclofen.toml"
    path.write_text(GOOD.replace("[rules.max_daily_mg]\nvalue = 30\n", "[rules.max_daily_mg]\nvalue = 300\n", 1))
    with pytest.raises(RulesError) as exc:
        load_rules_file(path)
    assert (
        str(exc.value)
        == "baclofen.toml: baclofen.rules[0].max_daily_mg: the quote does not state 300 as a whole number"
    )


def test_every_problem_is_named(tmp_path: Path) -> None:
    text = GOOD.replace("[rules.max_daily_mg]\nvalue = 80\n", "[rules.max_daily_mg]\nvalue = 800\n", 1)
    text = text.replace('stated_as = "weekly"', 'stated_as = "fortnightly"')
    path = tmp_path / "baclofen.toml"
    path.write_text(text)
    with pytest.raises(RulesError) as exc:
        load_rules_file(path)
    message = str(exc.value)
    assert "\n" not in message
    assert "rules[1].max_daily_mg: the quote does not state 800 as a whole number" in message
    assert "min_interval_days: the quote does not contain 'fortnightly'" in message


def test_review_fields_are_required(tmp_path: Path) -> None:
    path = tmp_path / "baclofen.toml"
    path.write_text("\n".join(ln for ln in GOOD.splitlines() if not ln.startswith("reviewed_")))
    with pytest.raises(RulesError) as exc:
        load_rules_file(path)
    assert "reviewed_by: Field required" in str(exc.value) and "reviewed_on: Field required" in str(exc.value)
