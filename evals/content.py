"""Content-graded suites (evals/suites/content.yaml, out_of_library.yaml): an answer counts when it states the facts
it must, leads with the fact that answers the question, says nothing it must not, cites the right document and stays
short — not when it merely is not a refusal. An out-of-library question counts when it is refused naming the aspect
the library does not cover (an emergency also gets the library's safety-net sentence first)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant import Answer, Patient, Turn
from assistant.evaluation import REPO_ROOT, answer_sentences, strip_citations

SUITES = REPO_ROOT / "evals" / "suites"
DEV_LIBRARY = {"corpus": REPO_ROOT / "evals" / "library" / "docs", "rules": REPO_ROOT / "evals" / "library" / "rules"}
DEFAULT_MAX_SENTENCES = 5


def load(name: str) -> list[dict]:
    path = SUITES / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []


def conversation(record: dict) -> tuple[list[Turn], str, Patient | None]:
    """(earlier user turns, the graded message, the patient) of a suite record (`question` or `turns`, `patient`)."""
    turns = record.get("turns") or [record["question"]]
    patient = Patient(**record["patient"]) if record.get("patient") else None
    return [Turn(role="user", content=t) for t in turns[:-1]], turns[-1], patient


def reply(assistant, record: dict) -> Answer:
    history, message, patient = conversation(record)
    return assistant.reply(history, message, patient=patient)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", strip_citations(text)).strip().lower()


def has(text: str, alternatives: list[str]) -> bool:
    norm = _norm(text)
    return any(_norm(a) in norm for a in alternatives)


def body_sentences(answer: Answer) -> list[str]:
    """The guideline sentences of an answer, the dose checker's block left out."""
    blocks = [b for b in answer.text.split("\n\n") if b.strip()]
    if getattr(answer, "safety_net", None) and blocks:
        blocks = blocks[1:]
    if answer.dose_check is not None and blocks:
        blocks = blocks[1:]
    return [s.text for s in answer_sentences("\n\n".join(blocks)) if s.claim]


@dataclass
class Grade:
    passed: bool
    reasons: list[str] = field(default_factory=list)


def grade_content(answer: Answer, record: dict) -> Grade:
    """Every fact, the lead fact, no forbidden text, the right document cited, at most N guideline sentences."""
    if answer.refused or answer.clarify:
        return Grade(False, ["refused" if answer.refused else "asked to clarify"])
    reasons: list[str] = []
    sentences = body_sentences(answer)
    for fact in record.get("must_include") or []:
        if not has(answer.text, fact):
            reasons.append(f"missing {fact[0]!r}")
    lead_alts = record.get("lead_must_include") or []
    lead = sentences[0] if sentences else answer.text
    if lead_alts and not has(lead, lead_alts):
        reasons.append(f"lead lacks {lead_alts[0]!r}")
    for bad in record.get("must_not_include") or []:
        if has(answer.text, [bad]):
            reasons.append(f"contains {bad!r}")
    cite = record.get("cite")
    wanted = {cite} if isinstance(cite, str) else set(cite or [])
    if wanted and not wanted & {c.doc_id for c in answer.citations}:
        reasons.append(f"does not cite {sorted(wanted)}")
    limit = int(record.get("max_sentences") or DEFAULT_MAX_SENTENCES)
    if len(sentences) > limit:
        reasons.append(f"{len(sentences)} guideline sentences > {limit}")
    return Grade(not reasons, reasons)


def grade_refusal(answer: Answer, record: dict) -> Grade:
    """Refused (or, for an emergency, the safety net first) and the uncovered aspect named."""
    reasons: list[str] = []
    named = " ".join([answer.text, *answer.not_covered]).lower()
    if not any(a.lower() in named for a in record.get("aspect_any") or []):
        reasons.append("aspect not named")
    if record.get("emergency"):
        net = getattr(answer, "safety_net", None)
        if not net or not answer.text.strip().startswith(net):
            reasons.append("no safety-net sentence first")
    elif not answer.refused:
        reasons.append("answered")
    return Grade(not reasons, reasons)


def split_records(name: str, library: str, split: str) -> list[dict]:
    return [r for r in load(name) if r.get("library", "shipped") == library and r["split"] == split]


def dev_settings_overrides(base_data_dir: Path) -> dict[str, object]:
    """The development library's own corpus, rules and index (never the shipped collection)."""
    return {
        "corpus_dir": DEV_LIBRARY["corpus"],
        "rules_dir": DEV_LIBRARY["rules"],
        "data_dir": base_data_dir / "suites" / "library",
    }


def _rate_row(key: str, name: str, passed: int, total: int):
    from evals.report import MetricRow

    return MetricRow(key=key, name=name, ours=passed / total if total else None, n=total)


def content_rows(assistants: dict[str, object], progress=lambda: None) -> tuple[list, list[dict]]:
    """Per split: the content suite's pass rate (both libraries) and the out-of-library suite's named refusals."""
    rows, misses = [], []
    for split in ("tune", "heldout"):
        ok = total = refused_ok = refused_total = 0
        for library, assistant in assistants.items():
            for r in split_records("content", library, split):
                grade = grade_content(reply(assistant, r), r)
                progress()
                ok, total = ok + grade.passed, total + 1
                if not grade.passed:
                    misses.append({"suite": "content", "id": r["id"], "expected": "content", "got": grade.reasons})
            for r in split_records("out_of_library", library, split):
                grade = grade_refusal(reply(assistant, r), r)
                progress()
                refused_ok, refused_total = refused_ok + grade.passed, refused_total + 1
                if not grade.passed:
                    misses.append(
                        {"suite": "out_of_library", "id": r["id"], "expected": "refused", "got": grade.reasons}
                    )
        rows.append(_rate_row(f"content_{split}_pass", f"Content-graded answers ({split})", ok, total))
        rows.append(
            _rate_row(
                f"out_of_library_{split}_refused",
                f"Out-of-library questions refused, aspect named ({split})",
                refused_ok,
                refused_total,
            )
        )
    return rows, misses


def content_size() -> int:
    return len(load("content")) + len(load("out_of_library"))
