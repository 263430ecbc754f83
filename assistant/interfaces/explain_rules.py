"""`validate-rules --explain FILE`: per rule, what it blocks, what it warns about and what it leaves unchecked, so
a reviewer sees the effective limits of a file, not only that it parses. `--schema`: the format as JSON Schema."""

from __future__ import annotations

import json

from assistant.dosing.rules.bands import RenalBand
from assistant.dosing.rules.extended import HepaticBand
from assistant.dosing.rules.schema import DrugRules, IndicationRule, fmt


def schema_text() -> str:
    """The rules format as JSON Schema (draft 2020-12), from the same models the loader validates with."""
    schema = DrugRules.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Guideline assistant dose rules (one TOML file per drug)"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def explain(rules: DrugRules) -> list[str]:
    """Plain lines: the drug-wide limits, then each rule's blocks / warnings / gaps."""
    lines = [f"{rules.drug}: reviewed by {rules.reviewed_by} on {rules.reviewed_on}"]
    g = rules.general
    drug_wide = [
        f"contraindicated with {', '.join(i.drugs)}" for i in rules.interactions if i.verdict == "contraindicated"
    ]
    drug_wide += [f"caution with {', '.join(i.drugs)}" for i in rules.interactions if i.verdict == "caution"]
    drug_wide += [f"renal: {b.describe()}: {_band(b)}" for b in g.renal_bands]
    drug_wide += [f"hepatic: {b.describe()}: {_hepatic(b)}" for b in g.hepatic_bands]
    if g.renal is not None:
        drug_wide.append(
            f"renal: avoid below eGFR {fmt(g.renal.avoid_egfr_below.value)} or on dialysis; reduce at "
            f"{g.renal.reduce_egfr.text()}"
        )
    if g.older_adults is not None:
        drug_wide.append(
            f"older adults (from {g.older_adults.min_age.text()}): caution above "
            f"{g.older_adults.caution_above_daily_mg.text()}"
        )
    if rules.concentrations:
        drug_wide.append(
            "volumes read through " + ", ".join(f"{fmt(c.mg)} mg in {fmt(c.ml)} mL" for c in rules.concentrations)
        )
    lines += [f"  every indication: {d}" for d in drug_wide] or ["  every indication: no drug-wide limits"]
    for rule in rules.rules:
        lines += _rule_lines(rules, rule)
    return lines


def _rule_lines(rules: DrugRules, r: IndicationRule) -> list[str]:
    low, high = r.ages()
    ages = "" if low is None and high is None else f", ages {fmt(low or 0)}–{fmt(high) if high is not None else '…'}"
    head = f"  {r.route} × {rules.indications[r.indication].label} ({', '.join(r.covers)}{ages})"
    blocks, warns, gaps = [], [], []
    if r.max_daily_mg:
        blocks.append(f"above {fmt(r.max_daily_mg.value)} mg a day")
    if r.max_single_dose_mg:
        blocks.append(f"a single dose above {r.max_single_dose_mg.text()}")
    if r.min_interval:
        blocks.append(f"doses closer than {fmt(r.min_interval.hours)} hours")
    if r.max_doses_per_day:
        blocks.append(f"more than {fmt(r.max_doses_per_day.value)} doses in 24 hours")
    if r.max_weekly_mg:
        blocks.append(f"more than {r.max_weekly_mg.text()}")
    blocks += [f"{f.label}: above {fmt(f.max_daily_mg)} mg a day" for f in r.formulations.values() if f.max_daily_mg]
    blocks += [f"renal {b.describe()}: {_band(b)}" for b in r.renal_bands if b.avoid or not b.limits_nothing]
    blocks += [f"hepatic {b.describe()}: {_hepatic(b)}" for b in r.hepatic_bands if b.avoid or b.max_daily_mg]
    if r.titration:
        warns.append(
            f"increases over {r.titration.step_daily_mg.text()} per {r.titration.min_interval_days.text()} "
            "(exceeds_titration_step)"
        )
    if r.per_dose_step:
        warns.append(f"raising a dose by more than {fmt(r.per_dose_step.step_single_mg)} mg (exceeds_titration_step)")
    if r.ladder:
        steps = " → ".join(fmt(s) for s in r.ladder.steps_daily_mg)
        warns.append(f"skipping a level of {steps} mg/day or under {r.ladder.min_days.text()} on one")
    if r.range_daily_mg:
        warns.append(f"outside the usual {r.range_daily_mg.text()} (no hard maximum)")
    if r.doses_per_day:
        warns.append(f"outside {r.doses_per_day.text()}")
    if r.caution_single_above_mg:
        warns.append(f"a single dose above {r.caution_single_above_mg.text()}")
    if r.schedules:
        warns.append("a schedule other than " + " or ".join(s.stated_as for s in r.schedules))
    warns += [
        f"renal {b.describe()}: {b.note}" + (f" ({b.when} only)" if b.when != "any" else "")
        for b in r.renal_bands
        if b.limits_nothing
    ]
    warns += [f"always: {s.text}" for s in r.unchecked]
    if not (r.max_single_dose_mg or r.formulations or r.per_kg):
        gaps.append("no maximum single dose")
    if not (r.titration or r.per_dose_step or r.ladder):
        gaps.append("no titration step (an increase is a caution)")
    if not (r.renal_bands or rules.general.renal_bands or rules.general.renal):
        gaps.append("no renal limits")
    if not (r.hepatic_bands or rules.general.hepatic_bands):
        gaps.append("no hepatic limits")
    missing = [p for p in ("paediatric", "pregnancy", "breastfeeding") if p not in r.covers]
    if missing:
        gaps.append(f"not for {', '.join(missing)} (grey)")
    return [
        head,
        "    blocks: " + ("; ".join(blocks) or "nothing (no hard maximum)"),
        "    warns: " + ("; ".join(warns) or "nothing"),
        "    leaves unchecked: " + ("; ".join(gaps) or "nothing listed"),
    ]


def _band(b: RenalBand) -> str:
    if b.avoid:
        return "avoid (contraindicated)" + (f", {b.when} only" if b.when != "any" else "")
    parts = [
        f"single dose up to {fmt(b.single_high_mg)} mg" if b.single_high_mg else "",
        f"up to {fmt(b.max_daily_mg)} mg a day" if b.max_daily_mg else "",
        b.note or "",
    ]
    return ", ".join(p for p in parts if p)


def _hepatic(b: HepaticBand) -> str:
    parts = [
        "avoid (contraindicated)" if b.avoid else "",
        f"up to {fmt(b.max_daily_mg)} mg a day" if b.max_daily_mg else "",
        f"caution: {b.caution}" if b.caution else "",
    ]
    return ", ".join(p for p in parts if p)
