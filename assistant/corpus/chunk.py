"""Section-aware chunking: one chunk per bullet or paragraph, under its section heading.

The guideline's trailing reference numbers ("... 30 mg/day 1, 2") are moved into `Chunk.refs`
so that they can never be read as part of a dose.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.corpus.layout import (
    is_table_row,
    logical_lines,
    table_cells,
    table_row_text,
)
from assistant.types import Chunk, Guideline

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

SUMMARY_SECTION = "Summary"
MAX_CHUNK_CHARS = 600
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
_TRAILING_REFS = re.compile(r"(?<=\S)\s+(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*$")
# A trailing number after one of these words is a quantity ("up to 30"), not a reference.
_QUANTITY_WORDS = {
    "to",
    "of",
    "at",
    "than",
    "is",
    "are",
    "and",
    "or",
    "by",
    "from",
    "be",
    "about",
    "over",
    "under",
    "x",
    "-",
}


@lru_cache(maxsize=1)
def _splitter() -> RecursiveCharacterTextSplitter:
    """Built (and LangChain imported) only when a paragraph is too long: reading rules stays light."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter as Splitter

    return Splitter(
        chunk_size=MAX_CHUNK_CHARS, chunk_overlap=0, separators=["\n", ". ", "; ", ", ", " "], keep_separator="end"
    )


def split_refs(line: str) -> tuple[str, list[int]]:
    """Split 'text 1, 2' into ('text', [1, 2]); leave the line alone when the number is a quantity."""
    match = _TRAILING_REFS.search(line)
    if not match:
        return line.strip(), []
    before = line[: match.start()].rstrip()
    last_word = before.split()[-1].lower() if before.split() else ""
    if last_word in _QUANTITY_WORDS or re.search(r"[\d–-]$", before):
        return line.strip(), []
    refs = [int(n) for n in re.findall(r"\d+", match.group(1))]
    return before, refs


# A line that ends like this does not end its sentence: the list item after it continues it ('... for 7 days, then').
_LEAD_IN = re.compile(
    r"(?:[:,;]|\b(?:then|and|or|followed by|to|of|with|by|at|as|include|including))\s*$", re.IGNORECASE
)
MAX_LEAD_IN_CHARS = 300


def with_lead_in(lead_in: str | None, text: str) -> str:
    """A list item that continues the line before it is shown with that line, never as a bare fragment."""
    if not lead_in or not _LEAD_IN.search(lead_in):
        return text
    lead = lead_in if len(lead_in) <= MAX_LEAD_IN_CHARS else lead_in[-MAX_LEAD_IN_CHARS:].split(" ", 1)[-1]
    return f"{lead} {text}"


def _is_heading(line: str, next_line: str | None) -> bool:
    """A short line without final punctuation, followed by a bullet, is a plain-text heading."""
    if _MD_HEADING.match(line):
        return True
    text, refs = split_refs(line)
    if refs or _BULLET.match(line) or next_line is None or not _BULLET.match(next_line):
        return False
    return len(text.split()) <= 12 and not text.endswith((".", ":", ";", "?", "!"))


def chunk_id(doc_id: str, section: str, text: str) -> str:
    """Content hash, so that unchanged text keeps its id across ingests."""
    return hashlib.sha256(f"{doc_id}\n{section}\n{text}".encode()).hexdigest()[:16]


def chunk_guideline(doc: Guideline) -> list[Chunk]:
    """Cut a guideline into chunks: title line skipped, headings become `section`, bullets and paragraphs become
    chunks."""
    lines, pages = logical_lines(doc.text, doc.line_pages)
    # The title line is skipped only when text follows it: a one-line guideline is its own text.
    if len(lines) > 1 and lines[0].strip().lstrip("# ").strip() == doc.title.strip():
        lines, pages = lines[1:], pages[1:]
    chunks: list[Chunk] = []
    seen: set[str] = set()
    section = SUMMARY_SECTION
    previous_was_bullet = False
    header: list[str] = []
    lead_in: str | None = None  # the line before a list item, when the item continues its sentence
    # Seed-style files (no Markdown headings) end with an unheaded closing paragraph after the last list.
    closing_paragraph = not any(_MD_HEADING.match(ln) for ln in lines)
    for i, line in enumerate(lines):
        next_line = lines[i + 1] if i + 1 < len(lines) else None
        if _is_heading(line, next_line):
            md = _MD_HEADING.match(line)
            section = (md.group(1) if md else line).strip()
            previous_was_bullet, lead_in = False, None
            continue
        is_bullet = bool(_BULLET.match(line))
        if not is_bullet and previous_was_bullet and closing_paragraph and not is_table_row(line):
            section = SUMMARY_SECTION  # a paragraph after a list with no heading closes the document
        previous_was_bullet = is_bullet
        text, refs = split_refs(_BULLET.sub("", line, count=1))
        own_text = text
        if is_bullet:
            text = with_lead_in(lead_in, text)
        lead_in = own_text
        if is_table_row(line):
            row = table_row_text(line, header)
            if row is None:  # the header row or the |---| rule: context for the rows, not a chunk
                header = header or table_cells(line)
                continue
            text, refs = row, []
        else:
            header = []
        for piece in _splitter().split_text(text) if len(text) > MAX_CHUNK_CHARS else [text]:
            piece = piece.strip()
            if not piece:
                continue
            cid = chunk_id(doc.id, section, piece)
            while cid in seen:  # identical text twice in one section: keep both, distinct ids
                cid = chunk_id(doc.id, section, piece + cid)
            seen.add(cid)
            chunks.append(
                Chunk(
                    id=cid,
                    doc_id=doc.id,
                    title=doc.title,
                    section=section,
                    text=piece,
                    refs=refs,
                    position=len(chunks),
                    page=pages[i],
                )
            )
    return chunks
