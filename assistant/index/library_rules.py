"""The rules as the product uses them: every rules file checked against the guideline library it cites (the
corpus folder and the library manifest's files), so a quote that is not in its document, or a document that is
not in the library, refuses that file at load — the same check `validate-rules` reports."""

from __future__ import annotations

from pathlib import Path

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import CorpusError, guideline_files, load_corpus
from assistant.dosing.rules.load import RuleSet, load_rules
from assistant.index.library import read_manifest
from assistant.index.rules_cache import cache_key, read_cached, write_cached
from assistant.settings import Settings

_Stamp = tuple[tuple[str, int, int], ...]
_texts: dict[tuple[str, int], tuple[_Stamp, dict[str, str]]] = {}


def _stamp(paths: list[Path]) -> _Stamp:
    """Name, size and time of each file: the library is read again only when one of them changes."""
    out = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            stat = None
        out.append((str(path), stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1))
    return tuple(out)


def library_texts(settings: Settings) -> dict[str, str]:
    """doc id → text of every readable guideline of the library; an unreadable library is an empty one, so
    every rule citing it is refused (fail closed). Cached until a file of the library changes."""
    try:
        extra = [Path(e.path) for e in read_manifest(settings) if Path(e.path).is_file()]
        stamp = _stamp([*guideline_files(settings.corpus_dir), *extra])
    except (CorpusError, OSError):
        return {}
    key = (str(settings.corpus_dir), settings.max_document_bytes)
    if key not in _texts or _texts[key][0] != stamp:
        _texts[key] = (stamp, _read_texts(settings, extra))
    return _texts[key][1]


def _read_texts(settings: Settings, extra: list[Path]) -> dict[str, str]:
    try:
        loaded = load_corpus(settings.corpus_dir, settings.max_document_bytes, extra=extra)
    except CorpusError:
        return {}
    # A quote may be the document's words or a chunk's (a PDF table row is cited as the chunk renders it).
    return {
        g.id: "\n".join([g.title, " ".join(g.drugs), g.text, *(c.text for c in chunk_guideline(g))])
        for g in loaded.guidelines
    }


def library_rules(settings: Settings, rules_dir: Path | None = None) -> RuleSet:
    """The rules of `rules_dir` (default: the settings' rules folder), checked against the library; a previous
    start's result is reused when no rules file, library file or program file changed (`rules_cache`)."""
    folder = Path(rules_dir or settings.rules_dir)
    key = cache_key(settings, folder) if folder.is_dir() and any(folder.glob("*.toml")) else None
    rules = read_cached(settings, key) if key else None
    if rules is None:
        rules = load_rules(folder, library_texts(settings))
        if key:
            write_cached(settings, key, rules)
    rules.corpus_dir = settings.corpus_dir  # the cache key holds the library's text, so this is that library
    return rules
