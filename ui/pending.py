"""Questions accepted but not yet answered, kept in session state so that no submitted question is lost.

Questions arrive from the chat box (ui/chat_box.py) and are stored the moment they are read — plain Python, no
Streamlit call in between that could stop the run — then answered from this queue, in order, one per run. The
answer is worked out in a thread while the run keeps touching the page, so a question sent meanwhile stops the run
within one poll (ui/app.py POLL_SECONDS) and is queued; the next run goes on waiting for the same thread.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from assistant import Answer, InputError, Patient
from ui.inputs import escape_all, question_problem

if TYPE_CHECKING:  # the box itself is a Streamlit component; the queue only reads what it sent
    from ui.chat_box import Sent

BUSY_NOTE = "Still answering the previous question — questions you send now are queued and answered in order."
MAX_WAITING = 10  # questions queued in one session; more are refused on the page, one note each


def full_note(question: str) -> str:
    """The page's note for a question refused because the queue is full (its start, so the user knows which)."""
    start = question.strip().splitlines()[0][:60] if question.strip() else ""
    return (
        f"Not queued: {MAX_WAITING} questions are already waiting for an answer. "
        f"Please send “{escape_all(start)}” again when they are answered."
    )


def enqueue(queue: list[dict[str, Any]], question: str, fields: dict, patient: Patient | None, backend: str) -> None:
    """Accept one question with the patient context and answer writer it was asked with."""
    queue.append(
        {"id": uuid.uuid4().hex, "question": question, "fields": dict(fields), "patient": patient, "backend": backend}
    )


def accept(queue: list[dict[str, Any]], notices: list[str], sent: list[Sent], context: tuple, max_chars: int) -> None:
    """Queue each question sent from the chat box with `context` (fields, patient, answer writer) of the run that
    read it — the sidebar as it was when the question was sent — or add a note saying why not: none is dropped
    without one."""
    fields, patient, backend = context
    for question in sent:
        problem = question_problem(question.text, max_chars)
        if problem:
            notices.append(problem)
        elif len(queue) >= MAX_WAITING:
            notices.append(full_note(question.text))
        else:
            enqueue(queue, question.text, fields, patient, backend)


def start(
    item: dict[str, Any],
    assistant,
    lock: threading.Lock,
    history: list[tuple[Literal["user", "assistant"], str]],
    log: logging.Logger,
) -> None:
    """Answer `item` in a thread; the outcome lands in item['result'] as ('answer', Answer), ('input', message)
    or ('error', one line), and guarded LLM text so far in item['partial']."""
    from assistant import Turn

    turns = [Turn(role=role, content=content) for role, content in history]

    def on_text(text: str) -> None:
        item["partial"] = text

    def work() -> None:
        try:
            with lock:
                answer = assistant.reply(
                    turns,
                    item["question"],
                    patient=item["patient"],
                    indication=item["fields"].get("indication"),
                    route=item["fields"].get("route"),
                    llm=item["backend"],
                    on_text=on_text,
                )
            item["result"] = ("answer", answer)
        except InputError as exc:
            item["result"] = ("input", str(exc))
        except Exception as exc:  # any failure inside the assistant: one line on the page, details in the log
            log.exception("Assistant.reply failed")
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            item["result"] = ("error", f"{type(exc).__name__}: {first}" if first else type(exc).__name__)

    item["started"] = time.monotonic()
    item["thread"] = threading.Thread(target=work, name=f"answer-{item['id'][:8]}", daemon=True)
    item["thread"].start()


def elapsed(item: dict[str, Any]) -> float:
    return time.monotonic() - item.get("started", time.monotonic())


def complete(
    queue: list[dict[str, Any]],
    turns: list[dict[str, Any]],
    item: dict[str, Any],
    answer: Answer | None,
    error: str | None,
) -> dict[str, Any]:
    """Move a question from the queue to the conversation with its answer (or one-line error); returns the turn.

    Plain list operations only, so a stopped script run cannot leave it half done."""
    user = {"id": item["id"], "role": "user", "content": item["question"]}
    turn: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "role": "assistant",
        "question": item["question"],
        "patient": item["fields"],
    }
    if answer is not None:
        turn.update(content=answer.text, answer=answer)
    else:
        turn.update(content=error or "The assistant could not answer this question.", error=True)
    turns.extend([user, turn])
    if queue and queue[0]["id"] == item["id"]:
        queue.pop(0)
    return turn
