"""`python -m evals.calibrate`: choose the two refusal thresholds on the written cases.

For every case the scope features are computed once (best dense similarity; the question's words that
no guideline uses, with their Zipf frequency); then every pair of thresholds on a grid is scored by
refusal recall and precision on the written cases. MedicationQA is kept out: it stays a held-out test.
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


def features(assistant, cases) -> list[tuple[bool, float, object]]:
    """(expect_refusal, best similarity, TopicWords) per case, as `Assistant.reply` would see them."""
    from assistant.query.scope import topic_words
    from assistant.query.understand import understand

    rows: list[tuple[bool, float, object]] = []
    for case in cases:
        turns = case.user_turns
        query = understand(turns[-1], list(turns[:-1]), assistant.glossary.drugs)
        hits = assistant.retrieve(query)
        best = max((h.similarity or 0.0 for h in hits), default=0.0)
        rows.append((case.expect_refusal, best, topic_words(turns[-1], assistant.vocabulary, assistant.glossary)))
    return rows


def score(rows, min_similarity: float, topic_zipf: float) -> tuple[float, float, int]:
    """Refusal precision and recall on the written cases, and how many cases are decided wrongly."""
    from assistant.query.scope import decide

    tp = fp = fn = 0
    for expect, best, found in rows:
        refused = not decide(found, best, min_similarity, topic_zipf).in_scope
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
    from assistant.pipeline import Assistant

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
