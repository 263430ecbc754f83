"""Pure helpers for the chat page: input checks, Markdown escaping, number formatting, history.

Nothing here knows about dose rules; it only keeps the page honest about what the user typed and what
the assistant returned.
"""

from __future__ import annotations

import string
from typing import Any, Literal

from assistant import InputError, validate_question

_PUNCT = set(string.punctuation)


def question_problem(text: str | None, max_chars: int) -> str | None:
    """A friendly one-line reason why this message cannot be sent, or None when it is fine. The core's validator
    (`assistant.validate_question`) decides; this only words its refusal for the chat page."""
    try:
        validate_question("" if text is None else text, max_chars)
    except InputError as exc:
        if exc.problem == "too_long":
            return (
                f"That message is {len(str(text).strip()):,} characters long; questions are limited to "
                f"{max_chars:,} characters. Please ask one focused question."
            )
        if exc.problem == "binary":
            return (
                "That doesn't look like readable text (it contains binary or control characters). "
                "Please type your question."
            )
        return "Please type a question, for example: “What is the maximum daily dose for this indication?”"
    return None


def escape_all(text: str) -> str:
    """Escape every Markdown-significant character, so the text shows exactly as given."""
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in text)


def escape_answer(text: str) -> str:
    """Keep the answer's Markdown (bold, lists, [n]) but stop `$…$` (maths) and `~…~` (strike-through)
    from altering numbers such as doses and ranges."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("~", "\\~")


def quote_block(text: str) -> str:
    """The exact text as a Markdown block quote, every line escaped."""
    return "\n".join("> " + escape_all(line) if line.strip() else ">" for line in text.splitlines() or [""])


def fmt_num(value: float | int | None) -> str:
    """40.0 -> '40', 7.5 -> '7.5'; never scientific notation, never rounding away a digit that matters."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def fmt_value(value: Any) -> str:
    """A fact from `Answer.understood` or a patient dict, as plain text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return fmt_num(value)
    if value is None:
        return "unknown"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    return str(value)


def shown_facts(understood: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, value) of the facts worth a line: an empty list or mapping says nothing and is left out."""
    return [(str(k).replace("_", " "), text) for k, v in understood.items() if (text := fmt_value(v)).strip()]


Role = Literal["user", "assistant"]


def history_pairs(turns: list[dict[str, Any]]) -> list[tuple[Role, str]]:
    """(role, content) of the earlier turns that the assistant actually answered.

    A question whose turn failed (an error) is left out together with the error, so a follow-up is read
    against answered turns only.
    """
    out: list[tuple[Role, str]] = []
    for i, turn in enumerate(turns):
        if turn.get("error"):
            continue
        if turn["role"] == "user":
            nxt = turns[i + 1] if i + 1 < len(turns) else None
            if nxt is None or nxt.get("error"):
                continue
        out.append(("user" if turn["role"] == "user" else "assistant", turn["content"]))
    return out
