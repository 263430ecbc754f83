"""The mixed question set `bench --scale N` times against a generated library (`synthetic.py`): distinct questions,
deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from assistant.interfaces.synthetic import material, plan


@dataclass(frozen=True)
class Question:
    """One benchmark question: the conversation's earlier user turns, the message, and its kind."""

    kind: str
    message: str
    history: tuple[str, ...] = field(default_factory=tuple)


def questions(n_chunks: int, count: int = 240, seed: int = 0) -> list[Question]:
    """`count` distinct questions: half answerable (guideline and dose questions about library drugs), a quarter
    refusals (a drug not in the library, an uncovered population), a quarter follow-ups."""
    data = material()
    drugs, spare = plan(n_chunks, seed, data)
    q = data["questions"]
    rng = random.Random(seed + 1)
    checked = [d for d in drugs if d.has_rules] or drugs
    wanted = {"guideline": count * 3 // 10, "dose": count // 5, "refusal": count // 4}
    wanted["followup"] = count - sum(wanted.values())
    out: dict[tuple, Question] = {}
    for kind, n in wanted.items():
        made = 0
        for _ in range(n * 50):
            if made == n:
                break
            drug = rng.choice(checked if kind == "dose" else drugs)
            history: tuple[str, ...] = ()
            if kind == "guideline":
                message = rng.choice(q["guideline"]).format(drug=drug.name, use=drug.use)
            elif kind == "dose":
                dose = rng.choice([drug.start, drug.usual_lo, drug.max, drug.max + drug.step, drug.max * 2])
                message = rng.choice(q["dose"]).format(drug=drug.name, use=drug.use, dose=dose)
            elif kind == "refusal":
                message = rng.choice(q["refusal"]).format(drug=drug.name, use=drug.use, other=rng.choice(spare))
            else:
                history = (q["followup_first"].format(drug=drug.name, use=drug.use),)
                message = rng.choice(q["followup"])
            key = (history, message)
            if key not in out:
                out[key] = Question(kind=kind, message=message, history=history)
                made += 1
    return list(out.values())
