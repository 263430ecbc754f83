"""Citation markers: `[1]`, `[1, 2]`, `[1-3]`, `[1][2]` — the one pattern every stage and the eval read them with.

Markers are pointers, never numbers: `strip_citations` removes them before any number is read, and a range marker
(`[1-3]`) means the citations 1, 2 and 3.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# One group of citation numbers in brackets, separated by commas or written as a range ('-' or an en dash).
MARKER = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")
# A marker glued to the next word ('[1]5 mg') leaves a space, so that a number after it stays visible.
_GLUED_MARKER = re.compile(r"\s*" + MARKER.pattern + r"(?=\w)")
_MARKER_WITH_SPACE = re.compile(r"\s*" + MARKER.pattern)
_RANGE = re.compile(r"(\d+)\s*[\u2013-]\s*(\d+)")
MAX_RANGE = 10  # '[1-300]' is not a citation range a writer means; it is read as its two ends


def strip_citations(text: str) -> str:
    """Text without `[n]` markers (and the space before them)."""
    return _MARKER_WITH_SPACE.sub("", _GLUED_MARKER.sub(" ", text))


def marker_numbers(group: str) -> list[int]:
    """The citation numbers of one marker's inside ('1, 2' → [1, 2]; '1-3' → [1, 2, 3]), in order, no repeats."""
    out: list[int] = []
    for part in re.split(r"\s*,\s*", group.strip()):
        ends = _RANGE.fullmatch(part)
        if ends and 0 < int(ends[2]) - int(ends[1]) < MAX_RANGE:
            numbers = list(range(int(ends[1]), int(ends[2]) + 1))
        else:
            numbers = [int(n) for n in re.findall(r"\d+", part)]
        out += [n for n in numbers if n not in out]
    return out


def cited_numbers(text: str) -> list[int]:
    """Every citation number the markers of the text point at, in order of first use."""
    out: list[int] = []
    for m in MARKER.finditer(text):
        out += [n for n in marker_numbers(m.group(1)) if n not in out]
    return out


def marker(numbers: list[int]) -> str:
    """'[1, 2]' for [1, 2]; '' for no numbers."""
    return f"[{', '.join(map(str, numbers))}]" if numbers else ""


def rewrite_markers(text: str, new_numbers: Callable[[list[int]], list[int]]) -> str:
    """Each marker replaced by the marker of `new_numbers(its numbers)` (an empty list removes it)."""
    return MARKER.sub(lambda m: marker(new_numbers(marker_numbers(m.group(1)))), text)


def renumber(text: str) -> tuple[str, list[int]]:
    """Markers renumbered 1..n in order of first use; also returns the old numbers in that order."""
    order = cited_numbers(text)
    new_n = {old: i + 1 for i, old in enumerate(order)}
    return rewrite_markers(text, lambda ns: [new_n[n] for n in ns]), order


def normalise_markers(text: str) -> str:
    """A model's markers in the guard's form: ranges expanded ('[1-3]' → '[1, 2, 3]'), '[1][2]' → '[1, 2]', and
    markers written after the full stop moved before it."""
    text = MARKER.sub(lambda m: marker(marker_numbers(m.group(1))) if _RANGE.search(m.group(1)) else m.group(0), text)
    text = re.sub(r"(\d)\]\s*\[(\d)", r"\1, \2", text)
    return re.sub(r"([.!?])[ \t]*((?:\[\d+(?:\s*,\s*\d+)*\][ \t]*)+)(?=\s|$)", lambda m: f" {m[2].strip()}{m[1]}", text)
