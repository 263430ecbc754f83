"""Streamlit chat over the guideline `Assistant` (`streamlit run ui/app.py`, or `make run`).

A thin loop over session state: it builds no prompts and holds no dosing rules. Each browser session
keeps its own conversation; the Assistant (embedding model + Chroma store) is shared and cached.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# `streamlit run ui/app.py` puts only ui/ on the path; the package (and its REPO_ROOT) is importable after this.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402
from streamlit.runtime.state import SessionStateProxy  # noqa: E402

from assistant.dosing.loader import load_rules  # noqa: E402
from assistant.dosing.rules import RulesError
from assistant.errors import one_line  # noqa: E402
from assistant.index.store import document_summaries  # noqa: E402
from assistant.interfaces import audit  # noqa: E402
from assistant.settings import Settings, SettingsError  # noqa: E402
from assistant.types import Patient  # noqa: E402
from ui import pending, render  # noqa: E402
from ui.export import (  # noqa: E402
    DISCLAIMER,
    conversation_json,
    conversation_markdown,
    conversation_records,
)
from ui.inputs import escape_all, history_pairs, question_problem  # noqa: E402

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
ICON = Path(__file__).resolve().parent / "static" / "icon.png"  # served by this server: no font or icon CDN


@st.cache_resource(show_spinner="Loading the embedding model and the guideline index…")
def get_assistant(fingerprint: str, _settings: Settings):
    """One Assistant per settings (fingerprint), shared by all sessions of this server."""
    from assistant.pipeline import Assistant

    return Assistant(_settings)


@st.cache_resource(show_spinner=False)
def assistant_lock(fingerprint: str) -> threading.Lock:
    """Serialises calls into the shared Assistant, so a re-index never runs under another session's reply."""
    return threading.Lock()


def state() -> SessionStateProxy:
    ss = st.session_state
    ss.setdefault("turns", [])
    ss.setdefault("notices", [])
    ss.setdefault("pending", [])  # accepted questions not yet answered (ui/pending.py)
    return ss


def audit_event(event: audit.AuditEvent, **kwargs: Any) -> None:
    """Append to the audit log; a failure is shown on the page, never raised."""
    try:
        settings = Settings()
        key = audit.load_secret(settings.audit_secret_path) if settings.audit_questions == "hmac" else None
        audit.log_event(
            settings.audit_path, event, question_key=key, provenance=st.session_state.get("provenance"), **kwargs
        )
    except (audit.AuditError, ValueError, TypeError) as exc:
        st.session_state.setdefault("notices", []).append(
            f"The audit log was not written ({one_line(exc, with_type=True)})."
        )


def on_question(max_chars: int) -> None:
    """Queue the submitted question (or note why not) before the script runs: nothing can stop this halfway."""
    ss = state()
    question = ss.get("question")
    if question is None or "context" not in ss:
        return
    problem = question_problem(question, max_chars)
    if problem:
        ss["notices"].append(problem)
        return
    fields, patient, backend = ss["context"]
    pending.enqueue(ss["pending"], question, fields, patient, backend)


def new_conversation() -> None:
    """Clear the chat and the patient context (a new conversation may be a new patient)."""
    st.session_state["turns"] = []
    st.session_state["pending"] = []
    for key in PATIENT_KEYS:
        st.session_state.pop(key, None)


def on_feedback(turn_id: str) -> None:
    value = st.session_state.get(f"feedback-{turn_id}")
    turn = next((t for t in st.session_state.get("turns", []) if t["id"] == turn_id), None)
    if turn is None or turn.get("error"):
        return
    rating = "up" if value == 1 else "down" if value == 0 else "cleared"
    audit_event(
        "feedback",
        answer=turn["answer"],
        question=turn["question"],
        patient=turn["patient"],
        extra={"rating": rating, "turn_id": turn_id},
    )


def on_download(fmt: str) -> None:
    turns = st.session_state.get("turns", [])
    answered = [t for t in turns if t["role"] == "assistant" and not t.get("error")]
    last = answered[-1] if answered else None
    audit_event(
        "download",
        answer=last["answer"] if last else None,
        question=last["question"] if last else None,
        patient=last["patient"] if last else None,
        extra={"format": fmt, "conversation": conversation_records(turns)},
    )


def pick_lists(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """Indications, routes and drugs named by the loaded rules files (the UI holds none of its own)."""
    try:
        table = load_rules(settings.rules_dir)
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


def corpus_section(assistant, lock: threading.Lock) -> None:
    st.subheader("Corpus")
    try:
        # No lock: a read, and waiting here for another session's answer would stop this run from reading its
        # own chat box (Streamlit then merges the questions sent meanwhile and keeps only the newest).
        status = assistant.corpus_status()
        library = document_summaries(assistant.collection)
        render.render_corpus(status, library)
    except Exception as exc:  # the store may be unreachable; the chat page must stay up
        log.exception("corpus_status failed")
        render.render_error(f"Cannot read the index: {one_line(exc, with_type=True)}")
    if st.button(
        "Re-index corpus",
        icon=":material/refresh:",
        help="After adding or editing a document in corpus/ or in a folder added with `ingest PATH`",
    ):
        try:
            with st.spinner("Re-indexing…"), lock:
                line, errors = render.reindex_summary(assistant.reindex())
            st.session_state["reindex"] = (line, errors)
            st.rerun()
        except Exception as exc:
            log.exception("reindex failed")
            st.session_state["reindex"] = (None, [f"Re-index failed: {one_line(exc, with_type=True)}"])
    line, errors = st.session_state.get("reindex", (None, []))
    if line:
        st.success(line, icon=":material/check:")
    for err in errors:
        st.warning(escape_all(err), icon=":material/warning:")


def conversation_section(turns: list[dict]) -> None:
    st.subheader("Conversation")
    st.button(
        "New conversation",
        icon=":material/add_comment:",
        on_click=new_conversation,
        help="Clears the chat and the patient context",
    )
    has_answers = any(t["role"] == "assistant" for t in turns)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    st.download_button(
        "Download conversation (Markdown)",
        conversation_markdown(turns, stamp),
        file_name="conversation.md",
        mime="text/markdown",
        icon=":material/download:",
        disabled=not has_answers,
        on_click=on_download,
        args=("markdown",),
        key="download-md",
    )
    st.download_button(
        "Download conversation (JSON)",
        conversation_json(turns, stamp),
        file_name="conversation.json",
        mime="application/json",
        icon=":material/data_object:",
        disabled=not has_answers,
        on_click=on_download,
        args=("json",),
        key="download-json",
    )


def show_turn(turn: dict) -> None:
    with st.chat_message(turn["role"]):
        if turn["role"] == "user":
            st.markdown(escape_all(turn["content"]))
        elif turn.get("error"):
            render.render_error(turn["content"])
        else:
            render.render_answer(turn["answer"], turn["id"])
            st.feedback("thumbs", key=f"feedback-{turn['id']}", on_change=on_feedback, args=(turn["id"],))


def answer_next(assistant, lock: threading.Lock, ss: SessionStateProxy) -> None:
    """Answer the oldest queued question. The work runs in a thread; this run polls it and updates the page every
    0.1 s, so a question sent meanwhile stops this run at once and is queued (ui/pending.py), never merged away.
    With an LLM backend the guarded sentences are shown while the model writes."""
    item = ss["pending"][0]
    if "thread" not in item:
        pending.start(item, assistant, lock, history_pairs(ss["turns"]), log)
    status = st.empty()
    live = st.empty() if item["backend"] != "none" else None
    while "result" not in item:
        status.caption(f":material/hourglass_top: Checking the guidelines… {pending.elapsed(item):.1f} s")
        if live is not None and item.get("partial"):
            with live.container(), st.chat_message("assistant"):
                st.markdown(render.streaming_text(item["partial"]))
        time.sleep(0.1)
    kind, value = item["result"]
    if kind == "answer":  # stored and audited with no Streamlit call in between: a stopped run cannot lose it
        turn = pending.complete(ss["pending"], ss["turns"], item, value, None)
        audit_event(
            "answer", answer=value, question=item["question"], patient=item["fields"], extra={"turn_id": turn["id"]}
        )
    elif kind == "input":  # the assistant's own input check: a friendly note, not an error, not a turn
        ss["pending"].remove(item)
        ss["notices"].append(f"Please check your question: {escape_all(value)}.")
    else:
        pending.complete(
            ss["pending"], ss["turns"], item, None, f"The assistant could not answer this question ({value})."
        )


def main() -> None:
    st.set_page_config(page_title="Guideline assistant", page_icon=str(ICON))
    ss = state()
    try:
        settings = Settings()
    except SettingsError as exc:
        render.render_error(f"The assistant could not start: {exc}")
        st.stop()
    fingerprint = settings.model_dump_json()
    lock = assistant_lock(fingerprint)
    try:
        assistant = get_assistant(fingerprint, settings)
    except Exception as exc:
        log.exception("Assistant failed to start")
        assistant = None
        render.render_error(f"The assistant could not start: {one_line(exc, with_type=True)}")
    # Read the chat box first and queue its question at once: nothing before it can stop this run and lose it.
    # Questions are taken in the chat box's callback, which Streamlit runs before the script and never stops halfway;
    # the box is never disabled while busy, because Streamlit discards a value sent to a widget it has just disabled.
    drugs = pick_lists(settings)[2]  # the example names a drug of the loaded rules, never one written here
    example = f"What is the maximum daily dose of {drugs[0]}?" if drugs else "What is the maximum daily dose?"
    st.chat_input(
        f"Ask a dosing question, e.g. “{example}”",
        disabled=assistant is None,
        key="question",
        on_submit=on_question,
        args=(settings.max_question_chars,),
    )
    st.sidebar.caption(f":material/info: **{DISCLAIMER}**")
    conversation_box = st.sidebar.container()  # filled last, so downloads include this run's answer
    with st.sidebar:
        fields, patient = patient_form(settings)
        backend = backend_form(settings)
    ss["context"] = (fields, patient, backend)  # what the next question is asked with

    st.title("Guideline assistant")
    st.caption(f":material/info: **{DISCLAIMER}**")
    if assistant is not None:
        with st.sidebar:
            corpus_section(assistant, lock)
        ss["provenance"] = assistant.provenance  # every audit entry names what its answer was made from

    for turn in ss["turns"]:
        show_turn(turn)
    for item in ss["pending"]:
        show_turn({"role": "user", "content": item["question"]})
    if ss["pending"] and assistant is not None:
        st.info(pending.BUSY_NOTE, icon=":material/hourglass_top:")
        answer_next(assistant, lock, ss)
        st.rerun()  # show the answer, then the next queued question (or open the box again)
    while ss["notices"]:
        st.warning(ss["notices"].pop(0), icon=":material/warning:")
    with conversation_box:
        conversation_section(ss["turns"])


main()
