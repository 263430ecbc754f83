"""The values a rule is made of: a cited number, a cited range, a regimen, a statement, a titration step, a
sodium stop. Each carries the corpus text that states it (RuleSource)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.types import Patient, RuleSource


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limit(StrictModel):
    """One number with the corpus text that states it."""

    value: float = Field(description="The number, in `unit`.")
    unit: str = Field(description="e.g. 'mg/day', 'days', 'years', 'mmol/L', 'mL/min/1.73m²'.")
    source: RuleSource
    stated_as: str | None = Field(
        default=None, description="How the quote words the number when not in digits ('weekly' = 7 days)."
    )
    assumption: str | None = Field(
        default=None, description="Set when the number is NOT in the corpus: what was assumed and why. Configurable."
    )

    def text(self) -> str:
        return f"{fmt(self.value)} {self.unit}"

    def cited_numbers(self) -> list[float]:
        return [] if self.assumption or self.stated_as else [self.value]

    def cited_words(self) -> list[str]:
        return [self.stated_as] if self.stated_as and not self.assumption else []


class RangeLimit(StrictModel):
    """A low–high range with the corpus text that states it."""

    low: float
    high: float
    unit: str
    source: RuleSource
    stated_as: str | None = Field(
        default=None, description="The quote's words for the range when its numbers are in other units (e.g. mL)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> RangeLimit:
        if self.low > self.high:
            raise ValueError(f"range low {self.low} is above high {self.high}")
        return self

    def text(self) -> str:
        span = fmt(self.low) if self.low == self.high else f"{fmt(self.low)}–{fmt(self.high)}"
        return f"{span} {self.unit}"

    def cited_numbers(self) -> list[float]:
        return [] if self.stated_as else [self.low, self.high]

    def cited_words(self) -> list[str]:
        return [self.stated_as] if self.stated_as else []


class Regimen(StrictModel):
    """A stated regimen, e.g. '5 mg three times daily'."""

    single_mg: float
    doses_per_day: int
    stated_as: str = Field(description="The frequency words in the quote, e.g. 'three times daily'.")
    source: RuleSource

    def text(self) -> str:
        return f"{fmt(self.single_mg)} mg {self.stated_as}"

    def cited_numbers(self) -> list[float]:
        return [self.single_mg]

    def cited_words(self) -> list[str]:
        return [self.stated_as]


class Statement(StrictModel):
    """A rule without a number (a stop criterion, a monitoring duty), with its corpus text."""

    code: str = Field(description="Machine code, e.g. 'acute_kidney_injury'.")
    text: str = Field(description="Short plain-language statement.")
    source: RuleSource
    patient_state: str | None = Field(
        default=None,
        description="The true/false Patient field this statement is about (e.g. 'aki'): a stop criterion then stops "
        "the drug when the fact is stated true, and the fact counts as used by the rule.",
    )

    @model_validator(mode="after")
    def _known_state(self) -> Statement:
        state = self.patient_state
        if state is not None and (state not in Patient.model_fields or Patient.field_kind(state) != "bool"):
            raise ValueError(f"patient_state '{state}' is not a true/false patient field")
        return self


class Titration(StrictModel):
    """Largest allowed increase and the shortest interval between increases."""

    step_daily_mg: Limit
    min_interval_days: Limit


class SodiumStop(StrictModel):
    """Serum sodium below which the drug is stopped, and what verdict that gives for this rule."""

    below: Limit
    verdict: Literal["contraindicated", "caution"]
    note: str | None = Field(
        default=None, description="Why this verdict (e.g. the criterion comes from another indication's guideline)."
    )


def fmt(x: float) -> str:
    """A number without a trailing '.0'."""
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"
