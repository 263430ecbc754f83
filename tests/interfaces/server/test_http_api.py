"""`serve`'s HTTP API on a real uvicorn: the CLI's JSON in and out, one audit line per act, JSON errors."""

from __future__ import annotations

import hashlib
import json
import socket
import time

import httpx
import pytest

from assistant import check_dose
from assistant.interfaces.answer_json import answer_object
from assistant.types import Patient

pytestmark = pytest.mark.slow
QUESTION = "What is the maximum daily dose of baclofen for muscle cramps in cirrhosis?"


def test_health_and_readiness_name_the_loaded_hashes(server):
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz").json()
    assert ready["ready"] is True and ready["rules"] == ["baclofen"]
    assert ready["index_sha256"] == server.service.assistant.provenance["index_sha256"]
    assert len(ready["corpus_sha256"]) == 16 and len(ready["rules_sha256"]) == 16


def test_ask_gives_the_cli_answer_object_and_one_audit_line(server, assistant):
    before = len(server.audit_lines())
    got = httpx.post(server.url + "/v1/ask", json={"id": "q1", "question": QUESTION}, timeout=60).json()
    expected = answer_object(assistant.reply([], QUESTION))
    assert got == {"id": "q1", **expected}
    assert "30 mg/day" in got["answer"] and got["citations"][0]["doc_id"] == "baclofen-muscle-cramps"
    lines = server.audit_lines()[before:]
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["event"] == "answer" and record["question"] == QUESTION and record["surface"] == "http"
    assert record["index_sha256"] == server.service.assistant.provenance["index_sha256"]


def test_ask_a_conversation_answers_the_last_turn_with_the_patient(server):
    body = {
        "id": 7,
        "turns": ["My patient with cirrhosis has muscle cramps.", "Is 20 mg twice a day of baclofen OK?"],
        "patient": {"egfr": 75, "age": 60},
    }
    got = httpx.post(server.url + "/v1/ask", json=body, timeout=60).json()
    assert got["id"] == 7 and got["dose_check"]["verdict"] == "above_max"


def test_check_dose_is_the_checker_verbatim(server):
    body = {"id": "d1", "drug": "baclofen", "dose": "30 mg three times daily", "indication": "spasticity"}
    body["patient"] = {"age": 50, "egfr": 90}
    before = len(server.audit_lines())
    got = httpx.post(server.url + "/v1/check-dose", json=body).json()
    request = {k: v for k, v in body.items() if k != "id"}
    assert got == {"id": "d1", **check_dose(request, rules=server.service.assistant.rules).model_dump(mode="json")}
    assert got["verdict"] == "above_max"
    (line,) = server.audit_lines()[before:]
    assert json.loads(line)["dose_check"]["verdict"] == "above_max"


def test_documents_list_hashes_and_rule_reviews(server):
    docs = {d["doc_id"]: d for d in httpx.get(server.url + "/v1/documents").json()}
    assert set(docs) == {"baclofen-muscle-cramps", "baclofen-spasticity"}
    for doc_id, doc in docs.items():
        path = server.service.settings.corpus_dir / f"{doc_id}.md"
        assert doc["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert doc["rules"][0]["drug"] == "baclofen" and doc["rules"][0]["reviewed_on"]
        text = httpx.get(server.url + f"/documents/{doc_id}").text
        assert text == path.read_text(encoding="utf-8")
    missing = httpx.get(server.url + "/documents/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def events(raw: str) -> list[tuple[str, dict]]:
    out = []
    for block in raw.strip().split("\n\n"):
        name = next(line[7:] for line in block.splitlines() if line.startswith("event: "))
        data = next(line[6:] for line in block.splitlines() if line.startswith("data: "))
        out.append((name, json.loads(data)))
    return out


def test_stream_sends_the_guarded_text_then_the_answer_and_audits_once(server, assistant):
    before = len(server.audit_lines())
    with httpx.stream("POST", server.url + "/v1/ask?stream=true", json={"question": QUESTION}, timeout=60) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        got = events(r.read().decode())
    names = [n for n, _ in got]
    assert names[-2:] == ["answer", "end"] and set(names[:-2]) == {"text"}
    answer = got[-2][1]
    assert "".join(d["text"] for n, d in got if n == "text").strip() == answer["answer"].strip()
    assert answer["answer"] == assistant.reply([], QUESTION).text
    (line,) = server.audit_lines()[before:]
    assert json.loads(line)["stream"] == "complete"


BAD = [
    ("/v1/ask", b"{not json", 400, "invalid_json"),
    ("/v1/ask", b'{"question": 5}', 422, "invalid_request"),
    ("/v1/ask", b'{"question": "a", "turns": ["b"]}', 422, "invalid_request"),
    ("/v1/ask", b'{"question": "dose?", "patient": {"egfr": 900}}', 422, "invalid_request"),
    ("/v1/ask", b'{"question": "dose?", "extra": 1}', 422, "invalid_request"),
    ("/v1/ask", b'{"question": "   "}', 400, "bad_input"),
    ("/v1/check-dose", b'{"drug": "baclofen"}', 422, "invalid_request"),
    ("/v1/check-dose", b'{"drug": "baclofen", "dose": "5 mg", "interval_days": -1}', 422, "invalid_request"),
    ("/v1/nothing", b"{}", 404, "not_found"),
]


@pytest.mark.parametrize(("path", "body", "status", "code"), BAD)
def test_bad_input_is_one_json_error_and_no_audit_line(server, path, body, status, code):
    before = len(server.audit_lines())
    r = httpx.post(server.url + path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and "\n" not in r.json()["error"]["message"]
    assert len(server.audit_lines()) == before


def test_dns_rebinding_and_foreign_origins_are_refused(server):
    r = httpx.get(server.url + "/healthz", headers={"host": "attacker.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = httpx.post(server.url + "/v1/check-dose", json={}, headers={"origin": "https://attacker.example"})
    assert r.status_code == 403


def test_api_key_is_required_and_compared(keyed_server):
    body = {"drug": "baclofen", "dose": "5 mg three times daily"}
    assert httpx.post(keyed_server.url + "/v1/check-dose", json=body).status_code == 401
    wrong = {"authorization": "Bearer nope"}
    assert httpx.post(keyed_server.url + "/v1/check-dose", json=body, headers=wrong).status_code == 401
    good = {"authorization": "Bearer s3cret-key"}
    assert httpx.post(keyed_server.url + "/v1/check-dose", json=body, headers=good).status_code == 200
    assert httpx.get(keyed_server.url + "/healthz").status_code == 200  # probes need no key


def test_cors_only_for_the_configured_origin(keyed_server):
    headers = {"origin": "https://ehr.example.org", "access-control-request-method": "POST"}
    r = httpx.options(keyed_server.url + "/v1/check-dose", headers=headers)
    assert r.headers["access-control-allow-origin"] == "https://ehr.example.org"


def test_oversize_and_slow_bodies_are_refused(keyed_server):
    good = {"authorization": "Bearer s3cret-key", "content-type": "application/json"}
    big = json.dumps({"question": "x" * 6000}).encode()
    r = httpx.post(keyed_server.url + "/v1/ask", content=big, headers=good)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    port = int(keyed_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:  # a client that sends half its body and stalls
        sock.sendall(
            b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer s3cret-key\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"question"'
        )
        sock.settimeout(10)
        started = time.monotonic()
        reply = sock.recv(4096).decode()
    assert " 408 " in reply.splitlines()[0] and "request_timeout" in reply
    assert time.monotonic() - started < 9


def test_rate_limit_per_key(keyed_server):
    good = {"authorization": "Bearer s3cret-key"}
    statuses = [
        httpx.post(keyed_server.url + "/v1/check-dose", json={"drug": "x", "dose": "1 mg"}, headers=good).status_code
        for _ in range(40)
    ]
    assert 429 in statuses
    r = httpx.post(keyed_server.url + "/v1/check-dose", json={"drug": "x", "dose": "1 mg"}, headers=good)
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and "retry-after" in r.headers


def test_a_request_over_the_time_limit_gets_a_json_504(service):
    from tests.interfaces.server.conftest import start

    gen = start(service, request_seconds=0.01)
    running = next(gen)
    try:
        before = len(running.audit_lines())
        r = httpx.post(running.url + "/v1/ask", json={"question": QUESTION + " (slow)"}, timeout=30)
        assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
        time.sleep(0.5)
        assert len(running.audit_lines()) <= before + 1  # the abandoned reply may finish; never half a line
        assert all(json.loads(line) for line in running.audit_lines())
    finally:
        next(gen, None)


def test_patient_model_is_the_clis(server):
    schema = httpx.get(server.url + "/openapi.json").json()["components"]["schemas"]
    assert set(schema["Patient"]["properties"]) == set(Patient.model_fields)
