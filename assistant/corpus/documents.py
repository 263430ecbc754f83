"""Markdown and plain-text guidelines, with or without a YAML front matter.

Front matter is optional metadata: without it the id comes from the file name and the title from the first
heading or line. The document is sectioned by its headings later, in `chunk.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.types import Guideline

TEXT_SUFFIXES = (".md", ".markdown", ".txt")
_ID_CHARS = re.compile(r"[^a-z0-9]+")


class DocumentError(ValueError):
    """A document that cannot be used; the message is one line without the file name."""


def id_from_name(path: Path) -> str:
    """'Apixaban Renal Dosing (2024).md' → 'apixaban-renal-dosing-2024'."""
    return _ID_CHARS.sub("-", path.stem.lower()).strip("-") or "document"


def first_heading_or_line(body: str) -> str:
    """The first Markdown heading, else the first non-empty line, without '#' marks."""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    heading = next((ln for ln in lines if ln.startswith("#")), None)
    return (heading or lines[0]).lstrip("#").strip() if lines else ""


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(v).strip() for v in items if str(v).strip()]


def split_front_matter(raw: str) -> tuple[dict[str, object], str]:
    """(metadata, body); metadata is empty when the file has no front matter."""
    if not raw.startswith("---"):
        return {}, raw
    parts = raw.split("---", 2)
    if len(parts) < 3:
        raise DocumentError("front matter is not closed with ---")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(meta, dict):
        raise DocumentError("front matter must be key: value lines")
    return meta, parts[2].strip("\n")


def guideline_from_text(path: Path, raw: str, display_file: str | None = None) -> Guideline:
    """A Guideline from the text of a .md/.txt file; raise DocumentError with a one-line reason."""
    meta, body = split_front_matter(raw)
    if not body.strip():
        raise DocumentError("no text after the front matter" if meta else "empty document")
    return make_guideline(path, meta, body, display_file=display_file)


def make_guideline(
    path: Path, meta: dict[str, object], body: str, line_pages: list[int] | None = None, display_file: str | None = None
) -> Guideline:
    """Fill what the front matter leaves out from the file name and the text itself."""
    drugs = _as_list(meta.get("drug")) + _as_list(meta.get("drugs"))
    superseded = meta.get("superseded_by")
    fields = {
        "id": str(meta.get("id") or id_from_name(path)),
        "title": str(meta.get("title") or first_heading_or_line(body)),
        "source": str(meta.get("source") or ""),
        "date": str(meta.get("date") or ""),
        "drugs": [d.lower() for d in drugs],
        "indications": _as_list(meta.get("indications")),
        "superseded_by": str(superseded) if superseded else None,
    }
    if not fields["title"]:
        raise DocumentError("no title (no heading and no text)")
    try:
        return Guideline.model_validate(
            {**fields, "text": body, "file": display_file or path.name, "line_pages": line_pages or []}
        )
    except ValidationError as exc:
        raise DocumentError(str(exc.errors()[0]["msg"])) from None
