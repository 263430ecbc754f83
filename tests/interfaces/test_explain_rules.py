"""`validate-rules --schema` (the format as JSON Schema, committed in docs/) and `--explain` (what each rule
blocks, warns about and leaves unchecked), and unknown document ids answered with the known ones."""

from __future__ import annotations

import json

from assistant.interfaces.explain_rules import schema_text
from assistant.settings import REPO_ROOT
from tests.interfaces.test_validate_rules import run


def test_schema_is_the_committed_copy_and_names_every_field(tmp_path):
    text = schema_text()
    assert (REPO_ROOT / "docs" / "rules-schema.json").read_text(encoding="utf-8") == text
    schema = json.loads(text)
    rule = schema["$defs"]["IndicationRule"]["properties"]
    for field in ("max_doses_per_day", "range_daily_mg", "ladder", "per_dose_step", "min_age", "hepatic_bands"):
        assert field in rule and rule[field].get("description")
    assert {"interactions", "concentrations", "rxnorm"} <= set(schema["properties"])
    done = run(["--schema"], tmp_path)
    assert done.returncode == 0 and done.stdout == text


def test_explain_lists_blocks_warnings_and_gaps(tmp_path):
    rules = REPO_ROOT / "evals" / "library" / "rules"
    library = {"ASSISTANT_CORPUS_DIR": str(REPO_ROOT / "evals" / "library" / "docs")}
    done = run(["--explain", str(rules / "tizanidine.toml")], tmp_path, library)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "contraindicated with fluvoxamine, ciprofloxacin" in out
    assert "blocks: above 36 mg a day; doses closer than 6 hours; more than 3 doses in 24 hours" in out
    assert "raising a dose by more than 4 mg" in out and "a single dose above 16 mg" in out
    assert "leaves unchecked: no maximum single dose" in out


def test_an_unknown_document_id_lists_the_known_ones(tmp_path):
    text = (REPO_ROOT / "corpus" / "rules" / "baclofen.toml").read_text(encoding="utf-8")
    bad = tmp_path / "baclofen.toml"
    bad.write_text(text.replace('doc_id = "baclofen-spasticity"', 'doc_id = "baclofen_spasticity"', 1))
    done = run([str(bad)], tmp_path)
    assert done.returncode == 1
    assert (
        "no document 'baclofen_spasticity' in the library (known ids: baclofen-muscle-cramps, baclofen-spasticity)"
        in done.stdout
    )
