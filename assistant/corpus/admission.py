"""What may enter the corpus at all: checks that run before and after a document is parsed.

Kept apart from the parsers so every format shares them: a folder entry that is not a regular file (a directory, a
dangling symlink, a FIFO that would block the reader forever), an oversized file, a YAML front matter with anchors
and aliases (an alias bomb expands exponentially) and an id that is a path or a bare number are refused with one line.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import yaml

DEFAULT_MAX_BYTES = 2_000_000
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def file_problem(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """Why this folder entry cannot be read as a document (checked without opening it), or None."""
    try:
        info = path.stat()  # follows symlinks: a dangling one fails here
    except FileNotFoundError:
        return "a symlink to a missing file" if path.is_symlink() else "vanished while reading the folder"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(info.st_mode):
        return "a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (FIFO, socket or device)"
    if info.st_size > max_bytes:
        return (
            f"{info.st_size:,} bytes is over the {max_bytes:,}-byte limit per document (ASSISTANT_MAX_DOCUMENT_BYTES)"
        )
    return None


def front_matter_problem(raw: str) -> str | None:
    """Refuse YAML front matter that uses anchors or aliases before any YAML is built from it."""
    if not raw.startswith("---"):
        return None
    parts = raw.split("---", 2)
    if len(parts) < 3:
        return None  # the parser reports the unclosed block
    try:
        for event in yaml.parse(parts[1], Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return "front matter uses YAML anchors or aliases (& and *), which are not allowed"
    except yaml.YAMLError:
        return None  # the parser reports invalid YAML with its own message
    return None


def id_problem(doc_id: str) -> str | None:
    """A document id is a plain name: letters, digits, '-', '_', '.'; not a path, not a bare number."""
    if not _PLAIN_ID.fullmatch(doc_id) or ".." in doc_id:
        return f"id {doc_id!r} must be a plain name (letters, digits, '-', '_'), not a path"
    if not re.search(r"[A-Za-z]", doc_id):
        return f"id {doc_id!r} must contain a letter (a bare number is easily mistaken for a position)"
    return None
