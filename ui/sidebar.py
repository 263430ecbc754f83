"""The chat's sidebar: patient context and answer writer (pick lists from the loaded rules), conversation controls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from assistant.dosing.rules.load import load_rules
from assistant.dosing.rules.schema import RulesError
from assistant.index.provenance import folder_hash
from assistant.settings import Settings
from assistant.types import Patient
from ui.export import conversation_json, conversation_markdown

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


def patient_form(settings: Settings) -> tuple[dict, Patient | None]:
    """Sidebar 'Patient context'; empty fields mean unknown. Returns (all fields, Patient or None)."""
    st.subheader("Patient context")
    st.caption("Feeds the dose checker. Leave a field empty when unknown.")
    indications, routes, _ = pick_lists(settings)
    ind = st.selectbox("Indication", indications, key="pt_indication")
    route = st.selectbox("Route", routes, key="pt_route")
    egfr = st.number_input("eGFR (mL/min/1.73m²)", min_value=0.0, max_value=250.0, value=None, step=1.0, key="pt_egfr")
    crcl = st.number_input(
        "Creatinine clearance (mL/min)", min_value=0.0, max_value=250.0, value=None, step=1.0, key="pt_crcl"
    )
    weight = st.number_input("Weight (kg)", min_value=0.5, max_value=400.0, value=None, step=1.0, key="pt_weight")
    dialysis = st.selectbox("Dialysis / renal replacement", YES_NO, key="pt_dialysis")
    cirrhosis = st.selectbox("Liver cirrhosis", YES_NO, key="pt_cirrhosis")
    age = st.number_input("Age (years)", min_value=0.0, max_value=130.0, value=None, step=1.0, key="pt_age")
    sodium = st.number_input(
        "Serum sodium (mmol/L)", min_value=80.0, max_value=200.0, value=None, step=1.0, key="pt_sodium"
    )
    flag = {"yes": True, "no": False}
    facts = {
        "egfr": egfr,
        "crcl": crcl,
        "weight": weight,
        "dialysis": flag.get(dialysis),
        "cirrhosis": flag.get(cirrhosis),
        "age": age,
        "sodium": sodium,
    }
    patient = Patient.model_validate(facts)
    fields = {**facts, "indication": None if ind == "unknown" else ind, "route": None if route == "unknown" else route}
    return fields, (patient if patient.known() else None)


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
