"""A suite runs its own cases against its own corpus and rules, and reports library figures."""

from __future__ import annotations

from evals.report import CaseResult
from evals.runner import DEFAULT_CASES, DEFAULT_OUT, SUITES, _apply_suite, _parser
from evals.score import THRESHOLDS, _library_rows


def test_library_suite_fills_its_own_paths() -> None:
    args = _parser().parse_args(["--suite", "library"])
    _apply_suite(args)
    suite = SUITES["library"]
    assert (args.cases, args.corpus, args.rules, args.thresholds, args.out) == (
        suite["cases"],
        suite["corpus"],
        suite["rules"],
        suite["thresholds"],
        suite["out"],
    )
    assert args.medicationqa is None and all(p.exists() for k, p in suite.items() if k != "out")


def test_explicit_options_win_over_the_suite(tmp_path) -> None:
    args = _parser().parse_args(["--suite", "library", "--cases", str(tmp_path), "--rules", str(tmp_path)])
    _apply_suite(args)
    assert args.cases == tmp_path and args.rules == tmp_path and args.corpus == SUITES["library"]["corpus"]
    plain = _parser().parse_args([])
    _apply_suite(plain)
    assert (plain.cases, plain.out, plain.thresholds, plain.corpus) == (DEFAULT_CASES, DEFAULT_OUT, THRESHOLDS, None)


def test_library_rows_count_answers_and_citations_on_the_right_document() -> None:
    cases = [
        CaseResult(id="a", category="x", turns=["q"], gold_docs=["lev"], cited_docs=["lev", "enox"]),
        CaseResult(id="b", category="x", turns=["q"], gold_docs=["lev"], refused=True),
        CaseResult(id="c", category="x", turns=["q"], expect_refusal=True, refused=True),
        CaseResult(id="d", category="x", turns=["q"], unsupported_numbers=["5 mg", "7 days"]),
    ]
    rows = {r.key: r.ours for r in _library_rows(cases)}
    assert rows == {"answer_rate": 2 / 3, "citation_doc_precision": 0.5, "unsupported_numbers": 2.0}
