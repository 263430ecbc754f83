"""ui/inputs.py, ui/export.py and ui/render.py with deterministic stand-in answers (no model, fast)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from assistant.errors import InputError
from assistant.query.validate import validate_question
from tests.ui.support import REPO, TRICKY, stand_in, unescape
from ui.export import DISCLAIMER, conversation_json, conversation_markdown
from ui.inputs import (
    escape_all,
    escape_answer,
    fmt_num,
    history_pairs,
    question_problem,
)


def _render_script(repo: str, verdict: str | None, refused: bool) -> None:
    import sys

    sys.path.insert(0, repo)
    from tests.ui.support import stand_in
    from ui.render import render_answer

    render_answer(stand_in(verdict, refused), "k1")


def render(verdict: str | None = "above_max", refused: bool = False) -> AppTest:
    at = AppTest.from_function(_render_script, kwargs={"repo": str(REPO), "verdict": verdict, "refused": refused})
    at.run(timeout=30)
    assert not at.exception
    return at


def test_escape_all_shows_text_exactly():
    assert unescape(escape_all(TRICKY)) == TRICKY


def test_escape_answer_keeps_markdown_but_protects_numbers():
    out = escape_answer("**30 mg/day** [1], 5~10 mg, $5")
    assert out == "**30 mg/day** [1], 5\\~10 mg, \\$5"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "type a question"),
        ("   \n ", "type a question"),
        (None, "type a question"),
        ("x" * 2001, "limited to 2,000"),
        ("baclofen\x00\x01\x02", "binary"),
        ("dose \ufffd", "binary"),
        ("a\x1bb", "binary"),
    ],
)
def test_bad_input_gets_a_friendly_message(text, fragment):
    assert fragment in question_problem(text, 2000)


def test_the_chat_page_accepts_exactly_what_the_core_accepts():
    # One stray control character (a real pasted MedicationQA row) is noise to the core, so to the page too.
    assert question_problem("how does baclofen\x9d work", 2000) is None
    assert validate_question("how does baclofen\x9d work", 2000) == "how does baclofen work"
    for text in ("", "x" * 2001, "baclofen\x00", "\x01\x02\x03\x04 baclofen", "a\x1bb", "dose\x1b[31m baclofen"):
        with pytest.raises(InputError):
            validate_question(text, 2000)
        assert question_problem(text, 2000) is not None


def test_good_input_passes():
    assert question_problem("Is 40 mg/day of baclofen OK for muscle cramps?\n(eGFR 20)\tthanks", 2000) is None
    assert question_problem("  " + "x" * 2000 + "  ", 2000) is None


def test_fmt_num_never_rounds_or_uses_exponents():
    assert [fmt_num(v) for v in (40.0, 7.5, 0.125, 1500000.0, None)] == ["40", "7.5", "0.125", "1500000", "?"]


def test_history_leaves_out_failed_turns():
    turns = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "boom", "error": True},
        {"role": "user", "content": "q3"},
        {"role": "assistant", "content": "a3"},
    ]
    assert history_pairs(turns) == [("user", "q1"), ("assistant", "a1"), ("user", "q3"), ("assistant", "a3")]


@pytest.mark.parametrize(
    ("verdict", "color", "label"),
    [
        ("contraindicated", "red", "Do not give: contraindicated for this patient — hard stop"),
        ("above_max", "red", "Above the guideline maximum — hard stop"),
        ("exceeds_titration_step", "orange", "Faster or larger increase than the guideline titration"),
        ("caution", "orange", "Caution"),
        ("within_limits", "green", "Within the guideline limits"),
        ("unable_to_check", "gray", "Unable to check this dose"),
    ],
)
def test_verdict_badge_colour(verdict, color, label):
    at = render(verdict)
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == 1 and badges[0].startswith(f":{color}-badge[") and f"Dose check: {label}]" in badges[0]
    page = "\n".join(unescape(m.value) for m in at.markdown) + "\n".join(unescape(c.value) for c in at.caption)
    assert f"verdict `{verdict}`" in page
    if verdict == "unable_to_check":
        assert "**Why it could not be checked:** unknown unit 'drops'" in page


def test_dose_check_shows_limits_with_sources_and_findings():
    at = render("above_max")
    main = [unescape(m.value) for m in at.markdown]
    captions = [unescape(c.value) for c in at.caption]
    assert any("40 mg/day is above the maximum of 30 mg/day." in m for m in main)
    assert "Limit: **30 mg/day** — source: baclofen-muscle-cramps › Summary" in captions
    assert "> up to a maximum of 30 mg/day" in main
    assert "Limits applied: oral baclofen for muscle_cramps" in captions
    assert "Patient facts used: egfr 45" in captions
    notes = next(e for e in at.expander if e.label.startswith("All limits checked"))
    assert any("eGFR not given, so not checked." in unescape(m.value) for m in notes.markdown)
    assert f"> {TRICKY}" in [unescape(m.value) for m in notes.markdown]  # the quote shows exactly


def test_citation_expander_shows_title_section_refs_and_exact_text():
    at = render(None)
    [exp] = at.expander
    assert exp.label == "Sources [1]"
    texts = [unescape(m.value) for m in exp.markdown]
    assert "**[1] Baclofen for Muscle Cramps** — Dosing Protocol" in texts
    assert f"> {TRICKY}" in texts
    assert "Guideline's own references: 1, 2 · chunk `abc`" in [unescape(c.value) for c in exp.caption]
    answer = at.markdown[0].value
    assert unescape(answer) == "**Above** the maximum of 30 mg/day [1]. Range 5~10 $5"
    assert not [m for m in at.markdown if "-badge[" in m.value]


def test_understood_facts_are_shown():
    at = render(None)
    [cap] = [unescape(c.value) for c in at.caption if "Understood" in c.value]
    assert "doses: **40 mg/day**" in cap and "patient: **egfr: 45**" in cap and "indication: **muscle_cramps**" in cap


def test_refusal_looks_like_a_refusal():
    at = render(None, refused=True)
    assert [i.value for i in at.info] == ["REFUSED"]
    assert at.info[0].proto.icon == ":material/search_off:"
    assert not at.error and not at.expander


def test_exports_carry_citations_and_dose_checks():
    turns = [
        {"id": "u", "role": "user", "content": "Is 40 mg/day OK?"},
        {
            "id": "a",
            "role": "assistant",
            "question": "Is 40 mg/day OK?",
            "content": "x",
            "answer": stand_in("above_max"),
            "patient": {"egfr": 45.0, "dialysis": None, "indication": "muscle_cramps", "route": None},
        },
        {"id": "u2", "role": "user", "content": "q2"},
        {
            "id": "e",
            "role": "assistant",
            "question": "q2",
            "content": "The assistant could not answer.",
            "error": True,
            "patient": {},
        },
    ]
    md = conversation_markdown(turns, "2026-01-01T00:00:00+00:00")
    assert DISCLAIMER in md and "## 1. Is 40 mg/day OK?" in md and "**Dose check: above_max** (hard stop)" in md
    assert (
        "(limit: 30 mg/day)" in md
        and "Source: baclofen-muscle-cramps, section “Summary”: “up to a maximum of 30 mg/day”" in md
    )
    assert "[1] Baclofen for Muscle Cramps — Dosing Protocol (guideline refs 1, 2)" in md and TRICKY in md
    assert (
        "Patient context: egfr 45, indication muscle_cramps" in md
        and "**Error:** The assistant could not answer." in md
    )
    doc = json.loads(conversation_json(turns, "2026-01-01T00:00:00+00:00"))
    first, second = doc["turns"]
    assert first["citations"][0]["text"] == TRICKY and first["citations"][0]["refs"] == [1, 2]
    assert first["dose_check"]["verdict"] == "above_max" and first["dose_check"]["findings"][0]["limit"] == "30 mg/day"
    assert first["patient"] == {"egfr": 45.0, "indication": "muscle_cramps"}
    assert second == {"question": "q2", "patient": {}, "error": "The assistant could not answer."}


def test_understood_facts_leave_out_empty_lists():
    from ui.inputs import shown_facts

    understood = {"intent": "renal", "numbers": [], "assumptions": [], "patient": {}, "drug": "baclofen"}
    assert shown_facts(understood) == [("intent", "renal"), ("drug", "baclofen")]
    assert shown_facts({"not_understood": [], "follow_up": True}) == [("follow up", "yes")]
