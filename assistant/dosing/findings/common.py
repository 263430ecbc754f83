"""What every finding module shares: building a Finding from a verdict, and ranking verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.dosing.reading.parse import ParsedDose, ParseFailure
from assistant.dosing.rules.schema import Statement
from assistant.types import Finding, Patient, RuleSource, Severity, Verdict, verdict_rank

RANK: dict[Verdict, int] = {
    "unable_to_check": -1,
    "within_limits": 0,
    "caution": 1,
    "exceeds_titration_step": 2,
    "above_max": 3,
    "contraindicated": 4,
}
_SEVERITY: dict[str, Severity] = {
    "contraindicated": "hard",
    "above_max": "hard",
    "exceeds_titration_step": "soft",
    "caution": "soft",
    "unable_to_check": "soft",
}


def finding(
    code: str, verdict: Verdict, message: str, limit: str | None = None, source: RuleSource | None = None
) -> Finding:
    """A Finding whose severity follows from its verdict (hard stop, soft stop or info)."""
    return Finding(
        code=code,
        severity=_SEVERITY.get(verdict, "info"),
        verdict=verdict,
        message=message,
        limit=limit,
        citation=source,
    )


def worst(findings: list[Finding]) -> Verdict:
    """The most severe verdict among the findings (within_limits when there are none)."""
    return max((f.verdict for f in findings), key=RANK.__getitem__, default="within_limits")


def headline_rank(verdict: Verdict) -> int:
    """Rank of a verdict when several readings are checked: the highest is the headline."""
    return verdict_rank(verdict)  # the one verdict order, beside Verdict in assistant.types


def statements(code: str, items: list[Statement], prefix: str) -> list[Finding]:
    return [finding(code, "within_limits", f"{prefix}{s.text}.", None, s.source) for s in items]


@dataclass(frozen=True)
class DoseContext:
    """One dose in context, already read: what the finding modules need beyond the rule itself."""

    drug: str  # the rules' canonical drug name, for messages
    patient: Patient
    dose: ParsedDose | ParseFailure
    previous_text: str | None  # the current dose as written (None: no current dose given)
    previous: ParsedDose | ParseFailure | None
    interval_days: float | None
    starting: bool
    formulation: str | None
    co_medications: tuple[str, ...] = ()
    converted: str | None = None  # a volume read through a concentration, said as a finding

    @property
    def previous_read(self) -> ParsedDose | None:
        """The current dose when it could be read."""
        return self.previous if isinstance(self.previous, ParsedDose) else None
