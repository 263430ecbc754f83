"""The FastAPI app of `serve`: /healthz, /readyz, /v1/ask (optionally streamed), /v1/check-dose, /v1/documents,
/documents/{id}, the CDS Hooks service and the MCP endpoint. Every /v1 act is one audit line, written before the
response leaves."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import assistant as package
from assistant import AssistantError, Patient, Settings, one_line
from assistant.interfaces.answer_json import answer_object
from assistant.interfaces.server.config import ServerSettings
from assistant.interfaces.server.errors import STATUS, ApiError, ErrorBody, error_code
from assistant.interfaces.server.guards import Guards
from assistant.interfaces.server.models import (
    AskRequest,
    AskResponse,
    CheckDoseRequest,
    CheckDoseResponse,
    DocumentInfo,
    Readiness,
    with_id,
)
from assistant.interfaces.server.service import Service
from assistant.interfaces.server.streaming import answer_events

T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 408, 413, 422, 429, 500, 503, 504)
}


def create_app(
    config: ServerSettings | None = None,
    settings: Settings | None = None,
    service: Service | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The app; the service (index, model, rules) is loaded at start-up unless given."""
    config = config or ServerSettings()
    config.check_bind()
    settings = settings or Settings()
    state: dict[str, Service] = {}
    from assistant.interfaces.server.mcp_tools import build_mcp

    mcp = build_mcp(lambda: state["service"])
    mcp_app = mcp.streamable_http_app(streamable_http_path="/", stateless_http=True, json_response=True)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state["service"] = service if service is not None else await anyio.to_thread.run_sync(Service, settings)
        async with mcp.session_manager.run():
            yield

    app = FastAPI(
        title="Guideline assistant",
        version=package.__version__,
        description="Cited answers from dosing guidelines, with a deterministic dose checker.",
        lifespan=lifespan,
        responses=ERRORS,
    )

    async def timed(fn: Callable[[], T]) -> T:
        """Run blocking work in a thread; past the request limit the client gets a JSON 504, never a hung call."""
        try:
            with anyio.fail_after(config.request_seconds):
                return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)
        except TimeoutError:
            raise ApiError("timeout", f"no answer within {config.request_seconds:g} s") from None

    @app.get("/healthz", tags=["status"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["status"], response_model=Readiness)
    def readyz() -> Any:
        """The index and rules are loaded, with their hashes; 503 until then."""
        if "service" not in state:
            raise ApiError("store_unavailable", "still loading the index")
        ready = state["service"].readiness()
        return ready if ready["ready"] else JSONResponse(ready, status_code=503)

    @app.post("/v1/ask", tags=["v1"], response_model=AskResponse)
    async def ask(body: AskRequest, stream: bool = Query(False, description="Server-sent events")) -> Any:
        """Answer a question or the last turn of a conversation (a `batch` line in, its answer out)."""
        svc = state["service"]
        if stream:
            return StreamingResponse(answer_events(svc, body), media_type="text/event-stream")

        def work() -> dict[str, Any]:
            answer = svc.ask(body.conversation(), body.patient or Patient())
            svc.record("answer", answer=answer, patient=_facts(body), extra={"surface": "http", "id": body.id})
            return with_id(AskResponse, body.id, answer_object(answer))

        return await timed(work)

    @app.post("/v1/check-dose", tags=["v1"], response_model=CheckDoseResponse)
    async def check_dose(body: CheckDoseRequest) -> Any:
        """Check one dose against the rules (a `check-dose --batch` line in, its DoseCheck out)."""
        svc = state["service"]

        def work() -> dict[str, Any]:
            result = svc.check(body.dose_request())
            svc.record(
                "dose_check", dose_check=result, patient=body.patient.known(), extra={"surface": "http", "id": body.id}
            )
            return with_id(CheckDoseResponse, body.id, result.model_dump(mode="json"))

        return await timed(work)

    @app.get("/v1/documents", tags=["v1"], response_model=list[DocumentInfo])
    async def documents() -> Any:
        """The library: ids, titles, drugs, file hashes and who reviewed the rules of each drug."""
        return await timed(state["service"].documents)

    @app.get("/documents/{doc_id}", tags=["library"], response_class=PlainTextResponse)
    async def document(doc_id: str) -> Any:
        """The guideline text a citation or a CDS card links to (public guideline text, no patient data)."""
        path = state["service"].document_path(doc_id)
        if path is None:
            raise ApiError("not_found", f"no document '{doc_id}' in the library")
        return PlainTextResponse(path.read_text(encoding="utf-8", errors="replace"), media_type="text/markdown")

    from assistant.interfaces.server.cds_hooks import cds_router

    app.include_router(cds_router(lambda: state["service"], config, clock))
    app.mount("/mcp", mcp_app)
    _errors(app)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type"],
        )
    app.add_middleware(Guards, config=config)
    return app


def _facts(body: AskRequest) -> dict[str, Any]:
    return body.patient.known() if body.patient is not None else {}


def _errors(app: FastAPI) -> None:
    """Every failure as {"error": {"code", "message"}} with its status; never a traceback."""

    def reply(exc: ApiError) -> JSONResponse:
        return JSONResponse(json.loads(exc.body()), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return reply(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors())
        if errors and errors[0].get("type") == "json_invalid":
            return reply(ApiError("invalid_json", "the body is not valid JSON"))
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg', '')}" for e in errors]
        return reply(ApiError("invalid_request", "; ".join(parts).replace("Value error, ", "")))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {v: k for k, v in STATUS.items()}.get(exc.status_code, "internal")
        return reply(ApiError(code, str(exc.detail)))  # type: ignore[arg-type]

    @app.exception_handler(AssistantError)
    async def assistant_error(_: Request, exc: AssistantError) -> JSONResponse:
        return reply(ApiError(error_code(exc), one_line(exc)))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return reply(ApiError("internal", f"unexpected {one_line(exc, with_type=True)}"))
