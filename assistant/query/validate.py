"""Checks on user input that need no model: one-line errors before anything heavy loads."""

from __future__ import annotations

import unicodedata

from assistant.errors import InputError


def validate_question(message: object, max_chars: int) -> str:
    """The stripped question, or InputError for empty, over-long or binary text."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the question is not valid UTF-8 text", problem="binary") from None
    if not isinstance(message, str):
        raise InputError("the question must be text", problem="not_text")
    text = message.strip()
    if not text:
        raise InputError("the question is empty", problem="empty")
    if len(text) > max_chars:
        raise InputError(
            f"the question is too long ({len(text)} characters; the limit is {max_chars})", problem="too_long"
        )
    odd = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\t\r"]
    # One stray C1 control or unassigned character in pasted text is an encoding artefact (a cp1252 '\x9d' in a
    # real MedicationQA row); a C0 control (NUL, ESC of a terminal colour code), U+FFFD or many odd characters
    # mean binary data or terminal output, not a typed question.
    c0 = any(ord(ch) < 0x20 or ch == "\x7f" for ch in odd)
    if c0 or "\ufffd" in text or len(odd) > max(1, len(text) // 50):
        raise InputError("the question contains binary or undecodable characters", problem="binary")
    return "".join(ch for ch in text if ch not in odd).strip() if odd else text
