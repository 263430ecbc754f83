"""A real uvicorn on a free loopback port, serving the app over the session's Assistant (loaded once)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.interfaces.server.config import ServerSettings
from assistant.interfaces.server.http_app import create_app
from assistant.interfaces.server.service import Service
from tests.conftest import free_port

# The frozen CDS Hooks cases date their observations against this request time.
CDS_NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class Running:
    url: str
    audit: Path
    service: Service

    def audit_lines(self) -> list[str]:
        return self.audit.read_text(encoding="utf-8").splitlines() if self.audit.exists() else []


@pytest.fixture(scope="session")
def service(assistant) -> Service:
    return Service(assistant.settings, assistant)


def start(service: Service, **config: object) -> Iterator[Running]:
    port = free_port()
    settings = ServerSettings(port=port, **config)  # type: ignore[arg-type]
    app = create_app(settings, service.settings, service, clock=lambda: CDS_NOW)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield Running(url, service.settings.audit_path, service)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(service) -> Iterator[Running]:
    """Default settings: loopback, no key."""
    yield from start(service)


@pytest.fixture(scope="module")
def keyed_server(service, tmp_path_factory) -> Iterator[Running]:
    """An API key, one allowed EHR origin, a small rate limit and short time limits."""
    yield from start(
        service,
        api_key="s3cret-key",
        cors_origins=["https://ehr.example.org"],
        rate_per_minute=30,
        body_read_seconds=0.5,
        max_body_bytes=5_000,
    )
