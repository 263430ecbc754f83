"""`python -m evals.runner` (wired as `python -m assistant eval`): run the cases, MedicationQA and the baseline,
write evals/reports/latest.{json,md,png}, print the Markdown summary, exit 1 when the gate fails.

Retrieval is gated on the hits of the final answer (`answer.hits`: what the composer saw, after query understanding
and, in a conversation, context). It is also measured like for like with the baseline on the question alone
(`assistant.search(question)`: typo fixes, glossary and intent as in `reply`, before any dose check; single-turn
cases); the baseline gets the question, or the user turns of a conversation joined by spaces. Latency is
wall-clock per final reply, after one untimed warm-up reply (model load excluded).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant import REMOVAL_LABELS, Answer, Turn, one_line
from assistant.evaluation import REPO_ROOT
from evals.cases import Case, CaseError, load_cases
from evals.medicationqa import (
    MedicationQAError,
    MQAQuestion,
    corpus_words,
    load_medicationqa,
)
from evals.metrics import terms
from evals.report import EvalReport, to_markdown, write_reports
from evals.score import (
    THRESHOLDS,
    aggregate,
    apply_gate,
    load_thresholds,
    score_case,
    score_mqa,
)
from evals.suites import suite_rows, suite_size

DEFAULT_CASES = REPO_ROOT / "evals" / "cases"
DEFAULT_MEDICATIONQA = REPO_ROOT.parent / "shared" / "external" / "medicationqa_questions.csv"
DEFAULT_OUT = REPO_ROOT / "evals" / "reports"
# A suite is a case folder run against its own guideline folder and rules folder, in its own index.
SUITES: dict[str, dict[str, Path]] = {
    "library": {
        "cases": REPO_ROOT / "evals" / "library" / "cases",
        "corpus": REPO_ROOT / "evals" / "library" / "docs",
        "rules": REPO_ROOT / "evals" / "library" / "rules",
        "thresholds": REPO_ROOT / "evals" / "library" / "thresholds.toml",
        "out": DEFAULT_OUT / "library",
    },
}
WARM_UP = "What is the starting dose of baclofen for muscle cramps?"


def _converse(assistant, case: Case, **backend) -> tuple[Answer, float]:
    """Replay the conversation; return the final answer and the seconds its reply took. `backend`: llm=... per call."""
    history: list[Turn] = []
    for message in case.user_turns[:-1]:
        previous = assistant.reply(history, message, case.patient, **backend)
        history += [Turn(role="user", content=message), Turn(role="assistant", content=previous.text)]
    start = time.perf_counter()
    answer = assistant.reply(history, case.final_question, case.patient, **backend)
    return answer, time.perf_counter() - start


def side_by_side(
    assistant, cases: list[Case], llm_answers: dict[str, tuple[Answer, float]], llm: str
) -> tuple[list[dict], str]:
    """Each case answered extractively (llm='none') next to its `llm` answer from the gated run: latency, guard
    removals, fallback."""
    rows: list[dict[str, Any]] = []
    for case in tqdm(cases, desc="extractive", unit="q", file=sys.stderr):
        if case.id not in llm_answers:
            continue
        ext, ext_s = _converse(assistant, case, llm="none")
        ans, llm_s = llm_answers[case.id]
        rows.append(
            {
                "id": case.id,
                "category": case.category,
                "extractive_s": round(ext_s, 3),
                "llm_s": round(llm_s, 3),
                "removed": len(ans.guard.removed),
                "fallback": ans.guard.fallback,
                "refused": ans.refused,
                "same_verdict": (ext.dose_check.verdict if ext.dose_check else None)
                == (ans.dose_check.verdict if ans.dose_check else None),
                "reasons": sorted({REMOVAL_LABELS[r.code] for r in ans.guard.removed}),
                "notes": ans.notes,
            }
        )
    asked = [r for r in rows if not r["refused"]]
    lines = [
        f"## Extractive vs LLM ({llm})",
        "",
        f"- cases: {len(rows)}; answered (not refused): {len(asked)}; "
        f"LLM text kept: {sum(not r['fallback'] for r in asked)}; "
        f"fell back to extractive: {sum(r['fallback'] for r in asked)}; "
        f"sentences removed by the guard: {sum(r['removed'] for r in rows)}",
        f"- mean latency: extractive {_mean([r['extractive_s'] for r in rows]):.2f} s, "
        f"LLM {_mean([r['llm_s'] for r in rows]):.2f} s",
        "",
        "| case | category | extractive s | LLM s | guard removed | fallback | removal reasons |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        fallback = "refused" if r["refused"] else ("yes" if r["fallback"] else "no")
        lines.append(
            f"| {r['id']} | {r['category']} | {r['extractive_s']:.2f} | {r['llm_s']:.2f} | {r['removed']} "
            f"| {fallback} | {'; '.join(r['reasons'])} |"
        )
    return rows, "\n".join(lines) + "\n"


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _corpus_dir(assistant) -> Path:
    settings = getattr(assistant, "settings", None)
    return Path(getattr(settings, "corpus_dir", REPO_ROOT / "corpus"))


def run_eval(
    assistant,
    cases: list[Case],
    medicationqa_path: Path | None,
    k: int = 5,
    llm: str | None = None,
    *,
    baseline=None,
    thresholds: Path = THRESHOLDS,
    progress: bool = True,
    mqa_limit: int | None = None,
    answers: dict[str, tuple[Answer, float]] | None = None,
    with_suites: bool = False,
) -> EvalReport:
    """Answer every case (and MedicationQA question), score them, compare with `baseline` when given, apply the gate.
    `answers`, when given, receives case id -> (final answer, seconds)."""
    notes: list[str] = []
    corpus_dir = _corpus_dir(assistant)
    words = corpus_words(corpus_dir)
    vocab = terms(" ".join(sorted(words)))
    questions: list[MQAQuestion] = []
    if medicationqa_path is None:
        notes.append("MedicationQA skipped: no path given")
    else:
        try:
            questions = load_medicationqa(Path(medicationqa_path), corpus_dir)[:mqa_limit]
        except MedicationQAError as exc:
            notes.append(str(exc))
            print(str(exc), file=sys.stderr)
    assistant.reply([], WARM_UP, None)
    if baseline is not None:
        baseline.search(WARM_UP, k)
    else:
        notes.append("baseline skipped (--no-baseline)")
    results = []
    bar = tqdm(
        total=len(cases) + len(questions) + (suite_size() if with_suites else 0),
        desc="eval",
        unit="q",
        file=sys.stderr,
        disable=not progress,
    )
    for case in cases:
        answer, latency, error = None, None, None
        try:
            answer, latency = _converse(assistant, case)
            if answers is not None:
                answers[case.id] = (answer, latency)
        except Exception as exc:  # a crash is a failed case, never a crashed eval
            error = one_line(exc, with_type=True)
        hits, rlat, bhits, blat = None, None, None, None
        if not case.multi_turn:
            start = time.perf_counter()
            found = assistant.search(case.final_question)[:k]
            rlat = time.perf_counter() - start
            hits = [(h.chunk.doc_id, h.chunk.text) for h in found]
        if baseline is not None:
            found_b, blat = baseline.timed_search(" ".join(case.user_turns), k)
            bhits = [(h.doc_id, h.text) for h in found_b]
        result = score_case(case, answer, k, vocab, hits, bhits, error)
        result.latency_s, result.retrieval_latency_s = latency, rlat
        result.baseline_latency_s = blat if not case.multi_turn else None
        results.append(result)
        bar.update()
    mqa_results = []
    for q in questions:
        answer, latency, error = None, None, None
        try:
            start = time.perf_counter()
            answer = assistant.reply([], q.question, None)
            latency = time.perf_counter() - start
        except Exception as exc:
            error = one_line(exc, with_type=True)
        r = score_mqa(q, answer, error)
        r.latency_s = latency
        mqa_results.append(r)
        bar.update()
    suite, suite_misses = suite_rows(assistant, bar.update) if with_suites else ([], [])
    bar.close()
    rows = aggregate(results, mqa_results, k, baseline is not None) + suite
    failures, gate_notes = apply_gate(rows, load_thresholds(thresholds))
    if k != 5:
        notes.append(f"k = {k}: the retrieval threshold is meant for recall@5")
    by_category: dict[str, int] = {}
    for c in cases:
        by_category[c.category] = by_category.get(c.category, 0) + 1
    return EvalReport(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        k=k,
        llm=llm,
        cases_by_category=by_category,
        metrics=rows,
        cases=results,
        medicationqa=mqa_results,
        notes=notes
        + gate_notes
        + [f"suite miss: {m['suite']} {m['id']} expected {m['expected']}, got {m['got']}" for m in suite_misses],
        gate_passed=not failures,
        gate_failures=failures,
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assistant eval", description="Deterministic fidelity evaluation and gate."
    )
    p.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="folder (or file) of YAML cases")
    p.add_argument(
        "--medicationqa",
        type=Path,
        default=DEFAULT_MEDICATIONQA,
        help="MedicationQA CSV (default <repo>/../shared/external/medicationqa_questions.csv); skipped when absent",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where latest.json/.md/.png are written")
    p.add_argument("--no-baseline", action="store_true", help="skip the LangChain dense baseline")
    p.add_argument(
        "--limit", type=int, default=None, help="only the first N cases and the first N MedicationQA questions"
    )
    p.add_argument("-k", type=int, default=5, help="retrieval depth (the gate is set for 5)")
    p.add_argument(
        "--llm", default=None, help="answer writer (ASSISTANT_LLM), e.g. llamacpp; adds an extractive-vs-LLM table"
    )
    p.add_argument(
        "--suite", choices=sorted(SUITES), help="run a named suite (its cases, corpus, rules and gate) instead"
    )
    p.add_argument("--corpus", type=Path, help="guideline folder to answer from (default: settings corpus_dir)")
    p.add_argument("--rules", type=Path, help="dose-rules folder (default: settings rules_dir)")
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS, help="gate thresholds (TOML)")
    return p


def _apply_suite(args: argparse.Namespace) -> None:
    """Fill cases/corpus/rules/thresholds/out from the named suite where the user gave none."""
    if not args.suite:
        return
    suite = SUITES[args.suite]
    if args.cases == DEFAULT_CASES:
        args.cases = suite["cases"]
    if args.out == DEFAULT_OUT:
        args.out = suite["out"]
    if args.thresholds == THRESHOLDS:
        args.thresholds = suite["thresholds"]
    args.corpus = args.corpus or suite["corpus"]
    args.rules = args.rules or suite["rules"]
    args.medicationqa = None  # MedicationQA is about the shipped corpus


def main(argv: list[str] | None = None) -> int:
    """Run the eval; 0 when the gate passes, 1 when it fails, 2 for unusable input."""
    args = _parser().parse_args(argv)
    _apply_suite(args)
    try:
        cases = load_cases(args.cases)
    except CaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None:
        cases = cases[: max(args.limit, 0)]
    from assistant import Assistant, Settings

    overrides: dict[str, object] = {}
    if args.llm:
        overrides["llm"] = args.llm
    if args.corpus or args.rules:
        base = Settings()
        overrides["corpus_dir"] = args.corpus or base.corpus_dir
        overrides["rules_dir"] = args.rules or base.rules_dir
        # Its own index: another corpus must never share (or replace) the default collection.
        overrides["data_dir"] = base.data_dir / "suites" / (args.suite or Path(str(overrides["corpus_dir"])).name)
        from assistant.evaluation import ingest

        ingest(Settings(**overrides))  # incremental: a document added since the suite's last run is indexed
    assistant = Assistant(Settings(**overrides))
    baseline = None
    if not args.no_baseline:
        from evals.baseline import BaselineRetriever

        baseline = BaselineRetriever(assistant.settings.corpus_dir, assistant.embeddings)
    answers: dict[str, tuple[Answer, float]] | None = {} if args.llm else None
    try:
        # the suites are on the shipped corpus
        shipped = _corpus_dir(assistant).resolve() == (REPO_ROOT / "corpus").resolve()
        report = run_eval(
            assistant,
            cases,
            args.medicationqa,
            k=args.k,
            llm=args.llm,
            baseline=baseline,
            mqa_limit=args.limit,
            answers=answers,
            thresholds=args.thresholds,
            with_suites=shipped and not args.llm,
        )
    finally:
        if baseline is not None:
            baseline.close()
    paths = write_reports(report, args.out)
    print(to_markdown(report))
    if args.llm:
        import json

        rows, table = side_by_side(assistant, cases, answers or {}, args.llm)
        (args.out / "llm_side_by_side.md").write_text(table, encoding="utf-8")
        (args.out / "llm_side_by_side.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
        print(table)
    print(f"reports: {paths['json']}, {paths['md']}, {paths['png']}", file=sys.stderr)
    return 0 if report.gate_passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
