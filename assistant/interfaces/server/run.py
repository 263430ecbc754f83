"""`python -m assistant serve [--host H] [--port P] [--workers N]` and `python -m assistant mcp` (stdio)."""

from __future__ import annotations

import argparse

from assistant.interfaces.server.config import ServerSettings, export


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = ServerSettings.model_fields
    parser.add_argument("--host", help=f"bind address (default {defaults['host'].default}; others need an API key)")
    parser.add_argument("--port", type=int, help=f"TCP port (default {defaults['port'].default})")
    parser.add_argument("--workers", type=int, help="worker processes, each with its own copy of the index (default 1)")
    parser.add_argument("--ssl-keyfile", dest="ssl_keyfile", help="TLS private key (PEM); with --ssl-certfile")
    parser.add_argument("--ssl-certfile", dest="ssl_certfile", help="TLS certificate chain (PEM)")
    parser.add_argument("--openapi", action="store_true", help="print the OpenAPI schema (docs/openapi.json) and exit")


def app_from_env():  # noqa: ANN201  # uvicorn's factory: each worker builds its app from the environment
    from assistant.interfaces.server.http_app import create_app

    return create_app(ServerSettings())


def openapi_text() -> str:
    """The API's OpenAPI schema as committed in docs/openapi.json (built without loading the index)."""
    import json

    from assistant.interfaces.server.http_app import create_app

    return json.dumps(create_app(ServerSettings(host="127.0.0.1")).openapi(), indent=2, ensure_ascii=False) + "\n"


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.openapi:
        print(openapi_text(), end="")
        return 0
    overrides = {k: getattr(args, k) for k in ("host", "port", "workers") if getattr(args, k) is not None}
    config = ServerSettings(**overrides)
    config.check_bind()  # a public bind without a key stops here, before anything loads
    export(config)
    uvicorn.run(
        "assistant.interfaces.server.run:app_from_env",
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers,
        ssl_keyfile=args.ssl_keyfile,
        ssl_certfile=args.ssl_certfile,
        timeout_keep_alive=5,
        server_header=False,
        log_level="info",
    )
    return 0


def run_mcp(_: argparse.Namespace) -> int:
    from assistant.interfaces.server.mcp_tools import run_stdio

    return run_stdio()
