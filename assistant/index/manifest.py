"""The hash manifest of the last ingest: which corpus files (by content hash) made which store version.

A re-ingest whose files all hash as before, against a store still at the recorded version, changes nothing: it is
answered from the manifest without parsing a document or reading the store.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.index.library import fingerprint as fingerprint  # re-exported: the ingest's name for it
from assistant.index.version import VERSION_KEY, store_metadata

CORPUS_GLOB = "*.md"  # kept for callers; fingerprint() reads every guideline suffix (load.guideline_files)


class Manifest(BaseModel):
    """What the last complete ingest saw and produced."""

    version: str = Field(description="Store version (collection metadata) that the ingest left.")
    files: dict[str, str] = Field(description="Corpus file name → sha256 of its bytes.")
    documents: dict[str, int] = Field(description="doc_id → chunk count, as the ingest reported it.")
    errors: list[str] = Field(default_factory=list, description="One-line load errors of that ingest.")
    total: int = Field(description="Chunks in the store after the ingest.")


def manifest_path(data_dir: Path, collection: str) -> Path:
    return data_dir / "index" / collection / "manifest.json"


def read_manifest(path: Path) -> Manifest | None:
    try:
        return Manifest.model_validate_json(path.read_text())
    except (OSError, ValueError):
        return None


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write atomically: a crash mid-write leaves the old manifest (or none), never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest.model_dump(), sort_keys=True))
    tmp.replace(path)


def unchanged(path: Path, files: dict[str, str], collection) -> Manifest | None:
    """The last manifest when the corpus files and the store are exactly as it recorded them, else None."""
    manifest = read_manifest(path)
    if manifest is None or manifest.files != files:
        return None
    if store_metadata(collection).get(VERSION_KEY) != manifest.version or collection.count() != manifest.total:
        return None
    return manifest
