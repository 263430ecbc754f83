"""The library manifest: guideline files ingested from outside the corpus folder.

`<data_dir>/library.json` records each file's absolute path, content hash and when it was added or last
changed, so that every later ingest (and a rebuild) includes it again without the user naming it.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.corpus.load import GUIDELINE_SUFFIXES, CorpusError, guideline_files
from assistant.settings import Settings

MANIFEST_NAME = "library.json"


class LibraryEntry(BaseModel):
    """One guideline file outside the corpus folder."""

    path: str = Field(description="Absolute path of the file.")
    sha256: str = Field(description="Content hash when it was last ingested (empty when it could not be read).")
    added: str = Field(description="ISO time it was first ingested.")
    changed: str = Field(description="ISO time its content hash last changed.")


def manifest_path(settings: Settings) -> Path:
    return settings.data_dir / MANIFEST_NAME


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def fingerprint(corpus_dir: Path) -> dict[str, str]:
    """sha256 of every corpus file (every suffix load_corpus reads), by name; reads the files, parses none."""
    if not corpus_dir.is_dir():
        return {}
    return {p.name: file_hash(p) for p in guideline_files(corpus_dir)}


def read_manifest(settings: Settings) -> list[LibraryEntry]:
    """The recorded files; a missing manifest is an empty library, a corrupt one a one-line CorpusError."""
    path = manifest_path(settings)
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [LibraryEntry.model_validate(e) for e in data.get("files", [])]
    except (OSError, ValueError, AttributeError, ValidationError) as exc:
        raise CorpusError(
            f"library manifest {path} is unreadable ({str(exc).splitlines()[0]}); fix or delete it"
        ) from None


def _write_manifest(settings: Settings, entries: list[LibraryEntry]) -> None:
    """Write atomically: a crash mid-write never leaves a half manifest."""
    path = manifest_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"files": [e.model_dump() for e in entries]}, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def expand(paths: list[Path], corpus_dir: Path) -> list[Path]:
    """Guideline files named directly or found in named folders; those in the corpus folder are left out."""
    corpus = corpus_dir.resolve()
    found: list[Path] = []
    for given in paths:
        path = given.expanduser().resolve()
        if path.is_dir():
            files = guideline_files(path)
            if not files:
                raise CorpusError(f"{given}: no guideline files ({', '.join(GUIDELINE_SUFFIXES)}) in this folder")
        elif path.is_file():
            if path.suffix.lower() not in GUIDELINE_SUFFIXES:
                raise CorpusError(f"{given}: not a guideline file (expected {', '.join(GUIDELINE_SUFFIXES)})")
            files = [path]
        else:
            raise CorpusError(f"{given}: no such file or folder")
        found += [f for f in files if f.parent != corpus and f not in found]
    return found


def record(settings: Settings, paths: list[Path]) -> list[LibraryEntry]:
    """Add these files to the manifest (or refresh their hash) and return the whole manifest."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    entries = {e.path: e for e in read_manifest(settings)}
    for path in expand(paths, settings.corpus_dir):
        digest = file_hash(path)
        old = entries.get(str(path))
        if old is None:
            entries[str(path)] = LibraryEntry(path=str(path), sha256=digest, added=now, changed=now)
        elif old.sha256 != digest:
            entries[str(path)] = old.model_copy(update={"sha256": digest, "changed": now})
    ordered = sorted(entries.values(), key=lambda e: e.path)
    _write_manifest(settings, ordered)
    return ordered


def refresh(settings: Settings) -> tuple[list[Path], list[str]]:
    """Recorded files that still exist (hashes updated) and one line for each that has gone missing."""
    entries = read_manifest(settings)
    if not entries:
        return [], []
    present = [Path(e.path) for e in entries if Path(e.path).is_file()]
    missing = [
        f"{e.path}: recorded in the library but missing; its chunks stay in the index"
        for e in entries
        if not Path(e.path).is_file()
    ]
    if present:
        record(settings, present)
    return present, missing
