"""Deterministic dose checking: dose rules as data (corpus/rules/*.toml), a dose-expression parser, and check_dose."""
from assistant.dosing.check import check_dose
from assistant.dosing.parse import ParsedDose, ParseFailure, parse_dose
from assistant.dosing.rules import DrugRules, RulesError, load_rules

__all__ = ["check_dose", "load_rules", "parse_dose", "ParsedDose", "ParseFailure", "DrugRules", "RulesError"]
