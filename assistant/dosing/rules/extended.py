"""Rule values for what real guidelines say beyond a maximum (each optional, each cited; see docs/rules-format.md):
co-medication rules, a stepped ladder, a per-dose titration step, hepatic (Child-Pugh) bands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.dosing.rules.values import Limit
from assistant.types import RuleSource

ChildPugh = Literal["A", "B", "C"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Interaction(_Strict):
    """Another drug the guideline says must not, or only with care, be taken with this one."""

    drugs: list[str] = Field(min_length=1, description="The other drugs, as the guideline names them (generic).")
    verdict: Literal["contraindicated", "caution"] = Field(description="What taking them together gives.")
    text: str = Field(min_length=3, description="Short plain-language statement shown with the verdict.")
    source: RuleSource

    @model_validator(mode="after")
    def _named_in_quote(self) -> Interaction:
        quote = self.source.quote.lower()
        missing = [d for d in self.drugs if d.lower() not in quote]
        if missing and not any(w in quote for w in ("inhibitor", "inducer", "class", "drugs")):
            raise ValueError(f"interaction: the quote names none of {', '.join(missing)} (nor a class of drugs)")
        return self

    def names(self) -> set[str]:
        return {d.strip().lower() for d in self.drugs}


class Ladder(_Strict):
    """Fixed daily-dose levels climbed one at a time ('5 → 10 → 15 → 20 mg/day, at least a week each')."""

    steps_daily_mg: list[float] = Field(min_length=2, description="The levels in mg/day, lowest first.")
    min_days: Limit = Field(description="Shortest time on a level before the next (unit 'days'), with its own quote.")
    source: RuleSource

    @model_validator(mode="after")
    def _rising(self) -> Ladder:
        if any(b <= a for a, b in zip(self.steps_daily_mg, self.steps_daily_mg[1:], strict=False)):
            raise ValueError("ladder steps_daily_mg must rise")
        return self

    def cited_numbers(self) -> list[float]:
        return list(self.steps_daily_mg)

    @property
    def days(self) -> float:
        return self.min_days.value

    def level(self, daily_mg: float) -> int | None:
        return next((i for i, s in enumerate(self.steps_daily_mg) if abs(s - daily_mg) < 1e-9), None)


class PerDoseStep(_Strict):
    """The largest increase of each single dose ('increase by 2 to 4 mg per dose')."""

    step_single_mg: float = Field(gt=0, description="Largest increase of one dose, mg.")
    source: RuleSource

    def cited_numbers(self) -> list[float]:
        return [self.step_single_mg]


class HepaticBand(_Strict):
    """Limits for patients in a Child-Pugh class (the patient field `child_pugh`)."""

    child_pugh: list[ChildPugh] = Field(min_length=1, description="The classes the band is for, e.g. ['C'].")
    avoid: bool = Field(default=False, description="The guideline says not to use the drug in these classes.")
    max_daily_mg: float | None = Field(default=None, description="Highest total daily dose in these classes, mg.")
    caution: str | None = Field(default=None, description="A statement that makes any dose a caution here.")
    source: RuleSource

    @model_validator(mode="after")
    def _says_something(self) -> HepaticBand:
        if not (self.avoid or self.max_daily_mg is not None or self.caution):
            raise ValueError("a hepatic band needs avoid, max_daily_mg or caution")
        return self

    def cited_numbers(self) -> list[float]:
        return [self.max_daily_mg] if self.max_daily_mg is not None else []

    def describe(self) -> str:
        return "Child-Pugh " + "/".join(self.child_pugh)


class Concentration(_Strict):
    """A liquid's strength ('10 g/15 mL'), so a dose written in mL can be checked in mg."""

    mg: float = Field(gt=0, description="The amount of drug, in mg, in `ml` millilitres.")
    ml: float = Field(gt=0, description="The volume holding `mg`.")
    stated_as: str = Field(
        description="The quote's words for the strength, e.g. '15 mL of lactulose solution contains 10 g'."
    )
    formulations: list[str] = Field(
        default_factory=list, description="Formulation keys it is for (default: every dose written in mL)."
    )
    source: RuleSource

    def cited_words(self) -> list[str]:
        return [self.stated_as]

    @property
    def mg_per_ml(self) -> float:
        return self.mg / self.ml


class Schedule(_Strict):
    """One accepted way of giving the drug ('70 mg once weekly' or '10 mg once daily'): with schedules listed, any
    other single dose or interval is a caution."""

    single_mg: float = Field(gt=0, description="The single dose, mg.")
    every_days: float = Field(gt=0, description="Days between doses (1 daily, 7 weekly).")
    stated_as: str = Field(description="The quote's words for it, e.g. '70 mg once weekly'.")
    source: RuleSource

    def cited_words(self) -> list[str]:
        return [self.stated_as]
