"""A possible emergency (an overdose, a device alarm, signs of withdrawal) gets one fixed safety-net sentence first,
before any guideline text and before a refusal of what the library does not cover.

The sentence, the example situations and the similarity threshold are corpus data (corpus/safety_net.toml), reviewed
like a rule; the question's own vector (already computed for retrieval) is compared with the examples' vectors.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.answer.aspect import with_aspect
from assistant.types import Answer

SAFETY_NET_FILE = "safety_net.toml"
TOP = 3  # nearest examples averaged: one lucky neighbour is not enough


class SafetyNet:
    def __init__(self, folders: list[Path], embed: Callable[[list[str]], list[list[float]]]) -> None:
        """The first of `folders` (the library's corpus folder, then the shipped one) that has the file."""
        path = next((f / SAFETY_NET_FILE for f in folders if (f / SAFETY_NET_FILE).exists()), None)
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path else {}
        self.sentence: str = str(data.get("sentence", "")).strip()
        self.min_similarity = float(data.get("min_similarity", 1.0))
        examples = [str(e) for e in data.get("examples", [])]
        matrix = np.asarray(embed(examples), dtype=np.float32) if examples and self.sentence else np.zeros((0, 1))
        self.matrix = (
            matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9) if len(matrix) else matrix
        )

    def score(self, vector: list[float]) -> float:
        """Mean similarity of the question to its nearest emergency examples (0 without examples)."""
        if not len(self.matrix):
            return 0.0
        v = np.asarray(vector, dtype=np.float32)
        sims = self.matrix @ (v / max(float(np.linalg.norm(v)), 1e-9))
        return float(np.sort(sims)[::-1][:TOP].mean())

    def applies(self, vector: list[float]) -> bool:
        return bool(self.sentence) and self.score(vector) >= self.min_similarity

    def first(self, answer: Answer, vector: list[float], aspect: Callable[[], list[str]] = list) -> Answer:
        """The answer with the safety-net sentence first, when the question may be an emergency; what the library
        does not say about it (`aspect`: the question's words no retrieved text uses) is named."""
        if not self.applies(vector):
            return answer
        answer = with_aspect(answer, aspect())
        return answer.model_copy(update={"text": f"{self.sentence}\n\n{answer.text}", "safety_net": self.sentence})
