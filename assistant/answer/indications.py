"""Which indication a guideline sentence speaks about (shared by composition and the guard's role check)."""

from __future__ import annotations

import re

from assistant.query.understand import detect_indication
from assistant.types import Chunk


def sentence_indication(sentence: str, chunk: Chunk) -> str | None:
    """The indication a sentence speaks about: named in it, 'general' for FDA-general text, else its guideline's."""
    if re.search(r"general conditions", sentence, re.IGNORECASE):
        return "general"
    return detect_indication(sentence) or detect_indication(chunk.title)
