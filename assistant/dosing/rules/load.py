"""Reading dose-rule files: schema problems per file, validated and combined rules per drug, cached per folder.

Rules fail closed, file by file: a file with any problem — unreadable, nested beyond reason, outside the schema,
a number its quote does not state, a quote that is not in the cited guideline, a second file for the same drug — is
refused as a whole, and its drug is then unable_to_check naming why. The other drugs keep working.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from assistant.dosing.rules.merge import combine
from assistant.dosing.rules.quotes import cited_value_problems, document_problems
from assistant.dosing.rules.schema import DrugRules, RulesError
from assistant.errors import one_line

MAX_RULES_FILE_BYTES = 1_000_000  # a rules file is a page of limits; anything far larger is not one


class RuleSet(dict[str, DrugRules]):
    """The usable rules by lower-case drug name; `refused` names every drug (or file) whose rules were refused,
    with the one-line reason; `corpus_dir` is the library they were checked against (its reader data reads a
    route written inside a dose), None when loaded without one."""

    def __init__(self, usable: Mapping[str, DrugRules], refused: Mapping[str, str]) -> None:
        super().__init__(usable)
        self.refused: dict[str, str] = dict(refused)
        self.corpus_dir: Path | None = None


def refused_reason(rules: Mapping[str, DrugRules], drug: str) -> str | None:
    """Why the rules of a drug were refused at load, or None (not refused, or rules not loaded by load_rules)."""
    refused = getattr(rules, "refused", {})
    return refused.get(drug.strip().lower()) if isinstance(refused, dict) else None


def _error_line(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{loc}: Extra inputs are not permitted (the rules schema cannot express '{err['loc'][-1]}')"
    return f"{loc}: {one_line(err['msg'])}"


def _read_toml(path: Path) -> dict | str:
    """The file's data, or why it cannot be read. Parsed on its own: a hostile file fails alone."""
    try:
        if path.stat().st_size > MAX_RULES_FILE_BYTES:
            return f"too large for a rules file (over {MAX_RULES_FILE_BYTES:,} bytes)"
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot read ({exc})"
    except tomllib.TOMLDecodeError as exc:
        return f"invalid TOML: {exc}"
    except (RecursionError, MemoryError):
        return "cannot be parsed: nested too deeply"


def rules_file_problems(path: Path, documents: Mapping[str, str] | None = None) -> tuple[DrugRules | None, list[str]]:
    """The rules when they fit the schema (else None) and every problem found, one line each, without the file
    name. With `documents` (doc id → text), every quote must also be in the document it cites."""
    data = _read_toml(path)
    if isinstance(data, str):
        return None, [data]
    try:
        rules = DrugRules.model_validate(data)
    except ValidationError as exc:
        return None, [_error_line(dict(e)) for e in exc.errors()]
    except (RecursionError, MemoryError):
        return None, ["cannot be validated: nested too deeply"]
    problems = cited_value_problems(rules, rules.drug)
    if documents is not None:
        problems += document_problems(rules, documents)
    if rules.drug != path.stem.lower():
        problems.insert(0, f"drug '{rules.drug}' does not match the file name")
    return rules, problems


def load_rules_file(path: Path, documents: Mapping[str, str] | None = None) -> DrugRules:
    """Load and validate one rules file; raise RulesError with a one-line message naming every problem."""
    rules, problems = rules_file_problems(path, documents)
    if rules is None or problems:
        raise RulesError(f"{path.name}: {'; '.join(problems)}")
    try:
        return combine(rules)
    except RulesError as exc:
        raise RulesError(f"{path.name}: {exc}") from None


def _load_folder(files: list[Path], documents: Mapping[str, str] | None) -> RuleSet:
    usable: dict[str, DrugRules] = {}
    refused: dict[str, str] = {}
    by_drug: dict[str, list[Path]] = {}
    for path in files:
        by_drug.setdefault(path.stem.lower(), []).append(path)
    for drug, paths in by_drug.items():
        if len(paths) > 1:  # never let one silently replace the other
            names = ", ".join(p.name for p in paths)
            refused[drug] = f"{len(paths)} rules files for {drug} ({names}): keep one"
            continue
        try:
            usable[drug] = load_rules_file(paths[0], documents)
        except RulesError as exc:
            refused[drug] = one_line(exc)
    return RuleSet(usable, refused)


def _documents_key(documents: Mapping[str, str] | None) -> str:
    if documents is None:
        return ""
    return hashlib.sha256(json.dumps(sorted(documents.items())).encode("utf-8")).hexdigest()


_cache: dict[tuple[str, tuple[tuple[str, int, int], ...], str], RuleSet] = {}


def load_rules(rules_dir: Path, documents: Mapping[str, str] | None = None) -> RuleSet:
    """All rules files in the folder (`Settings.rules_dir`), keyed by lower-case drug name; refused files are
    listed in `.refused`. With `documents` (doc id → text, the library) every quote is checked against the
    document it cites. Cached until a file or a document changes. Raises RulesError only for a missing or empty
    folder."""
    folder = Path(rules_dir)
    if not folder.is_dir():
        raise RulesError(f"rules folder not found: {folder}")
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RulesError(f"no *.toml rules files in {folder}")
    stamps = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    key = (str(folder.resolve()), stamps, _documents_key(documents))
    if key not in _cache:
        _cache[key] = _load_folder(files, documents)
    return _cache[key]
