"""assistant/query/lexicon.py and subjects.py without a model: the reader's vocabulary from the shipped data, and
which drugs or substances a text names (library aliases, the drug dictionary, vague references)."""

from __future__ import annotations

import pytest

from assistant.query.lexicon import build_lexicon
from assistant.query.subjects import drug_mentions, subject_drugs_of
from assistant.settings import REPO_ROOT


def test_the_lexicon_holds_the_libraries_drugs_indications_and_routes(lexicon):
    assert (lexicon.covered_drugs, lexicon.ruled_drugs) == (frozenset({"baclofen"}), frozenset({"baclofen"}))
    assert {d: sorted(t) for d, t in lexicon.indication_terms.items()} == {"baclofen": ["muscle_cramps", "spasticity"]}
    assert {d: sorted(t) for d, t in lexicon.route_terms.items()} == {"baclofen": ["intrathecal", "oral"]}
    assert sorted(lexicon.ambiguous_indications) == ["muscle_cramps", "spasticity"]  # 'spasms' may mean either
    assert lexicon.drug_aliases["itb"] == "baclofen" and lexicon.drug_aliases["lyvispah"] == "baclofen"  # glossary
    assert lexicon.followup_max_words == 8 and lexicon.word_numbers["couple of"] == 2.0


@pytest.mark.parametrize(
    "indication, text, found",
    [
        ("muscle_cramps", "Muscle Cramps at night", True),  # the rules' alias, any case
        ("muscle_cramps", "cramping", True),  # a glossary term
        ("muscle_cramps", "crampy", False),  # whole words only
        ("spasticity", "after a stroke", True),
        ("spasticity", "smsish", False),
    ],
)
def test_indication_terms_match_whole_words(lexicon, indication, text, found):
    assert bool(lexicon.indication_terms["baclofen"][indication].search(text)) is found


def test_a_route_spelling_that_is_an_english_word_is_left_out_of_free_text(lexicon):
    intrathecal = lexicon.route_terms["baclofen"]["intrathecal"]
    assert intrathecal.search("Is intrathecal better?") and not intrathecal.search("is it ok")  # 'it' is a stopword


def test_roles_keep_the_order_of_reader_toml(lexicon):
    roles = [r.role for r in lexicon.roles]
    assert roles[:5] == ["unit", "egfr", "crcl", "sodium", "age"] and roles[-1] == "duration"
    assert {r.role: r.fact for r in lexicon.roles if r.fact} == {
        "egfr": "egfr",
        "crcl": "crcl",
        "sodium": "sodium",
        "age": "age",
        "weight": "weight",
    }


def test_a_library_without_reader_data_reads_with_the_shipped_one(tmp_path, shipped_rules):
    # Reader data is general clinical language (roles of numbers, populations, frequencies): a library of other
    # guidelines that brings none still reads ages, kidney function and doses.
    bare = build_lexicon(tmp_path, shipped_rules, {}, {"tizanidine"})
    shipped = build_lexicon(REPO_ROOT / "corpus", shipped_rules, {}, {"tizanidine"})
    assert bare.roles and [r.role for r in bare.roles] == [r.role for r in shipped.roles]
    assert bare.patterns.keys() == shipped.patterns.keys() and bare.word_numbers == shipped.word_numbers
    assert bare.covered_drugs == frozenset({"baclofen", "tizanidine"})  # subject drugs are covered too
    assert bare.ruled_drugs == frozenset({"baclofen"})


def mentions(text: str, lexicon) -> list[tuple[str, str, int, int, bool, bool, bool]]:
    return [(m.name, m.text, m.start, m.end, m.covered, m.vague, m.generic) for m in drug_mentions(text, lexicon)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Is Lioresal 10 mg tid OK?",
            [("baclofen", "Lioresal", 3, 11, True, False, False)],
        ),  # dictionary: brand → generic
        ("Can I take ITB?", [("baclofen", "ITB", 11, 14, True, False, False)]),  # a glossary alias
        (
            "what about lioresal and LIORESAL",
            [
                ("baclofen", "lioresal", 11, 19, True, False, False),
                ("baclofen", "LIORESAL", 24, 32, True, False, False),
            ],
        ),
        (
            "tizanidine 4 mg tid plus baclofen 10 mg tid",
            [
                ("tizanidine", "tizanidine", 0, 10, False, False, False),
                ("baclofen", "baclofen", 25, 33, True, False, False),
            ],
        ),
        ("How much fish oil should I take?", [("fish oil", "fish oil", 9, 17, False, False, False)]),
        ("what is the dose of my bp medicine", [("bp medicine", "bp medicine", 23, 34, False, True, False)]),
        (
            "B12 and magnesium",
            [("b12", "B12", 0, 3, False, True, False), ("magnesium", "magnesium", 8, 17, False, True, False)],
        ),
        (
            "baclofen and the medications",  # a generic reference: vague, and marked generic
            [
                ("baclofen", "baclofen", 0, 8, True, False, False),
                ("medications", "medications", 17, 28, False, True, True),
            ],
        ),
        ("What is the maximum daily dose?", []),
    ],
)
def test_drug_mentions(lexicon, text, expected):
    assert mentions(text, lexicon) == expected


def test_subject_drugs_are_the_dictionary_drugs_of_the_titles():
    titles = ["Baclofen for Muscle Cramps in Cirrhosis", "Tizanidine notes", "Nothing here", ""]
    assert subject_drugs_of(titles) == {"baclofen", "tizanidine"}
