"""The numbers an answer may state: the one pool the guard enforces, the LLM checks refine and the eval measures.

A number is supported when it is in the text of a chunk the sentence cites, in the clinician's own words (the
question, every user turn, patient facts passed in), or behind the dose checker: its structured doses, the patient
facts it used, each finding's limit and the corpus quote that limit cites, and the readings of an ambiguous dose.
Free text in finding messages and reasons is not support on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.dosing.reading.parse import ParseFailure, read_dose
from assistant.text.quantities import Quantity, extract
from assistant.types import DoseCheck, Patient


def _fact_values(facts: Iterable[object]) -> list[Quantity]:
    """Numeric patient facts (true/false and named states such as 'moderate' are not numbers)."""
    return [Quantity(float(v)) for v in facts if isinstance(v, int | float) and not isinstance(v, bool)]


def checker_quantities(check: DoseCheck | None, words: bool = False) -> list[Quantity]:
    """The numbers the dose checker stands behind."""
    if check is None:
        return []
    doses = (check.single_dose_mg, check.daily_dose_mg, check.daily_dose_max_mg)
    pool = [Quantity(v, "mass") for v in doses if v is not None]
    pool += [Quantity(check.doses_per_day)] if check.doses_per_day is not None else []
    pool += _fact_values(check.patient.values()) + extract(check.dose, words)
    readings = read_dose(check.dose)
    if isinstance(readings, ParseFailure):  # an ambiguous dose names its readings ('1 mg or 1000 mg')
        pool += extract(" ".join(readings.alternatives), words)
    for f in check.findings:
        pool += extract(f.limit or "", words) + (extract(f.citation.quote, words) if f.citation else [])
    return pool


def support_pool(
    cited: Iterable[str] = (),
    given: Iterable[str] = (),
    dose_check: DoseCheck | None = None,
    patient: Patient | None = None,
    words: bool = False,
) -> list[Quantity]:
    """Quantities an answer may state: those of the cited texts, of the clinician's texts (`given`), of the patient
    facts and of the dose check. `words` also reads number words ('twice'), for the guard's value comparison."""
    pool = [q for text in [*cited, *given] for q in extract(text, words)]
    pool += _fact_values(patient.known().values()) if patient is not None else []
    return pool + checker_quantities(dose_check, words)
