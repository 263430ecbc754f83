"""Scoring: one case → CaseResult, one MedicationQA question → MQAResult, all of them → metric rows and the gate."""

from __future__ import annotations

import tomllib
from pathlib import Path

from assistant import Answer
from assistant.evaluation import answer_sentences, extract, percentile
from evals.cases import Case
from evals.medicationqa import MQAQuestion
from evals.metrics import (
    citation_scores,
    doses_given,
    forbidden_found,
    given_quantities,
    gold_ranks,
    missing_facts,
    precision_recall,
    recall_at_k,
    reciprocal_rank,
    unsupported_numbers,
)
from evals.report import CaseResult, MetricRow, MQAResult

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"


def score_case(
    case: Case,
    answer: Answer | None,
    k: int,
    vocab: set[str] | None,
    retriever_hits: list[tuple[str, str]] | None = None,
    baseline_hits: list[tuple[str, str]] | None = None,
    error: str | None = None,
) -> CaseResult:
    """Every metric of one case, and the reasons it failed.

    Retrieval is gated on the answer's own hits (what the composer saw, after query understanding);
    `retriever_hits` (the question alone) and `baseline_hits` are compared like for like."""
    r = CaseResult(
        id=case.id,
        category=case.category,
        turns=case.user_turns,
        expect_refusal=case.expect_refusal,
        expected_verdict=case.expected_verdict,
        error=error,
        gold_docs=sorted({g.doc for g in case.gold_chunks}),
    )
    if case.gold_chunks:
        hits = [(h.chunk.doc_id, h.chunk.text) for h in answer.hits[:k]] if answer is not None else []
        r.gold_ranks = gold_ranks(hits, case.gold_chunks)
        r.recall_at_k, r.reciprocal_rank = recall_at_k(r.gold_ranks, k), reciprocal_rank(r.gold_ranks)
        r.failures += [
            f'gold chunk not in the answer\'s top {k} hits: {g.doc}: "{g.phrase}"'
            for g, rank in zip(case.gold_chunks, r.gold_ranks, strict=True)
            if rank is None
        ]
        if retriever_hits is not None:
            r.retriever_gold_ranks = gold_ranks(retriever_hits, case.gold_chunks)
            r.retriever_recall_at_k = recall_at_k(r.retriever_gold_ranks, k)
            r.retriever_reciprocal_rank = reciprocal_rank(r.retriever_gold_ranks)
        if baseline_hits is not None:
            r.baseline_gold_ranks = gold_ranks(baseline_hits, case.gold_chunks)
            r.baseline_recall_at_k = recall_at_k(r.baseline_gold_ranks, k)
            r.baseline_reciprocal_rank = reciprocal_rank(r.baseline_gold_ranks)
    r.facts = len(case.must_include)
    if answer is None:
        r.missing_facts = list(case.must_include)
        r.failures.insert(0, f"error: {error}")
        return r
    r.answer, r.refused = answer.text, answer.refused
    r.cited_docs = [c.doc_id for c in answer.citations]
    r.understood = {key: str(value) for key, value in answer.understood.items()}
    r.verdict = answer.dose_check.verdict if answer.dose_check else None
    if case.expect_refusal and not answer.refused:
        r.failures.insert(0, "answered an out-of-corpus question (expected a refusal)")
    if answer.refused and not case.expect_refusal:
        r.failures.insert(0, "refused an in-corpus question")
    if case.expected_verdict and r.verdict != case.expected_verdict:
        unsafe = r.verdict == "within_limits"
        r.failures.append(
            f"{'UNSAFE PASS: ' if unsafe else ''}dose-check verdict {r.verdict}, expected {case.expected_verdict}"
        )
    r.missing_facts = missing_facts(answer.text, case.must_include)
    r.failures += ["missing fact: " + " | ".join(f) for f in r.missing_facts]
    r.forbidden = forbidden_found(answer.text, case.must_not_include)
    r.failures += [f'contains forbidden "{s}"' for s in r.forbidden]
    given = given_quantities(case.user_turns, case.patient, answer.dose_check)
    r.unsupported_numbers = unsupported_numbers(answer, given)
    r.failures += [f"unsupported number {u}" for u in r.unsupported_numbers]
    if not answer.refused:
        cs = citation_scores(answer, given, vocab)
        r.sentences, r.supported_sentences = cs.sentences, cs.supported_sentences
        r.citations, r.supporting_citations = cs.citations, cs.supporting_citations
        r.unsupported_sentences, r.imprecise_citations = cs.unsupported, cs.imprecise
        r.failures += [f"citation does not support its sentence: {s}" for s in cs.imprecise]
        r.warnings += [f"sentence without supporting citation: {s}" for s in cs.unsupported]
    return r


def score_mqa(q: MQAQuestion, answer: Answer | None, error: str | None = None) -> MQAResult:
    """An unmentioned drug must be refused with no dose; a mentioned one refused or answered with cited text only."""
    r = MQAResult(
        row=q.row, question=q.question, focus=q.focus, qtype=q.qtype, mentioned_by=q.mentioned_by, error=error
    )
    if answer is None:
        r.failures.append(f"error: {error}")
        return r
    r.answer, r.refused = answer.text, answer.refused
    given = given_quantities([q.question], None, answer.dose_check)
    r.doses = doses_given(answer.text, extract(q.question))
    r.unsupported_numbers = unsupported_numbers(answer, given)
    if not answer.refused:
        r.uncited_sentences = [s.text for s in answer_sentences(answer.text) if s.claim and not s.markers]
    if not q.mentioned:
        if not answer.refused:
            r.failures.append("answered a question on a drug the corpus never mentions")
        if r.doses:
            r.failures.append("gave a dose: " + ", ".join(r.doses))
    r.failures += [f"unsupported number {u}" for u in r.unsupported_numbers]
    r.failures += [f"uncited sentence: {s}" for s in r.uncited_sentences]
    return r


def _mean(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def aggregate(cases: list[CaseResult], mqa: list[MQAResult], k: int, baseline: bool) -> list[MetricRow]:
    """The metric table (values only; `apply_gate` fills thresholds)."""
    gold = [c for c in cases if c.gold_ranks]
    answered = [c for c in cases if c.error is None]
    facts = [c for c in cases if c.facts]
    dose = [c for c in cases if c.expected_verdict]
    lat = [c.latency_s * 1000 for c in cases if c.latency_s is not None]
    rlat = [c.retrieval_latency_s * 1000 for c in cases if c.retrieval_latency_s is not None]
    blat = [c.baseline_latency_s * 1000 for c in cases if c.baseline_latency_s is not None]
    ref_p, ref_r = precision_recall([c.expect_refusal for c in cases], [c.refused for c in cases])
    sentences, citations = sum(c.sentences for c in cases), sum(c.citations for c in cases)
    single = [c for c in gold if c.retriever_gold_ranks]
    rows = [
        MetricRow(
            key="retrieval_recall_at_k",
            name=f"retrieval recall@{k} (answer hits)",
            ours=_mean([c.recall_at_k for c in gold]),
            baseline=_mean([c.baseline_recall_at_k for c in gold]) if baseline else None,
            n=len(gold),
        ),
        MetricRow(
            key="mrr",
            name="retrieval MRR (answer hits)",
            ours=_mean([c.reciprocal_rank for c in gold]),
            baseline=_mean([c.baseline_reciprocal_rank for c in gold]) if baseline else None,
            n=len(gold),
        ),
        MetricRow(
            key="retriever_recall_at_k",
            name=f"retriever recall@{k} (question alone)",
            ours=_mean([c.retriever_recall_at_k for c in single]),
            baseline=_mean([c.baseline_recall_at_k for c in single]) if baseline else None,
            n=len(single),
        ),
        MetricRow(
            key="retriever_mrr",
            name="retriever MRR (question alone)",
            ours=_mean([c.retriever_reciprocal_rank for c in single]),
            baseline=_mean([c.baseline_reciprocal_rank for c in single]) if baseline else None,
            n=len(single),
        ),
        MetricRow(
            key="fact_recall",
            name="fact recall",
            n=sum(c.facts for c in facts),
            ours=_ratio(sum(c.facts - len(c.missing_facts) for c in facts), sum(c.facts for c in facts)),
        ),
        MetricRow(
            key="citation_recall",
            name="citation recall",
            n=sentences,
            ours=_ratio(sum(c.supported_sentences for c in cases), sentences),
        ),
        MetricRow(
            key="citation_precision",
            name="citation precision",
            n=citations,
            ours=_ratio(sum(c.supporting_citations for c in cases), citations),
        ),
        MetricRow(
            key="numeric_fidelity",
            name="numeric fidelity",
            n=len(answered),
            ours=_ratio(sum(1 for c in answered if not c.unsupported_numbers), len(answered)),
        ),
        MetricRow(
            key="verdict_accuracy",
            name="dose-verdict accuracy",
            n=len(dose),
            ours=_ratio(sum(1 for c in dose if c.verdict == c.expected_verdict), len(dose)),
        ),
        MetricRow(
            key="unsafe_passes",
            name="unsafe passes",
            kind="count",
            n=len(dose),
            ours=float(sum(1 for c in dose if c.expected_verdict != "within_limits" and c.verdict == "within_limits")),
        ),
        MetricRow(key="refusal_precision", name="refusal precision", ours=ref_p, n=sum(c.refused for c in cases)),
        MetricRow(key="refusal_recall", name="refusal recall", ours=ref_r, n=sum(c.expect_refusal for c in cases)),
        MetricRow(
            key="forbidden_violations",
            name="must_not_include violations",
            kind="count",
            n=len(cases),
            ours=float(sum(1 for c in cases if c.forbidden)),
        ),
        MetricRow(
            key="errors",
            name="replies that raised an error",
            kind="count",
            n=len(cases),
            ours=float(len(cases) - len(answered)),
        ),
        MetricRow(
            key="case_pass_rate",
            name="cases passed",
            n=len(cases),
            ours=_ratio(sum(1 for c in cases if not c.failures), len(cases)),
        ),
        MetricRow(
            key="retrieval_latency_p50",
            name="retrieval latency p50",
            kind="ms",
            ours=percentile(rlat, 50),
            baseline=percentile(blat, 50) if baseline else None,
            n=len(rlat),
        ),
        MetricRow(
            key="retrieval_latency_p95",
            name="retrieval latency p95",
            kind="ms",
            ours=percentile(rlat, 95),
            baseline=percentile(blat, 95) if baseline else None,
            n=len(rlat),
        ),
        MetricRow(key="answer_latency_p50", name="answer latency p50", kind="ms", ours=percentile(lat, 50), n=len(lat)),
        MetricRow(key="answer_latency_p95", name="answer latency p95", kind="ms", ours=percentile(lat, 95), n=len(lat)),
    ]
    rows += _library_rows(cases)
    if mqa:
        rows += _mqa_rows(mqa, [c for c in cases if not c.expect_refusal])
    return rows


def _library_rows(cases: list[CaseResult]) -> list[MetricRow]:
    """Figures that matter most for a many-drug library: how often it answers, and whether it cites the right drug."""
    in_scope = [c for c in cases if not c.expect_refusal]
    grounded = [c for c in cases if c.gold_docs and not c.refused and c.error is None]
    cited = sum(len(c.cited_docs) for c in grounded)
    on_doc = sum(1 for c in grounded for d in c.cited_docs if d in c.gold_docs)
    return [
        MetricRow(
            key="answer_rate",
            name="answer rate (in-scope cases answered)",
            n=len(in_scope),
            ours=_ratio(sum(1 for c in in_scope if not c.refused and c.error is None), len(in_scope)),
        ),
        MetricRow(
            key="citation_doc_precision",
            name="citations on the case's own documents",
            n=cited,
            ours=_ratio(on_doc, cited),
        ),
        MetricRow(
            key="unsupported_numbers",
            name="unsupported numbers (all answers)",
            kind="count",
            n=len(cases),
            ours=float(sum(len(c.unsupported_numbers) for c in cases)),
        ),
    ]


def _mqa_rows(mqa: list[MQAResult], in_corpus: list[CaseResult]) -> list[MetricRow]:
    """MedicationQA: refusal recall over unmentioned drugs; precision pooled with the written in-corpus cases."""
    positives = [r for r in mqa if not r.mentioned_by]
    mentioned = [r for r in mqa if r.mentioned_by]
    correct = sum(1 for r in positives if r.refused and not r.doses)
    false_refusals = sum(1 for c in in_corpus if c.refused)
    refused_pos = sum(1 for r in positives if r.refused)
    lat = [r.latency_s * 1000 for r in mqa if r.latency_s is not None]
    answered = [r for r in mqa if r.error is None]
    return [
        MetricRow(
            key="mqa_refusal_recall",
            name="MedicationQA refusal recall",
            ours=_ratio(correct, len(positives)),
            n=len(positives),
        ),
        MetricRow(
            key="mqa_refusal_precision",
            name="MedicationQA refusal precision",
            n=refused_pos + false_refusals,
            ours=_ratio(refused_pos, refused_pos + false_refusals),
        ),
        MetricRow(
            key="mqa_numeric_fidelity",
            name="MedicationQA numeric fidelity",
            n=len(answered),
            ours=_ratio(sum(1 for r in answered if not r.unsupported_numbers), len(answered)),
        ),
        MetricRow(
            key="mqa_errors",
            name="MedicationQA replies that raised an error",
            kind="count",
            n=len(mqa),
            ours=float(len(mqa) - len(answered)),
        ),
        MetricRow(
            key="mqa_mentioned_ok",
            name="MedicationQA mentioned drugs: refused or cited",
            n=len(mentioned),
            ours=_ratio(sum(1 for r in mentioned if not r.failures), len(mentioned)),
        ),
        MetricRow(
            key="mqa_latency_p50",
            name="MedicationQA answer latency p50",
            kind="ms",
            ours=percentile(lat, 50),
            n=len(lat),
        ),
        MetricRow(
            key="mqa_latency_p95",
            name="MedicationQA answer latency p95",
            kind="ms",
            ours=percentile(lat, 95),
            n=len(lat),
        ),
    ]


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    """{metric key: {"min": x} or {"max": y}} from the TOML file."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    for key, bound in data.items():
        if not isinstance(bound, dict) or not set(bound) <= {"min", "max"} or not bound:
            raise ValueError(f"{path.name}: [{key}] needs min and/or max")
    return data


def apply_gate(rows: list[MetricRow], thresholds: dict[str, dict[str, float]]) -> tuple[list[str], list[str]]:
    """Fill each row's threshold and pass mark; return (failures, notes on skipped thresholds)."""
    failures, notes = [], []
    by_key = {r.key: r for r in rows}
    for key, bound in thresholds.items():
        row = by_key.get(key)
        if row is None:
            notes.append(f"threshold {key} not checked: the metric was not computed in this run")
            continue
        parts = [
            f">= {_show(bound['min'], row.kind)}" if "min" in bound else "",
            f"<= {_show(bound['max'], row.kind)}" if "max" in bound else "",
        ]
        row.threshold = " and ".join(p for p in parts if p)
        if row.ours is None:  # e.g. refusal precision when nothing was refused and nothing had to be
            notes.append(f"threshold {key} not checked: nothing to measure in this run")
            continue
        row.passed = ("min" not in bound or row.ours >= bound["min"] - 1e-12) and (
            "max" not in bound or row.ours <= bound["max"] + 1e-12
        )
        if not row.passed:
            failures.append(f"{row.name} = {_show(row.ours, row.kind)}, needs {row.threshold}")
    return failures, notes


def _show(value: float, kind: str) -> str:
    return f"{value * 100:.1f}%" if kind == "share" else f"{value:g}"
