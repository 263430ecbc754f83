"""Validated rules kept on disk between starts, keyed by content: every rules file's bytes, every library file's
bytes and the code that validates them.

Checking each rules file against the guideline text it quotes means reading and chunking the whole library, on every
start (seconds for a library of thousands of documents). A result is reused only when nothing it was computed from
changed, hashed, not timed: a changed rules file, guideline, library entry or program is a miss and is validated
again. Refused files are kept as refused, so a cached start refuses exactly what a fresh one would. A cache that
cannot be read or written costs the validation, never the result.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import ValidationError

from assistant.dosing.rules.load import RuleSet
from assistant.dosing.rules.schema import DrugRules
from assistant.index.library import file_hash, fingerprint, read_manifest
from assistant.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CACHE_DIR = "rules-cache"
KEPT = 8  # results of earlier library states kept (switching back and forth stays fast)


def _code_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(settings: Settings, rules_dir: Path) -> str | None:
    """sha256 over the program, the rules files and the library's files; None when one cannot be read."""
    try:
        rules = {p.name: file_hash(p) for p in sorted(rules_dir.glob("*.toml"))}
        extra = {e.path: file_hash(Path(e.path)) for e in read_manifest(settings) if Path(e.path).is_file()}
        library = fingerprint(settings.corpus_dir)
    except Exception:  # any unreadable input: validate afresh, which reports it
        return None
    parts = [_code_hash(), str(settings.corpus_dir.resolve()), str(settings.max_document_bytes), rules, extra, library]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _path(settings: Settings, key: str) -> Path:
    return settings.data_dir / CACHE_DIR / f"{key}.json"


def read_cached(settings: Settings, key: str) -> RuleSet | None:
    try:
        data = json.loads(_path(settings, key).read_text(encoding="utf-8"))
        usable = {drug: DrugRules.model_validate(rules) for drug, rules in data["usable"].items()}
        return RuleSet(usable, {str(k): str(v) for k, v in data["refused"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return None


def write_cached(settings: Settings, key: str, rules: RuleSet) -> None:
    data = {
        "usable": {drug: r.model_dump(mode="json") for drug, r in rules.items()},
        "refused": rules.refused,
    }
    path = _path(settings, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
        for old in sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-KEPT]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # read-only data dir: the next start validates again
