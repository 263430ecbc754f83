"""`python -m assistant serve`: the HTTP API, the CDS Hooks service and the MCP endpoint on one app, and
`python -m assistant mcp` (stdio). Thin rings over the public API: every answer and check comes from the same
`Assistant` and `check_dose` as the chat, under the same guard and closed-world rule, and is audited the same way."""
