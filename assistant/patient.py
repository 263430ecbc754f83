"""The patient facts that change dose limits, and their plausible bounds (corpus/patient_fields.toml).

Re-exported by `assistant.types`, so `from assistant.types import Patient` keeps working.
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from typing import Annotated, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, model_validator

from assistant.settings import REPO_ROOT

PATIENT_FIELDS_FILE = REPO_ROOT / "corpus" / "patient_fields.toml"
RenalImpairment = Literal["mild", "moderate", "severe", "kidney_failure"]
AgeGroup = Literal["child", "adult", "older_adult"]
ChildPugh = Literal["A", "B", "C"]
StrictNumber = Annotated[float, Strict()]  # a JSON true is not an eGFR of 1


@lru_cache(maxsize=1)
def patient_bounds() -> dict[str, tuple[float, float, str]]:
    """Plausible (min, max, unit) per numeric patient field, from corpus/patient_fields.toml."""
    data = tomllib.loads(PATIENT_FIELDS_FILE.read_text(encoding="utf-8"))
    return {k: (float(v["min"]), float(v["max"]), str(v["unit"])) for k, v in data.get("numbers", {}).items()}


@lru_cache(maxsize=1)
def facts_noted_when_unused() -> frozenset[str]:
    """Patient fields whose stated value only gives a note when no rule uses it (corpus/patient_fields.toml)."""
    data = tomllib.loads(PATIENT_FIELDS_FILE.read_text(encoding="utf-8"))
    return frozenset(
        k
        for section in data.values()
        for k, v in section.items()
        if isinstance(v, dict) and v.get("if_unused") == "note"
    )


class Patient(BaseModel):
    """Patient facts that change dose limits. None means unknown (never mentioned)."""

    model_config = ConfigDict(extra="forbid")

    egfr: StrictNumber | None = Field(default=None, description="eGFR in mL/min/1.73m².")
    crcl: StrictNumber | None = Field(default=None, description="Creatinine clearance in mL/min (not an eGFR).")
    dialysis: StrictBool | None = Field(default=None, description="On dialysis / renal replacement therapy.")
    cirrhosis: StrictBool | None = Field(default=None, description="Has liver cirrhosis.")
    age: StrictNumber | None = Field(default=None, description="Age in years.")
    sodium: StrictNumber | None = Field(default=None, description="Serum sodium in mmol/L.")
    weight: StrictNumber | None = Field(default=None, description="Body weight in kg.")
    aki: StrictBool | None = Field(default=None, description="Acute kidney injury now.")
    renal_impairment: RenalImpairment | None = Field(
        default=None, description="Renal impairment named in words, no number."
    )
    pregnant: StrictBool | None = Field(default=None, description="Pregnant.")
    breastfeeding: StrictBool | None = Field(default=None, description="Breastfeeding.")
    age_group: AgeGroup | None = Field(default=None, description="Age group named in words when no age is given.")
    child_pugh: ChildPugh | None = Field(default=None, description="Child-Pugh class of liver disease (A, B or C).")

    @model_validator(mode="after")
    def _plausible(self) -> Patient:
        for key, (low, high, unit) in patient_bounds().items():
            value = getattr(self, key, None)
            if value is not None and not (math.isfinite(value) and low <= value <= high):
                raise ValueError(f"{key} {value:g} is outside the plausible range {low:g}–{high:g} {unit}")
        return self

    @classmethod
    def field_kind(cls, key: str) -> Literal["number", "bool", "choice"]:
        """How a field's value is written: a number, true/false, or one of fixed words."""
        if key in patient_bounds():
            return "number"
        return "choice" if cls.field_choices(key) else "bool"

    @classmethod
    def field_choices(cls, key: str) -> tuple[str, ...]:
        """The words a category field accepts (empty for numbers and true/false fields)."""
        annotation = cls.model_fields[key].annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        return tuple(get_args(args[0])) if args and get_args(args[0]) and get_origin(args[0]) is Literal else ()

    def known(self) -> dict[str, float | bool | str]:
        """Only the facts that are set."""
        return {k: v for k, v in self.model_dump().items() if v is not None}

    def merged_over(self, base: Patient) -> Patient:
        """These facts win; the base fills what is unknown here."""
        return Patient.model_validate({**base.known(), **self.known()})
