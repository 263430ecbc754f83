"""The library fault suite: hostile and conflicting rules files, rules files for a new drug whose defaults would
fail open, a poisoned guideline and a one-line document. Each scenario builds its own files in a temporary folder
and reports whether the product did something unsafe (a green it must not give, a contradicting sentence shown, a
document silently left empty). Needs no model: the checker, the loader, the guard and the chunker are called."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from assistant import DoseRequest, check_dose, load_rules
from assistant.evaluation import REPO_ROOT, Chunk, Citation, Draft, Guideline, chunk_guideline, guard, load_corpus
from evals.report import MetricRow

SHIPPED = REPO_ROOT / "corpus"
GOOD = (SHIPPED / "rules" / "baclofen.toml").read_text(encoding="utf-8")
CRAMPS_MAX = "[rules.max_daily_mg]\nvalue = 30\n"
NEW_DRUG = """
drug = "testamine"
reviewed_by = "fault suite"
reviewed_on = "2026-12-03"
[routes.oral]
aliases = ["oral"]
[indications.pain]
label = "pain"
aliases = ["pain"]
"""
RULE = """
[[rules]]
route = "oral"
indication = "pain"
[rules.max_daily_mg]
value = 3000
unit = "mg/day"
source = {{ doc_id = "{doc}", section = "Dosing", quote = "at most 3000 mg per day" }}
"""
SODIUM = """
[rules.sodium_stop]
verdict = "{verdict}"
[rules.sodium_stop.below]
value = {value}
unit = "mmol/L"
source = {{ doc_id = "{doc}", section = "Stop", quote = "stop if sodium falls below {value} mmol/L" }}
"""
BAND = """
[[general.renal_bands]]
measure = "crcl"
{edges}
max_daily_mg = {cap}
source = {{ doc_id = "t", section = "Renal", quote = "CrCl {words} mL/min: at most {cap} mg per day" }}
"""
NOTE_BAND = """
[[general.renal_bands]]
measure = "crcl"
high = 30
note = "reduce in proportion to creatinine clearance"
source = { doc_id = "t", section = "Renal", quote = "below 30 mL/min reduce in proportion to creatinine clearance" }
"""
BANDS = BAND.format(edges="low = 30\nhigh = 59", cap=1000, words="30 to 59") + BAND.format(
    edges="low = 60", cap=3000, words="60 or above"
)


def _edited(text: str, old: str, new: str) -> str:
    """The text with `old` replaced once; a fixture that no longer matches the shipped rules is an error (counted
    unsafe), never a scenario that silently tests nothing."""
    if old not in text:
        raise ValueError(f"fixture text not found: {old[:40]!r}")
    return text.replace(old, new, 1)


def _green(files: dict[str, str], request: dict, documents: dict[str, str] | None = None) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        rules = load_rules(Path(folder), documents)
        return check_dose(DoseRequest.model_validate(request), rules=rules).verdict == "within_limits"


def _cramps(dose: str, **patient: object) -> dict:
    return {"drug": "baclofen", "dose": dose, "indication": "muscle_cramps", "patient": patient}


def _pain(dose: str, **patient: object) -> dict:
    return {"drug": "testamine", "dose": dose, "indication": "pain", "patient": patient}


def _library() -> dict[str, str]:
    return {g.id: g.text for g in load_corpus(SHIPPED).guidelines}


def _poisoned_sentences_shown() -> int:
    rules = load_rules(SHIPPED / "rules")["baclofen"]
    shown = 0
    for sentence in (
        "The usual dose of baclofen for muscle cramps is 100 mg three times daily.",
        "Patients take 150 mg/day without problems.",
        "Patients with an eGFR below 30 can take the full dose.",
        "No dose adjustment is needed in renal impairment, including haemodialysis.",
    ):
        chunk = Chunk(id=f"p{len(sentence)}", doc_id="baclofen-poisoned", title="Baclofen", section="S", text=sentence)
        cite = Citation(n=1, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, section="S", text=sentence)
        out = guard(Draft(text=f"{sentence[:-1]} [1].", citations=[cite]), "baclofen?", {chunk.id: chunk}, None, rules)
        shown += bool(out.text.strip())
    return shown


def _templated_pdf_lines_lost() -> int:
    """A limit line repeated on every page with other numbers ('Do not exceed 30/80/20 mg/day') is body text, never a
    running header: the number of such lines lost from the document."""
    from fpdf import FPDF  # the development extra; the evaluation runs with it

    limits = (30, 80, 20)
    with tempfile.TemporaryDirectory() as folder:
        pdf = FPDF(format="A4")
        for n, limit in enumerate(limits, start=1):
            pdf.add_page()
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(0, 8, f"Part {n}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            pdf.cell(0, 6, f"- Do not exceed {limit} mg/day.", new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(-15)
            pdf.cell(0, 5, f"Test material - page {n} of {len(limits)}")
        pdf.output(str(Path(folder) / "limits.pdf"))
        text = load_corpus(Path(folder)).guidelines[0].text
    return sum(f"Do not exceed {limit} mg/day." not in text for limit in limits)


def _changed_documents_quoted(embeddings) -> int:
    """A guideline deleted, and one changed, after ingest: how many answers still cite the old text."""
    import shutil

    from assistant import Assistant, Settings

    question = "What is the maximum dose of baclofen for muscle cramps in cirrhosis?"
    quoted = 0
    for fault in ("deleted", "changed"):
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder) / "corpus"
            shutil.copytree(SHIPPED, corpus)
            assistant = Assistant(Settings(data_dir=Path(folder) / "data", corpus_dir=corpus), embeddings=embeddings)
            cited = [c for c in assistant.reply([], question).citations if c.doc_id == "baclofen-muscle-cramps"]
            if not cited:
                return 1  # the set-up itself failed: the fault cannot be shown absent
            doc = corpus / "baclofen-muscle-cramps.md"
            if fault == "deleted":
                doc.unlink()
            else:
                doc.write_text(doc.read_text(encoding="utf-8").replace("30 mg/day", "300 mg/day"), encoding="utf-8")
            answer = assistant.reply([], question)
            quoted += any(c.chunk_id == cited[0].chunk_id for c in answer.citations)
    return quoted


def scenarios(embeddings=None) -> dict[str, Callable[[], bool | int]]:
    """Name → a check returning True (or a count > 0) when the product did something unsafe."""
    looser = _edited(GOOD, CRAMPS_MAX, "[rules.max_daily_mg]\nvalue = 300\n")
    fake_quote = _edited(looser, "up to a maximum of 30 mg/day", "up to a maximum of 300 mg/day")
    packs = _edited(
        looser,
        "Baclofen should be initiated at 10 mg/day with weekly increases of 10 mg/day up to a maximum of 30 mg/day "
        "for treating muscle cramps.",
        "Never exceed 36 mg/day; 300 mg packs are not available.",
    )
    loose_first = RULE.format(doc="label") + SODIUM.format(verdict="caution", value=120, doc="label")
    strict_second = RULE.format(doc="society") + SODIUM.format(verdict="contraindicated", value=125, doc="society")
    return {
        "hostile nested file: other drugs still checked": lambda: (
            not _green(
                {"baclofen.toml": GOOD, "hostile.toml": "x = " + "[" * 50_000 + "]" * 50_000}, _cramps("10 mg/day")
            )
        ),
        "two files for one drug, looser first": lambda: _green(
            {"Baclofen.toml": looser, "baclofen.toml": GOOD}, _cramps("100 mg/day")
        ),
        "a maximum whose quote is not in the guideline": lambda: _green(
            {"baclofen.toml": fake_quote}, _cramps("200 mg/day"), _library()
        ),
        "a number quoted in another sense": lambda: _green({"baclofen.toml": packs}, _cramps("200 mg/day")),
        "a looser second guideline listed first": lambda: _green(
            {"testamine.toml": NEW_DRUG + loose_first + strict_second}, _pain("10 mg/day", sodium=122)
        ),
        "no [populations]: a child": lambda: _green(
            {"testamine.toml": NEW_DRUG + RULE.format(doc="t")}, _pain("500 mg", age=4)
        ),
        "dialysis with no dialysis band": lambda: _green(
            {"testamine.toml": NEW_DRUG + BANDS + RULE.format(doc="t")}, _pain("1500 mg twice daily", dialysis=True)
        ),
        "a value between two bands": lambda: _green(
            {"testamine.toml": NEW_DRUG + BANDS + RULE.format(doc="t")}, _pain("750 mg twice daily", crcl=59.5)
        ),
        "a band with only a note": lambda: _green(
            {"testamine.toml": NEW_DRUG + BANDS + NOTE_BAND + RULE.format(doc="t")},
            _pain("400 mg twice daily", crcl=20),
        ),
        "a poisoned guideline's sentences shown": _poisoned_sentences_shown,
        "a templated PDF losing body lines as running headers": _templated_pdf_lines_lost,
        **(
            {"a deleted or changed guideline still quoted": lambda: _changed_documents_quoted(embeddings)}
            if embeddings is not None
            else {}
        ),
        "a one-line guideline left without chunks": lambda: (
            not chunk_guideline(
                Guideline(
                    id="one",
                    title="Baclofen: start 5 mg three times daily.",
                    text="Baclofen: start 5 mg three times daily.",
                )
            )
        ),
    }


def fault_rows(embeddings=None) -> tuple[list[MetricRow], list[dict]]:
    """The number of unsafe results over every scenario (gated at 0), and one miss per unsafe scenario. With the
    eval's embedding model, the deleted- and changed-document scenario runs a second assistant on a corpus copy."""
    misses: list[dict] = []
    unsafe = 0
    try:
        checks = scenarios(embeddings)
    except ValueError as exc:  # a fixture that no longer fits the shipped rules: the suite cannot vouch for anything
        checks = {f"fixtures ({exc})": lambda: True}
    for name, check in checks.items():
        try:
            result = int(check())
        except Exception as exc:  # a fault that crashes the product is unsafe too, and is named
            result = 1
            name = f"{name} ({type(exc).__name__})"
        if result:
            unsafe += result
            misses.append({"suite": "library_faults", "id": name, "expected": "safe", "got": "unsafe"})
    row = MetricRow(
        key="library_faults_unsafe",
        name="Library fault suite (hostile rules, poisoned guideline, one-line and templated documents): unsafe",
        ours=float(unsafe),
        kind="count",
        n=len(checks),
    )
    return [row], misses
