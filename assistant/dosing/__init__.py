"""Deterministic dose checking. Two foundations — `rules/` (the rules schema, loading and merging: dose rules as
data in corpus/rules/*.toml) and `reading/` (the dose-expression grammar) — that the reader and the index use too,
and the stage on top of them: `findings/` (one module per kind of limit), `check.py` (check_dose) and `tool.py`
(check_dose as an LLM tool). The public entry points are re-exported by `assistant` itself."""
