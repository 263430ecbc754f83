"""Rules-data models for who the limits cover and how named patient states map to a rule's own bands.

Kept apart from rules.py so that schema growth for other limits (CrCl bands, mg/kg) merges cleanly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.types import RenalImpairment, RuleSource

# 'adult' is the default population of every rule; the others are patient facts the Patient model reads.
PopulationCode = Literal["adult", "paediatric", "pregnancy", "breastfeeding"]
DEFAULT_COVERS: tuple[PopulationCode, ...] = ("adult",)
# A rules file with no [populations] covers adults only, from this age (shown as an assumption with every check).
DEFAULT_ADULT_MIN_AGE = 18.0
# How a message names a population when the file gives no label of its own.
DEFAULT_LABELS: dict[str, str] = {
    "paediatric": "in children",
    "pregnancy": "in pregnancy",
    "breastfeeding": "during breastfeeding",
    "adult": "in adults",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Populations(_Strict):
    """Who counts as an adult, and how the answer names each population (all per drug, as data)."""

    adult_min_age: float = Field(gt=0, description="Age in years from which a patient is an adult for these rules.")
    assumption: str | None = Field(
        default=None, description="Set when the corpus names no age: what was assumed and why."
    )
    source: RuleSource | None = Field(default=None, description="Corpus text stating the age, when it does.")
    labels: dict[PopulationCode, str] = Field(
        default_factory=dict,
        description="How a message names each population after 'dosing', e.g. paediatric = 'in children'.",
    )

    @model_validator(mode="after")
    def _backed(self) -> Populations:
        if not self.assumption and self.source is None:
            raise ValueError("adult_min_age needs a source or an assumption")
        return self

    def label(self, code: str) -> str:
        return self.labels.get(code) or DEFAULT_LABELS.get(code, f"for the population '{code}'")  # type: ignore[call-overload]


class RenalImpairmentBands(_Strict):
    """Which named renal impairments fall under the rule's avoid band and which under its reduce band.

    The bands themselves (and their citations) stay in `general.renal`; this only maps words to them.
    A named state listed in neither is not mapped: the renal limits cannot be checked from it.
    """

    avoid: list[RenalImpairment] = Field(default_factory=list, description="Named states under the avoid band.")
    reduce: list[RenalImpairment] = Field(default_factory=list, description="Named states under the reduce band.")

    @model_validator(mode="after")
    def _disjoint(self) -> RenalImpairmentBands:
        both = set(self.avoid) & set(self.reduce)
        if both:
            raise ValueError(f"renal impairment {sorted(both)} is in both the avoid and the reduce band")
        return self
