"""`python -m assistant validate-rules [FILE…]`: every problem of a rules file, one line each.

Beyond what the loader refuses (schema, numbers their quote does not state), this checks each quote against the
library as indexed: the cited document exists and the quote is the text of one chunk under the named section.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.dosing.rules.bands import band_layout_notes
from assistant.dosing.rules.load import rules_file_problems
from assistant.dosing.rules.quotes import drug_naming_problems, sourced
from assistant.dosing.rules.schema import DrugRules
from assistant.index.library_rules import library_texts
from assistant.settings import Settings

Sections = dict[str, dict[str, list[str]]]
SUPERSEDED = "(superseded)"  # a pseudo-section: the document's sections map also says it is replaced


def _squash(text: str) -> str:
    return " ".join(text.split())


def library_sections(settings: Settings) -> Sections:
    """doc_id → section → chunk texts, for the corpus folder and the library manifest's files."""
    from assistant.index.library import refresh

    extra, _ = refresh(settings)
    out: Sections = {}
    for doc in load_corpus(settings.corpus_dir, extra=extra).guidelines:
        for chunk in chunk_guideline(doc):
            out.setdefault(doc.id, {}).setdefault(chunk.section, []).append(_squash(chunk.text))
        if doc.superseded_by:
            out.setdefault(doc.id, {})[SUPERSEDED] = [doc.superseded_by]
    return out


def quote_problems(rules: DrugRules, sections: Sections) -> list[str]:
    """One line per source whose document, section or quote is not in the library."""
    problems: list[str] = []
    for where, _, src in sourced(rules, rules.drug):
        doc = sections.get(src.doc_id)
        if doc is None:
            known = sorted(sections)
            listed = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
            problems.append(f"{where}: no document '{src.doc_id}' in the library (known ids: {listed or 'none'})")
        elif SUPERSEDED in doc and src.section != SUPERSEDED:
            problems.append(f"{where}: '{src.doc_id}' is superseded by '{doc[SUPERSEDED][0]}'; cite the newer document")
        elif src.section not in doc:
            problems.append(f"{where}: no section '{src.section}' in {src.doc_id} (sections: {', '.join(doc)})")
        elif not any(_squash(src.quote) in text for text in doc[src.section]):
            problems.append(f"{where}: quote not found under '{src.section}' in {src.doc_id}")
    return problems


def validate(files: list[Path], sections: Sections, documents: dict[str, str] | None = None) -> list[str]:
    """Report lines: 'FILE: problem' for each problem, 'FILE: ok …' for a clean file."""
    lines: list[str] = []
    for path in files:
        rules, problems = rules_file_problems(path)
        if rules is not None:
            problems += quote_problems(rules, sections) + drug_naming_problems(rules, documents or {})
        if rules is not None:  # gaps and overlaps between bands: reported, handled by the gap rule at check time
            bands = [rules.general.renal_bands, *(r.renal_bands for r in rules.rules)]
            lines += [f"{path}: note: {n}" for group in bands for n in band_layout_notes(group)]
        if problems:
            lines += [f"{path}: {p}" for p in problems]
        elif rules is not None:
            lines.append(
                f"{path}: ok — {len(rules.rules)} rule(s), reviewed by {rules.reviewed_by} on {rules.reviewed_on}"
            )
    return lines


def run_validate_rules(files: list[Path], schema: bool = False, explain: bool = False) -> int:
    """Exit 0 when every file is clean, 1 when any has a problem. `schema`: print the format as JSON Schema;
    `explain`: after validating, print what each rule blocks, warns about and leaves unchecked."""
    from assistant.interfaces.explain_rules import explain as explained
    from assistant.interfaces.explain_rules import schema_text

    if schema:
        print(schema_text(), end="")
        return 0
    settings = Settings()
    if not files:
        folder = Path(settings.rules_dir)
        files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
        if not files:
            print(f"error: no *.toml rules files in {folder}", file=sys.stderr)
            return 2
    folders = sorted({str(f.parent) for f in files})
    names = ", ".join(f.name for f in files)
    print(f"validating {names} in {', '.join(folders)} against the library of {settings.corpus_dir}", file=sys.stderr)
    missing = [f for f in files if not f.is_file()]
    for f in missing:
        print(f"{f}: no such file")
    lines = validate([f for f in files if f.is_file()], library_sections(settings), library_texts(settings))
    print("\n".join(lines))
    if explain:
        for path in files:
            rules, _ = rules_file_problems(path) if path.is_file() else (None, [])
            if rules is not None:
                print("\n".join(explained(rules)))
    return 1 if missing or any(": ok — " not in line and ": note: " not in line for line in lines) else 0
