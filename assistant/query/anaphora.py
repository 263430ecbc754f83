"""A dose referred back to across patients: 'what about the same dose for the next patient who is 80 with eGFR 25?'
checks the earlier dose for the new patient. Only the dose (its drug, route and what could not be read about it)
is carried; the new patient's facts replace the old ones (assistant/query/facts.py `start_of_current_patient`)."""

from __future__ import annotations

from assistant.query.doses import DoseReading
from assistant.query.lexicon import Lexicon

MAX_CARRIED = 8  # patients a dose is followed back through ('the same again' after 'the same dose ...')


def refers_back(message: str, lexicon: Lexicon) -> bool:
    """The message points to a dose written before ('the same dose', 'that dose', 'is it ok for her')."""
    pattern = lexicon.patterns.get("followup.same_dose")
    return bool(pattern and pattern.search(message))


def carried(readings: list[DoseReading]) -> list[DoseReading]:
    """The doses an earlier patient's readings check, as doses of their own for the new patient: the change or the
    interval they came with belongs to the earlier patient, so it is left behind."""
    out: list[DoseReading] = []
    for r in readings:
        if any(c.dose == r.dose and c.starting == r.starting for c in out):
            continue
        label = f"the same dose as before, {r.dose}{' as a first dose' if r.starting else ''}, for this patient"
        out.append(DoseReading(dose=r.dose, starting=r.starting, label=label))
    return out


def lost(message: str) -> str:
    """Why there is no dose to check when the one referred to could not be followed back."""
    return f"'{message.strip()[:60]}' refers to an earlier dose that could not be found, so no dose was checked"
