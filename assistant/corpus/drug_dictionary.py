"""The offline drug dictionary (drug-named-entity-recognition), compiled once into a read-only SQLite lookup.

Importing the package unpickles its whole dictionary (~2 s, ~375 MB) on every process start; a question needs only
the few words it contains. So the package's exact-match tables (variant → canonical names) are written once per
package version into `<model_dir>/drug-dictionary-<version>.sqlite` (at ingest, or on first use), and a lookup reads
only the rows of the words asked about. `find_drug_names` gives the same matches as the package's
`find_drugs(tokens, is_ignore_case=True)` — a test compares the two on every question of the eval suites.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

PACKAGE = "drug-named-entity-recognition"
_BATCH = 500  # SQLite's bound-parameter limit is far above this; keeps one statement small
_lock = threading.Lock()
_connections: dict[Path, sqlite3.Connection] = {}


def compiled_path(model_dir: Path) -> Path:
    """Where the compiled lookup of the installed dictionary version lives."""
    return model_dir / f"drug-dictionary-{version(PACKAGE)}.sqlite"


def compile_dictionary(model_dir: Path) -> Path:
    """Write the lookup for the installed dictionary (atomic; does nothing when it is already there)."""
    target = compiled_path(model_dir)
    if target.exists():
        return target
    from drug_named_entity_recognition.drugs_finder import (  # the ~2 s import, paid once per package version
        drug_canonical_to_data,
        drug_variant_to_canonical,
        drug_variant_to_variant_data,
    )

    rows = []
    for variant, canonicals in drug_variant_to_canonical.items():
        names = [
            str(
                (dict(drug_canonical_to_data.get(m, {})) | drug_variant_to_variant_data.get(variant, {})).get(
                    "name", ""
                )
            )
            for m in canonicals
        ]
        rows.append((variant, json.dumps(names)))
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp = model_dir / f".{target.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as db:
        db.execute("CREATE TABLE variants (variant TEXT PRIMARY KEY, names TEXT NOT NULL) WITHOUT ROWID")
        db.executemany("INSERT INTO variants VALUES (?, ?)", rows)
    db.close()
    tmp.replace(target)
    return target


def _connection(model_dir: Path) -> sqlite3.Connection:
    with _lock:
        if model_dir not in _connections:
            path = compile_dictionary(model_dir)
            _connections[model_dir] = sqlite3.connect(
                f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
            )
        return _connections[model_dir]


def _lookup(keys: set[str], model_dir: Path) -> dict[str, list[str]]:
    db = _connection(model_dir)
    ordered = sorted(keys)
    found: dict[str, list[str]] = {}
    with _lock:  # one connection shared by the sessions' threads
        for start in range(0, len(ordered), _BATCH):
            part = ordered[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            for variant, names in db.execute(f"SELECT variant, names FROM variants WHERE variant IN ({marks})", part):
                found[variant] = json.loads(names)
    return found


@lru_cache(maxsize=1)
def _default_model_dir() -> Path:
    from assistant.settings import Settings

    return Settings().model_dir


def find_drug_names(tokens: list[str], model_dir: Path | None = None) -> list[tuple[str, int, int]]:
    """(dictionary name, first token, end token) for every exact match, as `find_drugs(tokens, is_ignore_case=True)`:
    two-word names first (both words then taken), then single words not taken; several canonical drugs for one
    variant give one match each."""
    return find_drug_names_in_each([tokens], model_dir)[0]


def find_drug_names_in_each(texts: list[list[str]], model_dir: Path | None = None) -> list[list[tuple[str, int, int]]]:
    """`find_drug_names` for each token list, with one look-up for all of them (a library's titles at start-up)."""
    pairs = [[f"{a} {b}".lower() for a, b in zip(tokens, tokens[1:], strict=False)] for tokens in texts]
    keys = {k for tokens, two in zip(texts, pairs, strict=True) for k in (*two, *(t.lower() for t in tokens))}
    table = _lookup(keys, model_dir or _default_model_dir()) if keys else {}
    return [_matches(tokens, two, table) for tokens, two in zip(texts, pairs, strict=True)]


def _matches(tokens: list[str], pairs: list[str], table: dict[str, list[str]]) -> list[tuple[str, int, int]]:
    matches: list[tuple[str, int, int]] = []
    taken: set[int] = set()
    for i, pair in enumerate(pairs):
        if pair in table:
            matches.extend((name, i, i + 2) for name in table[pair])
            taken.update((i, i + 1))
    for i, token in enumerate(tokens):
        if i not in taken and (names := table.get(token.lower())):
            matches.extend((name, i, i + 1) for name in names)
            taken.add(i)
    return matches
