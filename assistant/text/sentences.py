"""The one sentence splitter: the guard checks, the LLM stream shows and the eval scores the same sentences.

A sentence ends at '.', '!' or '?' followed by space and then anything but a lower-case letter, unless the word
before is an abbreviation ('e.g.', 't.i.d.', 'vs.'), so '5-10 mg', '0.5 mg' and 'e.g. Aspirin' stay whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text.citations import MARKER, cited_numbers

_END = re.compile(r"(?<=[.!?])\s+(?=[^\sa-z])")
_ABBREVIATION = re.compile(r"(?:^|[^\w.])(?:vs|e\.g|i\.e|approx|etc|dr|no|fig|[a-z](?:\.[a-z])*)\.$", re.IGNORECASE)
_LEADING_MARKERS = re.compile(r"^((?:\s*" + MARKER.pattern.replace("(", "(?:", 1) + r")+)\s*")
_LINE_PREFIX = re.compile(r"^(?:#{1,6}\s+|>\s*|[-*•]\s+|\d+[.)]\s+)")


def _boundaries(text: str) -> list[re.Match[str]]:
    return [m for m in _END.finditer(text) if not _ABBREVIATION.search(text[: m.start()])]


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking '5-10 mg', '0.5 mg' or 't.i.d.'."""
    text = text.strip()
    pieces, start = [], 0
    for m in _boundaries(text):
        pieces.append(text[start : m.start()])
        start = m.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each complete sentence of a growing text (a stream): its ends and its line breaks."""
    ends = [m.start() for m in _boundaries(text)] + [m.start() + 1 for m in re.finditer(r"\n", text)]
    return sorted(ends)


@dataclass
class Sentence:
    """One sentence of a markdown answer and the citation numbers it carries."""

    text: str
    markers: list[int] = field(default_factory=list)
    heading: bool = False

    @property
    def claim(self) -> bool:
        """A heading or a sentence without letters states nothing."""
        return not self.heading and bool(re.search(r"[A-Za-z]", MARKER.sub("", self.text)))


def answer_sentences(text: str) -> list[Sentence]:
    """Sentences of a markdown answer line by line, each with its `[n]` markers; a marker group that opens a
    sentence belongs to the one before ('... 30 mg/day. [1]')."""
    out: list[Sentence] = []
    for line in text.splitlines():
        stripped = line.strip()
        heading = stripped.startswith("#")
        for piece in split_sentences(_LINE_PREFIX.sub("", stripped)):
            lead = _LEADING_MARKERS.match(piece)
            if lead and out and not heading:
                out[-1].text += " " + lead.group(1).strip()
                out[-1].markers += [n for n in cited_numbers(lead.group(1)) if n not in out[-1].markers]
                piece = piece[lead.end() :]
            if piece.strip():
                out.append(Sentence(piece.strip(), cited_numbers(piece), heading))
    return out
