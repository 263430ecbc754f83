"""The typo index finds exactly what a scan of the whole vocabulary finds, from a file opened read-only."""

from __future__ import annotations

import os
import random
import string

from rapidfuzz.distance import Levenshtein

from assistant.index.typos import MIN_LENGTH, TypoIndex, deletions
from assistant.query.scope import CorpusVocabulary


def _scan(word: str, vocabulary: frozenset[str]) -> str | None:
    """The old correction: the closest word of the whole vocabulary, if near enough and long enough."""
    if len(word) < MIN_LENGTH:
        return None
    allowed = 1 if len(word) < 8 else 2
    best = min(vocabulary, key=lambda w: (Levenshtein.distance(word, w), w))
    return best if len(best) >= MIN_LENGTH and Levenshtein.distance(word, best) <= allowed else None


def _mutate(word: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(word))
        op = rng.choice("dis")
        letter = rng.choice(string.ascii_lowercase)
        word = {
            "d": word[:i] + word[i + 1 :],
            "i": word[:i] + letter + word[i:],
            "s": word[:i] + letter + word[i + 1 :],
        }[op]
    return word


def test_deletions_of_a_word():
    assert deletions("abc", 1) == {"abc", "bc", "ac", "ab"}
    assert "a" in deletions("abc", 2) and len(deletions("abcde", 2)) == 1 + 5 + 10


def test_index_corrections_equal_a_full_scan(tmp_path):
    rng = random.Random(7)
    vocabulary = frozenset(
        "".join(rng.choice("aeioumnrstlkd") for _ in range(rng.randint(3, 12))) for _ in range(1500)
    ) | {"dose", "doses", "baclofen", "tizanidine", "cirrhosis"}
    path = tmp_path / "typos.sqlite"
    TypoIndex.write(vocabulary, path)
    os.chmod(path, 0o444)
    stored = CorpusVocabulary(words=vocabulary, stems=frozenset(), typos=TypoIndex.open(path))
    probes = [_mutate(w, rng) for w in sorted(vocabulary)[:600]] + ["dosse", "baclofem", "tizanadine", "xx"]
    checked = [(p, stored.correction(p), _scan(p, vocabulary)) for p in probes if p not in vocabulary]
    assert len(checked) > 500
    assert [c for c in checked if c[1] != c[2]] == []
    assert sum(1 for _, fixed, _ in checked if fixed) > 100  # the comparison is not all-None
    assert stored.correction("baclofem") == "baclofen"
    assert stored.correction("dosse") is None  # closest is the 4-letter 'dose': never corrected


def test_overlong_words_are_not_corrected():
    index = TypoIndex.in_memory({"baclofen"})
    assert index.candidates("b" * 500, 2) == set()
