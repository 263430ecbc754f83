"""Deterministic dose checking: dose rules as data (corpus/rules/*.toml), a dose-expression parser, and check_dose."""

from assistant.dosing.check import check_dose
from assistant.dosing.loader import load_rules
from assistant.dosing.parse import (
    ParsedDose,
    ParseFailure,
    dose_readings,
    parse_dose,
    read_dose,
)
from assistant.dosing.readings import check_readings
from assistant.dosing.rules import DrugRules, RulesError
from assistant.dosing.scenarios import range_readings

__all__ = [
    "DrugRules",
    "ParseFailure",
    "ParsedDose",
    "RulesError",
    "check_dose",
    "check_readings",
    "dose_readings",
    "load_rules",
    "parse_dose",
    "range_readings",
    "read_dose",
]
