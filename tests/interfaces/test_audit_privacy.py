"""Audit log (issue 13): keyed hashes of questions instead of text on request; provenance on every entry."""

from __future__ import annotations

import json
import shutil
import stat

from assistant.index.provenance import folder_hash, index_hash, provenance
from assistant.interfaces import audit
from assistant.settings import REPO_ROOT, Settings
from assistant.types import Answer

QUESTION = "Is 40 mg/day OK for Jane Doe, MRN 884411?"


def _answer() -> Answer:
    return Answer(
        question=QUESTION,
        text="Above the maximum [1].",
        refused=False,
        understood={"doses": ["40 mg/day"], "note": "Jane Doe"},
    )


def test_hmac_mode_keeps_no_question_text(tmp_path):
    settings = Settings(data_dir=tmp_path, audit_questions="hmac")
    key = audit.load_secret(settings.audit_secret_path)
    assert len(key) == 32 and stat.S_IMODE(settings.audit_secret_path.stat().st_mode) == 0o600
    assert audit.load_secret(settings.audit_secret_path) == key  # the same key on the next start
    conversation = [{"question": QUESTION, "answer": "x", "understood": {"note": "Jane Doe"}}]
    audit.log_event(settings.audit_path, "answer", answer=_answer(), question=QUESTION, question_key=key)
    audit.log_event(
        settings.audit_path,
        "download",
        question=QUESTION,
        question_key=key,
        extra={"format": "json", "conversation": conversation},
    )
    text = settings.audit_path.read_text()
    assert "Jane" not in text and "884411" not in text
    first, download = audit.read_audit(settings.audit_path)[0]
    assert first["question"] == audit.question_hmac(QUESTION, key) == download["conversation"][0]["question"]
    assert first["question"].startswith("hmac-sha256:") and len(first["question"]) == len("hmac-sha256:") + 64
    assert audit.question_hmac(QUESTION, b"k" * 32) != first["question"]  # keyed: not a plain hash
    assert conversation[0]["question"] == QUESTION  # the caller's data is not changed


def test_text_mode_is_the_documented_default(tmp_path):
    assert Settings(data_dir=tmp_path).audit_questions == "text"
    record = audit.make_record("answer", answer=_answer())
    assert record["question"] == QUESTION


def test_every_entry_records_version_and_hashes(tmp_path, corpus_copy):
    rules = REPO_ROOT / "corpus" / "rules"
    facts = provenance(corpus_copy, rules, index_hash(["b", "a"]))
    assert set(facts) == {"app_version", "corpus_sha256", "rules_sha256", "index_sha256"}
    assert facts["index_sha256"] == index_hash(["a", "b"])
    record = audit.make_record("answer", answer=_answer(), provenance=facts)
    assert {k: record[k] for k in facts} == facts
    assert json.loads(json.dumps(record))["corpus_sha256"] == facts["corpus_sha256"]
    before = folder_hash(corpus_copy)
    doc = corpus_copy / "baclofen-spasticity.md"
    doc.write_text(doc.read_text() + "\n")
    assert folder_hash(corpus_copy) != before  # any change to the corpus changes the recorded hash
    copy = tmp_path / "rules"
    shutil.copytree(rules, copy)
    assert folder_hash(copy, "*.toml") == facts["rules_sha256"]
