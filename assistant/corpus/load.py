"""Read guideline documents (`corpus/*.md` with a small YAML front matter) and validate them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.errors import AssistantError, one_line
from assistant.types import Guideline

REQUIRED_FIELDS = ("id", "title", "source", "date")


class CorpusError(AssistantError, ValueError):
    """A corpus folder or document that cannot be used; the message is one line."""


@dataclass(frozen=True)
class LoadResult:
    """Documents that loaded, and one-line problems for those that did not."""

    guidelines: list[Guideline]
    errors: list[str]
    failed_files: list[str]


def parse_document(path: Path) -> Guideline:
    """Parse one .md file; raise CorpusError with a one-line reason when it is unusable."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if "\x00" in raw:
        raise CorpusError(f"{path.name}: binary content")
    if not raw.strip():
        raise CorpusError(f"{path.name}: empty document")
    if not raw.startswith("---"):
        raise CorpusError(f"{path.name}: missing front matter (--- id/title/source/date ---)")
    parts = raw.split("---", 2)
    if len(parts) < 3:
        raise CorpusError(f"{path.name}: front matter is not closed with ---")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path.name}: front matter is not valid YAML ({one_line(exc)})") from None
    if not isinstance(meta, dict):
        raise CorpusError(f"{path.name}: front matter must be key: value lines")
    missing = [f for f in REQUIRED_FIELDS if not meta.get(f)]
    if missing:
        raise CorpusError(f"{path.name}: front matter lacks {', '.join(missing)}")
    body = parts[2].strip("\n")
    if not body.strip():
        raise CorpusError(f"{path.name}: no text after the front matter")
    try:
        return Guideline(**{f: str(meta[f]) for f in REQUIRED_FIELDS}, text=body, file=path.name)
    except ValidationError as exc:
        raise CorpusError(f"{path.name}: {one_line(exc)}") from None


def load_corpus(corpus_dir: Path) -> LoadResult:
    """Load every .md in the folder; a bad document is reported and skipped, never blocks the others."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory not found: {corpus_dir}")
    guidelines: list[Guideline] = []
    errors: list[str] = []
    failed: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(corpus_dir.glob("*.md")):
        try:
            doc = parse_document(path)
        except CorpusError as exc:
            errors.append(str(exc))
            failed.append(path.name)
            continue
        if doc.id in seen:
            errors.append(f"{path.name}: id '{doc.id}' already used by {seen[doc.id]}")
            failed.append(path.name)
            continue
        seen[doc.id] = path.name
        guidelines.append(doc)
    return LoadResult(guidelines=guidelines, errors=errors, failed_files=failed)
