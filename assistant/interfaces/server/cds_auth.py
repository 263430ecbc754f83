"""CDS Hooks security: the EHR signs a JWT per call; it is verified against issuers and keys configured on this
machine (`ASSISTANT_SERVER_CDS_ISSUERS_FILE`), never against a key URL the token names. Expired, not-yet-valid,
wrong-audience or unknown-issuer tokens are refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt

from assistant.interfaces.server.config import ServerSettings, is_loopback
from assistant.interfaces.server.errors import ApiError

DEFAULT_ALGORITHMS = ("ES384", "RS384", "ES256", "RS256")


@dataclass(frozen=True)
class Issuer:
    name: str
    keys: tuple[Any, ...]  # public keys; a JWKS file gives one per kid
    kids: tuple[str | None, ...]
    algorithms: tuple[str, ...]


@lru_cache(maxsize=4)
def load_issuers(path: Path) -> dict[str, Issuer]:
    """{iss: Issuer} from the configured JSON file: {iss: {"key_file": PEM or JWKS, "algorithms": [...]}}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ApiError("internal", f"CDS Hooks issuers file {path} cannot be read: {exc}") from None
    issuers = {}
    for name, spec in data.items():
        key_path = (path.parent / spec["key_file"]).resolve()
        text = key_path.read_text(encoding="utf-8")
        algorithms = tuple(spec.get("algorithms", DEFAULT_ALGORITHMS))
        if text.lstrip().startswith("{"):
            jwks = jwt.PyJWKSet.from_json(text)
            keys = tuple(k.key for k in jwks.keys)
            kids = tuple(k.key_id for k in jwks.keys)
        else:
            keys, kids = (text,), (None,)
        issuers[name] = Issuer(name, keys, kids, algorithms)
    return issuers


def verify_call(authorization: str | None, config: ServerSettings, service_url: str) -> dict[str, Any] | None:
    """The verified claims of the call's JWT; None when no issuers are configured and the server is loopback-only
    (a developer's machine). Raises ApiError('unauthorized') otherwise."""
    if config.cds_issuers_file is None:
        if is_loopback(config.host):
            return None
        raise ApiError("unauthorized", "no EHR issuers are configured (ASSISTANT_SERVER_CDS_ISSUERS_FILE)")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("unauthorized", "CDS Hooks calls need the EHR's signed JWT: 'Authorization: Bearer <jwt>'")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ApiError("unauthorized", f"the JWT cannot be read: {exc}") from None
    issuer = load_issuers(config.cds_issuers_file).get(str(unverified.get("iss")))
    if issuer is None:
        raise ApiError("unauthorized", f"the JWT issuer '{unverified.get('iss')}' is not configured")
    audience = config.cds_audience or [service_url]
    last: Exception | None = None
    for key, kid in zip(issuer.keys, issuer.kids, strict=True):
        if kid is not None and header.get("kid") not in (None, kid):
            continue
        try:
            return jwt.decode(
                token,
                key,
                algorithms=list(issuer.algorithms),
                audience=audience,
                issuer=issuer.name,
                options={"require": ["exp", "iat", "iss", "aud", "jti"]},
                leeway=30,
            )
        except jwt.InvalidSignatureError as exc:
            last = exc
        except jwt.PyJWTError as exc:
            raise ApiError("unauthorized", f"the JWT is not accepted: {exc}") from None
    raise ApiError("unauthorized", f"the JWT is not accepted: {last or 'no key of the issuer matches its kid'}")
