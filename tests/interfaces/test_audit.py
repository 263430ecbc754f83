"""assistant/interfaces/audit.py: append-only JSONL, whitelisted patient fields, robust to a corrupt file."""

from __future__ import annotations

import json
import threading

import pytest

from assistant.interfaces import audit
from assistant.types import Answer, Citation, DoseCheck, Finding, RuleSource


def _answer() -> Answer:
    finding = Finding(
        code="max_daily",
        severity="hard",
        verdict="above_max",
        message="40 mg/day is above 30 mg/day.",
        limit="30 mg/day",
        citation=RuleSource(doc_id="d", section="S", quote="up to 30 mg/day"),
    )
    dc = DoseCheck(
        drug="baclofen",
        dose="40 mg/day",
        indication="muscle_cramps",
        route="oral",
        verdict="above_max",
        hard_stop=True,
        findings=[finding],
        daily_dose_mg=40.0,
        patient={"egfr": 20.0},
    )
    cit = Citation(n=1, chunk_id="c1", doc_id="d", title="T", section="S", text="up to 30 mg/day", refs=[1, 2])
    return Answer(question="Is 40 mg/day OK?", text="Above max [1].", refused=False, citations=[cit], dose_check=dc)


def test_record_has_the_required_fields_and_only_allowed_patient_facts(tmp_path):
    path = tmp_path / "audit.jsonl"
    patient = {
        "egfr": 20.0,
        "dialysis": False,
        "cirrhosis": None,
        "age": 70,
        "sodium": 130,
        "indication": "muscle_cramps",
        "route": "oral",
        "name": "Jane Doe",
        "mrn": "123456",
    }
    audit.log_event(path, "answer", answer=_answer(), patient=patient, extra={"turn_id": "t1", "event": "spoof"})
    [rec], bad = audit.read_audit(path)
    assert bad == 0
    assert {"timestamp", "event", "question", "answer", "citations", "dose_check", "patient"} <= rec.keys()
    assert rec["event"] == "answer"  # extras never overwrite fixed fields
    assert rec["question"] == "Is 40 mg/day OK?" and rec["answer"] == "Above max [1]."
    assert rec["citations"][0]["refs"] == [1, 2] and rec["citations"][0]["text"] == "up to 30 mg/day"
    assert (
        rec["dose_check"]["verdict"] == "above_max"
        and rec["dose_check"]["findings"][0]["citation"]["quote"] == "up to 30 mg/day"
    )
    assert rec["patient"] == {
        "egfr": 20.0,
        "dialysis": False,
        "age": 70,
        "sodium": 130,
        "indication": "muscle_cramps",
        "route": "oral",
    }
    assert "Jane" not in path.read_text() and "123456" not in path.read_text()
    assert rec["turn_id"] == "t1"


def test_appends_never_rewrite_earlier_lines(tmp_path):
    path = tmp_path / "audit.jsonl"
    audit.log_event(path, "answer", answer=_answer())
    first = path.read_bytes()
    audit.log_event(path, "feedback", answer=_answer(), extra={"rating": "up"})
    audit.log_event(path, "download", question="q", extra={"format": "markdown"})
    data = path.read_bytes()
    assert data.startswith(first)
    assert [r["event"] for r in audit.read_audit(path)[0]] == ["answer", "feedback", "download"]
    assert data.count(b"\n") == 3 and data.endswith(b"\n")


def test_corrupt_and_torn_lines_do_not_stop_appends(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b'{"event": "answer"}\nnot json at all\n\xff\xfe binary\n{"event": "feedb')  # torn last line
    before = path.read_bytes()
    audit.log_event(path, "feedback", answer=_answer(), extra={"rating": "down"})
    assert path.read_bytes().startswith(before)
    records, bad = audit.read_audit(path)
    assert bad == 3
    assert records[-1]["event"] == "feedback" and records[-1]["rating"] == "down"


def test_unknown_event_is_rejected(tmp_path):
    with pytest.raises(ValueError):
        audit.log_event(tmp_path / "a.jsonl", "delete")  # type: ignore[arg-type]
    assert not (tmp_path / "a.jsonl").exists()


def test_unwritable_path_raises_one_line_audit_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(audit.AuditError) as info:
        audit.log_event(blocker / "audit.jsonl", "answer", answer=_answer())
    assert "\n" not in str(info.value)


def test_odd_text_survives(tmp_path):
    path = tmp_path / "audit.jsonl"
    question = "lone surrogate \ud800, \u2028 line sep, \x85 NEL and m²"
    audit.log_event(path, "download", question=question)
    [rec], bad = audit.read_audit(path)
    assert bad == 0 and rec["question"] == question
    assert path.read_bytes().isascii()
    assert len(path.read_text().splitlines()) == 1


def test_concurrent_appends_do_not_interleave(tmp_path):
    path = tmp_path / "audit.jsonl"
    long_answer = _answer().model_copy(update={"text": "x" * 20000})

    def worker(i: int) -> None:
        for j in range(20):
            audit.log_event(path, "answer", answer=long_answer, extra={"worker": i, "j": j})

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records, bad = audit.read_audit(path)
    assert bad == 0 and len(records) == 120
    for line in path.read_text().splitlines():
        json.loads(line)
