"""The chat box: every question sent from the page reaches the session, in the order it was sent.

`st.chat_input` delivers a question as a one-run event, and Streamlit merges rerun requests that arrive together
(the newest value wins), so of questions sent close together on a busy server some were lost without a trace. This
box (ui/static/chat_box.js) keeps every question the server has not yet acknowledged in the component's state and
sends the whole list on each send: whichever request Streamlit keeps carries all of them. The session takes each
question once, by its id, and acknowledges it so the page can forget it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.state import SessionStateProxy

KEY = "chat_box"
SEEN_KEY = "chat_box_seen"
MAX_ID_CHARS = 64  # the page's ids are ~25 characters; anything longer did not come from it
_STATIC = Path(__file__).resolve().parent / "static"

_mount = st.components.v2.component(
    "guideline_chat_box",
    js=(_STATIC / "chat_box.js").read_text(encoding="utf-8"),
    css=(_STATIC / "chat_box.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # the theme's fonts and colours apply; the CSS classes are prefixed instead
)


@dataclass(frozen=True)
class Sent:
    """One question as sent from the page: its id (unique per page) and the text exactly as typed."""

    id: str
    text: str


def _entries(state: Any) -> list[Any]:
    """The box's list of questions; the component's result and its session-state value are both mappings."""
    queue = state.get("queue") if isinstance(state, Mapping) else None
    return queue if isinstance(queue, list) else []


def unseen(state: Any, seen: set[str]) -> tuple[list[Sent], int]:
    """The questions in the box's state not taken before, in the order sent (each id is added to `seen`), and the
    number of entries that are not a question from the page (a foreign client; they are never queued)."""
    new: list[Sent] = []
    unreadable = 0
    for entry in _entries(state):
        ident = entry.get("id") if isinstance(entry, dict) else None
        text = entry.get("text") if isinstance(entry, dict) else None
        if not (isinstance(ident, str) and 0 < len(ident) <= MAX_ID_CHARS and isinstance(text, str)):
            unreadable += 1
            continue
        if ident not in seen:
            seen.add(ident)
            new.append(Sent(ident, text))
    return new, unreadable


def acknowledged(state: Any, seen: set[str]) -> list[str]:
    """The ids in the box's state that the session has taken: the page stops re-sending them."""
    return [e["id"] for e in _entries(state) if isinstance(e, dict) and e.get("id") in seen]


def sent_questions(session: SessionStateProxy, placeholder: str, disabled: bool) -> tuple[list[Sent], int]:
    """Show the box at the bottom of the page; return the questions sent since the last run and the count of
    unreadable entries. The state is read before the box is drawn, so the page learns at once what was taken."""
    seen: set[str] = session.setdefault(SEEN_KEY, set())
    new, unreadable = unseen(session.get(KEY), seen)
    data = {"placeholder": placeholder, "disabled": disabled, "acked": acknowledged(session.get(KEY), seen)}
    with st.bottom:
        result = _mount(key=KEY, data=data, default={"queue": []}, on_queue_change=lambda: None)
    late, late_unreadable = unseen(result, seen)  # normally nothing: the same state as read above
    return new + late, unreadable + late_unreadable
