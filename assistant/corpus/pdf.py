"""PDF guidelines through pypdf: text by page, headings and paragraphs from the layout.

pypdf reports each text run with its font and position. Lines are grouped by baseline; a short line in a
larger or bold font is a heading (written as a Markdown heading so `chunk.py` sections on it); wrapped lines of
one paragraph or bullet are joined; several runs on one baseline are table cells (written as a Markdown table
row). Lines repeated on most pages (running headers, "Page n of m" footers) are dropped.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.documents import DocumentError, make_guideline
from assistant.types import Guideline

_BULLET = re.compile(r"^\s*(?:[-*•▪◦]|\d+[.)])\s+")
_HEADING_MAX_WORDS = 14
_PARAGRAPH_GAP = 1.75  # a vertical gap above this many font sizes starts a new paragraph


@dataclass
class _Line:
    """One baseline of text on a page."""

    y: float
    in_margin: bool = False  # in the top or bottom band of the page, where running headers and footers sit
    size: float = 0.0
    bold: bool = True
    cells: list[tuple[float, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(t.strip() for _, t in sorted(self.cells) if t.strip())

    @property
    def is_table_row(self) -> bool:
        return len([t for _, t in self.cells if t.strip()]) > 1


def _page_lines(page) -> list[_Line]:
    """Text runs of one page grouped into lines, top to bottom."""
    lines: dict[float, _Line] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        if not text.strip():
            return
        scale = abs(tm[3] * cm[3]) or 1.0
        y = round(tm[5] * cm[3] + cm[5], 0)
        x = tm[4] * cm[0] + cm[4]
        line = lines.setdefault(y, _Line(y=y))
        line.cells.append((x, text))
        line.size = max(line.size, size * scale)
        name = str((font or {}).get("/BaseFont", ""))
        line.bold = line.bold and ("Bold" in name or "Black" in name or "Heavy" in name)

    page.extract_text(visitor_text=visit)
    height = float(page.mediabox.height or 0) or 842.0
    for line in lines.values():
        line.in_margin = line.y > height * (1 - _MARGIN_BAND) or line.y < height * _MARGIN_BAND
    return [lines[y] for y in sorted(lines, reverse=True)]


_MARGIN_BAND = 0.06  # share of the page height, top and bottom, where a running header or footer sits


def _masked(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _repeated(pages: list[list[_Line]]) -> tuple[set[str], set[str]]:
    """Running headers and footers: lines identical on more than half of the pages, and lines that differ there only
    in their numbers ('Page 3 of 9') — the latter are dropped only in a page margin, so that a body line such as
    'Do not exceed 30/80/20 mg/day' is never taken for a header."""
    if len(pages) < 2:
        return set(), set()
    exact: Counter[str] = Counter()
    numbered: Counter[str] = Counter()
    for page in pages:
        exact.update({ln.text for ln in page})
        numbered.update({_masked(ln.text) for ln in page})
    half = len(pages) / 2
    return {t for t, n in exact.items() if n > half}, {t for t, n in numbered.items() if n > half}


def _is_running(line: _Line, repeated: tuple[set[str], set[str]]) -> bool:
    exact, numbered = repeated
    return line.text in exact or (line.in_margin and _masked(line.text) in numbered)


def _body_size(pages: list[list[_Line]]) -> float:
    sizes: Counter[float] = Counter()
    for page in pages:
        for ln in page:
            sizes[round(ln.size, 1)] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _is_heading(line: _Line, body: float) -> bool:
    text = line.text
    if line.is_table_row or _BULLET.match(text) or text.endswith((".", ";", ",")):
        return False
    return (line.size > body + 0.5 or line.bold) and len(text.split()) <= _HEADING_MAX_WORDS


def _join(previous: str, text: str) -> str:
    """Join a wrapped line onto its paragraph; a word hyphenated at the line end is rejoined."""
    if re.search(r"[A-Za-z]-$", previous) and text[:1].islower():
        return previous[:-1] + text
    return f"{previous} {text}"


def _layout_to_text(pages: list[list[_Line]]) -> tuple[list[str], list[int], int]:
    """Markdown-like lines (headings, paragraphs, bullets, table rows) and the page of each."""
    body = _body_size(pages)
    skip = _repeated(pages)
    if all(_is_running(ln, skip) for page in pages for ln in page):
        skip = (set(), set())  # every line repeats (a templated document): its text, not headers
    out: list[str] = []
    out_pages: list[int] = []
    dropped = 0
    for number, page in enumerate(pages, start=1):
        previous: _Line | None = None
        joinable = False
        heading_size: float | None = None
        for line in page:
            text = line.text
            if not text or _is_running(line, skip):
                dropped += bool(text)
                continue
            gap = (previous.y - line.y) if previous else None
            previous = line
            heading = _is_heading(line, body)
            if heading:
                if heading_size == line.size and gap is not None and gap <= _PARAGRAPH_GAP * line.size:
                    out[-1] = f"{out[-1]} {text}"  # a heading wrapped over two lines
                    continue
                level = "#" if not out else "##"
                out.append(f"{level} {text}")
                joinable, heading_size = False, line.size
                out_pages.append(number)
                continue
            heading_size = None
            if line.is_table_row:
                cells = [t.strip() for _, t in sorted(line.cells) if t.strip()]
                out.append("| " + " | ".join(cells) + " |")
                joinable = False
            elif joinable and gap is not None and gap <= _PARAGRAPH_GAP * line.size and not _BULLET.match(text):
                out[-1] = _join(out[-1], text)
                continue
            else:
                out.append(text)
                joinable = True
            out_pages.append(number)
    return out, out_pages, dropped


def guideline_from_pdf(path: Path, display_file: str | None = None) -> Guideline:
    """A Guideline from a PDF with a text layer; raise DocumentError with a one-line reason otherwise."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    warned: list[str] = []
    try:
        with _pypdf_warnings(warned):
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise DocumentError("the PDF is encrypted")
            pages = [_page_lines(page) for page in reader.pages]
    except DocumentError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(
            f"not a readable PDF ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None
    if not pages:
        raise DocumentError("the PDF has no pages")
    lines, line_pages, dropped = _layout_to_text(pages)
    if not lines:
        raise DocumentError("no text layer (a scanned PDF?): run OCR first, e.g. ocrmypdf")
    meta: dict[str, object] = {}
    info = reader.metadata
    if info is not None and info.title:
        meta["title"] = str(info.title)
    text = "\n".join(lines)
    doc = make_guideline(path, meta, text, line_pages=line_pages, display_file=display_file)
    notes = [f"pdf warning: {w}" for w in dict.fromkeys(warned)]
    notes += [f"{dropped} running header/footer line(s) left out"] if dropped else []
    return doc.model_copy(update={"notes": notes})


@contextmanager
def _pypdf_warnings(collected: list[str]) -> Iterator[None]:
    """pypdf's own warnings (its logger and Python warnings), kept as one line each instead of raw stderr."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(" ".join(record.getMessage().split()))

    logger = logging.getLogger("pypdf")
    handler, propagate = Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        collected.extend(" ".join(str(w.message).split()) for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
