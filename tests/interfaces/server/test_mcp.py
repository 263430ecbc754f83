"""The MCP server with the SDK's own client: in process, over streamable HTTP on `serve`, and over stdio."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from assistant.interfaces.server.mcp_tools import build_mcp

pytestmark = pytest.mark.slow
TOOLS = {"check_dose", "search_guidelines", "ask"}
DOSE = {"request": {"drug": "baclofen", "dose": "30 mg three times daily", "indication": "spasticity"}}


def structured(result) -> dict:
    assert not result.is_error, result.content
    return result.structured_content or json.loads(result.content[0].text)


async def exercise(client: Client) -> dict:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    check = structured(await client.call_tool("check_dose", DOSE))
    hits = structured(await client.call_tool("search_guidelines", {"query": "baclofen maximum dose for cramps"}))
    answer = structured(
        await client.call_tool("ask", {"request": {"question": "How should baclofen be started for spasticity?"}})
    )
    bad = await client.call_tool("check_dose", {"request": {"drug": "baclofen"}})
    return {"tools": tools, "check": check, "hits": hits, "answer": answer, "bad": bad}


def test_tools_in_process(service):
    async def run() -> dict:
        async with Client(build_mcp(lambda: service)) as client:
            got = await exercise(client)
            doc = await client.read_resource("guideline://baclofen-spasticity")
            rules = await client.read_resource("rules://baclofen")
            got["doc"], got["rules"] = doc.contents[0].text, rules.contents[0].text
            return got

    got = asyncio.run(run())
    assert set(got["tools"]) == TOOLS
    schema = got["tools"]["check_dose"].input_schema
    assert "drug" in json.dumps(schema) and "previous_dose" in json.dumps(schema)  # the CLI's DoseRequest
    assert got["check"]["verdict"] == "above_max"
    quotes = " ".join(r["quote"] for r in got["hits"]["results"])
    assert got["hits"]["results"][0]["doc_id"] == "baclofen-muscle-cramps" and "30 mg/day" in quotes
    assert got["answer"]["refused"] is False and got["answer"]["citations"]
    assert got["bad"].is_error and "dose" in got["bad"].content[0].text
    assert (service.settings.corpus_dir / "baclofen-spasticity.md").read_text(encoding="utf-8") == got["doc"]
    assert 'drug = "baclofen"' in got["rules"]


def test_tools_over_streamable_http(server):
    async def run() -> dict:
        async with Client(server.url + "/mcp/") as client:
            return await exercise(client)

    before = len(server.audit_lines())
    got = asyncio.run(run())
    assert set(got["tools"]) == TOOLS and got["check"]["verdict"] == "above_max"
    events = [json.loads(line)["event"] for line in server.audit_lines()[before:]]
    assert events == ["dose_check", "search", "answer"]  # one line per call; the refused bad call wrote none


def test_stdio_server_any_client_can_spawn(service):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(service.settings.data_dir)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"], env=env)

    async def run() -> dict:
        async with Client(params) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            return {"tools": tools, "check": structured(await client.call_tool("check_dose", DOSE))}

    got = asyncio.run(run())
    assert got["tools"] == TOOLS and got["check"]["verdict"] == "above_max"
