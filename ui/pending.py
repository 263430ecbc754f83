"""Questions accepted but not yet answered, kept in session state so that no submitted question is lost.

Streamlit replaces a running script when a new message arrives, and merges messages that arrive while it runs (the
newest chat value wins). So a question is stored the moment it is read — plain Python, no Streamlit call in between
that could stop the run — and answered from this queue, in order, one per run. While the queue is not empty the chat
box is disabled and says why, so the browser cannot send a question that a merge would drop.
"""
from __future__ import annotations

import uuid
from typing import Any

from assistant.types import Answer, Patient

BUSY_NOTE = "Still answering the previous question — the box opens again when the answer is shown."


def enqueue(queue: list[dict[str, Any]], question: str, fields: dict, patient: Patient | None, backend: str) -> None:
    """Accept one question with the patient context and answer writer it was asked with."""
    queue.append({"id": uuid.uuid4().hex, "question": question, "fields": dict(fields), "patient": patient,
                  "backend": backend})


def complete(queue: list[dict[str, Any]], turns: list[dict[str, Any]], item: dict[str, Any],
             answer: Answer | None, error: str | None) -> dict[str, Any]:
    """Move a question from the queue to the conversation with its answer (or one-line error); returns the turn.

    Plain list operations only, so a stopped script run cannot leave it half done."""
    user = {"id": item["id"], "role": "user", "content": item["question"]}
    turn: dict[str, Any] = {"id": uuid.uuid4().hex, "role": "assistant", "question": item["question"],
                            "patient": item["fields"]}
    if answer is not None:
        turn.update(content=answer.text, answer=answer)
    else:
        turn.update(content=error or "The assistant could not answer this question.", error=True)
    turns.extend([user, turn])
    if queue and queue[0]["id"] == item["id"]:
        queue.pop(0)
    return turn
