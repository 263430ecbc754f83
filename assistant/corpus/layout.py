"""From a document's raw lines to logical lines: wrapped paragraphs joined, plain-text headings marked, tables read.

A file whose paragraphs are separated by blank lines (ordinary Markdown and text) may wrap a paragraph over
several lines; those are joined into one. A file without blank lines keeps one paragraph per line.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+\S")
_SETEXT_RULE = re.compile(r"^\s*(?:={3,}|-{3,})\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PLAIN_HEADING_MAX_WORDS = 10


def is_table_row(line: str) -> bool:
    """A Markdown table row: starts and ends with '|' and has at least two cells."""
    s = line.strip()
    return s.startswith("|") and s.endswith("|") and s.count("|") >= 3


def table_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_row_text(line: str, header: list[str]) -> str | None:
    """'Header: cell; Header: cell' for a data row; None for the header row and the |---| rule."""
    if _TABLE_RULE.match(line) or not header:
        return None
    cells = table_cells(line)
    pairs = [f"{h}: {c}" if h else c for h, c in zip(header + [""] * len(cells), cells, strict=False) if c]
    return "; ".join(pairs)


def _is_block_start(line: str) -> bool:
    return bool(_MD_HEADING.match(line) or _BULLET.match(line) or is_table_row(line))


def _plain_heading(block: list[str]) -> bool:
    """A one-line block, short, without final punctuation: a heading in a plain-text file."""
    if len(block) != 1 or _is_block_start(block[0]):
        return False
    text = block[0].strip()
    return len(text.split()) <= _PLAIN_HEADING_MAX_WORDS and not text.endswith((".", ",", ";", ":", "?", "!"))


def logical_lines(text: str, line_pages: list[int]) -> tuple[list[str], list[int | None]]:
    """Non-empty logical lines and the page each starts on (None when the text has no pages)."""
    raw = text.splitlines()
    pages: list[int | None] = list(line_pages) if len(line_pages) == len(raw) else [None] * len(raw)
    if not any(not ln.strip() for ln in raw):
        kept = [(ln.rstrip(), p) for ln, p in zip(raw, pages, strict=False) if ln.strip()]
        return [ln for ln, _ in kept], [p for _, p in kept]
    # Setext headings ("Title" over "=====") become Markdown headings; the rule line goes.
    for i in range(1, len(raw)):
        if _SETEXT_RULE.match(raw[i]) and raw[i - 1].strip() and not _is_block_start(raw[i - 1]):
            raw[i - 1], raw[i] = f"## {raw[i - 1].strip()}", ""
    blocks: list[tuple[list[str], int | None]] = []
    current: list[str] = []
    start_page: int | None = None
    for line, page in [*zip(raw, pages, strict=False), ("", None)]:
        if not line.strip():
            if current:
                blocks.append((current, start_page))
            current = []
            continue
        if not current:
            start_page = page
        current.append(line)
    lines: list[str] = []
    out_pages: list[int | None] = []
    for block, page in blocks:
        if _plain_heading(block) and (block, page) != blocks[-1]:
            lines.append(f"## {block[0].strip()}")
            out_pages.append(page)
            continue
        for n, line in enumerate(block):
            if n == 0 or _is_block_start(line) or lines[-1].startswith("#") or is_table_row(lines[-1]):
                lines.append(line.rstrip())
                out_pages.append(page)
            else:
                lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
    return lines, out_pages
