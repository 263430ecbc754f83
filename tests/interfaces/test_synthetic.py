"""The generated bench library: exactly N chunks, rules that load and quote their guideline, distinct questions."""

from __future__ import annotations

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.glossary import load_glossary
from assistant.corpus.load import load_corpus
from assistant.dosing.rules.load import load_rules
from assistant.interfaces.bench_questions import questions
from assistant.interfaces.synthetic import write_library


def test_library_has_n_chunks_and_checkable_rules(tmp_path):
    drugs = write_library(tmp_path, 130)
    loaded = load_corpus(tmp_path)
    assert loaded.errors == []
    chunks = [c for g in loaded.guidelines for c in chunk_guideline(g)]
    assert len(chunks) == 130 and len({c.id for c in chunks}) == 130
    assert len({d.name for d in drugs}) == len(drugs) == len(loaded.guidelines)
    rules = load_rules(tmp_path / "rules")
    assert rules and set(rules) == {d.name for d in drugs if d.has_rules}
    for drug_rules in rules.values():
        for rule in drug_rules.rules:
            for limit in (rule.start_daily_mg, rule.max_daily_mg):
                doc = [c for c in chunks if c.doc_id == limit.source.doc_id and c.section == limit.source.section]
                assert any(limit.source.quote in c.text for c in doc), limit.source.quote
    assert set(load_glossary(tmp_path).drugs) == {d.name for d in drugs}


def test_rewriting_keeps_what_was_written(tmp_path):
    write_library(tmp_path, 60)
    first = sorted(p.name for p in tmp_path.glob("*.md"))
    (tmp_path / first[0]).write_text((tmp_path / first[0]).read_text() + "- one more bullet kept on resume 3\n")
    write_library(tmp_path, 60)
    assert sorted(p.name for p in tmp_path.glob("*.md")) == first
    assert "kept on resume" in (tmp_path / first[0]).read_text()


def test_questions_are_distinct_and_mostly_answerable(tmp_path):
    asked = questions(1000, 240)
    assert len(asked) == 240 and len({(q.history, q.message) for q in asked}) == 240
    kinds = [q.kind for q in asked]
    assert kinds.count("guideline") + kinds.count("dose") >= 120
    assert kinds.count("refusal") > 0 and kinds.count("followup") > 0
    assert all(q.history for q in asked if q.kind == "followup")
