"""Indications and routes named in a conversation. An ambiguous word keeps every indication it may mean, unless the
patient's conditions fix one (corpus/glossary.toml [indication_conditions] maps a condition to the indication it
implies); that reading is listed as an assumption. Routes the rules lack are reported."""

from __future__ import annotations

from assistant.query.concepts import negated
from assistant.query.lexicon import Lexicon


def names_an_indication(lexicon: Lexicon, turns: list[str]) -> bool:
    patterns = [p for terms in lexicon.indication_terms.values() for p in terms.values()]
    patterns += list(lexicon.ambiguous_indications.values())
    return any(p.search(t) for p in patterns for t in turns)


def candidates(lexicon: Lexicon, drug: str | None, turns: list[str]) -> tuple[list[str], list[str]]:
    """(indications named in the latest turn that names any, assumptions made). An ambiguous word stands for every
    indication it may mean, or for the one indication the conditions named in the conversation point to."""
    terms = lexicon.indication_terms.get(drug or "", {})
    for text in reversed(turns):
        explicit = [k for k, pattern in terms.items() if pattern.search(text)]
        ambiguous = {
            k: m.group(0)
            for k, pattern in lexicon.ambiguous_indications.items()
            if k in terms and (m := pattern.search(text))
        }
        if not (explicit or ambiguous):
            continue
        fixed = _conditions(lexicon, turns, set(ambiguous))
        if len(fixed) == 1 and ambiguous:
            (key, condition), word = next(iter(fixed.items())), next(iter(ambiguous.values()))
            note = f"read '{word}' as {key.replace('_', ' ')} because of '{condition}' (a reviewed condition mapping)"
            return list(dict.fromkeys([*explicit, key])), [note]
        return list(dict.fromkeys([*explicit, *ambiguous])), []
    return [], []


def _conditions(lexicon: Lexicon, turns: list[str], among: set[str]) -> dict[str, str]:
    """Indications among `among` that a condition named (not negated) in the turns points to, with its words."""
    found: dict[str, str] = {}
    for key, pattern in lexicon.condition_terms.items():
        if key not in among:
            continue
        for text in turns:
            hit = next((m for m in pattern.finditer(text) if not negated(text, m.start(), m.end(), lexicon)), None)
            if hit is not None:
                found.setdefault(key, hit.group(0))
    return found


def context(lexicon: Lexicon, previous: list[str], message: str, drug: str | None) -> str:
    """The earlier turns a follow-up continues; an indication the message replaces is left out of them
    ('And for condition B?' after a condition-A question keeps the earlier ask, not its indication)."""
    text = " ".join(previous[-2:])
    terms = lexicon.indication_terms.get(drug or "", {})
    named = {k for k, p in terms.items() if p.search(message)}
    if named:
        for key, pattern in terms.items():
            if key not in named:
                text = pattern.sub(" ", text)
    return text


def foreign_routes(lexicon: Lexicon, drug: str | None, turns: list[str]) -> list[str]:
    """Routes named in the conversation ('2 mcg IV') that are none of the drug's routes: never read past."""
    if drug is None:
        return []
    own = lexicon.route_terms.get(drug, {})
    stages = lexicon.patterns.get("ckd_stages.pattern")
    out = []
    for text in turns:
        staged = [(s.start(), s.end()) for s in stages.finditer(text)] if stages else []
        for route, pattern in lexicon.route_words.items():
            for m in pattern.finditer(text):
                inside_a_stage = any(a <= m.start() < b for a, b in staged)  # 'stage IV CKD' names no route
                if not inside_a_stage and not any(p.search(m.group(0)) for p in own.values()):
                    out.append(f"the route '{m.group(0)}' ({route}), which the {drug} rules do not cover")
    return list(dict.fromkeys(out))


def route(lexicon: Lexicon, drug: str | None, turns: list[str], hints: bool = True) -> str | None:
    """The drug's route named in the latest turn that names one: its own spellings, or a glossary word whose corpus
    wording names it ('pump', 'ITB' → intrathecal)."""
    terms = lexicon.route_terms.get(drug or "", {})
    for text in reversed(turns):
        found = [k for k, pattern in terms.items() if pattern.search(text)]
        found += [k for k, p in lexicon.route_hints.items() if hints and k in terms and p.search(text)]
        if found:
            return found[0]
    return None
