"""`python -m assistant bench --serve URL`: a load test of a running `serve` — concurrent clients for a fixed time
mixing ask, check-dose and CDS Hooks calls; throughput, p50/p95 per endpoint, errors, and the audit lines the
server wrote (one per request is the contract). The questions and the dose come from the library's own data."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from assistant.interfaces.bench_inputs import corpus_questions, probe_dose
from assistant.settings import Settings


def cds_request(drug: str, indication: str, n: int) -> dict[str, Any]:
    """An order-sign call with one draft order of the probe drug (10 mg three times a day) and an adult patient."""
    order = {
        "resourceType": "MedicationRequest",
        "id": f"load-{n}",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/load"},
        "medicationCodeableConcept": {"text": drug},
        "reasonCode": [{"text": indication.replace("_", " ")}],
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 10, "unit": "mg", "code": "mg"}}],
            }
        ],
    }
    return {
        "hook": "order-sign",
        "hookInstance": f"load-{n}",
        "context": {
            "userId": "Practitioner/load",
            "patientId": "load",
            "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": order}]},
        },
        "prefetch": {"patient": {"resourceType": "Patient", "id": "load", "birthDate": "1970-01-01"}},
    }


async def run_load(url: str, clients: int, seconds: float, key: str | None) -> dict[str, Any]:
    import httpx

    settings = Settings()
    questions = corpus_questions(settings.corpus_dir)
    drug, dose, indication = probe_dose(settings.rules_dir)
    headers = {"authorization": f"Bearer {key}"} if key else {}
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + seconds

    async def client(number: int, http: httpx.AsyncClient) -> None:
        n = number
        while time.monotonic() < deadline:
            kind = ("ask", "check-dose", "cds-hooks")[n % 3]
            if kind == "ask":
                path, body = "/v1/ask", {"id": n, "question": questions[n % len(questions)]}
            elif kind == "check-dose":
                path, body = "/v1/check-dose", {"id": n, "drug": drug, "dose": dose, "indication": indication}
            else:
                path, body = "/cds-services/dose-check", cds_request(drug, indication, n)
            started = time.perf_counter()
            try:
                response = await http.post(url + path, json=body, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            times[kind].append(time.perf_counter() - started)
            errors[kind] += 0 if ok else 1
            n += clients

    async with httpx.AsyncClient(timeout=120) as http:
        started = time.monotonic()
        await asyncio.gather(*(client(i, http) for i in range(clients)))
        elapsed = time.monotonic() - started
    per = {
        kind: {
            "requests": len(values),
            "errors": errors[kind],
            "p50_ms": round(float(np.percentile(values, 50)) * 1000, 1),
            "p95_ms": round(float(np.percentile(values, 95)) * 1000, 1),
        }
        for kind, values in sorted(times.items())
    }
    total = sum(len(v) for v in times.values())
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": total,
        "per_s": round(total / elapsed, 2),
        "errors": sum(errors.values()),
        "endpoints": per,
    }


def audit_count(path: Path) -> int:
    return sum(1 for _ in path.open("rb")) if path.exists() else 0


def main(url: str, clients: int, seconds: float, key: str | None, audit: Path | None) -> int:
    log = audit or Settings().audit_path
    before = audit_count(log)
    result = asyncio.run(run_load(url.rstrip("/"), clients, seconds, key))
    result["audit_lines_added"] = audit_count(log) - before
    result["audit_lines_match"] = result["audit_lines_added"] == result["requests"] - result["errors"]
    print(json.dumps(result))
    return 0 if result["errors"] == 0 and result["audit_lines_match"] else 1
