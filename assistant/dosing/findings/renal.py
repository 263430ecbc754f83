"""Findings for renal bands (bands.py): the band(s) the patient's CrCl or eGFR falls in decide.

Safety: unknown kidney function with a band that would not allow the dose is a caution, never within limits; an
eGFR is never used for a CrCl band (or the reverse).
"""

from __future__ import annotations

from assistant.dosing.findings.common import finding
from assistant.dosing.reading.parse import ParsedDose, parse_dose
from assistant.dosing.rules.bands import MEASURE_LABEL, RenalBand, fmt_number
from assistant.dosing.rules.schema import General, fmt
from assistant.types import Finding, Patient, Verdict


def doses_per_day(frequency: str | None) -> float | None:
    """Doses per day of a quoted frequency ('every 12 hours' → 2), read by the dose reader itself."""
    if not frequency:
        return None
    parsed = parse_dose(f"1 mg {frequency}")
    return parsed.doses_per_day if isinstance(parsed, ParsedDose) else None


def _band_breaches(band: RenalBand, dose: ParsedDose, weight: float | None = None) -> list[str]:
    """What in the dose this band does not allow (empty when it allows the dose)."""
    if band.avoid:
        return ["the guideline says not to use it"]
    out: list[str] = []
    n_band = doses_per_day(band.frequency)
    single = dose.single_max_mg if dose.single_max_mg is not None else dose.single_mg
    if band.single_high_mg is not None:
        if single is not None and single > band.single_high_mg:
            out.append(f"{fmt_number(single)} mg per dose is above {fmt_number(band.single_high_mg)} mg")
        elif single is None and n_band and dose.daily_high_mg > band.single_high_mg * n_band:
            out.append(
                f"{fmt_number(dose.daily_high_mg)} mg/day is more than "
                f"{fmt_number(band.single_high_mg)} mg {band.frequency}"
            )
    if band.per_kg_high is not None and weight and single is not None and single / weight > band.per_kg_high + 1e-9:
        out.append(
            f"{fmt_number(round(single / weight, 2))} mg/kg per dose is above {fmt_number(band.per_kg_high)} mg/kg"
        )
    if n_band and dose.doses_per_day is not None and dose.doses_per_day > n_band:
        out.append(f"{fmt_number(dose.doses_per_day)} doses/day is more often than {band.frequency}")
    if band.max_daily_mg is not None and dose.daily_high_mg > band.max_daily_mg:
        out.append(f"{fmt_number(dose.daily_high_mg)} mg/day is above {fmt_number(band.max_daily_mg)} mg/day")
    return out


def _band_text(band: RenalBand) -> str:
    parts = ["avoid" if band.avoid else ""]
    if band.single_high_mg is not None:
        low = f"{fmt_number(band.single_low_mg)}–" if band.single_low_mg is not None else "up to "
        parts.append(f"{low}{fmt_number(band.single_high_mg)} mg {band.frequency or 'per dose'}")
    if band.per_kg_high is not None:
        parts.append(f"up to {fmt_number(band.per_kg_high)} mg/kg {band.frequency or 'per dose'}")
    if band.max_daily_mg is not None:
        parts.append(f"at most {fmt_number(band.max_daily_mg)} mg/day")
    if band.note:
        parts.append(band.note)
    return "; ".join(p for p in parts if p)


def renal_band_findings(
    bands: list[RenalBand], dose: ParsedDose, patient: Patient, drug: str, label: str
) -> list[Finding]:
    """The band(s) the patient is in decide; unknown renal function with a band that would object → caution."""
    if not bands:
        return []
    for_dialysis = [b for b in bands if b.dialysis]
    if patient.dialysis and not for_dialysis:  # never the normal-function limits for a patient on dialysis
        return [_dialysis_unaddressed(bands, label)]
    notes: list[Finding] = []
    if patient.dialysis:
        applying = for_dialysis
    else:
        applying, notes = _bands_holding(bands, patient)
    out = notes + _applying_findings(applying, dose, patient, drug, label)
    if applying or notes or patient.dialysis:
        return out
    unknown = [b for b in bands if not b.dialysis and _value(b, patient) is None]
    return out + _unknown_findings(unknown, dose, patient, label)


def _bands_holding(bands: list[RenalBand], patient: Patient) -> tuple[list[RenalBand], list[Finding]]:
    """The bands the patient's stated value lies in. A value between two bands whose edges are at most one unit
    apart ("30 to 59", "60 or above") is checked against both, said as an assumption; a wider gap, or a value
    below every band, cannot be checked (never the overall limits alone). Above every band the band-free limits
    apply: guidelines list bands for impaired function."""
    holding: list[RenalBand] = []
    notes: list[Finding] = []
    for measure in dict.fromkeys(b.measure for b in bands if not b.dialysis):
        same = [b for b in bands if b.measure == measure and not b.dialysis]
        value = _value(same[0], patient)
        if value is None:
            continue
        inside = [b for b in same if b.contains(value)]
        if inside:
            holding += inside
            continue
        name, unit = MEASURE_LABEL[measure]
        below = max(
            (b for b in same if b.high is not None and b.high <= value), key=lambda b: b.high or 0, default=None
        )
        above = min((b for b in same if b.low is not None and b.low >= value), key=lambda b: b.low or 0, default=None)
        stated = f"{name} {fmt(value)} {unit}"
        if below is not None and above is not None and (above.low or 0) - (below.high or 0) <= 1:
            holding += [below, above]
            notes.append(
                finding(
                    "renal_band_gap",
                    "within_limits",
                    f"{stated} lies between the bands {below.describe()} and {above.describe()}: "
                    "both were checked and the stricter applies (assumed).",
                    None,
                    below.source,
                )
            )
        elif below is not None and above is None:
            continue  # better function than every band states: the band-free limits apply, as the rules say
        else:
            listing = "; ".join(b.describe() for b in same)
            notes.append(
                finding(
                    "renal_band_none",
                    "unable_to_check",
                    f"{stated} is in no band of these rules ({listing}), so the renal limits could not be checked.",
                    None,
                    same[0].source,
                )
            )
    return holding, notes


def _dialysis_unaddressed(bands: list[RenalBand], label: str) -> Finding:
    covered = "; ".join(b.describe() for b in bands)
    return finding(
        "renal_state_unaddressed",
        "caution",
        f"On dialysis: the renal bands of these rules ({covered}) do not address dialysis, so the dose could not "
        f"be checked against a dialysis limit ({label}).",
        None,
        bands[0].source,
    )


def _applying_findings(
    applying: list[RenalBand], dose: ParsedDose, patient: Patient, drug: str, label: str
) -> list[Finding]:
    """The bands the patient is in: a dose they forbid is a stop, else their limits are shown."""
    out: list[Finding] = []
    for band in applying:
        breaches = _band_breaches(band, dose, patient.weight)
        where = f"{band.describe()} ({label})"
        if band.limits_nothing:  # a note is no limit: the dose cannot be shown to fit it, so never green
            out.append(finding("renal_band_note", "caution", f"{where}: {band.note}.", None, band.source))
            continue
        if breaches:
            verdict: Verdict = "contraindicated" if band.avoid else "above_max"
            out.append(
                finding(
                    "renal_band",
                    verdict,
                    f"{where}: {'; '.join(breaches)} for {drug}.",
                    f"{band.describe()}: {_band_text(band)}",
                    band.source,
                )
            )
        else:
            out.append(
                finding(
                    "renal_band",
                    "within_limits",
                    f"{where}: {_band_text(band)}.",
                    f"{band.describe()}: {_band_text(band)}",
                    band.source,
                )
            )
    return out


def _unknown_findings(unknown: list[RenalBand], dose: ParsedDose, patient: Patient, label: str) -> list[Finding]:
    """Bands whose measure was not given: the ones this dose would break are a caution."""
    out: list[Finding] = []
    objecting = [b for b in unknown if _band_breaches(b, dose, patient.weight)]
    for band in unknown:
        name, _ = MEASURE_LABEL[band.measure]
        other = (
            " (an eGFR was given; the guideline states CrCl, and one is not used for the other)"
            if band.measure == "crcl" and patient.egfr is not None
            else ""
        )
        verdict: Verdict = "caution" if band in objecting else "within_limits"
        lead = f"{name} not given{other}: if {band.describe()}, " + (
            "this dose is too high — " if verdict == "caution" else ""
        )
        out.append(
            finding(
                "renal_band_unknown",
                verdict,
                f"{lead}{_band_text(band)} ({label}).",
                f"{band.describe()}: {_band_text(band)}",
                band.source,
            )
        )
    return out


def _value(band: RenalBand, patient: Patient) -> float | None:
    return patient.crcl if band.measure == "crcl" else patient.egfr


def renal(general: General, patient: Patient, drug: str) -> list[Finding]:
    """Avoid at low eGFR or on dialysis (hard stop); reduce in the middle band (caution)."""
    r = general.renal
    if r is None:
        return []
    avoid, band = r.avoid_egfr_below, r.reduce_egfr
    if patient.dialysis:
        return [
            finding(
                "renal_avoid",
                "contraindicated",
                f"On renal replacement therapy: {r.avoid_dialysis.text}.",
                "renal replacement therapy",
                r.avoid_dialysis.source,
            )
        ]
    if patient.egfr is not None and patient.egfr < avoid.value:
        return [
            finding(
                "renal_avoid",
                "contraindicated",
                f'eGFR {fmt(patient.egfr)} is below {avoid.text()}: avoid {drug} — "{avoid.source.quote}".',
                f"eGFR < {avoid.text()}",
                avoid.source,
            )
        ]
    if patient.egfr is not None and band.low <= patient.egfr <= band.high:
        return [
            finding(
                "renal_reduce",
                "caution",
                f'eGFR {fmt(patient.egfr)} is within {band.text()}: "{band.source.quote}". '
                "The rule gives no reduced dose, so the dose was checked against the usual limits only.",
                f"eGFR {band.text()}",
                band.source,
            )
        ]
    known = "not given, so not checked" if patient.egfr is None else f"{fmt(patient.egfr)}, so this does not apply"
    return [
        finding(
            "renal_avoid",
            "within_limits",
            f"Avoid below eGFR {avoid.text()} or on renal replacement therapy (eGFR {known}).",
            f"eGFR < {avoid.text()}",
            avoid.source,
        ),
        finding(
            "renal_reduce",
            "within_limits",
            f"Reduce the dose at eGFR {band.text()} (eGFR {known}).",
            f"eGFR {band.text()}",
            band.source,
        ),
    ]
