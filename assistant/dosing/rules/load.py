"""Reading dose-rule files: schema problems per file, validated and combined rules per drug, cached per folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from assistant.dosing.rules.quotes import cited_value_problems
from assistant.dosing.rules.merge import combine
from assistant.dosing.rules.schema import DrugRules, RulesError
from assistant.errors import one_line


def _error_line(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{loc}: Extra inputs are not permitted (the rules schema cannot express '{err['loc'][-1]}')"
    return f"{loc}: {one_line(err['msg'])}"


def rules_file_problems(path: Path) -> tuple[DrugRules | None, list[str]]:
    """The rules when they fit the schema (else None) and every problem found, one line each, without the file
    name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"cannot read ({exc})"]
    except tomllib.TOMLDecodeError as exc:
        return None, [f"invalid TOML: {exc}"]
    try:
        rules = DrugRules.model_validate(data)
    except ValidationError as exc:
        return None, [_error_line(dict(e)) for e in exc.errors()]
    problems = cited_value_problems(rules, rules.drug)
    if rules.drug != path.stem.lower():
        problems.insert(0, f"drug '{rules.drug}' does not match the file name")
    return rules, problems


def load_rules_file(path: Path) -> DrugRules:
    """Load and validate one rules file; raise RulesError with a one-line message naming every problem."""
    rules, problems = rules_file_problems(path)
    if rules is None or problems:
        raise RulesError(f"{path.name}: {'; '.join(problems)}")
    return combine(rules)


_cache: dict[tuple[str, tuple[tuple[str, int], ...]], dict[str, DrugRules]] = {}


def load_rules(rules_dir: Path) -> dict[str, DrugRules]:
    """All rules files in the folder (`Settings.rules_dir`), keyed by lower-case drug name. Cached until a file
    changes."""
    folder = Path(rules_dir)
    if not folder.is_dir():
        raise RulesError(f"rules folder not found: {folder}")
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RulesError(f"no *.toml rules files in {folder}")
    key = (str(folder.resolve()), tuple((f.name, f.stat().st_mtime_ns) for f in files))
    if key not in _cache:
        _cache[key] = {r.drug: r for r in map(load_rules_file, files)}
    return _cache[key]
