"""Read guideline documents (Markdown, plain text, PDF; front matter optional) and validate them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.admission import DEFAULT_MAX_BYTES, file_problem, front_matter_problem, id_problem
from assistant.corpus.documents import TEXT_SUFFIXES, DocumentError, guideline_from_text
from assistant.corpus.pdf import guideline_from_pdf
from assistant.errors import AssistantError
from assistant.types import Guideline

PDF_SUFFIX = ".pdf"
GUIDELINE_SUFFIXES = (*TEXT_SUFFIXES, PDF_SUFFIX)


class CorpusError(AssistantError, ValueError):
    """A corpus folder or document that cannot be used; the message is one line."""


@dataclass(frozen=True)
class LoadResult:
    """Documents that loaded, and one-line problems for those that did not."""

    guidelines: list[Guideline]
    errors: list[str]
    failed_files: list[str]


def parse_document(path: Path) -> Guideline:
    """Parse one .md/.txt file; raise CorpusError with a one-line reason when it is unusable."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if "\x00" in raw:
        raise CorpusError(f"{path.name}: binary content")
    if not raw.strip():
        raise CorpusError(f"{path.name}: empty document")
    return parse_text_document(path, raw)


def parse_text_document(path: Path, raw: str, display_file: str | None = None) -> Guideline:
    """Markdown or plain text, front matter optional; raise CorpusError naming the file."""
    if problem := front_matter_problem(raw):  # YAML aliases and the like, before any YAML is parsed
        raise CorpusError(f"{path.name}: {problem}")
    try:
        return guideline_from_text(path, raw, display_file=display_file)
    except DocumentError as exc:
        raise CorpusError(f"{path.name}: {exc}") from None


def parse_any(path: Path, display_file: str | None = None) -> Guideline:
    """A guideline file of any supported kind (.md, .markdown, .txt, .pdf)."""
    if path.suffix.lower() == PDF_SUFFIX:
        try:
            return guideline_from_pdf(path, display_file=display_file)
        except DocumentError as exc:
            raise CorpusError(f"{path.name}: {exc}") from None
    doc = parse_document(path)
    return doc.model_copy(update={"file": display_file}) if display_file else doc


def guideline_files(folder: Path) -> list[Path]:
    """Entries directly in a folder named like guideline files, sorted by name. Not filtered to regular files:
    a directory, FIFO or dangling link with such a name is reported by `admitted`, never silently dropped."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in GUIDELINE_SUFFIXES)


def admitted(path: Path, max_bytes: int, display_file: str | None = None) -> Guideline:
    """Parse one entry after the checks every document passes (regular file, size; then its id)."""
    if problem := file_problem(path, max_bytes):
        raise CorpusError(f"{path.name}: {problem}")
    doc = parse_any(path, display_file=display_file)
    if problem := id_problem(doc.id):
        raise CorpusError(f"{path.name}: {problem}")
    return doc


def _emptied(path: Path) -> bool:
    """A regular file with no text at all (only whitespace): its guideline was withdrawn."""
    try:
        return path.is_file() and not path.read_bytes().strip()
    except OSError:
        return False


def load_corpus(corpus_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES, extra: list[Path] | None = None) -> LoadResult:
    """Load every guideline file in the folder, then the `extra` files (ingested from elsewhere, shown by full path).

    A bad document is reported and skipped, never blocks the others.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory not found: {corpus_dir}")
    guidelines: list[Guideline] = []
    errors: list[str] = []
    failed: list[str] = []
    seen: dict[str, str] = {}
    named = [(p, None) for p in guideline_files(corpus_dir)] + [(p, str(p)) for p in extra or []]
    for path, shown in named:
        name = shown or path.name
        try:
            doc = admitted(path, max_bytes, display_file=shown)
        except CorpusError as exc:
            errors.append(str(exc) if shown is None else f"{shown}: {str(exc).split(': ', 1)[-1]}")
            if not _emptied(path):  # an emptied file withdraws its guideline; an unreadable one keeps its chunks
                failed.append(name)
            continue
        if doc.id in seen:
            errors.append(f"{name}: id '{doc.id}' already used by {seen[doc.id]}")
            failed.append(name)
            continue
        seen[doc.id] = name
        guidelines.append(doc)
    return LoadResult(guidelines=guidelines, errors=errors, failed_files=failed)
