"""A generated guideline library for `bench --scale N`: N chunks about invented drugs, with rules files for a share of
them (so dose questions are really checked); its questions are in `bench_questions.py`. Deterministic for a seed;
never checked in.

The word material is data (`data/synthetic.toml`); this module only combines it.
"""

from __future__ import annotations

import itertools
import json
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.chunk import split_refs
from assistant.settings import REPO_ROOT

DATA = Path(__file__).resolve().parent / "data" / "synthetic.toml"
RULES_SHARE = 5  # every 5th drug has a rules file
SHIPPED_GENERAL_FILES = ("intents.toml", "reader.toml")
SUMMARY_CHUNKS = 1


@dataclass(frozen=True)
class Drug:
    """One invented drug and the figures its guideline states."""

    name: str
    indication: str
    use: str
    start: int
    step: int
    max: int
    usual_lo: int
    usual_hi: int
    egfr: int
    sodium: int
    has_rules: bool
    chunks: int

    @property
    def doc_id(self) -> str:
        return f"{self.name}-{self.indication.replace('_', '-')}"


def material() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def drug_names(data: dict, count: int, seed: int) -> list[str]:
    """`count` distinct invented names (in a seeded order)."""
    parts = itertools.product(data["name_prefixes"], data["name_middles"], data["name_suffixes"])
    names = sorted({"".join(p) for p in parts})
    if count > len(names):
        raise ValueError(f"the synthetic name material makes {len(names)} names, {count} asked")
    random.Random(seed).shuffle(names)
    return names[:count]


def per_document(data: dict) -> int:
    return SUMMARY_CHUNKS + sum(len(s["bullets"]) for s in data["sections"])


def plan(n_chunks: int, seed: int = 0, data: dict | None = None) -> tuple[list[Drug], list[str]]:
    """The library's drugs (one guideline each, the last one cut to reach exactly n chunks) and spare names for
    refusal questions about drugs the library does not have."""
    data = data or material()
    size = per_document(data)
    docs = -(-n_chunks // size)
    names = drug_names(data, docs + 50, seed)
    rng = random.Random(seed)
    uses = sorted(data["indications"].items())
    drugs = []
    for i, name in enumerate(names[:docs]):
        start = rng.choice([2, 5, 10, 20])
        step = start
        top = start * rng.choice([3, 4, 6, 8])
        chunks = size if i < docs - 1 else n_chunks - size * (docs - 1)
        indication, use = uses[i % len(uses)]
        drugs.append(
            Drug(
                name=name,
                indication=indication,
                use=use,
                start=start,
                step=step,
                max=top,
                usual_lo=start * 2,
                usual_hi=top,
                egfr=rng.choice([15, 30]),
                sodium=rng.choice([125, 130]),
                has_rules=i % RULES_SHARE == 0 and chunks == size,
                chunks=chunks,
            )
        )
    return drugs, names[docs:]


def _fill(template: str, drug: Drug, rng: random.Random, alt: str) -> str:
    values = {
        "drug": drug.name,
        "Drug": drug.name.capitalize(),
        "use": drug.use,
        "Use": drug.use.title(),
        "start": drug.start,
        "step": drug.step,
        "max": drug.max,
        "usual_lo": drug.usual_lo,
        "usual_hi": drug.usual_hi,
        "egfr": drug.egfr,
        "sodium": drug.sodium,
        "weeks": rng.choice([2, 4, 6, 8, 12]),
        "pct": rng.randint(20, 60),
        "pct2": rng.randint(5, 45),
        "n": rng.randint(40, 900),
        "alt": alt,
        "r": ", ".join(str(r) for r in sorted(rng.sample(range(1, 12), rng.randint(1, 2)))),
    }
    return template.format(**values)


def bullets(drug: Drug, data: dict, alt: str) -> list[tuple[str, str]]:
    """(section heading, bullet text with reference numbers) in document order; the same for the same drug."""
    rng = random.Random(drug.name)
    out = []
    for section in data["sections"]:
        heading = _fill(section["heading"], drug, rng, alt)
        out += [(heading, _fill(b, drug, rng, alt)) for b in section["bullets"]]
    return out


def document(drug: Drug, data: dict, alt: str) -> str:
    """The guideline file: front matter, title, a summary paragraph, then sections of bullets."""
    title = f"{drug.name.capitalize()} for {drug.use.title()}: Dosage and Treatment Approach"
    summary = (
        f"{drug.name.capitalize()} should be initiated at {drug.start} mg/day with weekly increases of "
        f"{drug.step} mg/day up to a maximum of {drug.max} mg/day for treating {drug.use}. 1"
    )
    lines = [
        "---",
        f"id: {drug.doc_id}",
        f"drug: {drug.name}",  # invented names: no drug dictionary knows them, so the guideline declares its drug
        f'title: "{title}"',
        'source: "synthetic (assistant bench --scale)"',
        'date: "2026-01-01"',
        "---",
        title,
        summary,
    ]
    heading = None
    for section, text in bullets(drug, data, alt)[: drug.chunks - SUMMARY_CHUNKS]:
        if section != heading:
            lines.append(section)
            heading = section
        lines.append(f"- {text}")
    return "\n".join(lines) + "\n"


def rules_file(drug: Drug, data: dict, alt: str) -> str:
    """A rules file whose every limit quotes the drug's own guideline."""
    written = bullets(drug, data, alt)
    templates = [b for section in data["sections"] for b in section["bullets"]]
    dosing_section, dosing = written[0][0], split_refs(written[0][1])[0]  # the first bullet states start, step, max
    monitor = next(
        (sec, split_refs(t)[0]) for (sec, t), tpl in zip(written, templates, strict=False) if "<{egfr}" in tpl
    )
    reduce = next(
        (sec, split_refs(t)[0]) for (sec, t), tpl in zip(written, templates, strict=False) if "between {egfr}" in tpl
    )

    def source(section: str, quote: str) -> str:
        return (
            f"source.doc_id = {json.dumps(drug.doc_id)}\nsource.section = {json.dumps(section)}\n"
            f"source.quote = {json.dumps(quote)}\n"
        )

    return "\n".join(
        [
            f"drug = {json.dumps(drug.name)}",
            'reviewed_by = "synthetic generator (benchmark data)"',
            'reviewed_on = "2026-12-01"',
            "",
            "[routes.oral]",
            'aliases = ["oral", "po", "by mouth", "orally"]',
            "",
            f"[indications.{drug.indication}]",
            f"label = {json.dumps(drug.use)}",
            f"aliases = [{json.dumps(drug.use)}]",
            "",
            "[general.renal.avoid_egfr_below]",
            f"value = {drug.egfr}",
            'unit = "mL/min/1.73m²"',
            source(*monitor),
            "[general.renal.avoid_dialysis]",
            'code = "renal_replacement_therapy"',
            f"text = {json.dumps(f'avoid {drug.name} on dialysis')}",
            source(*monitor),
            "[general.renal.reduce_egfr]",
            f"low = {drug.egfr}",
            "high = 60",
            'unit = "mL/min/1.73m²"',
            source(*reduce),
            "[[rules]]",
            'route = "oral"',
            f"indication = {json.dumps(drug.indication)}",
            "",
            "[rules.start_daily_mg]",
            f"low = {drug.start}",
            f"high = {drug.start}",
            'unit = "mg/day"',
            source(dosing_section, dosing),
            "[rules.max_daily_mg]",
            f"value = {drug.max}",
            'unit = "mg/day"',
            source(dosing_section, dosing),
            "[rules.titration.step_daily_mg]",
            f"value = {drug.step}",
            'unit = "mg/day"',
            source(dosing_section, dosing),
            "[rules.titration.min_interval_days]",
            "value = 7",
            'unit = "days"',
            'stated_as = "weekly"',
            source(dosing_section, dosing),
        ]
    )


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def glossary(drugs: list[Drug]) -> str:
    """The shipped glossary's synonyms, populations and question words, with the library's drugs as its drug list
    (its drug aliases and indication terms are about the shipped drugs, so they are left out)."""
    shipped = tomllib.loads((REPO_ROOT / "corpus" / "glossary.toml").read_text(encoding="utf-8"))
    lines = ["[synonyms]"] + [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in shipped.get("synonyms", {}).items()]
    lines += ["", "[populations]", f"terms = {_toml_list(shipped.get('populations', {}).get('terms', []))}"]
    lines += ["", "[drugs]", f"names = {_toml_list([d.name for d in drugs])}"]
    lines += ["", "[question_words]", f"terms = {_toml_list(shipped.get('question_words', {}).get('terms', []))}"]
    return "\n".join(lines) + "\n"


def write_library(corpus_dir: Path, n_chunks: int, seed: int = 0) -> list[Drug]:
    """Write the library (guidelines, rules, glossary) into corpus_dir; files already written are kept (resume)."""
    data = material()
    drugs, _ = plan(n_chunks, seed, data)
    rules_dir = corpus_dir / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    for i, drug in enumerate(drugs):
        alt = drugs[(i + 1) % len(drugs)].name
        path = corpus_dir / f"{drug.doc_id}.md"
        if not path.exists():
            _atomic_write(path, document(drug, data, alt))
        if drug.has_rules and not (rules_dir / f"{drug.name}.toml").exists():
            _atomic_write(rules_dir / f"{drug.name}.toml", rules_file(drug, data, alt))
    _atomic_write(corpus_dir / "glossary.toml", glossary(drugs))
    for name in SHIPPED_GENERAL_FILES:  # the reader's general language and intent examples, not about any drug
        if (REPO_ROOT / "corpus" / name).exists():
            _atomic_write(corpus_dir / name, (REPO_ROOT / "corpus" / name).read_text(encoding="utf-8"))
    return drugs


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
