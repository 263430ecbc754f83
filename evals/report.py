"""The eval report: typed results, a JSON file, a Markdown summary and one PNG chart."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field


class CaseResult(BaseModel):
    """Everything measured for one written case."""

    id: str
    category: str
    turns: list[str]
    answer: str = ""
    refused: bool = False
    expect_refusal: bool = False
    verdict: str | None = Field(default=None, description="The answer's dose_check verdict, None without a check.")
    expected_verdict: str | None = None
    understood: dict[str, str] = Field(
        default_factory=dict, description="What the assistant read (incl. scope reason)."
    )
    gold_ranks: list[int | None] = Field(
        default_factory=list, description="Rank of each gold chunk in the answer's hits."
    )
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    retriever_gold_ranks: list[int | None] = Field(
        default_factory=list, description="Ranks from the retriever on the question alone."
    )
    retriever_recall_at_k: float | None = None
    retriever_reciprocal_rank: float | None = None
    baseline_gold_ranks: list[int | None] = Field(default_factory=list)
    baseline_recall_at_k: float | None = None
    baseline_reciprocal_rank: float | None = None
    facts: int = 0
    missing_facts: list[list[str]] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    sentences: int = 0
    supported_sentences: int = 0
    citations: int = 0
    supporting_citations: int = 0
    unsupported_sentences: list[str] = Field(default_factory=list)
    imprecise_citations: list[str] = Field(default_factory=list)
    unsupported_numbers: list[str] = Field(default_factory=list)
    cited_docs: list[str] = Field(default_factory=list, description="Document id of each citation of the answer.")
    gold_docs: list[str] = Field(default_factory=list, description="Documents of the case's gold chunks.")
    latency_s: float | None = None
    retrieval_latency_s: float | None = None
    baseline_latency_s: float | None = None
    error: str | None = None
    failures: list[str] = Field(default_factory=list, description="Why the case failed; empty when it passed.")
    warnings: list[str] = Field(default_factory=list, description="Not gated (citation-recall misses).")


class MQAResult(BaseModel):
    """One MedicationQA question and what the assistant did with it."""

    row: int
    question: str
    focus: str
    qtype: str
    mentioned_by: list[str]
    answer: str = ""
    refused: bool = False
    doses: list[str] = Field(default_factory=list, description="Doses in the answer that the question did not hold.")
    unsupported_numbers: list[str] = Field(default_factory=list)
    uncited_sentences: list[str] = Field(default_factory=list)
    latency_s: float | None = None
    error: str | None = None
    failures: list[str] = Field(default_factory=list)


class MetricRow(BaseModel):
    """One line of the metric table."""

    key: str
    name: str
    ours: float | None
    baseline: float | None = None
    kind: str = Field(default="share", description="share (0..1, shown as %), count, or ms.")
    threshold: str | None = Field(default=None, description="e.g. '>= 95%'; None when not gated.")
    passed: bool | None = None
    n: int | None = Field(default=None, description="How many items the metric is computed over.")


class EvalReport(BaseModel):
    """The whole run."""

    created: str
    k: int
    llm: str | None = None
    cases_by_category: dict[str, int]
    metrics: list[MetricRow]
    cases: list[CaseResult]
    medicationqa: list[MQAResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Skipped parts and how the run was made.")
    gate_passed: bool
    gate_failures: list[str] = Field(default_factory=list)

    def metric(self, key: str) -> MetricRow | None:
        return next((m for m in self.metrics if m.key == key), None)

    @property
    def failed_cases(self) -> list[CaseResult]:
        return [c for c in self.cases if c.failures]


def fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "ms":
        return f"{value:.0f} ms"
    return f"{value:g}"


def _ratio(row: MetricRow) -> str:
    if row.ours is None or not row.baseline:
        return "—"
    return f"{row.ours / row.baseline:.2f}×"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in (text or "(empty)").splitlines())


def to_markdown(report: EvalReport, max_mqa_failures: int = 40) -> str:
    """Tables (metric, ours, baseline, ratio, threshold), then every failed case with its answer and why."""
    lines = [f"# Fidelity evaluation — {report.created}", ""]
    cats = ", ".join(f"{k}: {v}" for k, v in sorted(report.cases_by_category.items()))
    lines += [
        f"- cases: {sum(report.cases_by_category.values())} ({cats}); k = {report.k}; "
        f"llm: {report.llm or 'none (extractive)'}"
    ]
    lines += [f"- MedicationQA questions: {len(report.medicationqa)}"] + [f"- {n}" for n in report.notes]
    verdict = "PASSED" if report.gate_passed else "FAILED"
    lines += ["", f"## Gate: {verdict}", ""]
    lines += [f"- {f}" for f in report.gate_failures] or ["All gated thresholds are met (see the threshold column)."]
    lines += [
        "",
        "## Metrics",
        "",
        "| metric | ours | baseline | ours/baseline | threshold | n |",
        "|---|---|---|---|---|---|",
    ]
    for m in report.metrics:
        mark = "" if m.passed is None else (" ✅" if m.passed else " ❌")
        lines.append(
            f"| {m.name} | {fmt(m.ours, m.kind)} | {fmt(m.baseline, m.kind)} | {_ratio(m)} | "
            f"{(m.threshold or '—') + mark} | {m.n if m.n is not None else ''} |"
        )
    lines += ["", "| category | cases | failed |", "|---|---|---|"]
    for cat in sorted(report.cases_by_category):
        in_cat = [c for c in report.cases if c.category == cat]
        lines.append(f"| {cat} | {len(in_cat)} | {sum(1 for c in in_cat if c.failures)} |")
    failed = report.failed_cases
    lines += ["", f"## Failed cases ({len(failed)})", ""]
    for c in failed:
        lines += [f"### {c.id} ({c.category})", ""]
        lines += [f"- **{'Q' if len(c.turns) == 1 else f'Turn {i + 1}'}:** {t}" for i, t in enumerate(c.turns)]
        verdict_line = f"verdict `{c.verdict}`" + (f", expected `{c.expected_verdict}`" if c.expected_verdict else "")
        lines += [f"- refused: {c.refused} (expected {c.expect_refusal}); {verdict_line}"]
        if c.understood.get("scope"):
            lines += [f"- scope: {c.understood['scope']}"]
        lines += ["- why:"] + [f"  - {f}" for f in c.failures] + [f"  - (not gated) {w}" for w in c.warnings]
        lines += ["", _quote(c.answer), ""]
    misses: dict[str, int] = {}
    for c in report.cases:
        for w in c.warnings:
            misses[w] = misses.get(w, 0) + 1
    if misses:
        lines += [f"## Citation-recall misses ({sum(misses.values())} sentences; not gated)", ""]
        lines += [f"- {n}× {w.split(': ', 1)[-1]}" for w, n in sorted(misses.items(), key=lambda x: -x[1])[:30]] + [""]
    mqa_failed = [r for r in report.medicationqa if r.failures]
    if report.medicationqa:
        lines += [f"## MedicationQA failures ({len(mqa_failed)} of {len(report.medicationqa)})", ""]
        for r in mqa_failed[:max_mqa_failures]:
            lines += [f"- row {r.row} ({r.focus}; {r.qtype}): {r.question} — {'; '.join(r.failures)}"]
        if len(mqa_failed) > max_mqa_failures:
            lines += [f"- … {len(mqa_failed) - max_mqa_failures} more in the JSON report"]
        mentioned = [r for r in report.medicationqa if r.mentioned_by]
        if mentioned:
            lines += ["", "Questions on drugs the corpus mentions (scored separately):", ""]
            for r in mentioned:
                lines += [
                    f"- row {r.row} ({r.focus}): {r.question} — {'refused' if r.refused else 'answered'}"
                    + (f"; {'; '.join(r.failures)}" if r.failures else "")
                ]
    return "\n".join(lines).rstrip() + "\n"


def chart(report: EvalReport, path: Path) -> None:
    """Per-metric bars, ours beside the baseline: shares on the left, latencies on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shares = [m for m in report.metrics if m.kind == "share" and m.ours is not None]
    times = [m for m in report.metrics if m.kind == "ms" and m.ours is not None]
    fig, axes = plt.subplots(1, 2, figsize=(14, 6), gridspec_kw={"width_ratios": [3, 1]})
    for ax, rows, scale, label in ((axes[0], shares, 100.0, "%"), (axes[1], times, 1.0, "ms")):
        xs = range(len(rows))
        ax.bar([x - 0.2 for x in xs], [(m.ours or 0.0) * scale for m in rows], width=0.4, label="ours", color="#2b6cb0")
        ax.bar(
            [x + 0.2 for x in xs],
            [(m.baseline or 0) * scale for m in rows],
            width=0.4,
            label="baseline (LangChain dense)",
            color="#a0aec0",
        )
        ax.set_xticks(list(xs))
        ax.set_xticklabels([m.name for m in rows], rotation=60, ha="right", fontsize=8)
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylim(0, 105)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"Fidelity eval {report.created} — gate {'PASSED' if report.gate_passed else 'FAILED'}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(report: EvalReport, out_dir: Path) -> dict[str, Path]:
    """latest.json, latest.md and latest.png in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "latest.json", "md": out_dir / "latest.md", "png": out_dir / "latest.png"}
    paths["json"].write_text(
        json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    paths["md"].write_text(to_markdown(report), encoding="utf-8")
    chart(report, paths["png"])
    return paths
