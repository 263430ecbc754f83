"""Word-level text helpers shared by retrieval, scope checks and the guard."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-zà-ÿ]+(?:['\u2019][a-z]+)?|\d+(?:\.\d+)?", re.IGNORECASE)

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with without from as is are was were be been being do does did
    doing have has had having i me my we our you your he she it its they them their this that these those there here
    what which who whom whose when where why how can could should would may might must shall will just than then so
    such too very not no nor only own same both each few more most other some any all about above below over under
    again further once into through during before after up down out off also per vs via patient patients please tell
    me give know want need use used using take taking taken whats hows whens wheres whos im ive dont doesnt cant
    wont isnt arent shouldnt couldnt wouldnt thats theres lets""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens."""
    return [w.lower().replace("'", "").replace("\u2019", "") for w in _WORD.findall(text)]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem (cached: every reply stems the same glossary terms and question words again)."""
    return _stemmer().stemWord(word.lower())


def content_terms(text: str) -> list[str]:
    """Stemmed words without stopwords or bare numbers: what BM25 and term overlap compare."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and not w[0].isdigit()]
