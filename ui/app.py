"""Streamlit chat over the guideline `Assistant` (`streamlit run ui/app.py`, or `make run`).

A thin loop over session state: it builds no prompts and holds no dosing rules. Each browser session
keeps its own conversation; the Assistant (embedding model + Chroma store) is shared and cached.
"""
from __future__ import annotations

import logging
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# `streamlit run ui/app.py` puts only ui/ on the path; the package (and its REPO_ROOT) is importable after this.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402
from streamlit.runtime.state import SessionStateProxy  # noqa: E402

from assistant.errors import InputError, one_line  # noqa: E402
from assistant.interfaces import audit  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Patient  # noqa: E402
from ui import render  # noqa: E402
from ui.export import (  # noqa: E402
    DISCLAIMER,
    conversation_json,
    conversation_markdown,
    conversation_records,
)
from ui.inputs import escape_all, history_pairs, question_problem  # noqa: E402

log = logging.getLogger("guideline_assistant.ui")
INDICATIONS = ["unknown", "muscle_cramps", "spasticity"]
ROUTES = ["unknown", "oral", "intrathecal"]
YES_NO = ["unknown", "yes", "no"]
PATIENT_KEYS = ("pt_indication", "pt_route", "pt_egfr", "pt_dialysis", "pt_cirrhosis", "pt_age", "pt_sodium")
BACKENDS = ["none", "llamacpp"]  # plus the configured ASSISTANT_LLM and anything typed under "Other backend"


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
    return ss


def audit_event(event: audit.AuditEvent, **kwargs: Any) -> None:
    """Append to the audit log; a failure is shown on the page, never raised."""
    try:
        audit.log_event(Settings().audit_path, event, **kwargs)
    except (audit.AuditError, ValueError, TypeError) as exc:
        st.session_state.setdefault("notices", []).append(
            f"The audit log was not written ({one_line(exc, with_type=True)})."
        )


def new_conversation() -> None:
    """Clear the chat and the patient context (a new conversation may be a new patient)."""
    st.session_state["turns"] = []
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


def patient_form() -> tuple[dict, Patient | None]:
    """Sidebar 'Patient context'; empty fields mean unknown. Returns (all fields, Patient or None)."""
    st.subheader("Patient context")
    st.caption("Feeds the dose checker. Leave a field empty when unknown.")
    ind = st.selectbox("Indication", INDICATIONS, key="pt_indication")
    route = st.selectbox("Route", ROUTES, key="pt_route")
    egfr = st.number_input("eGFR (mL/min/1.73m²)", min_value=0.0, max_value=250.0, value=None, step=1.0, key="pt_egfr")
    dialysis = st.selectbox("Dialysis / renal replacement", YES_NO, key="pt_dialysis")
    cirrhosis = st.selectbox("Liver cirrhosis", YES_NO, key="pt_cirrhosis")
    age = st.number_input("Age (years)", min_value=0.0, max_value=130.0, value=None, step=1.0, key="pt_age")
    sodium = st.number_input(
        "Serum sodium (mmol/L)", min_value=80.0, max_value=200.0, value=None, step=1.0, key="pt_sodium"
    )
    flag = {"yes": True, "no": False}
    facts = {
        "egfr": egfr,
        "dialysis": flag.get(dialysis),
        "cirrhosis": flag.get(cirrhosis),
        "age": age,
        "sodium": sodium,
    }
    patient = Patient.model_validate(facts)
    fields = {**facts, "indication": None if ind == "unknown" else ind, "route": None if route == "unknown" else route}
    return fields, (patient if patient.known() else None)


def backend_form(settings: Settings) -> str:
    """Sidebar 'Answer writer': the extractive composer (default) or an LLM backend. Returns the backend spec."""
    st.subheader("Answer writer")
    options = BACKENDS + [settings.llm] if settings.llm not in BACKENDS else BACKENDS
    choice = st.selectbox(
        "Backend",
        options,
        index=options.index(settings.llm),
        key="llm_backend",
        format_func=lambda o: {"none": "none (extractive)", "llamacpp": "llamacpp (bundled Gemma 3 270M)"}.get(o, o),
        help="An LLM writes the answer; the guard removes every sentence its citations do not support.",
    )
    other = st.text_input("Other backend", key="llm_other", placeholder="ollama:MODEL, openai:MODEL or llamacpp:PATH")
    return other.strip() or choice


def corpus_section(assistant, lock: threading.Lock) -> None:
    st.subheader("Corpus")
    try:
        with lock:
            status = assistant.corpus_status()
        render.render_corpus(status)
    except Exception as exc:  # the store may be unreachable; the chat page must stay up
        log.exception("corpus_status failed")
        render.render_error(f"Cannot read the index: {one_line(exc, with_type=True)}")
    if st.button("Re-index corpus", icon=":material/refresh:", help="After adding or editing a document in corpus/"):
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


def ask(
    assistant,
    lock: threading.Lock,
    question: str,
    fields: dict,
    patient: Patient | None,
    turns: list[dict],
    backend: str = "none",
) -> None:
    """Send one question with the earlier turns; show and record the answer or a one-line error.
    With an LLM backend the answer streams, but only sentences that have passed the guard are shown."""
    from assistant.pipeline import Turn

    history = [Turn(role=role, content=content) for role, content in history_pairs(turns)]
    user = {"id": uuid.uuid4().hex, "role": "user", "content": question}
    turns.append(user)
    show_turn(user)
    base = {"id": uuid.uuid4().hex, "role": "assistant", "question": question, "patient": fields}
    live, on_text = None, None
    if backend != "none":
        live = st.empty()
        with live.container(), st.chat_message("assistant"):
            shown = st.empty()
        on_text = lambda text: shown.markdown(render.streaming_text(text))  # noqa: E731
    try:
        with st.spinner("Checking the guidelines…"), lock:
            answer = assistant.reply(
                history,
                question,
                patient=patient,
                indication=fields["indication"],
                route=fields["route"],
                llm=backend,
                on_text=on_text,
            )
    except InputError as exc:  # the assistant's own input check: a friendly note, not an error, not a turn
        turns.remove(user)
        if live is not None:
            live.empty()
        st.warning(f"Please check your question: {escape_all(str(exc))}.", icon=":material/edit_note:")
        return
    except Exception as exc:  # any failure inside the assistant: one line on the page, details in the server log
        log.exception("Assistant.reply failed")
        turn = {
            **base,
            "content": f"The assistant could not answer this question ({one_line(exc, with_type=True)}).",
            "error": True,
        }
    else:
        turn = {**base, "content": answer.text, "answer": answer}
        audit_event("answer", answer=answer, question=question, patient=fields, extra={"turn_id": turn["id"]})
    if live is not None:
        live.empty()
    turns.append(turn)
    show_turn(turn)


def main() -> None:
    st.set_page_config(page_title="Guideline assistant", page_icon=":material/medication:")
    ss = state()
    settings = Settings()
    st.sidebar.caption(f":material/info: **{DISCLAIMER}**")
    conversation_box = st.sidebar.container()  # filled last, so downloads include this run's answer
    with st.sidebar:
        fields, patient = patient_form()
        backend = backend_form(settings)

    st.title("Guideline assistant")
    st.caption(f":material/info: **{DISCLAIMER}**")
    fingerprint = settings.model_dump_json()
    lock = assistant_lock(fingerprint)
    try:
        assistant = get_assistant(fingerprint, settings)
    except Exception as exc:
        log.exception("Assistant failed to start")
        assistant = None
        render.render_error(f"The assistant could not start: {one_line(exc, with_type=True)}")
    if assistant is not None:
        with st.sidebar:
            corpus_section(assistant, lock)

    for turn in ss["turns"]:
        show_turn(turn)
    prompt = st.chat_input(
        "Ask a dosing question, e.g. “Is 40 mg/day of baclofen OK for muscle cramps?”",
        disabled=assistant is None,
        key="question",
    )
    if prompt is not None and assistant is not None:
        problem = question_problem(prompt, settings.max_question_chars)
        if problem:
            st.warning(problem, icon=":material/edit_note:")
        else:
            ask(assistant, lock, prompt, fields, patient, ss["turns"], backend)
    while ss["notices"]:
        st.warning(ss["notices"].pop(0), icon=":material/warning:")
    with conversation_box:
        conversation_section(ss["turns"])


main()
