"""`check-dose` command: one dose (JSON or short text) or a JSONL batch. Light imports only."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from pydantic import ValidationError

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.schema import DrugRules
from assistant.errors import AssistantError, InputError, one_line
from assistant.index.library_rules import library_rules
from assistant.interfaces.jsonl import (
    LineError,
    numbered_lines,
    open_input,
    parse_record,
    write_line,
)
from assistant.settings import Settings
from assistant.types import DoseCheck, Patient

BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
BATCH_KEYS = {"id", *DoseRequest.model_fields}  # a batch line is a DoseRequest with an id


def add_patient_argument(parser: argparse.ArgumentParser, note: str) -> None:
    """The --patient KEY=VALUE option (ask, batch and check-dose share it); the keys are the Patient fields."""
    parser.add_argument(
        "--patient",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help=f"patient facts: {', '.join(Patient.model_fields)} ({note})",
    )


def add_check_dose_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the check-dose options to a parser (or sub-parser)."""
    parser.add_argument("--drug", help="drug name, as its rules file names it (corpus/rules/<drug>.toml)")
    parser.add_argument(
        "--dose", help='dose expression, e.g. "10 mg/day", "5 mg three times daily", "15 mg/kg every 12 hours"'
    )
    parser.add_argument("--indication", help="an indication of the drug's rules file (omit to check every indication)")
    parser.add_argument(
        "--route",
        default=None,
        help="a route of the drug's rules file (default: the route written in the dose, else oral)",
    )
    parser.add_argument("--formulation", help="a formulation of the rule, when its maxima differ by formulation")
    parser.add_argument(
        "--previous-dose", dest="previous_dose", help="current dose expression, to check the titration step"
    )
    parser.add_argument("--interval-days", dest="interval_days", type=float, help="days since the last dose change")
    parser.add_argument(
        "--starting",
        action="store_true",
        help="the dose is a first dose (no current dose): compared with the guideline's starting dose",
    )
    parser.add_argument(
        "--with",
        "--co-medication",
        dest="co_medication",
        action="append",
        metavar="DRUG",
        help="another medicine the patient takes (repeatable): checked against the rules' co-medication rules and "
        "the drug's guideline text; one no rule or sentence speaks to is listed as an assumption",
    )
    add_patient_argument(parser, "corpus/patient_fields.toml, e.g. egfr=45 crcl=40 weight=70 age=70")
    parser.add_argument(
        "--rules-dir",
        dest="rules_dir",
        type=Path,
        help="folder of dose-rule .toml files (default: ASSISTANT_RULES_DIR, else corpus/rules)",
    )
    parser.add_argument("--json", action="store_true", help="print the DoseCheck as one JSON object")
    parser.add_argument(
        "--batch", metavar="FILE.jsonl", help="check one JSON object per line; prints one JSON line each ('-' = stdin)"
    )


def parse_patient(pairs: list[str]) -> dict[str, float | bool | str]:
    """KEY=VALUE strings to patient facts; raise InputError on an unknown key, a bad value or an implausible one."""
    out: dict[str, float | bool | str] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if not sep or not key:
            raise InputError(f"--patient expects KEY=VALUE, got '{pair}'")
        if key not in Patient.model_fields:
            raise InputError(f"unknown patient key '{key}' (known: {', '.join(Patient.model_fields)})")
        if key in out:
            raise InputError(f"patient key '{key}' given twice")
        out[key] = _patient_value(key, raw)
    try:
        # bounds are data (corpus/patient_fields.toml): refuse an implausible value here, by name
        Patient.model_validate(out)
    except ValidationError as exc:
        raise InputError(f"patient {one_line(exc)}") from None
    return out


def _patient_value(key: str, raw: str) -> float | bool | str:
    """One value, typed by the Patient field it is for."""
    kind = Patient.field_kind(key)
    if kind == "bool":
        if raw.lower() not in BOOL_WORDS:
            raise InputError(f"patient {key} must be true or false, got '{raw}'")
        return BOOL_WORDS[raw.lower()]
    if kind != "number":
        allowed = Patient.field_choices(key)
        if raw.lower() not in allowed:
            raise InputError(f"patient {key} must be one of {', '.join(allowed)}, got '{raw}'")
        return raw.lower()
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", raw):  # no '2_5', '1e9', 'nan', 'inf'
        raise InputError(f"patient {key} must be a number, got '{raw}'")
    return float(raw)


def patient_from_json(value: object) -> Patient:
    """A JSON patient object → Patient, values kept as typed (a JSON true is no eGFR); InputError names the field."""
    if not isinstance(value, dict):
        raise InputError("'patient' must be an object")
    try:
        return Patient.model_validate(value)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"]))
        message = str(err["msg"]).removeprefix("Value error, ")
        raise InputError(f"patient {where}: {message}" if where else f"patient {message}") from None


def format_text(result: DoseCheck) -> str:
    """Short human-readable form: verdict line, what was read, then findings with citations."""
    stop = (
        " — HARD STOP"
        if result.hard_stop
        else (" — soft stop" if result.verdict in ("caution", "exceeds_titration_step") else "")
    )
    lines = [
        f"{result.verdict.upper()}{stop}: {result.drug} {result.dose!r}, {result.route}, "
        f"{result.indication or 'no indication given'}"
    ]
    if result.reason:
        lines.append(f"  reason: {result.reason}")
    if result.daily_dose_mg is not None:
        daily = f"{result.daily_dose_mg:g}" + (
            f"–{result.daily_dose_max_mg:g}" if result.daily_dose_max_mg is not None else ""
        )
        single = f"{result.single_dose_mg:g} mg" if result.single_dose_mg is not None else "not stated"
        per_day = f"{result.doses_per_day:g}" if result.doses_per_day is not None else "not stated"
        lines.append(f"  read as: {daily} mg/day; single dose {single}; doses/day {per_day}")
    if result.limits_applied:
        lines.append(f"  limits: {result.limits_applied}")
    for f in result.findings:
        limit = f" (limit {f.limit})" if f.limit else ""
        lines.append(f"  [{f.severity}] {f.code}: {f.message}{limit}")
        if f.citation:
            c = f.citation
            lines.append(f'      source: {c.doc_id} § {c.section}: "{c.quote}"')
    return "\n".join(lines)


def _batch_line(obj: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """(id, check_dose keyword arguments) for one JSON object; raise InputError when unusable."""
    ident = obj.get("id")
    unknown = sorted(set(obj) - BATCH_KEYS)
    if unknown:
        raise InputError(f"unknown key(s): {', '.join(unknown)}", ident)
    for key in ("drug", "dose"):
        if not isinstance(obj.get(key), str):
            raise InputError(f"'{key}' must be a string", ident)
    for key in ("indication", "route", "previous_dose", "formulation"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(f"'{key}' must be a string or null", ident)
    meds = obj.get("co_medications")
    if meds is not None and not (isinstance(meds, list) and all(isinstance(m, str) for m in meds)):
        raise InputError("'co_medications' must be a list of strings or null", ident)
    interval = obj.get("interval_days")
    if interval is not None and (isinstance(interval, bool) or not isinstance(interval, (int, float))):
        raise InputError("'interval_days' must be a number or null", ident)
    if obj.get("starting") is not None and not isinstance(obj["starting"], bool):
        raise InputError("'starting' must be true, false or null", ident)
    kwargs = {k: obj[k] for k in BATCH_KEYS - {"id", "patient"} if obj.get(k) is not None}
    if obj.get("patient") is not None:
        try:
            kwargs["patient"] = patient_from_json(obj["patient"]).known()
        except InputError as exc:
            raise InputError(str(exc), ident) from None
    return ident, kwargs


def run_batch(stream: BinaryIO, out: TextIO, rules: Mapping[str, DrugRules] | None = None) -> int:
    """Check each JSONL line; print one JSON line per non-blank input line, in order. 1 if any line errored."""
    status = 0
    for _number, raw in numbered_lines(stream):
        if not raw.strip():
            continue
        ident: Any = None
        try:
            record = parse_record(raw)
            ident = record.get("id")
            ident, kwargs = _batch_line(record)
        except (InputError, LineError) as exc:
            write_line(out, {"id": exc.record_id if exc.record_id is not None else ident, "error": str(exc)})
            status = 1
            continue
        result = check_dose(kwargs, rules=rules)
        write_line(out, {"id": ident, **result.model_dump(mode="json")})
    return status


def run_check_dose(args: argparse.Namespace) -> int:
    """Run check-dose for parsed arguments. 0 for any verdict; 1 if a batch line failed; 2 on bad input."""
    try:
        rules = library_rules(Settings(), getattr(args, "rules_dir", None))  # checked against the library
        for why in rules.refused.values():  # said once, up front; each check of that drug says it again
            print(f"warning: rules refused: {why}", file=sys.stderr)
        if args.batch:
            try:
                with open_input(args.batch) as stream:
                    return run_batch(stream, sys.stdout, rules)
            except FileNotFoundError as exc:
                raise InputError(f"batch file not found: {args.batch} ({exc})") from None
        if args.drug is None or args.dose is None:
            raise InputError("check-dose needs --drug and --dose (or --batch FILE.jsonl)")
        patient = parse_patient(args.patient or [])
        request = {
            "drug": args.drug,
            "dose": args.dose,
            "indication": args.indication,
            "patient": patient,
            "previous_dose": args.previous_dose,
            "interval_days": args.interval_days,
            "starting": args.starting,
            "formulation": args.formulation,
            "co_medications": args.co_medication or [],
        }
        if args.route is not None:  # unset: the route written in the dose, else the default
            request["route"] = args.route
        result = check_dose(request, rules=rules)
    # ValidationError: an ASSISTANT_* setting; OSError: an unreadable batch file
    except (AssistantError, UnicodeDecodeError, ValidationError, OSError) as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False) if args.json else format_text(result))
    return 0
