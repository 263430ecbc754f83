"""What an answer was made from: app version and content hashes of the corpus, the rules and the index.

Recorded with every audit entry, so an answer can be reproduced from the same inputs (or shown to differ).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE = "guideline-assistant"


def app_version() -> str:
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def folder_hash(folder: Path, pattern: str = "*") -> str:
    """sha256 over the names and bytes of the regular files directly in `folder` (sorted): equal iff same content."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.glob(pattern) if p.is_file()):
            digest.update(path.name.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def index_hash(chunk_ids: Iterable[str]) -> str:
    """sha256 over the sorted chunk ids (content hashes): the same index text gives the same value."""
    return hashlib.sha256("\n".join(sorted(chunk_ids)).encode("ascii")).hexdigest()[:16]


def provenance(corpus_dir: Path, rules_dir: Path, index_sha256: str) -> dict[str, str]:
    """The fields every audit entry carries; `index_sha256` is `index_hash` of the index's chunk ids (computed
    once at ingest, so start-up does not walk the library)."""
    return {
        "app_version": app_version(),
        "corpus_sha256": folder_hash(corpus_dir),
        "rules_sha256": folder_hash(rules_dir, "*.toml"),
        "index_sha256": index_sha256,
    }
