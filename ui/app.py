"""Streamlit chat over the guideline `Assistant` (`streamlit run ui/app.py`, or `make run`).

A thin loop over session state: it builds no prompts and holds no dosing rules. Each browser session
keeps its own conversation; the Assistant (embedding model + Chroma store) is shared and cached.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

# `streamlit run ui/app.py` puts only ui/ on the path; the package (and its REPO_ROOT) is importable after this.
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402
from streamlit.runtime.state import SessionStateProxy  # noqa: E402

from assistant import Settings, SettingsError, audit, document_summaries, one_line  # noqa: E402
from ui import chat_box, pending, render  # noqa: E402
from ui.export import (  # noqa: E402
    DISCLAIMER,
    conversation_records,
)
from ui.inputs import escape_all, history_pairs  # noqa: E402
from ui.reindex_job import ReindexJob  # noqa: E402
from ui.sidebar import PATIENT_KEYS, backend_form, conversation_section, patient_form, pick_lists  # noqa: E402

log = logging.getLogger("guideline_assistant.ui")
# How often a busy run touches the page: a question sent meanwhile stops the run at the next touch, so it shows at
# once (the chat box's state keeps it until it is taken, whenever that is: ui/chat_box.py).
POLL_SECONDS = 0.1
ICON = Path(__file__).resolve().parent / "static" / "icon.png"  # served by this server: no font or icon CDN


@st.cache_resource(show_spinner="Loading the embedding model and the guideline index…")
def get_assistant(fingerprint: str, _settings: Settings):
    """One Assistant per settings (fingerprint), shared by all sessions of this server."""
    from assistant import Assistant  # imports the pipeline on first use

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


@st.cache_resource(show_spinner=False)
def reindex_job(fingerprint: str) -> ReindexJob:
    """The server's one re-index job (shared by every session, like the Assistant)."""
    return ReindexJob()


@st.cache_data(show_spinner=False, max_entries=4)
def library_listing(fingerprint: str, index_sha256: str, _collection) -> list:
    """The corpus panel's listing, read from the store once per index content (a walk of every chunk's metadata
    on each script run would keep runs long, and a question sent during a long run waits for it)."""
    return document_summaries(_collection)


def corpus_section(assistant, lock: threading.Lock, job: ReindexJob, fingerprint: str) -> Any:
    """The corpus panel; returns the progress bar while a re-index runs (the page keeps it moving), else None."""
    st.subheader("Corpus")
    try:
        # No lock: a read, and waiting here for another session's answer would keep this run from showing its
        # own questions and answers.
        status = assistant.corpus_status()
        index_sha = assistant.provenance["index_sha256"]
        render.render_corpus(status, library_listing(fingerprint, index_sha, assistant.collection))
    except Exception as exc:  # the store may be unreachable; the chat page must stay up
        log.exception("corpus_status failed")
        render.render_error(f"Cannot read the index: {one_line(exc, with_type=True)}")
    bar = None
    if job.running():
        bar = st.progress(job.fraction(), text=job.status())
    elif st.button(
        "Re-index corpus",
        icon=":material/refresh:",
        help="After adding or editing a document in corpus/ or in a folder added with `ingest PATH`. Runs in the "
        "background; answers come from the current index until the new one is ready.",
    ):
        job.start(assistant, lock, render.reindex_summary, log)
        st.rerun()
    line, errors = job.outcome or (None, [])
    if line and not job.running():
        st.success(line, icon=":material/check:")
    for err in errors if not job.running() else []:
        st.warning(escape_all(err), icon=":material/warning:")
    return bar


def follow_reindex(job: ReindexJob, bar: Any) -> None:
    """Move the progress bar until the job ends, then show the new index. Any question sent meanwhile stops this
    loop at once (each update is a Streamlit call) and is answered first."""
    while job.running():
        bar.progress(job.fraction(), text=job.status())
        time.sleep(0.25)
    st.rerun()


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
    POLL_SECONDS, so a question sent meanwhile stops this run at once and is queued (ui/pending.py).
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
        time.sleep(POLL_SECONDS)
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
    st.sidebar.caption(f":material/info: **{DISCLAIMER}**")
    conversation_box = st.sidebar.container()  # filled last, so downloads include this run's answer
    with st.sidebar:
        fields, patient = patient_form(settings)
        backend = backend_form(settings)

    st.title("Guideline assistant")
    st.caption(f":material/info: **{DISCLAIMER}**")
    bar = None
    if assistant is not None:
        with st.sidebar:
            bar = corpus_section(assistant, lock, reindex_job(fingerprint), fingerprint)
        ss["provenance"] = assistant.provenance  # every audit entry names what its answer was made from

    # The box is drawn (pinned to the bottom) before the conversation is filled, so it is live while an answer is
    # worked out; its state carries every question not yet taken, so a run stopped anywhere loses none.
    conversation = st.container()
    drugs = pick_lists(settings)[2]  # the example names a drug of the loaded rules, never one written here
    example = f"What is the maximum daily dose of {drugs[0]}?" if drugs else "What is the maximum daily dose?"
    sent, unreadable = chat_box.sent_questions(ss, f"Ask a dosing question, e.g. “{example}”", assistant is None)
    pending.accept(ss["pending"], ss["notices"], sent, (fields, patient, backend), settings.max_question_chars)
    if unreadable:
        ss["notices"].append(f"{unreadable} message(s) from the page could not be read and were not queued.")
    with conversation:
        show_conversation(ss, assistant, lock)
    with conversation_box:
        conversation_section(ss["turns"], new_conversation, on_download)
    if bar is not None:
        follow_reindex(reindex_job(fingerprint), bar)


def show_conversation(ss: SessionStateProxy, assistant, lock: threading.Lock) -> None:
    """The turns so far, the queued questions, then the oldest one answered (and the page shown again)."""
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


main()
