"""Dose rules as data: `corpus/rules/<drug>.toml`, validated on load; every limit cites the corpus."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from assistant.dosing.rules.bands import Formulation, MinInterval, PerKgDose, RenalBand
from assistant.dosing.rules.extended import Concentration, HepaticBand, Interaction, Ladder, PerDoseStep, Schedule
from assistant.dosing.rules.populations import (
    DEFAULT_ADULT_MIN_AGE,
    DEFAULT_COVERS,
    PopulationCode,
    Populations,
    RenalImpairmentBands,
)
from assistant.dosing.rules.quotes import primary_document
from assistant.dosing.rules.values import (
    Limit,
    RangeLimit,
    Regimen,
    SodiumStop,
    Statement,
    StrictModel,
    Titration,
    fmt,
)
from assistant.errors import AssistantError
from assistant.types import RuleSource

# Rule values live in values.py and are re-exported here, where rule types are looked up.
__all__ = [
    "DrugRules",
    "General",
    "GeneralText",
    "Indication",
    "IndicationRule",
    "Limit",
    "OlderAdults",
    "RangeLimit",
    "Regimen",
    "Renal",
    "Route",
    "RulesError",
    "SodiumStop",
    "Statement",
    "StrictModel",
    "Titration",
    "fmt",
]


class RulesError(AssistantError, ValueError):
    """A rules folder or file that cannot be used; the message is one line naming the file."""


class IndicationRule(StrictModel):
    """Limits for one route × indication (× population)."""

    route: str = Field(description="A key of DrugRules.routes.")
    indication: str = Field(description="A key of DrugRules.indications.")
    population: str | None = Field(
        default=None, description="Who the limits were stated for, e.g. 'adults 16 years and older'."
    )
    covers: list[PopulationCode] = Field(
        default_factory=lambda: list(DEFAULT_COVERS),
        description="Populations these limits may be used for; children, pregnancy and breastfeeding only when listed.",
    )
    start_daily_mg: RangeLimit | None = Field(
        default=None, description="Starting daily dose (low == high for one number)."
    )
    start_regimen: Regimen | None = None
    usual_daily_mg: list[RangeLimit] = Field(
        default_factory=list, description="Usual maintenance ranges (information only)."
    )
    max_daily_mg: Limit | None = Field(default=None, description="Maximum total daily dose: above it is above_max.")
    titration: Titration | None = Field(
        default=None, description="Numeric titration limits; None when the corpus gives none."
    )
    titration_note: Statement | None = Field(default=None, description="Non-numeric titration advice.")
    doses_per_day: RangeLimit | None = Field(default=None, description="Doses per day; outside it is a caution.")
    sodium_stop: SodiumStop | None = None
    stop_criteria: list[Statement] = Field(
        default_factory=list, description="Stop criteria that are not patient fields (listed as info)."
    )
    monitoring: list[Statement] = Field(default_factory=list)
    notes: list[Statement] = Field(
        default_factory=list, description="Other statements shown as info (population, evidence)."
    )
    # Additions for other guidelines (bands.py): each optional, each cited.
    max_single_dose_mg: Limit | None = Field(default=None, description="Maximum single dose: above it is above_max.")
    min_interval: MinInterval | None = Field(default=None, description="Shortest time between doses.")
    renal_bands: list[RenalBand] = Field(default_factory=list, description="Limits by CrCl/eGFR band, this indication.")
    per_kg: PerKgDose | None = Field(default=None, description="Weight-based dose (mg/kg); needs the patient's weight.")
    formulations: dict[str, Formulation] = Field(default_factory=dict, description="Maxima per formulation.")
    # What real guidelines say beyond a maximum (rules/extended.py), each optional, each cited.
    min_age: Limit | None = Field(default=None, description="Youngest age (years) the rule is for, inclusive.")
    max_age: Limit | None = Field(default=None, description="Oldest age (years) the rule is for, inclusive.")
    max_doses_per_day: Limit | None = Field(default=None, description="Most doses in 24 hours: more is above_max.")
    max_weekly_mg: Limit | None = Field(
        default=None, description="Most per week at the stated frequency (weekly schedules): more is above_max."
    )
    caution_single_above_mg: Limit | None = Field(
        default=None, description="A single dose above this is a caution (e.g. 'not studied'), not a hard maximum."
    )
    range_daily_mg: RangeLimit | None = Field(
        default=None, description="Usual daily range with no hard maximum (titrate to effect): outside is a caution."
    )
    ladder: Ladder | None = Field(default=None, description="Daily-dose levels climbed one at a time.")
    per_dose_step: PerDoseStep | None = Field(default=None, description="Largest increase of each single dose.")
    hepatic_bands: list[HepaticBand] = Field(default_factory=list, description="Limits by Child-Pugh class.")
    schedules: list[Schedule] = Field(
        default_factory=list, description="Alternative accepted schedules: any other dose or interval is a caution."
    )
    unchecked: list[Statement] = Field(
        default_factory=list,
        description="What the guideline says that the format cannot hold: a dose is then at most a caution, with it.",
    )

    def ages(self) -> tuple[float | None, float | None]:
        return (self.min_age.value if self.min_age else None, self.max_age.value if self.max_age else None)

    def fits_age(self, age: float | None, adult_from: float, child: bool) -> bool:
        """A stated age inside the bounds ('6 to 14 years' holds 14.9); with no age, only an adult rule bounded
        below at most the adult cut-off; a rule without bounds holds everyone."""
        low, high = self.ages()
        if age is None:
            return (low is None and high is None) or (not child and high is None and (low or 0) <= adult_from)
        return (low is None or age >= low) and (high is None or age < high + 1)

    @model_validator(mode="after")
    def _coherent(self) -> IndicationRule:
        upper = (
            self.max_daily_mg,
            self.range_daily_mg,
            self.ladder,
            self.max_weekly_mg,
            self.max_single_dose_mg,
            self.per_kg,
            self.formulations or None,
            [b for b in self.renal_bands if b.single_high_mg is not None or b.max_daily_mg is not None] or None,
        )
        if all(u is None for u in upper):
            raise ValueError(
                f"{self.indication}: a rule needs an upper limit (max_daily_mg, max_single_dose_mg, per_kg, "
                "formulations, a renal band with a maximum, a ladder, max_weekly_mg) or a usual range (range_daily_mg)"
            )
        if self.max_daily_mg is None:
            return self
        top = self.max_daily_mg.value
        starts = [("start_daily_mg", self.start_daily_mg)] if self.start_daily_mg else []
        for name, r in [*starts, *[("usual_daily_mg", u) for u in self.usual_daily_mg]]:
            if r.high > top:
                raise ValueError(f"{self.indication}: {name} {r.high} is above max_daily_mg {top}")
        return self


class Renal(StrictModel):
    """Renal modifiers: avoid below an eGFR or on dialysis; reduce within an eGFR band."""

    avoid_egfr_below: Limit
    avoid_dialysis: Statement
    reduce_egfr: RangeLimit


class OlderAdults(StrictModel):
    """Caution above a daily dose from a given age."""

    min_age: Limit = Field(
        description="Age from which the caution applies (an assumption when the corpus names no age)."
    )
    caution_above_daily_mg: Limit


class General(StrictModel):
    """Modifiers that apply to every indication on a route that has limits."""

    renal: Renal | None = None
    renal_bands: list[RenalBand] = Field(
        default_factory=list, description="Limits by CrCl/eGFR band, every indication."
    )
    older_adults: OlderAdults | None = None
    renal_impairment: RenalImpairmentBands | None = Field(default=None, description="Named renal states → bands.")
    hepatic_bands: list[HepaticBand] = Field(default_factory=list, description="Limits by Child-Pugh class.")
    abrupt_discontinuation: list[Statement] = Field(default_factory=list)


class Route(StrictModel):
    """A route, its accepted spellings, and (when the corpus has no limits) why it cannot be checked."""

    aliases: list[str] = Field(description="Accepted spellings, compared lower-case without dots.")
    no_limits_reason: str | None = Field(
        default=None, description="When set, every dose on this route is unable_to_check with this reason."
    )
    source: RuleSource | None = None


class Indication(StrictModel):
    """An indication and its accepted spellings."""

    label: str = Field(description="Plain-language name, e.g. 'partial-onset seizures'.")
    aliases: list[str] = Field(description="Accepted spellings, compared lower-case with '_' read as a space.")


class GeneralText(StrictModel):
    """Guideline text that states general dosing (not for one indication), and the indications it applies to."""

    marker: str = Field(description="Words that mark such a sentence, e.g. 'general conditions'.")
    applies_to: list[str] = Field(description="Indication keys the general text may answer for.")


class DrugRules(StrictModel):
    """All rules for one drug (one TOML file)."""

    drug: str = Field(description="Lower-case drug name; must match the file name.")
    reviewed_by: str = Field(min_length=1, description="Who checked every value against its quote (name, role).")
    reviewed_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Date of that review, YYYY-MM-DD.")
    general_text: GeneralText | None = Field(default=None, description="Which general guideline text applies where.")
    rxnorm: list[Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}$")]] = Field(
        default_factory=list,
        description="RxNorm concept ids (RXCUI) of the drug's ingredient and products: a coded order (CDS Hooks) "
        "is matched to this file by them.",
    )
    routes: dict[str, Route]
    indications: dict[str, Indication]
    concentrations: list[Concentration] = Field(
        default_factory=list, description="Liquid strengths: a dose in mL is checked in mg through them."
    )
    interactions: list[Interaction] = Field(
        default_factory=list, description="Other drugs that make a dose contraindicated or a caution (any indication)."
    )
    general: General = Field(default_factory=General)
    populations: Populations | None = Field(default=None, description="Adult age cut-off and population names.")
    rules: list[IndicationRule]

    @model_validator(mode="after")
    def _references(self) -> DrugRules:
        seen: dict[tuple[str, str, str], tuple[str, tuple[str, ...]]] = {}
        for r in self.rules:
            if r.route not in self.routes:
                raise ValueError(f"rule for {r.indication}: unknown route '{r.route}'")
            if r.indication not in self.indications:
                raise ValueError(f"rule for route {r.route}: unknown indication '{r.indication}'")
            # A second rule for a population must come from another guideline, for the same populations (combine.py
            # merges them, the stricter limit wins); from the same guideline it is a copy error.
            document, covers = primary_document(r), tuple(sorted(r.covers))
            for covered in r.covers:
                group = f"{covered} {r.ages()}" if r.min_age or r.max_age else str(covered)  # ages stand apart
                previous = seen.get((r.route, r.indication, group))
                if previous is not None and (previous[0] == document or previous[1] != covers):
                    why = f"from the same document '{document}'" if previous[0] == document else "with other `covers`"
                    raise ValueError(f"two rules for {r.route} × {r.indication} × {group} {why}")
                seen[(r.route, r.indication, group)] = (document, covers)
        if self.general.renal_impairment is not None and self.general.renal is None:
            raise ValueError("general.renal_impairment maps named states to general.renal bands, which are missing")
        return self

    def rule(self, route: str, indication: str) -> IndicationRule | None:
        """The adult rule for a canonical route and indication (else the first one), if any."""
        found = [r for r in self.rules if r.route == route and r.indication == indication]
        return next((r for r in found if "adult" in r.covers), found[0] if found else None)

    def rule_for(
        self, route: str, indication: str, groups: frozenset[str], age: float | None = None
    ) -> IndicationRule | None:
        """The rule for a route and indication whose populations cover every group of the patient and whose age
        bounds hold the patient's age; with no age, an age-bounded rule only when it holds every adult."""
        adult = self.populations.adult_min_age if self.populations is not None else DEFAULT_ADULT_MIN_AGE
        child = "paediatric" in groups
        found = (
            r
            for r in self.rules
            if r.route == route
            and r.indication == indication
            and groups <= set(r.covers)
            and r.fits_age(age, adult, child)
        )
        return next(found, None)

    def rules_for_route(self, route: str) -> list[IndicationRule]:
        return [r for r in self.rules if r.route == route]

    def route_key(self, text: str) -> str | None:
        """Canonical route for a spelling ('PO' → 'oral'), or None."""

        def norm(s: str) -> str:
            return " ".join(s.lower().replace(".", "").split())

        t = norm(text)
        return next((k for k, r in self.routes.items() if t == k or t in map(norm, r.aliases)), None)

    def indication_key(self, text: str) -> str | None:
        """Canonical indication for a spelling ('Focal seizures' → 'partial_onset_seizures'), or None."""

        def norm(s: str) -> str:
            return " ".join(s.lower().replace("_", " ").replace("-", " ").split())

        t = norm(text)
        return next((k for k, i in self.indications.items() if t == norm(k) or t in map(norm, i.aliases)), None)
