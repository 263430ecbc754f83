"""Helpers shared by the UI tests: paths, Markdown unescaping and a deterministic stand-in Answer."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from assistant.settings import REPO_ROOT
from assistant.types import Answer, Citation, DoseCheck, Finding, RuleSource

REPO = REPO_ROOT
APP = REPO / "ui" / "app.py"
TRICKY = "eGFR <30 mL/min/1.73m² ~ 5-10 mg $5 *x* _y_ [1] (a) #2 1. `c` :red[z] | > & \\ end"
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescape(markdown: str) -> str:
    """Undo backslash escapes, giving the text a reader sees."""
    return _MD_ESCAPE.sub(r"\1", markdown)


def stand_in(verdict: str | None = "above_max", refused: bool = False) -> Answer:
    """A fixed Answer built from the real types."""
    hard = verdict in ("contraindicated", "above_max")
    findings = [
        Finding(
            code="max_daily",
            severity="hard" if hard else "soft",
            verdict=verdict or "within_limits",
            message="40 mg/day is above the maximum of 30 mg/day.",
            limit="30 mg/day",
            citation=RuleSource(
                doc_id="baclofen-muscle-cramps", section="Summary", quote="up to a maximum of 30 mg/day"
            ),
        ),
        Finding(
            code="renal",
            severity="info",
            verdict="within_limits",
            message="eGFR not given, so not checked.",
            limit="eGFR < 30",
            citation=RuleSource(doc_id="baclofen-muscle-cramps", section="Monitoring", quote=TRICKY),
        ),
    ]
    dc = None
    if verdict:
        dc = DoseCheck(
            drug="baclofen",
            dose="40 mg/day",
            indication="muscle_cramps",
            route="oral",
            verdict=verdict,
            hard_stop=hard,
            findings=findings,
            daily_dose_mg=40.0,
            limits_applied="oral baclofen for muscle_cramps",
            reason="unknown unit 'drops'" if verdict == "unable_to_check" else None,
            patient={"egfr": 45.0},
        )
    cits = [
        Citation(
            n=1,
            chunk_id="abc",
            doc_id="baclofen-muscle-cramps",
            title="Baclofen for Muscle Cramps",
            section="Dosing Protocol",
            text=TRICKY,
            refs=[1, 2],
        )
    ]
    return Answer(
        question="Is 40 mg/day OK?",
        text="REFUSED" if refused else "**Above** the maximum of 30 mg/day [1]. Range 5~10 $5",
        refused=refused,
        citations=[] if refused else cits,
        dose_check=dc,
        understood={"doses": ["40 mg/day"], "patient": {"egfr": 45.0}, "indication": "muscle_cramps"},
    )


def send(at: Any, *questions: str) -> Any:
    """What the page's chat box does (ui/static/chat_box.js): every question not yet taken, with a fresh id each,
    as the box's state. Returns the AppTest, not yet run."""
    from ui.chat_box import KEY

    at.session_state[KEY] = {"queue": [{"id": uuid.uuid4().hex, "text": q} for q in questions]}
    return at


def chat_box_data(at: Any) -> dict:
    """The data the app gave the chat box in the last run (placeholder, disabled, acked ids)."""
    [box] = [e for e in at.get("bidi_component") if e.proto.component_name == "guideline_chat_box"]
    return json.loads(box.proto.json)
