"""The MCP server (official `mcp` SDK): tools `check_dose`, `search_guidelines` and `ask`, the guideline documents
and rules files as resources. The same `Service` as the HTTP API; tool inputs are the CLI's own models.
`python -m assistant mcp` runs it on stdio; `serve` mounts it at /mcp (streamable HTTP, stateless)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

import assistant as package
from assistant import AssistantError, DoseRequest, Patient, one_line
from assistant.interfaces.answer_json import answer_object
from assistant.interfaces.server.models import AskRequest

if TYPE_CHECKING:
    from assistant.interfaces.server.service import Service

INSTRUCTIONS = (
    "Answers about drug dosing only from the library's guidelines, each claim cited; refuses what the library does "
    "not cover. Use check_dose for any dose before advising it: its verdict is deterministic, from rules that cite "
    "the guideline text. unable_to_check means the dose could not be checked: never present it as acceptable."
)


def build_mcp(service: Callable[[], Service]) -> MCPServer:
    """The server; `service` gives the loaded Service when a call arrives (loaded once per process)."""
    mcp = MCPServer(name="guideline-assistant", version=package.__version__, instructions=INSTRUCTIONS)

    @mcp.tool()
    def check_dose(request: DoseRequest) -> dict[str, Any]:
        """Check one proposed dose against the guideline's dose rules. Returns the DoseCheck: verdict
        (within_limits, caution, exceeds_titration_step, above_max, contraindicated, unable_to_check), the reason,
        each finding with the guideline sentence it comes from, and the limits applied."""
        svc = service()
        result = _call(lambda: svc.check(request))
        svc.record("dose_check", dose_check=result, patient=request.patient.known(), extra={"surface": "mcp"})
        return result.model_dump(mode="json")

    @mcp.tool()
    def search_guidelines(query: str, k: int = 5) -> dict[str, Any]:
        """Search the guideline library; returns the best chunks with document id, title, section, page and the
        exact text (quote it as it is)."""
        svc = service()
        if not query.strip():
            raise ToolError("query is empty")
        hits = _call(lambda: svc.search(query, max(1, min(k, 20))))
        chunks = [
            {
                "doc_id": h.chunk.doc_id,
                "title": h.chunk.title,
                "section": h.chunk.section,
                "page": h.chunk.page,
                "quote": h.chunk.text,
                "score": h.score,
            }
            for h in hits
        ]
        svc.record("search", question=query, extra={"surface": "mcp", "chunks": [c["doc_id"] for c in chunks]})
        return {"results": chunks}

    @mcp.tool()
    def ask(request: AskRequest) -> dict[str, Any]:
        """Answer a dosing question (or the last turn of a conversation) from the guidelines: the guarded answer
        with [n] citations to the exact guideline text, and the dose check of any dose it talks about. A refusal
        (refused = true) means the library does not answer it."""
        svc = service()
        answer = _call(lambda: svc.ask(request.conversation(), request.patient or Patient()))
        facts = request.patient.known() if request.patient else {}
        svc.record("answer", answer=answer, patient=facts, extra={"surface": "mcp", "id": request.id})
        return {"id": request.id, **answer_object(answer)}

    @mcp.resource("guideline://index", mime_type="application/json", description="The documents of the library.")
    def library() -> list[dict[str, Any]]:
        return service().documents()

    @mcp.resource("guideline://{doc_id}", mime_type="text/markdown", description="A guideline document's text.")
    def guideline(doc_id: str) -> str:
        path = service().document_path(doc_id)
        if path is None:
            raise ValueError(f"no document '{doc_id}' in the library")
        return path.read_text(encoding="utf-8", errors="replace")

    @mcp.resource("rules://{drug}", mime_type="application/toml", description="A drug's dose rules file (TOML).")
    def rules(drug: str) -> str:
        svc = service()
        if drug.lower() not in svc.assistant.rules:
            raise ValueError(f"no dose rules for '{drug}'")
        return (svc.settings.rules_dir / f"{drug.lower()}.toml").read_text(encoding="utf-8")

    return mcp


def _call(fn: Callable[[], Any]) -> Any:
    """Run an act; a user-facing error becomes the tool's error message (one line)."""
    try:
        return fn()
    except AssistantError as exc:
        raise ToolError(one_line(exc)) from None


def run_stdio() -> int:
    """`python -m assistant mcp`: load the library, then serve MCP on stdin/stdout (logs go to stderr)."""
    from assistant import Settings
    from assistant.interfaces.server.service import Service

    loaded = Service(Settings())
    build_mcp(lambda: loaded).run("stdio")
    return 0
