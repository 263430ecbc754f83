"""Any guideline file a user has: Markdown or text with or without front matter, and PDFs (by page)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF  # the scanned-page test draws without text

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus

PLAIN_MD = """# Methocarbamol Tablets: Dosing Summary

Source: test label text. Test material, not clinical advice.

## Adults

- Initial dosage: 1500 mg four times a day for the first 48 to 72 hours.
- Maintenance: 1000 mg four times a day,
  or 750 mg every 4 hours.

Prose that is wrapped
over two lines in the file.

## Renal dosing

| CrCl (mL/min) | Dose |
|---|---|
| 30-50 | 250 mg every 12 hours |
| < 30 | avoid |
"""

PLAIN_TXT = """Levetiracetam oral dosing

Adults
======

Start at 500 mg twice daily. Increase by 1000 mg/day
every 2 weeks to a maximum of 3000 mg/day.

Children

Weight-based dosing applies to children under 16 years.
"""


def test_markdown_without_front_matter_is_titled_and_sectioned(tmp_path: Path) -> None:
    (tmp_path / "Methocarbamol Tablets.md").write_text(PLAIN_MD, encoding="utf-8")
    result = load_corpus(tmp_path)
    assert result.errors == []
    doc = result.guidelines[0]
    assert (doc.id, doc.title) == ("methocarbamol-tablets", "Methocarbamol Tablets: Dosing Summary")
    chunks = {c.text: c for c in chunk_guideline(doc)}
    assert chunks["Maintenance: 1000 mg four times a day, or 750 mg every 4 hours."].section == "Adults"
    assert chunks["Prose that is wrapped over two lines in the file."].section == "Adults"
    row = chunks["CrCl (mL/min): 30-50; Dose: 250 mg every 12 hours"]
    assert row.section == "Renal dosing" and row.page is None
    assert not any("---" in t or t.startswith("CrCl (mL/min): CrCl") for t in chunks)


def test_plain_text_with_setext_and_bare_headings(tmp_path: Path) -> None:
    (tmp_path / "keppra.txt").write_text(PLAIN_TXT, encoding="utf-8")
    doc = load_corpus(tmp_path).guidelines[0]
    assert (doc.id, doc.title) == ("keppra", "Levetiracetam oral dosing")
    by_section = {c.section: c.text for c in chunk_guideline(doc)}
    assert by_section["Adults"].endswith("to a maximum of 3000 mg/day.")
    assert by_section["Children"].startswith("Weight-based dosing")


def test_front_matter_metadata_is_optional_and_kept(tmp_path: Path) -> None:
    meta = "source: label 2024\ndate: 2024-05-01\ndrug: Apixaban\nsuperseded_by: apixaban-2025"
    text = f"---\n{meta}\n---\n# Apixaban\n- 5 mg twice daily\n"
    (tmp_path / "apixaban-2023.md").write_text(text, encoding="utf-8")
    doc = load_corpus(tmp_path).guidelines[0]
    assert (doc.id, doc.source, doc.date, doc.drugs, doc.superseded_by) == (
        "apixaban-2023",
        "label 2024",
        "2024-05-01",
        ["apixaban"],
        "apixaban-2025",
    )


LONG = (
    "Dose adjustment is based on creatinine clearance calculated with the Cockcroft-Gault equation "
    "using actual body weight, and the adjusted dose is given every 12 hours in adults."
)


def test_pdf_text_by_page_with_headings_and_joined_paragraphs(tmp_path: Path, make_pdf) -> None:
    make_pdf(
        tmp_path / "lev.pdf",
        [
            [
                ("title", "Levetiracetam Renal Dosing"),
                ("para", LONG),
                ("heading", "Adults"),
                ("bullet", "- Start at 500 mg twice daily."),
            ],
            [("heading", "Renal impairment"), ("bullet", "- CrCl 30-50 mL/min: 250 to 750 mg every 12 hours.")],
        ],
    )
    result = load_corpus(tmp_path)
    assert result.errors == []
    doc = result.guidelines[0]
    assert doc.title == "Levetiracetam Renal Dosing"
    chunks = {c.text: c for c in chunk_guideline(doc)}
    assert (chunks[LONG].section, chunks[LONG].page) == ("Summary", 1)
    assert (chunks["Start at 500 mg twice daily."].section, chunks["Start at 500 mg twice daily."].page) == (
        "Adults",
        1,
    )
    renal = chunks["CrCl 30-50 mL/min: 250 to 750 mg every 12 hours."]
    assert (renal.section, renal.page) == ("Renal impairment", 2)
    assert not any("page" in t.lower() and "of 2" in t for t in chunks)  # running footer dropped


def test_scanned_pdf_is_reported_and_others_still_indexed(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # an image-like page with no text layer
    pdf.output(str(tmp_path / "scan.pdf"))
    (tmp_path / "other.md").write_text("# Other\n- 5 mg daily\n", encoding="utf-8")
    result = load_corpus(tmp_path)
    assert [d.id for d in result.guidelines] == ["other"]
    assert len(result.errors) == 1 and result.errors[0].startswith("scan.pdf: no text layer")


def test_a_body_line_that_differs_only_in_its_numbers_is_never_taken_for_a_header(tmp_path: Path, make_pdf) -> None:
    pages = [
        [
            ("heading", f"Part {n}"),
            ("bullet", f"- Start at {n * 5} mg/day."),
            ("bullet", f"- Do not exceed {limit} mg/day."),
            ("bullet", "- Review weekly."),
        ]
        for n, limit in ((1, 30), (2, 80), (3, 20))
    ]
    make_pdf(tmp_path / "limits.pdf", pages)
    doc = load_corpus(tmp_path).guidelines[0]
    texts = {c.text for c in chunk_guideline(doc)}
    assert {"Do not exceed 30 mg/day.", "Do not exceed 80 mg/day.", "Do not exceed 20 mg/day."} <= texts
    assert not any("page" in t.lower() and "of 3" in t for t in texts)  # the running footer is still dropped


def test_pypdf_warnings_and_left_out_lines_are_notes_of_the_document(tmp_path: Path, make_pdf, capsys) -> None:
    import re

    make_pdf(tmp_path / "w.pdf", [[("title", "Warn Test"), ("para", "Start at 5 mg daily.")], [("para", "Review.")]])
    data = (tmp_path / "w.pdf").read_bytes()
    data = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n" + str(int(m.group(1)) + 7).encode(), data)
    (tmp_path / "w.pdf").write_bytes(data)  # a wrong xref offset: pypdf repairs it and warns
    doc = load_corpus(tmp_path).guidelines[0]
    assert any(n.startswith("pdf warning: incorrect startxref pointer") for n in doc.notes)
    assert "2 running header/footer line(s) left out" in doc.notes  # the footer of each page
    assert capsys.readouterr().err == ""  # nothing raw on stderr
