"""Route words written inside a dose expression, as reader data (corpus/reader.toml [route_words])."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

READER_FILE = "reader.toml"
SHIPPED_CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def reader_path(corpus_dir: str | Path) -> Path | None:
    """The library's reader data (general clinical language: roles of numbers, populations, route words), else the
    shipped one — a library of other guidelines need not copy it to read ages, kidney function or frequencies."""
    for folder in (Path(corpus_dir), SHIPPED_CORPUS):
        if (folder / READER_FILE).is_file():
            return folder / READER_FILE
    return None


@lru_cache(maxsize=8)
def route_words(corpus_dir: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(general route, pattern of its spellings as whole words), longest spellings first."""
    path = reader_path(corpus_dir)
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path is not None else {}
    out = []
    for route, words in data.get("route_words", {}).items():
        spellings = sorted({str(w).lower() for w in [route, *words]}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in spellings)
        out.append((route, re.compile(rf"(?<![\w/.])(?:{alternatives})(?![\w/])", re.IGNORECASE)))
    return tuple(out)


def route_in(text: str, corpus_dir: Path) -> tuple[str, str, str] | None:
    """(general route, the words as written, the text without them) for the first route named in the text."""
    found = [(m.start(), route, m) for route, pattern in route_words(str(corpus_dir)) if (m := pattern.search(text))]
    if not found:
        return None
    _, route, m = min(found, key=lambda item: item[0])
    rest = " ".join((text[: m.start()] + " " + text[m.end() :]).split())
    return route, m.group(0), rest
