"""Lay out the PDF guidelines of the development library from `pdf_sources/*.yaml` (fpdf2, a dev dependency).

Each source is a list of blocks (meta line, headings, paragraphs, bullet lists, tables) set as a real document:
A5 pages that fill up and break where the text does (never one section per page), a running header and a
"Page n of N" footer on every page, justified body text, a ruled table with a bold header row.

    python -m evals.library.make_pdfs        # rewrites evals/library/docs/*.pdf
"""

from __future__ import annotations

import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import yaml
from fpdf import FPDF
from fpdf.enums import XPos, YPos

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "pdf_sources"
OUT = HERE / "docs"
BODY_PT = 9.5
LINE_MM = 4.6
FIXED_DATE = datetime(2026, 12, 1, tzinfo=UTC)


class GuidelinePDF(FPDF):
    """A5 pages with a running header and a page-number footer."""

    def __init__(self, running_header: str) -> None:
        with warnings.catch_warnings():  # fpdf2 notes that its A5 size was corrected in 2.8.5
            warnings.simplefilter("ignore", UserWarning)
            super().__init__(format="A5")
        self.running_header = running_header
        self.set_margins(15, 16, 15)
        self.set_auto_page_break(True, margin=16)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("Helvetica", "I", 7)
        self.set_y(7)
        self.cell(0, 4, self.running_header, align="R")
        self.set_y(16)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")


def _keep_together(pdf: GuidelinePDF, text: str, line_mm: float) -> None:
    """Start a new page when the block would not fit (a heading is kept with the text after it)."""
    lines = cast(list[str], pdf.multi_cell(0, line_mm, text, dry_run=True, output="LINES"))
    if pdf.get_y() + len(lines) * line_mm > pdf.h - pdf.b_margin:
        pdf.add_page()


def _write(pdf: GuidelinePDF, kind: str, content: Any) -> None:  # text, or a list of bullets / rows
    if kind == "meta":
        pdf.set_font("Helvetica", "I", 7.5)
        pdf.multi_cell(0, 3.6, str(content), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    elif kind == "heading":
        pdf.set_font("Helvetica", "B", 11)
        _keep_together(pdf, str(content) + "\nx\nx", 5.5)
        pdf.ln(1.5)
        pdf.multi_cell(0, 5.5, str(content), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    elif kind == "para":
        pdf.set_font("Helvetica", "", BODY_PT)
        _keep_together(pdf, str(content), LINE_MM)
        pdf.multi_cell(0, LINE_MM, str(content), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2.2)
    elif kind == "bullets":
        pdf.set_font("Helvetica", "", BODY_PT)
        for item in content:
            _keep_together(pdf, f"- {item}", LINE_MM)
            pdf.multi_cell(0, LINE_MM, f"- {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.6)
        pdf.ln(1.6)
    elif kind == "table":
        rows = list(content)
        pdf.set_font("Helvetica", "", 8.5)
        if pdf.get_y() + 6 * len(rows) > pdf.h - pdf.b_margin:
            pdf.add_page()
        widths = _widths(pdf, rows)
        with pdf.table(col_widths=widths, line_height=5, text_align="LEFT", first_row_as_headings=True) as table:
            for row in rows:
                cells = table.row()
                for cell in row:
                    cells.cell(str(cell))
        pdf.ln(3)
    else:
        raise ValueError(f"unknown block kind '{kind}'")


def _widths(pdf: GuidelinePDF, rows: list[list[str]]) -> tuple[float, ...]:
    """Column widths in proportion to the longest text of each column."""
    longest = [max(pdf.get_string_width(str(r[i])) for r in rows) + 4 for i in range(len(rows[0]))]
    return tuple(w / sum(longest) * 100 for w in longest)


def build(source: Path, out_dir: Path = OUT) -> Path:
    """Write the PDF of one source file and return its path."""
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    pdf = GuidelinePDF(spec["header"])
    pdf.set_title(spec["title"])
    pdf.set_creation_date(FIXED_DATE)  # reproducible bytes: the same source gives the same file
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 6.5, spec["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for kind, content in spec["blocks"]:
        _write(pdf, kind, content)
    target = out_dir / spec["file"]
    pdf.output(str(target))
    return target


def main() -> int:
    for source in sorted(SOURCES.glob("*.yaml")):
        print(build(source))
    return 0


if __name__ == "__main__":
    sys.exit(main())
