"""Numbers in text, for checking that every number an answer states is supported by a source."""
from __future__ import annotations

import re

_CITATION = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
# '30,000' is one number; '1, 2' are two; '5-10' gives 5 and 10; '1.73' stays whole.
_NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d])")
# 'one' and 'single' are left out: as pronoun-like words they carry no dose.
NUMBER_WORDS: dict[str, float] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "once": 1, "twice": 2, "thrice": 3,
}
_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def strip_citations(text: str) -> str:
    """Remove [n] markers: they are pointers, not numbers."""
    return _CITATION.sub(" ", text)


def numbers_in(text: str) -> list[float]:
    """Every number in the text, in digits or words, citation markers excluded."""
    clean = strip_citations(text)
    values = [float(m.group(0).replace(",", "")) for m in _NUMBER.finditer(clean)]
    return values + [NUMBER_WORDS[m.group(1).lower()] for m in _WORD.finditer(clean)]


def supported(value: float, support: set[float]) -> bool:
    return any(abs(value - s) < 1e-9 for s in support)
