"""Patient facts over every user turn: the latest value wins, another patient starts afresh, ranges and
comparators ('eGFR < 30', '25-40') become the values to check at both ends (the checker reports the worst)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.query.concepts import negated
from assistant.query.lexicon import Lexicon
from assistant.query.numbers import NumberRole
from assistant.types import Patient, patient_bounds


class FactReading(BaseModel):
    """The patient facts read from the conversation, with the scenarios a stated range needs."""

    patient: Patient = Field(default_factory=Patient, description="Point values and named states.")
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict, description="Field → (low, high) to check.")
    notes: list[str] = Field(default_factory=list, description="Assumptions made while reading the facts.")
    not_understood: list[str] = Field(default_factory=list)


def start_of_current_patient(turns: list[str], lexicon: Lexicon) -> int:
    """Index of the first user turn about the patient of the last turn ('another patient' starts anew)."""
    cue = lexicon.patterns.get("people.new_patient")
    starts = [i for i, t in enumerate(turns) if cue is not None and cue.search(t)]
    return starts[-1] if starts else 0


def read_facts(turn_numbers: list[list[NumberRole]], turns: list[str], lexicon: Lexicon) -> FactReading:
    """Facts from the user turns in order; a later statement of the same fact replaces an earlier one."""
    values: dict[str, float | bool | str] = {}
    ranges: dict[str, tuple[float, float]] = {}
    notes: list[str] = []
    bounds = patient_bounds()
    for text, numbers in zip(turns, turn_numbers, strict=True):
        for key, value in _named_states(text, lexicon).items():
            values[key] = value
        for n in sorted(numbers, key=lambda r: r.start):
            if not n.fact or n.fact not in bounds:
                continue
            low_bound, high_bound, _unit = bounds[n.fact]
            if n.value is not None:
                values[n.fact] = n.value
                ranges.pop(n.fact, None)
            else:
                low = n.low if n.low is not None else low_bound
                high = n.high if n.high is not None else high_bound
                ranges[n.fact] = (low, high)
                values.pop(n.fact, None)
                notes.append(
                    f"{n.fact} '{n.text.strip()}' is a range, not one value: the dose was checked at both ends"
                )
    stage = _ckd_stage(turns, lexicon)
    if stage is not None and "egfr" not in values and "egfr" not in ranges:  # a stated eGFR value is more exact
        written, (low, high) = stage
        ranges["egfr"] = (low, high)
        notes.append(f"'{written}' read as eGFR {low:g}–{high:g}: the dose was checked across that range")
    patient, problems = _valid_patient(values)
    return FactReading(patient=patient, ranges=ranges, notes=notes, not_understood=problems)


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}


def _ckd_stage(turns: list[str], lexicon: Lexicon) -> tuple[str, tuple[float, float]] | None:
    """The latest CKD stage stated, as written and as the eGFR range the reader data gives it."""
    pattern = lexicon.patterns.get("ckd_stages.pattern")
    found = None
    for text in turns:
        for m in pattern.finditer(text) if pattern is not None else ():
            number = (m["s"] or m["t"] or "").lower()
            key = _ROMAN.get(number, number) + (m["x"] or m["y"] or "").lower()
            if key in lexicon.ckd_egfr:
                found = (m.group(0), lexicon.ckd_egfr[key])
    return found


def _named_states(text: str, lexicon: Lexicon) -> dict[str, float | bool | str]:
    """Renal states, populations and conditions named in words, mapped to the Patient model's own words."""
    found: dict[str, float | bool | str] = {}

    def has(name: str) -> bool:
        pattern = lexicon.patterns.get(name)
        return bool(pattern and pattern.search(text))

    if has("renal_states.not_dialysis"):
        found["dialysis"] = False
    elif has("renal_states.dialysis"):
        found["dialysis"] = True
    for state in ("mild", "moderate", "severe", "kidney_failure"):
        if has(f"renal_states.{state}"):
            found["renal_impairment"] = state
    if has("renal_states.aki"):
        found["aki"] = True
    for grade in ("A", "B", "C"):
        if has(f"hepatic_states.{grade}"):
            found["child_pugh"] = grade
    if has("states.no_cirrhosis"):
        found["cirrhosis"] = False
    elif has("states.cirrhosis"):
        found["cirrhosis"] = True
    for field, name in (("pregnant", "populations.pregnant"), ("breastfeeding", "populations.breastfeeding")):
        stated = _stated(text, name, lexicon)
        if stated is not None:
            found[field] = stated
    if _patient_is_a_child(text, lexicon):
        found["age_group"] = "child"
    elif has("populations.older_adult"):
        found["age_group"] = "older_adult"
    return found


def _stated(text: str, name: str, lexicon: Lexicon) -> bool | None:
    """True when a state is named, False when every mention of it is negated ('not pregnant'), None when unnamed."""
    pattern = lexicon.patterns.get(name)
    matches = list(pattern.finditer(text)) if pattern is not None else []
    if not matches:
        return None
    return not all(negated(text, m.start(), m.end(), lexicon) for m in matches)


def _patient_is_a_child(text: str, lexicon: Lexicon) -> bool:
    """A child word that names the patient — not the baby a breastfeeding patient feeds."""
    child, feeding = lexicon.patterns.get("populations.child"), lexicon.patterns.get("populations.breastfeeding")
    if child is None:
        return False
    fed = [(m.start(), m.end() + 30) for m in feeding.finditer(text)] if feeding is not None else []
    return any(not any(s <= m.start() < e for s, e in fed) for m in child.finditer(text))


def _valid_patient(values: dict[str, float | bool | str]) -> tuple[Patient, list[str]]:
    """A Patient from the values; an implausible value is dropped and reported as not understood."""
    problems: list[str] = []
    clean = dict(values)
    while True:
        try:
            return Patient.model_validate(clean), problems
        except ValueError as exc:
            bad = next((k for k in clean if k in str(exc)), None)
            if bad is None:
                return Patient(), [*problems, "patient facts could not be read"]
            problems.append(f"{bad} {clean.pop(bad)} is not a plausible value")
