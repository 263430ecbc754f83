"""The conversation as a downloadable Markdown or JSON document, with citations and dose checks."""

from __future__ import annotations

import json
from typing import Any

from assistant import Answer, DoseCheck
from ui.inputs import fmt_num, fmt_value, shown_facts

DISCLAIMER = (
    "Decision support drawn only from the listed guidelines — not a prescription. "
    "Check every number against the cited source and the patient in front of you."
)


def answered_turns(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The assistant turns (answers and errors), each carrying its question."""
    return [t for t in turns if t["role"] == "assistant"]


def _dose_markdown(dc: DoseCheck) -> list[str]:
    lines = [f"**Dose check: {dc.verdict}**" + (" (hard stop)" if dc.hard_stop else "")]
    lines.append(f"- Checked: {dc.drug} {dc.dose}, route {dc.route}, indication {dc.indication or 'unknown'}")
    if dc.daily_dose_mg is not None:
        daily = fmt_num(dc.daily_dose_mg)
        if dc.daily_dose_max_mg is not None and dc.daily_dose_max_mg != dc.daily_dose_mg:
            daily += f"–{fmt_num(dc.daily_dose_max_mg)}"
        lines.append(f"- Daily dose: {daily} mg/day")
    if dc.limits_applied:
        lines.append(f"- Limits applied: {dc.limits_applied}")
    if dc.patient:
        lines.append("- Patient facts used: " + ", ".join(f"{k} {fmt_value(v)}" for k, v in dc.patient.items()))
    if dc.reason:
        lines.append(f"- Reason: {dc.reason}")
    for f in dc.findings:
        line = f"- [{f.severity}] {f.verdict}: {f.message}"
        if f.limit:
            line += f" (limit: {f.limit})"
        lines.append(line)
        if f.citation:
            lines.append(f"  - Source: {f.citation.doc_id}, section “{f.citation.section}”: “{f.citation.quote}”")
    return lines


def _answer_markdown(answer: Answer) -> list[str]:
    lines = [
        "**Answer" + (" (refused: not covered by the guidelines)" if answer.refused else "") + ":**",
        "",
        answer.text,
        "",
    ]
    if answer.understood:
        lines += ["Understood: " + "; ".join(f"{k} = {v}" for k, v in shown_facts(answer.understood)), ""]
    if answer.dose_check is not None:
        lines += _dose_markdown(answer.dose_check) + [""]
    if answer.citations:
        lines.append("**Sources:**")
        for c in answer.citations:
            refs = f" (guideline refs {', '.join(str(r) for r in c.refs)})" if c.refs else ""
            lines.append(f"- [{c.n}] {c.title} — {c.section}{refs}")
            lines += ["", *("    > " + ln for ln in c.text.splitlines()), ""]
    return lines


def conversation_markdown(turns: list[dict[str, Any]], exported_at: str) -> str:
    """Readable record of the conversation: questions, answers, dose checks and cited text."""
    out = ["# Guideline assistant conversation", "", f"Exported {exported_at}.", "", f"_{DISCLAIMER}_", ""]
    for i, turn in enumerate(answered_turns(turns), start=1):
        out += [f"## {i}. {turn['question']}", ""]
        if turn.get("patient"):
            known = {k: v for k, v in turn["patient"].items() if v is not None}
            if known:
                out += ["Patient context: " + ", ".join(f"{k} {fmt_value(v)}" for k, v in known.items()), ""]
        if turn.get("error"):
            out += [f"**Error:** {turn['content']}", ""]
        else:
            out += _answer_markdown(turn["answer"])
    return "\n".join(out).rstrip() + "\n"


def conversation_records(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One JSON-ready record per answered turn (retrieval internals left out)."""
    records = []
    for turn in answered_turns(turns):
        rec: dict[str, Any] = {
            "question": turn["question"],
            "patient": {k: v for k, v in (turn.get("patient") or {}).items() if v is not None},
        }
        if turn.get("error"):
            rec["error"] = turn["content"]
        else:
            a: Answer = turn["answer"]
            rec.update(
                answer=a.text,
                refused=a.refused,
                understood=a.understood,
                intent=a.intent,
                citations=[c.model_dump(mode="json") for c in a.citations],
                dose_check=a.dose_check.model_dump(mode="json") if a.dose_check else None,
            )
        records.append(rec)
    return records


def conversation_json(turns: list[dict[str, Any]], exported_at: str) -> str:
    doc = {"exported_at": exported_at, "disclaimer": DISCLAIMER, "turns": conversation_records(turns)}
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
