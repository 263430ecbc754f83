"""Two guidelines, one drug: when rules from different documents cover the same route and indication, the
check uses the stricter limit of each kind and shows the other guideline's limit beside it (with its source).

A document marked superseded (front matter `superseded_by`) no longer contributes rules: `drop_superseded`.
"""

from __future__ import annotations

from assistant.dosing.rules.quotes import sourced
from assistant.dosing.rules.schema import DrugRules, IndicationRule, Limit, SodiumStop, Statement


def documents_of(rule: IndicationRule) -> set[str]:
    """Every document a rule cites."""
    return {src.doc_id for _, _, src in sourced(rule, "rule")}


def _other(kept: Limit, other: Limit, what: str) -> Statement:
    """The less strict limit, stated for information with its own source."""
    return Statement(
        code=f"other_guideline_{what}",
        text=f"{other.source.doc_id} states {what.replace('_', ' ')} {other.text()}; the stricter "
        f"{kept.text()} ({kept.source.doc_id}) applies",
        source=other.source,
    )


def _stricter(
    a: Limit | None, b: Limit | None, what: str, lower_is_stricter: bool = True
) -> tuple[Limit | None, list[Statement]]:
    if a is None or b is None:
        return a or b, []
    if a.value == b.value:
        return a, []
    a_wins = (a.value < b.value) == lower_is_stricter
    kept, other = (a, b) if a_wins else (b, a)
    return kept, [_other(kept, other, what)]


# How each field of a rule merges when two guidelines give rules for the same route × indication × population.
# Every field has a policy (a test enforces it), so a new field cannot silently keep only the first guideline's value.
MERGE_POLICY: dict[str, str] = {
    "route": "same key",
    "indication": "same key",
    "covers": "same key",
    "population": "first, as text only",
    "start_daily_mg": "lower start",
    "start_regimen": "lower daily start",
    "usual_daily_mg": "both (information)",
    "max_daily_mg": "lower maximum, the other as a cited note",
    "titration": "smaller step and longer interval; a numeric step beats none",
    "titration_note": "first, the other as a cited note",
    "doses_per_day": "fewer doses per day",
    "sodium_stop": "stricter verdict, then the higher threshold; the other as a cited note",
    "stop_criteria": "both",
    "monitoring": "both",
    "notes": "both",
    "max_single_dose_mg": "lower maximum, the other as a cited note",
    "min_interval": "longer interval",
    "renal_bands": "both (the stricter applies where they overlap)",
    "per_kg": "lower mg/kg",
    "formulations": "per formulation, the lower maxima",
    "min_age": "same key",
    "max_age": "same key",
    "max_doses_per_day": "fewer doses, the other as a cited note",
    "range_daily_mg": "the range with the lower upper end",
    "ladder": "the ladder with the longer time per level",
    "per_dose_step": "the smaller step",
    "hepatic_bands": "both (the stricter applies where they overlap)",
    "unchecked": "both",
    "schedules": "both (either is accepted)",
    "caution_single_above_mg": "the lower threshold",
    "max_weekly_mg": "the lower maximum",
}


def _stricter_sodium(a: SodiumStop | None, b: SodiumStop | None) -> tuple[SodiumStop | None, list[Statement]]:
    if a is None or b is None:
        return a or b, []
    rank = {"caution": 0, "contraindicated": 1}
    kept, other = (a, b) if (rank[a.verdict], a.below.value) >= (rank[b.verdict], b.below.value) else (b, a)
    if kept == other:
        return kept, []
    note = Statement(
        code="other_guideline_sodium_stop",
        text=f"{other.below.source.doc_id} states a sodium stop below {other.below.text()} ({other.verdict}); the "
        f"stricter, below {kept.below.text()} ({kept.verdict}, {kept.below.source.doc_id}), applies",
        source=other.below.source,
    )
    return kept, [note]


def merge(a: IndicationRule, b: IndicationRule) -> IndicationRule:
    """One rule holding the stricter limit of each kind (MERGE_POLICY); the looser ones become cited notes."""
    notes: list[Statement] = []
    max_daily, n1 = _stricter(a.max_daily_mg, b.max_daily_mg, "maximum_daily_dose")
    max_single, n2 = _stricter(a.max_single_dose_mg, b.max_single_dose_mg, "maximum_single_dose")
    notes += n1 + n2
    titration = a.titration or b.titration
    if a.titration and b.titration:
        step, n3 = _stricter(a.titration.step_daily_mg, b.titration.step_daily_mg, "titration_step")
        gap, n4 = _stricter(a.titration.min_interval_days, b.titration.min_interval_days, "titration_interval", False)
        titration = a.titration.model_copy(update={"step_daily_mg": step, "min_interval_days": gap})
        notes += n3 + n4
    per_kg = a.per_kg or b.per_kg
    if a.per_kg and b.per_kg:
        high = (
            a.per_kg.per_dose_high or a.per_kg.per_day_high or 0,
            b.per_kg.per_dose_high or b.per_kg.per_day_high or 0,
        )
        per_kg = a.per_kg if high[0] <= high[1] else b.per_kg
    forms = dict(b.formulations)
    for key, f in a.formulations.items():
        g = forms.get(key)
        forms[key] = (
            f
            if g is None or (f.max_daily_mg or 0, f.max_single_mg or 0) <= (g.max_daily_mg or 0, g.max_single_mg or 0)
            else g
        )
    starts = [r for r in (a.start_daily_mg, b.start_daily_mg) if r is not None]
    regimens = [r for r in (a.start_regimen, b.start_regimen) if r is not None]
    sodium, n5 = _stricter_sodium(a.sodium_stop, b.sodium_stop)
    titration_notes = [n for n in (a.titration_note, b.titration_note) if n is not None]
    newer, cap_notes = _newer_fields(a, b)
    notes += n5 + titration_notes[1:]
    return a.model_copy(
        update={
            "max_daily_mg": max_daily,
            "max_single_dose_mg": max_single,
            "titration": titration,
            "per_kg": per_kg,
            "formulations": forms,
            "start_daily_mg": min(starts, key=lambda r: r.high) if starts else None,
            "start_regimen": min(regimens, key=lambda r: r.single_mg * r.doses_per_day) if regimens else None,
            "usual_daily_mg": [*a.usual_daily_mg, *b.usual_daily_mg],
            "renal_bands": [*a.renal_bands, *b.renal_bands],  # every band applies; at an overlap the stricter wins
            "doses_per_day": min(
                (r for r in (a.doses_per_day, b.doses_per_day) if r), key=lambda r: r.high, default=None
            ),
            "min_interval": max(
                (m for m in (a.min_interval, b.min_interval) if m), key=lambda m: m.hours, default=None
            ),
            "sodium_stop": sodium,
            "stop_criteria": [*a.stop_criteria, *b.stop_criteria],
            "monitoring": [*a.monitoring, *b.monitoring],
            "notes": [*a.notes, *b.notes, *notes, *cap_notes],
            "titration_note": titration_notes[0] if titration_notes else None,
            **newer,
        }
    )


def _newer_fields(a: IndicationRule, b: IndicationRule) -> tuple[dict[str, object], list[Statement]]:
    """The merged values of the fields for ladders, caps, usual ranges and hepatic bands (MERGE_POLICY), and the
    looser cap as a cited note."""
    doses_cap, note = _stricter(a.max_doses_per_day, b.max_doses_per_day, "doses_per_24_hours")
    merged: dict[str, object] = {
        "max_doses_per_day": doses_cap,
        "range_daily_mg": min(
            (r for r in (a.range_daily_mg, b.range_daily_mg) if r), key=lambda r: r.high, default=None
        ),
        "ladder": max((x for x in (a.ladder, b.ladder) if x), key=lambda x: x.days, default=None),
        "per_dose_step": min(
            (x for x in (a.per_dose_step, b.per_dose_step) if x), key=lambda x: x.step_single_mg, default=None
        ),
        "hepatic_bands": [*a.hepatic_bands, *b.hepatic_bands],
        "unchecked": [*a.unchecked, *b.unchecked],
        "schedules": [*a.schedules, *b.schedules],
        "max_weekly_mg": min((x for x in (a.max_weekly_mg, b.max_weekly_mg) if x), key=lambda x: x.value, default=None),
        "caution_single_above_mg": min(
            (x for x in (a.caution_single_above_mg, b.caution_single_above_mg) if x),
            key=lambda x: x.value,
            default=None,
        ),
    }
    return merged, note


def combine(rules: DrugRules) -> DrugRules:
    """At most one rule per route × indication × populations: duplicates (other documents) merged, stricter wins."""
    merged: dict[tuple[str, str, tuple[str, ...], tuple[float | None, float | None]], IndicationRule] = {}
    for r in rules.rules:
        key = (r.route, r.indication, tuple(sorted(r.covers)), r.ages())  # other populations and ages stay apart
        merged[key] = merge(merged[key], r) if key in merged else r
    if len(merged) == len(rules.rules):
        return rules
    return rules.model_copy(update={"rules": list(merged.values())})


def drop_superseded(rules: DrugRules, superseded: set[str]) -> DrugRules:
    """Without the rules that cite only superseded documents (their limits no longer apply)."""
    kept = [r for r in rules.rules if not documents_of(r) <= superseded]
    return rules if len(kept) == len(rules.rules) else rules.model_copy(update={"rules": kept})
