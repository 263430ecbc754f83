"""Server settings (ASSISTANT_SERVER_* variables): bind address, API key, request limits, CDS Hooks trust."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import AssistantError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


class ServerConfigError(AssistantError, ValueError):
    """A server setting that cannot be used (e.g. a public bind without an API key); one line."""


class ServerSettings(BaseSettings):
    """Defaults are safe for one clinician's machine: loopback only, no CORS, bounded requests."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_SERVER_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Bind address; anything but loopback needs an API key.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port.")
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes (each loads the index once).")
    api_key: SecretStr | None = Field(default=None, description="Bearer token for /v1 and /mcp (or api_key_file).")
    api_key_file: Path | None = Field(default=None, description="File holding the bearer token (first line).")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host header values accepted besides loopback and the bind host (DNS-rebinding defence).",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API (EHR origins for CDS Hooks)."
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, description="Largest request body accepted.")
    body_read_seconds: float = Field(default=10.0, gt=0, description="A client slower than this to send its body: 408.")
    request_seconds: float = Field(default=60.0, gt=0, description="Longest time one request may take: 504.")
    rate_per_minute: int = Field(default=120, ge=1, description="Requests per minute per API key (or client address).")
    cds_issuers_file: Path | None = Field(
        default=None,
        description="JSON {issuer: {'key_file': PEM public key or JWKS file, 'algorithms': [...]}}: the EHRs whose "
        "signed JWTs CDS Hooks calls accept. Keys are only read from here, never fetched.",
    )
    cds_audience: list[str] = Field(
        default_factory=list, description="Accepted JWT 'aud' values (default: the service URL of the request)."
    )
    observation_max_days: float = Field(
        default=90.0, gt=0, description="CDS Hooks: a lab value or weight older than this is not used."
    )

    def key(self) -> str | None:
        """The API key, from the variable or the file; None when neither is set."""
        if self.api_key is not None:
            return self.api_key.get_secret_value().strip() or None
        if self.api_key_file is not None:
            try:
                first = self.api_key_file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise ServerConfigError(f"cannot read the API key file {self.api_key_file}: {exc.strerror}") from None
            return first[0].strip() if first and first[0].strip() else None
        return None

    def check_bind(self) -> None:
        """Refuse to serve beyond this machine without an API key."""
        if not is_loopback(self.host) and self.key() is None:
            raise ServerConfigError(
                f"binding to {self.host} needs an API key: set ASSISTANT_SERVER_API_KEY "
                "or ASSISTANT_SERVER_API_KEY_FILE"
            )

    def host_names(self) -> set[str]:
        """Host header names (without port) the server answers to."""
        names = {*LOOPBACK_NAMES, *(h.lower() for h in self.allowed_hosts)}
        if self.host not in ("0.0.0.0", "::"):
            names.add(self.host.lower())
        return names


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def export(settings: ServerSettings) -> None:
    """Pass the command line's choices to uvicorn's worker processes, which build the app from the environment."""
    os.environ["ASSISTANT_SERVER_HOST"] = settings.host
    os.environ["ASSISTANT_SERVER_PORT"] = str(settings.port)
