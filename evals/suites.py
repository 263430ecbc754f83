"""The frozen outside-view suites (evals/suites/*.yaml), scored per split: `tune` (the reader was tuned on it)
and `heldout` (never looked at while tuning). Each metric row says which split it is."""

from __future__ import annotations

from evals.content import content_rows, content_size, dev_settings_overrides, load, reply
from evals.library_faults import fault_rows
from evals.redteam import probe_count, redteam_rows
from evals.report import MetricRow


def _dose_rows(assistant, suite: str, split: str, prefix: str, title: str, progress, misses: list[dict]):
    """Unsafe greens, expected verdicts and the green rate of one dose suite's split."""
    unsafe = ok = n = green_n = green_ok = 0
    for r in (x for x in load(suite) if x["split"] == split):
        answer = reply(assistant, r)
        progress()
        verdict = answer.dose_check.verdict if answer.dose_check else None
        expect = r["expect"]
        right = verdict != "within_limits" if expect == "not_within_limits" else verdict == expect
        n, ok = n + 1, ok + right
        unsafe += verdict == "within_limits" and expect != "within_limits"
        if expect == "within_limits":
            green_n, green_ok = green_n + 1, green_ok + (verdict == "within_limits")
        if not right:
            misses.append({"suite": suite, "id": r["id"], "expected": expect, "got": verdict})
    return [
        MetricRow(
            key=f"{prefix}_{split}_unsafe_within_limits",
            name=f"{title} ({split}): unsafe within_limits",
            ours=float(unsafe),
            kind="count",
            n=n,
        ),
        MetricRow(
            key=f"{prefix}_{split}_dose_verdicts",
            name=f"{title} ({split}): expected verdict",
            ours=ok / n if n else None,
            n=n,
        ),
        MetricRow(
            key=f"{prefix}_{split}_green_rate",
            name=f"{title} ({split}): green where green is right",
            ours=green_ok / green_n if green_n else None,
            n=green_n,
        ),
    ]


def suite_rows(assistant, progress=lambda: None) -> tuple[list[MetricRow], list[dict]]:
    """Metric rows for every suite and split, and one record per miss (for the report's case list)."""
    rows: list[MetricRow] = []
    misses: list[dict] = []
    for split in ("tune", "heldout"):
        rows += _dose_rows(assistant, "adversarial_doses", split, "suite", "Adversarial doses", progress, misses)
        rows += _dose_rows(assistant, "starting_doses", split, "suite_start", "Starting doses", progress, misses)
        rows += _dose_rows(assistant, "shorthand_doses", split, "suite_shorthand", "Shorthand doses", progress, misses)
        answered = total = 0
        for r in (x for x in load("answerable") if x["split"] == split):
            answer = reply(assistant, r)
            progress()
            total, answered = total + 1, answered + (not answer.refused and answer.clarify is None)
            if answer.refused:
                misses.append({"suite": "answerable", "id": r["id"], "expected": "answered", "got": "refused"})
        rows.append(
            MetricRow(
                key=f"suite_{split}_answer_rate",
                name=f"Answerable shorthand/patient ({split}): answered",
                ours=answered / total if total else None,
                n=total,
            )
        )
        right = total = 0
        for r in (x for x in load("intent_paraphrases") if x["split"] == split):
            answer = reply(assistant, r)
            progress()
            total, right = total + 1, right + (answer.intent == r["intent"])
        rows.append(
            MetricRow(
                key=f"suite_{split}_intent_accuracy",
                name=f"Intent paraphrases ({split}): accuracy",
                ours=right / total if total else None,
                n=total,
            )
        )
    content, content_misses = content_rows(_with_dev_library(assistant), progress)
    rows += content
    misses += content_misses
    probe_rows, probe_misses = redteam_rows(lambda q: reply(assistant, {"question": q}), progress)
    fault, fault_misses = fault_rows(getattr(assistant, "embeddings", None))
    return rows + probe_rows + fault, misses + probe_misses + fault_misses


def _with_dev_library(assistant) -> dict[str, object]:
    """The shipped assistant and one on the development library (its own index, the same embedding model)."""
    from assistant import Assistant, Settings

    settings = Settings(**dev_settings_overrides(assistant.settings.data_dir))
    return {"shipped": assistant, "dev": Assistant(settings, embeddings=assistant.embeddings)}


def suite_size() -> int:
    names = ("adversarial_doses", "starting_doses", "shorthand_doses", "answerable", "intent_paraphrases")
    return sum(len(load(n)) for n in names) + probe_count() + content_size()
