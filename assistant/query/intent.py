"""Question kind by meaning: the question's embedding against labelled example questions (corpus/intents.toml).
The kind of the nearest examples wins; a proposed dose makes it a dose question whatever the wording."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np

INTENTS_FILE = "intents.toml"
TOP = 5  # examples per kind averaged: one lucky neighbour is not enough (tuned on the tune split: 3 → 5)
SOFT_TEMPERATURE = 0.02  # kinds' scores differ by a few hundredths when the wording is ambiguous
CUE_BONUS = 0.08  # a kind's own question words only break near-ties of meaning (tune split: 0.03–0.12 tried)


class IntentReader:
    """Embeds the examples once; `read` costs one question embedding and a matrix product."""

    def __init__(self, corpus_dir: Path, embed: Callable[[list[str]], list[list[float]]]) -> None:
        path = corpus_dir / INTENTS_FILE
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        self.answer_cues: dict[str, str] = {k: str(v.get("answer_cue", "")) for k, v in data.items()}
        self.answer_patterns = {k: re.compile(v, re.IGNORECASE) for k, v in self.answer_cues.items() if v}
        self.question_cues = {
            k: re.compile(str(v["question_cue"]), re.IGNORECASE) for k, v in data.items() if v.get("question_cue")
        }
        self.labels: list[str] = [k for k, v in data.items() for _ in v.get("examples", [])]
        examples = [e for v in data.values() for e in v.get("examples", [])]
        self.matrix = _normalise(np.asarray(embed(examples), dtype=np.float32)) if examples else np.zeros((0, 1))

    def scores(self, vector: list[float], text: str = "") -> dict[str, float]:
        """Per kind, the mean similarity of its nearest examples (plus the cue bonus), best first."""
        if not self.labels:
            return {}
        sims = self.matrix @ _normalise(np.asarray([vector], dtype=np.float32))[0]
        out = {
            kind: float(np.sort(sims[[i for i, k in enumerate(self.labels) if k == kind]])[::-1][:TOP].mean())
            + (CUE_BONUS if kind in self.question_cues and self.question_cues[kind].search(text) else 0.0)
            for kind in dict.fromkeys(self.labels)
        }
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def soft_cues(self, scores: dict[str, float]) -> tuple[tuple[float, re.Pattern[str]], ...]:
        """Every kind's answer wording, weighted by how likely the question is of that kind (a softmax over the kinds'
        `scores`): a near-tie between two kinds lets both kinds' sentences count, a wrong first kind is not a gate."""
        if not scores:
            return ()
        top = max(scores.values())
        odds = {k: math.exp((v - top) / SOFT_TEMPERATURE) for k, v in scores.items()}
        total = sum(odds.values())
        return tuple((odds[k] / total, self.answer_patterns[k]) for k in odds if k in self.answer_patterns)

    def read(self, vector: list[float], text: str = "") -> tuple[str, float, float]:
        """(kind, its score, margin over the runner-up); ('general', 0, 0) without examples."""
        ranked = list(self.scores(vector, text).items())
        if not ranked:
            return "general", 0.0, 0.0
        margin = ranked[0][1] - ranked[1][1] if len(ranked) > 1 else ranked[0][1]
        return ranked[0][0], ranked[0][1], margin


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)
