"""Refit the answer's relevance model on the TUNE split of the content suites and write corpus/ranker.toml.

    python -m evals.fit_ranker            # fit, calibrate the thresholds, write corpus/ranker.toml
    python -m evals.fit_ranker --dry-run  # print the fit and the tune scores only

Labels: a candidate sentence of a content question is relevant when it states one of the facts the record requires
(its lead fact or a must-include fact) and none it forbids; every candidate of an out-of-library question is not.
A logistic regression (scikit-learn) gives the weights; the include and answer thresholds are then chosen on the same
tune split by replaying the sentence choice. The heldout split is never read here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from assistant import Assistant, Settings
from assistant.evaluation import ANSWER_FEATURES, FEATURES, RANKER_FILE, REPO_ROOT, RelevanceModel, choose
from evals.content import conversation, dev_settings_overrides, has, split_records

GRID = [round(x, 2) for x in np.arange(0.05, 0.95, 0.05)]


def _ranked(assistant, record: dict):
    history, message, patient = conversation(record)
    return assistant.rank_sentences(history, message, patient)


def _label(sentence: str, record: dict) -> int:
    if any(has(sentence, [bad]) for bad in record.get("must_not_include") or []):
        return 0
    facts = [record.get("lead_must_include") or [], *(record.get("must_include") or [])]
    return int(any(alts and has(sentence, alts) for alts in facts))


def collect(assistants: dict[str, Assistant]) -> tuple[list[tuple[dict, Any]], list[Any]]:
    """(content record, its ranking) and the ranking of each out-of-library question, tune split only."""
    content, outside = [], []
    for library, assistant in assistants.items():
        for r in split_records("content", library, "tune"):
            content.append((r, _ranked(assistant, r)))
        for r in split_records("out_of_library", library, "tune"):
            outside.append(_ranked(assistant, r))
    return content, outside


def _row(candidate) -> list[float]:
    return [candidate.features[f] for f in FEATURES]


def fit_sentences(content: list[tuple[dict, Any]], outside: list[Any]) -> RelevanceModel:
    """Weights from pairs (a relevant sentence against an irrelevant one of the same question: the order is what
    matters), then one scale and intercept (Platt) so the score is a probability, over every sentence."""
    from sklearn.linear_model import LogisticRegression

    diffs, sides = [], []
    for record, ranked in content:
        rows = [(np.asarray(_row(c)), _label(c.sentence, record)) for c in ranked.candidates]
        for pos in (r for r, label in rows if label):
            for neg in (r for r, label in rows if not label):
                diffs += [pos - neg, neg - pos]
                sides += [1, 0]
    pairwise = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(np.asarray(diffs), sides)
    w = pairwise.coef_[0]
    scores, labels = [], []
    for record, ranked in content:
        for c in ranked.candidates:
            scores.append(float(np.asarray(_row(c)) @ w))
            labels.append(_label(c.sentence, record))
    for ranked in outside:
        for c in ranked.candidates:
            scores.append(float(np.asarray(_row(c)) @ w))
            labels.append(0)
    platt = LogisticRegression(max_iter=2000).fit(np.asarray(scores)[:, None], labels)
    scale = float(platt.coef_[0][0])
    print(f"sentences: {len(scores)} ({sum(labels)} relevant), {len(diffs)} pairs", file=sys.stderr)
    return RelevanceModel(
        weights={f: scale * float(v) for f, v in zip(FEATURES, w, strict=True)}, intercept=float(platt.intercept_[0])
    )


def fit_answerability(content: list[tuple[dict, Any]], outside: list[Any]) -> tuple[dict[str, float], float]:
    """Content questions are answerable, out-of-library ones are not (balanced classes)."""
    from sklearn.linear_model import LogisticRegression

    rows = [[ranked.answer_features[f] for f in ANSWER_FEATURES] for _, ranked in content]
    rows += [[ranked.answer_features[f] for f in ANSWER_FEATURES] for ranked in outside]
    labels = [1] * len(content) + [0] * len(outside)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(np.asarray(rows), labels)
    return dict(zip(ANSWER_FEATURES, map(float, model.coef_[0]), strict=True)), float(model.intercept_[0])


def passes(record: dict, ranked, model: RelevanceModel) -> bool:
    """The sentence choice alone (no dose-check lines): answered, the lead fact first, every required fact shown."""
    if ranked.answerable < model.answer_min or not ranked.candidates:
        return False
    picked = choose(ranked.candidates, model)
    text = " ".join(p.sentence for p in picked)
    lead = record.get("lead_must_include") or []
    if lead and not has(picked[0].sentence, lead):
        return False
    return all(has(text, alts) for alts in record.get("must_include") or [])


KEEP_ANSWERED = 0.97  # in-library questions the evidence refusal may never cost: refusing more is no improvement


def answer_threshold(content_odds: list[float]) -> float:
    """The highest threshold (at most 0.5) that still answers KEEP_ANSWERED of the in-library tune questions."""
    ranked = sorted(content_odds)
    allowed = int(len(ranked) * (1 - KEEP_ANSWERED))
    return min(0.5, round(ranked[allowed] - 1e-4, 4)) if ranked else 0.5


def calibrate_include(content: list[tuple[dict, Any]], base: RelevanceModel) -> tuple[RelevanceModel, float]:
    best: tuple[float, RelevanceModel] | None = None
    for include in GRID:
        model = replace(base, include=include)
        ok = sum(passes(r, ranked, model) for r, ranked in content) / max(1, len(content))
        if best is None or ok > best[0] + 1e-9:
            best = (ok, model)
    assert best is not None
    return best[1], best[0]


def write(model: RelevanceModel, n_content: int, n_outside: int, ok: float, refused: float) -> None:
    answer = [f"{k} = {model.answer_weights[k]:.4f}" for k in ANSWER_FEATURES]
    lines = [
        "# The answer's relevance model (assistant/answer/relevance.py): reviewed data, refitted by",
        "# `python -m evals.fit_ranker` on the tune split of evals/suites/content.yaml and out_of_library.yaml.",
        f"# Fitted {date.today().isoformat()} on {n_content} content and {n_outside} out-of-library tune questions;",
        f"# tune replay: {ok:.1%} content pass (sentence choice alone), {refused:.1%} out-of-library not answerable.",
        f"intercept = {model.intercept:.4f}",
        "",
        "[weights]",
        *[f"{k} = {model.weights[k]:.4f}" for k in FEATURES],
        "",
        "[thresholds]",
        f"include = {model.include}  # a sentence after the lead is shown from this probability on",
        f"duplicate = {model.duplicate}  # cosine at which two sentences with the same figures say the same thing",
        "",
        "# Is the question answered at all (assistant/answer/answerable.py): answered from probability 0.5 on.",
        "[answerability]",
        f"intercept = {model.answer_intercept:.4f}",
        f"threshold = {model.answer_min}  # keeps {KEEP_ANSWERED:.0%} of the in-library tune questions answered",
        "[answerability.weights]",
        *answer,
    ]
    (REPO_ROOT / "corpus" / RANKER_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit_ranker", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the fit; do not write corpus/ranker.toml")
    args = parser.parse_args(argv)
    shipped = Assistant(Settings())
    dev = Assistant(Settings(**dev_settings_overrides(shipped.settings.data_dir)), embeddings=shipped.embeddings)
    assistants = {"shipped": shipped, "dev": dev}
    content, outside = collect(assistants)
    model = fit_sentences(content, outside)
    for assistant in assistants.values():  # the answer features depend on the new order of the sentences
        assistant.ranker.model = model
    content, outside = collect(assistants)
    weights, intercept = fit_answerability(content, outside)
    model = replace(model, answer_weights=weights, answer_intercept=intercept)
    for assistant in assistants.values():
        assistant.ranker.model = model
    content, outside = collect(assistants)
    model = replace(model, answer_min=answer_threshold([r.answerable for _, r in content]))
    model, ok = calibrate_include(content, model)
    refused = sum(r.answerable < model.answer_min for r in outside) / max(1, len(outside))
    print(f"weights {model.weights} intercept {model.intercept:.3f}")
    print(f"answerability {weights} intercept {intercept:.3f}")
    print(f"include {model.include}: tune content {ok:.1%}, out-of-library not answerable {refused:.1%}")
    if not args.dry_run:
        write(model, len(content), len(outside), ok, refused)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
