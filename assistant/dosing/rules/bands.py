"""Rules-schema additions for what real guidelines state beyond one daily maximum.

Renal bands (by creatinine clearance or eGFR), weight-based doses (mg/kg), formulation-specific maxima, a maximum
single dose and a minimum interval between doses. Every number is cited by the object's own `source.quote`
(checked at load by `cited.py`); frequency words ('every 12 hours', 'once daily') are quoted words and are
read by the same dose reader as a prescribed dose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.dosing.rules.values import Limit
from assistant.types import RuleSource

RenalMeasure = Literal["crcl", "egfr"]
MEASURE_LABEL: dict[str, tuple[str, str]] = {"crcl": ("CrCl", "mL/min"), "egfr": ("eGFR", "mL/min/1.73m²")}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _present(*values: float | None) -> list[float]:
    return [v for v in values if v is not None]


class RenalBand(_Strict):
    """Limits for patients whose CrCl (or eGFR) lies in [low, high]; at a shared boundary the stricter band wins."""

    measure: RenalMeasure = Field(description="'crcl' (creatinine clearance, mL/min) or 'egfr' (mL/min/1.73m²).")
    low: float | None = Field(default=None, description="Lowest value of the band (inclusive); omit for 'below X'.")
    high: float | None = Field(
        default=None, description="Highest value of the band (inclusive); omit for 'X and above'."
    )
    low_open: bool = Field(default=False, description="True when the band excludes `low` itself ('above 30').")
    high_open: bool = Field(default=False, description="True when the band excludes `high` itself ('below 60').")
    dialysis: bool = Field(default=False, description="True for a band that applies to patients on dialysis.")
    avoid: bool = Field(default=False, description="The guideline says not to use the drug in this band.")
    single_low_mg: float | None = Field(default=None, description="Lowest single dose the band states, mg.")
    single_high_mg: float | None = Field(default=None, description="Highest single dose the band states, mg.")
    per_kg_high: float | None = Field(default=None, description="Highest single dose in mg/kg (needs the weight).")
    frequency: str | None = Field(default=None, description="How often, in the quote's words: 'every 12 hours'.")
    max_daily_mg: float | None = Field(default=None, description="Highest total daily dose in this band, mg.")
    note: str | None = Field(default=None, description="Short plain-language statement shown with the band.")
    when: Literal["any", "starting", "continuing"] = Field(
        default="any",
        description="'starting': only for a first dose (not to be started in this band); 'continuing': only for a "
        "patient already taking it. A dose whose start is not known gets both (the stricter wins).",
    )
    source: RuleSource

    def applies(self, starting: bool, continuing: bool) -> bool:
        """Whether the band speaks to this dose: a starting band is skipped only for a dose known to continue."""
        if self.when == "starting":
            return starting or not continuing
        if self.when == "continuing":
            return not starting
        return True

    @model_validator(mode="after")
    def _meaningful(self) -> RenalBand:
        if self.low is None and self.high is None and not self.dialysis:
            raise ValueError("a renal band needs low, high or dialysis = true")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"renal band low {self.low} is above high {self.high}")
        limits = (self.single_high_mg, self.per_kg_high, self.max_daily_mg)
        if not (self.avoid or any(v is not None for v in limits) or self.note):
            raise ValueError("a renal band needs avoid, single_high_mg, per_kg_high, max_daily_mg or a note")
        return self

    def cited_numbers(self) -> list[float]:
        return _present(
            self.low, self.high, self.single_low_mg, self.single_high_mg, self.per_kg_high, self.max_daily_mg
        )

    def cited_words(self) -> list[str]:
        return [self.frequency] if self.frequency else []

    def contains(self, value: float) -> bool:
        above = self.low is None or (value > self.low if self.low_open else value >= self.low)
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below

    @property
    def limits_nothing(self) -> bool:
        """Only a note: the band states no limit the checker can hold a dose to."""
        limits = (self.single_high_mg, self.per_kg_high, self.max_daily_mg)
        return not self.avoid and all(v is None for v in limits)

    def describe(self) -> str:
        name, unit = MEASURE_LABEL[self.measure]
        if self.dialysis:
            return "on dialysis"
        if self.low is None:
            return f"{name} {'below' if self.high_open else 'up to'} {fmt_number(self.high)} {unit}"
        if self.high is None:
            return f"{name} {'above ' if self.low_open else ''}{fmt_number(self.low)} {unit}" + (
                "" if self.low_open else " and above"
            )
        lo = "above " if self.low_open else ""
        hi = " (not included)" if self.high_open else ""
        return f"{name} {lo}{fmt_number(self.low)}–{fmt_number(self.high)}{hi} {unit}"


class PerKgDose(_Strict):
    """A weight-based dose: mg per kg per dose (with a frequency) or per day; the weight is a patient fact."""

    per_dose_low: float | None = Field(default=None, description="Lowest mg/kg per dose.")
    per_dose_high: float | None = Field(default=None, description="Highest mg/kg per dose.")
    per_day_low: float | None = Field(default=None, description="Lowest mg/kg per day.")
    per_day_high: float | None = Field(default=None, description="Highest mg/kg per day.")
    frequency: str | None = Field(default=None, description="How often, in the quote's words.")
    source: RuleSource

    @model_validator(mode="after")
    def _one_kind(self) -> PerKgDose:
        if self.per_dose_high is None and self.per_day_high is None:
            raise ValueError("a weight-based dose needs per_dose_high or per_day_high (mg/kg)")
        return self

    def cited_numbers(self) -> list[float]:
        return _present(self.per_dose_low, self.per_dose_high, self.per_day_low, self.per_day_high)

    def cited_words(self) -> list[str]:
        return [self.frequency] if self.frequency else []


class Formulation(_Strict):
    """A formulation (immediate or extended release, ...) with its own maximum."""

    label: str = Field(description="Plain-language name, e.g. 'extended-release tablets'.")
    aliases: list[str] = Field(default_factory=list, description="Accepted spellings, compared lower-case.")
    max_daily_mg: float | None = Field(default=None, description="Maximum total daily dose of this formulation, mg.")
    max_single_mg: float | None = Field(default=None, description="Maximum single dose of this formulation, mg.")
    frequency: str | None = Field(default=None, description="How often the maximum single dose is given, quoted.")
    start_daily_mg: Limit | None = Field(
        default=None,
        description='This formulation\'s starting daily dose (`value`, `unit = "mg/day"`, its own `source`): a first '
        "dose of it above this skips titration.",
    )
    source: RuleSource

    @model_validator(mode="after")
    def _has_a_maximum(self) -> Formulation:
        if self.max_daily_mg is None and self.max_single_mg is None:
            raise ValueError(f"formulation '{self.label}' needs max_daily_mg or max_single_mg")
        return self

    def cited_numbers(self) -> list[float]:
        return _present(self.max_daily_mg, self.max_single_mg)

    def cited_words(self) -> list[str]:
        return [self.frequency] if self.frequency else []

    def matches(self, key: str, text: str) -> bool:
        t = " ".join(text.lower().replace("-", " ").split())
        return t == key.lower() or t in (" ".join(a.lower().replace("-", " ").split()) for a in self.aliases)


class MinInterval(_Strict):
    """The shortest time between two doses, in hours (or stated as a frequency: 'every 8 hours')."""

    hours: float = Field(description="Hours between doses at the shortest.")
    stated_as: str | None = Field(default=None, description="The quote's words when the hours are not in digits.")
    source: RuleSource

    def cited_numbers(self) -> list[float]:
        return [] if self.stated_as else [self.hours]

    def cited_words(self) -> list[str]:
        return [self.stated_as] if self.stated_as else []


def fmt_number(x: float | None) -> str:
    """A number without a trailing ".0"; empty for None."""
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def band_fields(general: BaseModel, rule: BaseModel) -> set[str]:
    """Patient fields the renal bands of the general modifiers and of a rule read (their `measure`)."""
    bands = [*getattr(general, "renal_bands", []), *getattr(rule, "renal_bands", [])]
    return {b.measure for b in bands} | ({"dialysis"} if any(b.dialysis for b in bands) else set())


def band_layout_notes(bands: list[RenalBand]) -> list[str]:
    """Gaps and overlaps between a drug's bands of one measure, in words (what validate-rules reports)."""
    notes: list[str] = []
    for measure in sorted({b.measure for b in bands if not b.dialysis}):
        ordered = sorted(
            (b for b in bands if b.measure == measure and not b.dialysis),
            key=lambda b: float("-inf") if b.low is None else b.low,
        )
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.high is None or b.low is None:
                notes.append(f"bands {a.describe()} and {b.describe()} overlap")
            elif a.high < b.low or (a.high == b.low and a.high_open and b.low_open):
                notes.append(f"gap between {a.describe()} and {b.describe()}: a value there is checked by the gap rule")
            elif a.high == b.low and not a.high_open and not b.low_open:
                edge = fmt_number(a.high)
                notes.append(
                    f"bands {a.describe()} and {b.describe()} share the edge {edge}: the stricter applies at it"
                )
            elif a.high > b.low:
                notes.append(f"bands {a.describe()} and {b.describe()} overlap: the stricter applies there")
    return notes
