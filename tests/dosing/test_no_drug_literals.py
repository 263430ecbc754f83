"""Knowledge is data: the dosing code names no drug; finding messages take it from the rules."""

from __future__ import annotations

import re

from assistant.settings import REPO_ROOT

DRUGS = [p.stem for p in (REPO_ROOT / "corpus/rules").glob("*.toml")]


def test_dosing_code_names_no_drug() -> None:
    assert DRUGS
    for path in (REPO_ROOT / "assistant/dosing").glob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        for drug in DRUGS:
            assert not re.search(rf"\b{re.escape(drug)}\b", text), f"{path.name} names {drug}"
