"""One unit table (assistant.text.quantities.UNITS): every reader of units builds its patterns from it.

The proof: a spelling added to the table, and nowhere else, is read by the prose quantity reader, the dose grammar
(amount, dose form, ambiguity, per-kg) and the question's dose spans. A private copy of a spelling list in any of
them would not know the new spelling, and this test would fail.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.dosing.reading.parse import ParsedDose, ParseFailure, parse_dose
from assistant.query.numbers import dose_spans
from assistant.settings import REPO_ROOT
from assistant.text.quantities import UNITS, dose_forms, extract, unit_named, unit_of, units

# Spellings no table holds: added to a copy of the table, in a fresh interpreter, before any reader is imported.
NEW_SPELLINGS = {"mg": "milligrammes?", "tablet": "caplets?", "mg/kg": r"mg\s*per\s*kilo", "mL": "cc"}

_PROBE = r"""
import ast, dataclasses, importlib.util, json, sys

NEW = json.loads(sys.argv[1])
spec = importlib.util.find_spec("assistant.text.quantities")
tree = ast.parse(spec.loader.get_source(spec.name))
at = next(
    i for i, node in enumerate(tree.body)
    if isinstance(node, (ast.Assign, ast.AnnAssign))
    and "UNITS" in [t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
)
tree.body.insert(at + 1, ast.parse("UNITS = __add_spellings__(UNITS)").body[0])
module = importlib.util.module_from_spec(spec)
module.__add_spellings__ = lambda table: tuple(
    dataclasses.replace(u, spellings=(NEW[u.name], *u.spellings)) if u.name in NEW else u for u in table
)
sys.modules[spec.name] = module
exec(compile(ast.fix_missing_locations(tree), spec.origin, "exec"), module.__dict__)

from assistant.dosing.reading.parse import parse_dose
from assistant.dosing.reading.weight import read_dose
from assistant.query.numbers import dose_spans
from assistant.text.quantities import extract
from assistant.types import Patient

q = extract("5 milligrammes daily")[0]
print(json.dumps({
    "quantity": [q.value, q.dim, q.rate],
    "dose": parse_dose("5 milligrammes caplet tid").model_dump(),
    "ambiguous": parse_dose("2 500 milligrammes caplets daily").model_dump(),
    "per_kg": read_dose("15 mg per kilo every 12 hours", Patient(weight=10)).model_dump(),
    "spans": [
        [s.text, s.expression] for s in dose_spans("Is two 5 milligrammes caplets tid or 5 milligrammes caplets ok?")
    ],
    "per_volume": [s.text for s in dose_spans("5 mg/5 cc twice daily")],
}))
"""


def test_a_spelling_added_to_the_table_is_read_by_every_reader() -> None:
    # Not read today: the spellings are new.
    assert isinstance(parse_dose("5 milligrammes caplet tid"), ParseFailure)
    assert extract("5 milligrammes daily")[0].dim is None
    assert dose_spans("Is two 5 milligrammes caplets tid ok?") == []
    assert [s.text for s in dose_spans("5 mg/5 cc twice daily")] == ["5 mg"]
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(NEW_SPELLINGS)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["quantity"] == [5.0, "mass", "day"]  # assistant.text.quantities
    assert (got["dose"]["daily_mg"], got["dose"]["doses_per_day"]) == (15.0, 3.0)  # amount and dose form
    assert got["ambiguous"]["code"] == "ambiguous"  # the ambiguity finder: 2 caplets of 500, or 2500
    assert got["per_kg"]["daily_mg"] == 300.0  # the per-kg reader
    assert got["spans"] == [  # the question's dose spans: two caplets counted, a caplet is part of the dose
        ["two 5 milligrammes caplets tid", "10 milligrammes tid"],
        ["5 milligrammes caplets", "5 milligrammes"],
    ]
    assert got["per_volume"] == ["5 mg/5 cc twice daily"]  # a strength per volume


def test_each_unit_has_one_name_and_spellings_that_name_it() -> None:
    names = [u.name for u in UNITS]
    assert len(names) == len(set(names))
    for u in UNITS:
        assert u.spellings and unit_named(u.name) is u


@pytest.mark.parametrize(
    ("token", "name"),
    [
        ("mcg", "mcg"),
        ("µg", "mcg"),
        ("μg", "mcg"),
        ("ug", "mcg"),
        ("Micrograms", "mcg"),
        ("mg", "mg"),
        ("milligram", "mg"),
        ("mgs", "mg"),
        ("g", "g"),
        ("gm", "g"),
        ("grams", "g"),
        ("mg/kg", "mg/kg"),
        ("mmol/L", "mmol/L"),
        ("mL/min", "mL/min"),
        ("mL", "mL"),
        ("tabs", "tablet"),
        ("caps", "capsule"),
        ("IU", "unit"),
        ("kg", None),
        ("mgg", None),
    ],
)
def test_a_token_names_its_unit(token: str, name: str | None) -> None:
    unit = unit_of(token)
    assert (unit.name if unit else None) == name


def test_masses_convert_to_mg_in_every_reader() -> None:
    for unit in units("mass"):
        assert unit.factor is not None
        expected = float(unit.factor) * 3
        assert extract(f"3 {unit.name} daily")[0].value == pytest.approx(expected)
        got = parse_dose(f"3 {unit.name} daily")
        assert isinstance(got, ParsedDose) and got.daily_mg == pytest.approx(expected)


def test_dose_forms_are_counts() -> None:
    assert {u.name for u in dose_forms()} == {"tablet", "capsule"}
    assert all(u.dim == "count" for u in dose_forms())
