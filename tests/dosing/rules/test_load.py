"""Every limit in every rules file cites verbatim corpus text, under the named section, containing its number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules, load_rules_file
from assistant.dosing.rules.schema import DrugRules, Limit, RangeLimit, Regimen, RulesError, fmt
from assistant.settings import REPO_ROOT
from assistant.types import RuleSource

REPO = REPO_ROOT
CORPUS = REPO / "corpus"
RULE_FILES = sorted((CORPUS / "rules").glob("*.toml"))


def sections(doc_id: str) -> dict[str, str]:
    """Section heading → its text. Headings are non-bullet lines followed by a bullet; 'Summary' precedes the first."""
    raw = (CORPUS / f"{doc_id}.md").read_text(encoding="utf-8")
    body = raw.split("---", 2)[2] if raw.startswith("---") else raw
    lines = [ln for ln in body.splitlines() if ln.strip()]
    lines = lines[1:]  # the title line
    heads = [i for i, ln in enumerate(lines[:-1]) if not ln.startswith("- ") and lines[i + 1].startswith("- ")]
    out = {"Summary": "\n".join(lines[: heads[0] if heads else len(lines)])}
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        out[lines[i].strip()] = "\n".join(lines[i + 1 : end])
    return out


def sourced(model: BaseModel, path: str) -> Iterator[tuple[str, BaseModel, RuleSource]]:
    """Every object in the rules that carries a `source`, with its dotted path."""
    src = getattr(model, "source", None)
    if isinstance(src, RuleSource):
        yield path, model, src
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else [(None, value)]
        )
        for key, item in items:
            if isinstance(item, BaseModel) and not isinstance(item, RuleSource):
                yield from sourced(item, f"{path}.{name}" + (f"[{key}]" if key is not None else ""))


ITEMS = [(f"{f.name}:{p}", obj, src) for f in RULE_FILES for p, obj, src in sourced(load_rules_file(f), f.stem)]


def has_number(text: str, value: float) -> bool:
    return re.search(rf"(?<![0-9.]){re.escape(fmt(value))}(?![0-9])", text) is not None


def test_there_are_rules_with_sources() -> None:
    assert RULE_FILES and len(ITEMS) >= 20


@pytest.mark.parametrize(("where", "obj", "src"), ITEMS, ids=[i[0] for i in ITEMS])
def test_quote_is_verbatim_under_its_section(where: str, obj: BaseModel, src: RuleSource) -> None:
    assert (CORPUS / f"{src.doc_id}.md").is_file(), f"{where}: no corpus document {src.doc_id}"
    secs = sections(src.doc_id)
    assert src.section in secs, f"{where}: no section '{src.section}' in {src.doc_id} (has {list(secs)})"
    assert src.quote.strip() and src.quote in secs[src.section], f"{where}: quote not in section '{src.section}'"


@pytest.mark.parametrize(("where", "obj", "src"), ITEMS, ids=[i[0] for i in ITEMS])
def test_quote_contains_the_number(where: str, obj: BaseModel, src: RuleSource) -> None:
    if isinstance(obj, Limit):
        if obj.assumption:
            assert len(obj.assumption) > 20, f"{where}: an assumed number must say what was assumed"
            return
        if obj.stated_as:
            assert obj.stated_as in src.quote, f"{where}: '{obj.stated_as}' not in quote"
        else:
            assert has_number(src.quote, obj.value), f"{where}: {fmt(obj.value)} not in quote"
    elif isinstance(obj, RangeLimit):
        assert has_number(src.quote, obj.low) and has_number(src.quote, obj.high), f"{where}: range not in quote"
    elif isinstance(obj, Regimen):
        assert has_number(src.quote, obj.single_mg) and obj.stated_as in src.quote, f"{where}: regimen not in quote"


def test_the_only_assumed_number_is_the_older_adult_age() -> None:
    assumed = [w for w, obj, _ in ITEMS if isinstance(obj, Limit) and obj.assumption]
    assert assumed == ["baclofen.toml:baclofen.general.older_adults.min_age"]


def test_key_limits_are_as_in_the_corpus() -> None:
    rules = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"]
    cramps, spas = rules.rule("oral", "muscle_cramps"), rules.rule("oral", "spasticity")
    assert cramps is not None and spas is not None and cramps.titration is not None
    assert (cramps.max_daily_mg.value, cramps.start_daily_mg.low, cramps.titration.step_daily_mg.value) == (30, 10, 10)
    assert cramps.titration.min_interval_days.value == 7
    assert (spas.max_daily_mg.value, spas.doses_per_day and (spas.doses_per_day.low, spas.doses_per_day.high)) == (
        80,
        (3, 4),
    )
    assert spas.titration is None  # the corpus gives no numeric titration for spasticity


# ---------------------------------------------------------------- broken rules files

GOOD = (CORPUS / "rules" / "baclofen.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "baclofen.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def refusal(folder: Path, drug: str = "baclofen") -> str:
    """The file is refused as a whole, and a dose of its drug is unable_to_check naming why (never half-used)."""
    loaded = load_rules(folder)
    assert drug not in loaded
    check = check_dose(DoseRequest(drug=drug, dose="10 mg/day"), rules=loaded)
    assert check.verdict == "unable_to_check" and check.reason == f"rules for {drug} refused: {loaded.refused[drug]}"
    return loaded.refused[drug]


def assert_one_line(msg: str, *parts: str) -> None:
    assert "\n" not in msg and msg.startswith("baclofen.toml: ")
    for part in parts:
        assert part in msg, msg


def test_unknown_field_is_rejected(tmp_path: Path) -> None:
    text = GOOD.replace(
        'population = "patients with liver cirrhosis"',
        'population = "patients with liver cirrhosis"\nmax_single_mg = 10',
    )
    assert_one_line(refusal(write(tmp_path, text)), "rules.0.max_single_mg", "Extra inputs are not permitted")


def test_unknown_field_in_a_source_is_rejected(tmp_path: Path) -> None:
    text = GOOD.replace("[rules.max_daily_mg]\nvalue = 30\n", "[rules.max_daily_mg]\nvalue = 30\nsource.page = 3\n")
    assert_one_line(refusal(write(tmp_path, text)), "max_daily_mg.source.page")


def test_invalid_toml(tmp_path: Path) -> None:
    assert_one_line(refusal(write(tmp_path, GOOD + "\nthis is = = not toml\n")), "invalid TOML")


def test_missing_limit(tmp_path: Path) -> None:
    text = re.sub(r"\[rules\.max_daily_mg\]\nvalue = 30\n", "[rules.max_daily_mg]\n", GOOD, count=1)
    assert_one_line(refusal(write(tmp_path, text)), "rules.0.max_daily_mg.value", "Field required")


def test_start_above_max_is_rejected(tmp_path: Path) -> None:
    text = GOOD.replace("low = 10\nhigh = 10\n", "low = 40\nhigh = 40\n", 1)
    assert_one_line(refusal(write(tmp_path, text)), "start_daily_mg 40.0 is above max_daily_mg 30.0")


def test_rule_for_unknown_indication(tmp_path: Path) -> None:
    assert_one_line(
        refusal(write(tmp_path, GOOD.replace('indication = "spasticity"', 'indication = "spasm"'))),
        "unknown indication 'spasm'",
    )


def test_file_name_must_match_drug(tmp_path: Path) -> None:
    msg = refusal(write(tmp_path, GOOD, "tizanidine.toml"), "tizanidine")
    assert msg == "tizanidine.toml: drug 'baclofen' does not match the file name"


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no \\*.toml rules files"):
        load_rules(tmp_path)
    with pytest.raises(RulesError, match="rules folder not found"):
        load_rules(tmp_path / "nope")


def test_load_rules_returns_validated_models() -> None:
    rules = load_rules(REPO_ROOT / "corpus" / "rules")
    assert set(rules) == {p.stem for p in RULE_FILES}
    assert all(isinstance(r, DrugRules) for r in rules.values())


# ---------------------------------------------------------------- hostile and conflicting files fail closed, alone

OTHER = GOOD.replace('drug = "baclofen"', 'drug = "otherdrug"', 1)


def test_a_file_nested_thousands_deep_is_refused_by_name_and_the_others_keep_working(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, "x = " + "[" * 50_000 + "]" * 50_000 + "\n", "hostile.toml")
    loaded = load_rules(tmp_path)
    assert "baclofen" in loaded and loaded.refused["hostile"].startswith("hostile.toml: ")
    ok = check_dose(DoseRequest(drug="baclofen", dose="10 mg/day", indication="muscle_cramps"), rules=loaded)
    assert ok.verdict == "within_limits"


def test_a_broken_file_refuses_its_drug_only(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, OTHER + "\nthis is = = not toml\n", "otherdrug.toml")
    loaded = load_rules(tmp_path)
    assert set(loaded) == {"baclofen"} and loaded.refused["otherdrug"].startswith("otherdrug.toml: invalid TOML")


def test_two_files_for_one_drug_are_both_refused_naming_both(tmp_path: Path) -> None:
    looser = GOOD.replace("[rules.max_daily_mg]\nvalue = 30\n", "[rules.max_daily_mg]\nvalue = 300\n", 1)
    write(tmp_path, looser, "Baclofen.toml")
    write(tmp_path, GOOD)
    loaded = load_rules(tmp_path)
    if len(list(tmp_path.glob("*.toml"))) < 2:  # a case-insensitive file system holds one file only
        pytest.skip("case-insensitive file system")
    assert loaded.refused["baclofen"] == "2 rules files for baclofen (Baclofen.toml, baclofen.toml): keep one"
    check = check_dose(DoseRequest(drug="baclofen", dose="100 mg/day", indication="muscle_cramps"), rules=loaded)
    assert check.verdict == "unable_to_check" and "Baclofen.toml, baclofen.toml" in (check.reason or "")


def test_a_quote_that_is_not_in_its_document_is_refused_at_load(tmp_path: Path) -> None:
    documents = {"baclofen-muscle-cramps": "Nothing here.", "baclofen-spasticity": "Nor here."}
    loaded = load_rules(write(tmp_path, GOOD), documents)
    assert "baclofen" not in loaded and "quote not found in" in loaded.refused["baclofen"]


def test_a_quote_citing_a_document_not_in_the_library_is_refused_at_load(tmp_path: Path) -> None:
    loaded = load_rules(write(tmp_path, GOOD), {})
    assert "no document" in loaded.refused["baclofen"]


def test_the_shipped_rules_pass_the_library_check() -> None:
    from assistant.corpus.load import load_corpus

    documents = {g.id: g.text for g in load_corpus(CORPUS).guidelines}
    loaded = load_rules(CORPUS / "rules", documents)
    assert loaded.refused == {} and "baclofen" in loaded


# ---------------------------------------------------------------- a number in another sense, another drug's document


def test_a_maximum_quoted_in_another_sense_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("[rules.max_daily_mg]\nvalue = 30\n", "[rules.max_daily_mg]\nvalue = 360\n", 1)
    old = [line for line in GOOD.splitlines() if "up to a maximum of 30 mg/day" in line][0]
    text = text.replace(old, 'source.quote = "Never exceed 36 mg/day; 360 mg packs are not available"', 1)
    msg = refusal(write(tmp_path, text))
    assert "max_daily_mg: the quote states 360 but not as a maximum or a dose per day" in msg


@pytest.mark.parametrize(
    ("quote", "value"),
    [
        ("up to a maximum of 30 mg/day", 30),
        ("Abdominal surgery: 40 mg once a day subcutaneously", 40),
        ("For severe conditions 8 grams a day may be administered.", 8000),
        ("(usually 40-80 mg daily)", 80),
        ("a maximum recommended daily dose of 3000 mg", 3000),
    ],
)
def test_maxima_worded_as_a_maximum_or_a_daily_dose_are_accepted(quote: str, value: float) -> None:
    from assistant.dosing.rules.quotes import states_as_maximum

    assert states_as_maximum(quote, value)


def test_a_rule_citing_a_document_that_never_names_the_drug_is_refused(tmp_path: Path) -> None:
    from assistant.corpus.load import load_corpus

    documents = {g.id: g.text for g in load_corpus(CORPUS).guidelines}
    documents = {k: v.replace("Baclofen", "The drug").replace("baclofen", "the drug") for k, v in documents.items()}
    loaded = load_rules(write(tmp_path, GOOD), documents)
    assert "never names baclofen" in loaded.refused["baclofen"]
