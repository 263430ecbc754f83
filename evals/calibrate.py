"""`python -m evals.calibrate`: choose the two refusal thresholds on the calibration split.

Only the scope decision depends on them; a question the relevance step refuses afterwards (its text does not answer
it) is counted as refused at every grid point. The calibration split is the written cases plus the `tune` half of
the outside answerable set
(evals/suites/answerable.yaml); its `heldout` half and MedicationQA stay held-out tests. For every question the
scope features are computed once (the reader's Query, the best dense similarity, the words no guideline uses);
then every pair of thresholds on a grid is scored by refusal recall and precision.
The chosen pair: recall >= 95% first, then the best precision and recall, then the stricter Zipf threshold
(it refuses more), then the similarity threshold nearest half the lowest in-corpus similarity.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evals.cases import load_cases
from evals.runner import DEFAULT_CASES

ZIPF_GRID = [3.0, 3.5, 4.0, 4.25, 4.5, 4.75, 5.0, 5.5]
SIMILARITY_GRID = [round(0.10 + 0.05 * i, 2) for i in range(11)]


def calibration_questions(cases) -> list[tuple[bool, list[str]]]:
    """(expect_refusal, user turns): the written cases and the tune half of the outside answerable set."""
    import yaml

    rows = [(case.expect_refusal, list(case.user_turns)) for case in cases]
    suite = Path(__file__).resolve().parent / "suites" / "answerable.yaml"
    if suite.exists():
        rows += [
            (False, [r["question"]]) for r in yaml.safe_load(suite.read_text(encoding="utf-8")) if r["split"] == "tune"
        ]
    return rows


def features(assistant, cases) -> list[tuple[bool, float, object]]:
    """(expect_refusal, best similarity, (TopicWords, Query, population gap)) per question, as `reply` sees them."""
    from assistant import Turn
    from assistant.evaluation import decide, population_gap

    rows: list[tuple[bool, float, object]] = []
    for expect, turns in calibration_questions(cases):
        history = [Turn(role="user", content=t) for t in turns[:-1]]
        found, query = assistant.understand(history, turns[-1])
        hits = assistant.retrieve(query)
        best = max((h.similarity or 0.0 for h in hits), default=0.0)
        gap = population_gap(query.patient, assistant.rules.get(query.drug or ""))
        # Refused after the scope decision (the text does not answer it): no threshold here changes that.
        settings = assistant.settings
        passed = decide(
            found, query, best, settings.min_similarity, settings.topic_zipf, assistant.uncovered_kinds, gap
        )
        later = passed.in_scope and assistant.reply(history, turns[-1]).refused
        rows.append((expect, best, (found, query, gap, assistant.uncovered_kinds, later)))
    return rows


def score(rows, min_similarity: float, topic_zipf: float) -> tuple[float, float, int]:
    """Refusal precision and recall on the written cases, and how many cases are decided wrongly."""
    from assistant.evaluation import decide

    tp = fp = fn = 0
    for expect, best, (found, query, gap, kinds, later) in rows:
        refused = later or not decide(found, query, best, min_similarity, topic_zipf, kinds, gap).in_scope
        tp += refused and expect
        fp += refused and not expect
        fn += expect and not refused
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp + fn


def choose(rows) -> tuple[float, float, float, float]:
    """(topic_zipf, min_similarity, precision, recall) of the best pair on the grid (rule in the module docstring)."""
    lowest = min(best for expect, best, _ in rows if not expect)
    best_key, best_pair = None, None
    for zipf in ZIPF_GRID:
        for sim in SIMILARITY_GRID:
            precision, recall, _ = score(rows, sim, zipf)
            key = (recall >= 0.95, precision, recall, zipf, -abs((lowest - sim) - 0.5 * lowest))
            if best_key is None or key > best_key:
                best_key, best_pair = key, (zipf, sim, precision, recall)
    if best_pair is None:
        raise ValueError("no calibration grid")  # the grids are constants, never empty
    return best_pair


def main(argv: list[str] | None = None) -> int:
    from assistant import Assistant

    assistant = Assistant()
    rows = features(assistant, load_cases(Path(argv[0]) if argv else DEFAULT_CASES))
    answerable = sorted(best for expect, best, _ in rows if not expect)
    print(
        f"{len(rows)} cases ({sum(r[0] for r in rows)} out of corpus); lowest in-corpus similarity {answerable[0]:.3f}"
    )
    print("topic_zipf  min_similarity  precision  recall")
    for zipf in ZIPF_GRID:
        for sim in (0.2, 0.25, 0.3, 0.4):
            precision, recall, _ = score(rows, sim, zipf)
            print(f"{zipf:>10}  {sim:>14}  {precision:9.1%}  {recall:6.1%}")
    zipf, sim, precision, recall = choose(rows)
    print(f"chosen: topic_zipf={zipf} min_similarity={sim} (precision {precision:.1%}, recall {recall:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
