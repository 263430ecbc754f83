"""The chat's sidebar: patient context and answer writer (pick lists from the loaded rules), conversation controls.

The patient form holds no bound of its own: every numeric field's range and unit come from `assistant.patient_bounds()`
(corpus/patient_fields.toml), the same table the `Patient` model checks. Whatever the form is given, it shows a one-line
message, never a traceback, and the question is still answered (with the facts that could be used).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st
from pydantic import ValidationError

from assistant import (
    AssistantError,
    InputError,
    Patient,
    RulesError,
    Settings,
    folder_hash,
    load_rules,
    one_line,
    patient_bounds,
)
from ui.export import conversation_json, conversation_markdown
from ui.inputs import escape_all, fmt_num, fmt_value

log = logging.getLogger("guideline_assistant.ui")
YES_NO = ["unknown", "yes", "no"]
PATIENT_KEYS = (
    "pt_indication",
    "pt_route",
    "pt_egfr",
    "pt_crcl",
    "pt_weight",
    "pt_dialysis",
    "pt_cirrhosis",
    "pt_age",
    "pt_sodium",
)
# The words the form shows for each fact; ranges and units are read from `patient_bounds()`, never written here.
NUMBER_LABELS = {
    "egfr": "eGFR",
    "crcl": "Creatinine clearance",
    "weight": "Weight",
    "age": "Age",
    "sodium": "Serum sodium",
}
FLAG_LABELS = {"dialysis": "Dialysis / renal replacement", "cirrhosis": "Liver cirrhosis"}
# What the form may meet: the project's errors, a fact the Patient model refuses, and a patient-fields file that is
# missing (OSError), unreadable (ValueError) or incomplete (KeyError).
FORM_ERRORS: tuple[type[Exception], ...] = (AssistantError, ValidationError, ValueError, KeyError, OSError)
Bounds = dict[str, tuple[float, float, str]]


def pick_lists(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """Indications, routes and drugs named by the loaded rules files (the UI holds none of its own)."""
    return _pick_lists(str(settings.rules_dir), folder_hash(settings.rules_dir, "*.toml"))


@st.cache_data(show_spinner=False, max_entries=4)
def _pick_lists(rules_dir: str, rules_hash: str) -> tuple[list[str], list[str], list[str]]:
    """Read once per content of the rules folder: every script run needs them, and a run must stay short (a
    question sent while a run is busy elsewhere waits for it)."""
    try:
        table = load_rules(Path(rules_dir))
    except RulesError:
        return ["unknown"], ["unknown"], []
    indications = sorted({key for rules in table.values() for key in rules.indications})
    routes = sorted({key for rules in table.values() for key in rules.routes})
    return ["unknown", *indications], ["unknown", *routes], sorted(table)


def number_bounds() -> Bounds:
    """(low, high, unit) of each numeric field of the form, from `assistant.patient_bounds()`; a field the file does
    not bound, or bounds the widget cannot take, is an InputError naming the field."""
    bounds = patient_bounds()
    missing = [key for key in NUMBER_LABELS if key not in bounds]
    if missing:
        raise InputError(f"the patient fields file gives no range for {', '.join(missing)}")
    bad = [key for key in NUMBER_LABELS if not _valid_range(*bounds[key][:2])]
    if bad:
        raise InputError(f"the patient fields file gives an unusable range for {', '.join(bad)}")
    return {key: bounds[key] for key in NUMBER_LABELS}


def _valid_range(low: float, high: float) -> bool:
    return math.isfinite(low) and math.isfinite(high) and low <= high


def _number(key: str, bounds: Bounds) -> float | None:
    """One numeric fact; the widget refuses a value outside the file's range (with its own message)."""
    low, high, unit = bounds[key]
    return st.number_input(
        f"{NUMBER_LABELS[key]} ({unit})",
        min_value=low,
        max_value=high,
        value=None,
        step=1.0,
        key=f"pt_{key}",
        help=f"Plausible range {fmt_num(low)}–{fmt_num(high)} {unit}. Leave empty when unknown.",
    )


def _flag(key: str) -> bool | None:
    answer = st.selectbox(FLAG_LABELS[key], YES_NO, key=f"pt_{key}")
    return {"yes": True, "no": False}.get(answer)


def usable_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Each fact as the Patient model takes it; one it refuses is left unknown, with a one-line warning saying why."""
    usable: dict[str, Any] = {}
    for key, value in facts.items():
        try:
            Patient.model_validate({key: value})
        except ValidationError as exc:
            label = NUMBER_LABELS.get(key) or FLAG_LABELS.get(key) or key
            note = f"{label} not used: {one_line(exc)}. The dose check treats it as unknown; correct or clear it."
            st.warning(escape_all(note), icon=":material/warning:")
            value = None
        usable[key] = value
    return usable


def facts_line(patient: Patient, bounds: Bounds) -> str:
    """The patient facts the dose check will use, as one caption (so a value the form refused is visibly absent)."""
    known = patient.known()
    if not known:
        return ":material/fact_check: Dose check uses no patient facts (all unknown)."
    parts = []
    for key, value in known.items():
        unit = f" {bounds[key][2]}" if key in bounds and not isinstance(value, bool) else ""
        parts.append(escape_all(f"{NUMBER_LABELS.get(key, key)} {fmt_value(value)}{unit}"))
    return ":material/fact_check: Dose check uses: " + " · ".join(parts)


def patient_form(settings: Settings) -> tuple[dict, Patient | None]:
    """Sidebar 'Patient context'; empty fields mean unknown. Returns (all fields, Patient or None).

    Never raises for what it is given: a fact the Patient model refuses is left unknown with a warning, and a form that
    cannot be drawn or read is one error line, the question then answered without patient facts."""
    st.subheader("Patient context")
    st.caption("Feeds the dose checker. Leave a field empty when unknown.")
    fields: dict[str, Any] = {"indication": None, "route": None}
    try:
        indications, routes, _ = pick_lists(settings)
        ind = st.selectbox("Indication", indications, key="pt_indication")
        route = st.selectbox("Route", routes, key="pt_route")
        fields = {"indication": None if ind == "unknown" else ind, "route": None if route == "unknown" else route}
        bounds = number_bounds()
        facts = {
            "egfr": _number("egfr", bounds),
            "crcl": _number("crcl", bounds),
            "weight": _number("weight", bounds),
            "dialysis": _flag("dialysis"),
            "cirrhosis": _flag("cirrhosis"),
            "age": _number("age", bounds),
            "sodium": _number("sodium", bounds),
        }
        usable = usable_facts(facts)
        patient = Patient.model_validate(usable)
    except FORM_ERRORS as exc:
        log.warning("patient form: %s", one_line(exc, with_type=True))
        typed = not isinstance(exc, AssistantError | ValidationError)
        st.error(
            escape_all(
                f"Patient context not used ({one_line(exc, with_type=typed)}); questions are answered without it."
            ),
            icon=":material/error:",
        )
        return fields, None
    st.caption(facts_line(patient, bounds))
    return {**usable, **fields}, (patient if patient.known() else None)


def backend_form(settings: Settings) -> str:
    """Sidebar 'Answer writer': only the backends the operator enabled (ASSISTANT_LLM_ALLOWED). Returns the spec."""
    st.subheader("Answer writer")
    options = settings.allowed_llms
    default = settings.llm if settings.llm in options else "none"
    return st.selectbox(
        "Backend",
        options,
        index=options.index(default),
        key="llm_backend",
        format_func=lambda o: {"none": "none (extractive)", "llamacpp": "llamacpp (bundled Gemma 3 270M)"}.get(o, o),
        help="An LLM writes the answer; the guard removes every sentence its citations do not support. "
        "The server's operator chooses which writers are offered.",
    )


def conversation_section(turns: list[dict], new_conversation: Callable[[], None], on_download: Callable) -> None:
    """New conversation and the two downloads (each download is audited by `on_download(format)`)."""
    st.subheader("Conversation")
    st.button(
        "New conversation",
        icon=":material/add_comment:",
        on_click=new_conversation,
        help="Clears the chat and the patient context",
    )
    has_answers = any(t["role"] == "assistant" for t in turns)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    downloads = (
        ("Markdown", conversation_markdown, "md", "text/markdown", ":material/download:", "markdown"),
        ("JSON", conversation_json, "json", "application/json", ":material/data_object:", "json"),
    )
    for label, render, ext, mime, icon, fmt in downloads:
        st.download_button(
            f"Download conversation ({label})",
            render(turns, stamp),
            file_name=f"conversation.{ext}",
            mime=mime,
            icon=icon,
            disabled=not has_answers,
            on_click=on_download,
            args=(fmt,),
            key=f"download-{ext}",
        )
