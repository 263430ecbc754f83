"""The CDS Hooks service on a real uvicorn, graded by the frozen set in tests/interfaces/data/cds_hooks/ (written
from the specification and the rules file, without the code)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[1] / "data" / "cds_hooks"
CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
BAD = json.loads((DATA / "bad_requests.json").read_text(encoding="utf-8"))
RANK = {"info": 0, "warning": 1, "critical": 2}
SERVICE = "/cds-services/dose-check"


def cards_by_order(cards: list[dict], order_ids: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {o: [] for o in order_ids}
    for card in cards:
        out[card["extension"]["order"].removeprefix("MedicationRequest/")].append(card)
    return out


def check_order(cards: list[dict], expect: dict) -> None:
    wanted = expect["card"]
    if wanted is False:
        assert cards == []
        return
    if wanted == "optional" and not cards:
        return
    assert cards, "expected a card"
    worst = max((c["indicator"] for c in cards), key=RANK.__getitem__)
    assert worst in expect["indicator_any_of"]
    if wanted is True and expect.get("summary_contains_any"):
        words = [w.lower() for w in expect["summary_contains_any"]]
        assert any(w in c["summary"].lower() for c in cards for w in words), [c["summary"] for c in cards]
    if expect.get("detail_contains_any"):
        words = [w.lower() for w in expect["detail_contains_any"]]
        assert any(w in c["detail"].lower() for c in cards for w in words), [c["detail"] for c in cards]
    for card in cards:
        assert len(card["summary"]) <= 140 and card["source"]["label"] and card["uuid"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_frozen_case(server, case):
    before = len(server.audit_lines())
    r = httpx.post(server.url + SERVICE, json=case["request"], timeout=30)
    assert r.status_code == 200, r.text
    got = cards_by_order(r.json()["cards"], list(case["expect"]))
    for order_id, expect in case["expect"].items():
        check_order(got[order_id], expect)
    (line,) = server.audit_lines()[before:]  # one audit line per call, ids only as keyed hashes
    record = json.loads(line)
    assert record["event"] == "cds_hooks" and record["hook_instance"] == case["request"]["hookInstance"]
    patient_id = case["request"]["context"]["patientId"]
    assert patient_id not in line and record["patient_id"].startswith("hmac-sha256:")
    assert {o["order"] for o in record["orders"]} <= set(case["expect"])


@pytest.mark.parametrize("bad", BAD, ids=[b["name"] for b in BAD])
def test_malformed_request_is_a_json_error(server, bad):
    before = len(server.audit_lines())
    body = bad["raw"].encode() if "raw" in bad else json.dumps(bad["body"]).encode()
    r = httpx.post(server.url + SERVICE, content=body, headers={"content-type": "application/json"})
    assert r.status_code in bad["status_any_of"], r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert len(server.audit_lines()) == before


def test_discovery_lists_the_service_and_its_prefetch(server):
    services = httpx.get(server.url + "/cds-services").json()["services"]
    assert {(s["hook"], s["id"]) for s in services} == {
        ("order-sign", "dose-check"),
        ("order-select", "dose-check-select"),
    }
    for svc in services:
        assert {"patient", "observations", "conditions", "medications"} <= set(svc["prefetch"])
    select = next(c for c in CASES if c["request"]["hook"] == "order-select")
    cards = httpx.post(server.url + "/cds-services/dose-check-select", json=select["request"]).json()["cards"]
    assert {c["extension"]["order"] for c in cards} == {"MedicationRequest/mr-bac-sel"}


def test_feedback_is_audited(server):
    before = len(server.audit_lines())
    body = {"feedback": [{"card": str(uuid.uuid4()), "outcome": "overridden", "outcomeTimestamp": "2026-12-01T10:00Z"}]}
    assert httpx.post(server.url + SERVICE + "/feedback", json=body).status_code == 200
    (line,) = server.audit_lines()[before:]
    assert json.loads(line)["card_feedback"][0]["outcome"] == "overridden"


@pytest.fixture(scope="module")
def ehr_keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ehr")
    key = ec.generate_private_key(ec.SECP384R1())
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (folder / "ehr.pem").write_bytes(public)
    issuers = folder / "issuers.json"
    issuers.write_text(json.dumps({"https://ehr.example.org": {"key_file": "ehr.pem", "algorithms": ["ES384"]}}))
    return key, issuers


@pytest.fixture(scope="module")
def signed_server(service, ehr_keys):
    from tests.interfaces.server.conftest import start

    yield from start(service, cds_issuers_file=ehr_keys[1])


def token(key, aud: str, **claims) -> str:
    now = int(time.time())
    body = {"iss": "https://ehr.example.org", "aud": aud, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    return jwt.encode({**body, **claims}, key, algorithm="ES384", headers={"jku": "https://attacker.example/jwks"})


def test_jwt_from_a_configured_issuer_is_required(signed_server, ehr_keys):
    key, _ = ehr_keys
    url = signed_server.url + SERVICE
    request = CASES[1]["request"]
    assert httpx.post(url, json=request).status_code == 401
    ok = httpx.post(url, json=request, headers={"authorization": f"Bearer {token(key, url)}"})
    assert ok.status_code == 200 and ok.json()["cards"][0]["indicator"] == "critical"
    other = ec.generate_private_key(ec.SECP384R1())  # signed by a key the token's jku would serve: refused
    for bad in (
        token(other, url),
        token(key, "https://other.example/cds-services/dose-check"),
        token(key, url, exp=int(time.time()) - 3600),
        token(key, url, iss="https://unknown.example"),
    ):
        r = httpx.post(url, json=request, headers={"authorization": f"Bearer {bad}"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
