"""What every request passes before a handler runs (pure ASGI, so streams and the MCP app are covered too):
Host and Origin checks against DNS rebinding, the API key, a per-key rate limit, and a bounded request body read
within a deadline. Each refusal is one JSON error."""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import anyio

from assistant.interfaces.server.config import ServerSettings
from assistant.interfaces.server.errors import ApiError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KEYED_PREFIXES = ("/v1", "/mcp")  # CDS Hooks authenticates with the EHR's JWT instead


class RateLimiter:
    """A token bucket per client: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = self.clock()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                return 0.0
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate


class Guards:
    """ASGI middleware in front of the whole app."""

    def __init__(self, app: ASGIApp, config: ServerSettings) -> None:
        self.app = app
        self.config = config
        self.hosts = config.host_names()
        self.origins = {o.rstrip("/").lower() for o in config.cors_origins}
        self.key = config.key()
        self.limiter = RateLimiter(config.rate_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            client = self._check(scope)
            receive = await self._bounded_body(scope, receive)
        except ApiError as exc:
            await send_error(send, exc)
            return
        scope.setdefault("state", {})["client"] = client
        await self.app(scope, receive, send)

    def _check(self, scope: Scope) -> str:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = urlsplit("//" + headers.get("host", "")).hostname or ""
        if host.lower() not in self.hosts:
            raise ApiError("forbidden", f"host '{host}' is not served here (add it to ASSISTANT_SERVER_ALLOWED_HOSTS)")
        origin = headers.get("origin")
        if origin and origin.rstrip("/").lower() not in self.origins and urlsplit(origin).hostname not in self.hosts:
            raise ApiError("forbidden", f"origin '{origin}' is not allowed (ASSISTANT_SERVER_CORS_ORIGINS)")
        path = scope.get("path", "")
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.key and path.startswith(KEYED_PREFIXES) and scope.get("method") != "OPTIONS":
            given = headers.get("authorization", "")
            scheme, _, token = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.key.encode()):
                raise ApiError("unauthorized", "a valid API key is needed: 'Authorization: Bearer <key>'")
            client = "key:" + token[:6]
        if path.startswith(("/v1", "/mcp", "/cds-services")):
            wait = self.limiter.allow(client)
            if wait:
                raise ApiError(
                    "rate_limited", f"too many requests; retry in {wait:.1f} s", {"retry-after": f"{wait:.0f}"}
                )
        return client

    async def _bounded_body(self, scope: Scope, receive: Receive) -> Receive:
        """Read the body up front, refusing one that is too large or too slow; the app then reads it from memory."""
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return receive
        limit = self.config.max_body_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise ApiError("payload_too_large", f"request body over {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.config.body_read_seconds) as deadline:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    break
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > limit:
                    raise ApiError("payload_too_large", f"request body over {limit} bytes")
                if not message.get("more_body"):
                    break
        if deadline.cancelled_caught:
            raise ApiError(
                "request_timeout", f"the request body was not sent within {self.config.body_read_seconds:g} s"
            )
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # after the body: wait for the disconnect, as the server would report it
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay


async def send_error(send: Send, exc: ApiError) -> None:
    body = exc.body()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in exc.headers.items()]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
