"""A CLI `ask` on a built index loads only what answering needs: no torch, transformers, sentence-transformers, the
drug dictionary package, an LLM client, Streamlit or plotting (the start-up a user pays on every question)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.settings import REPO_ROOT

pytestmark = pytest.mark.slow
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "drug_named_entity_recognition",
    "streamlit",
    "matplotlib",
    "sklearn",
    "langchain_text_splitters",
    "llama_cpp",
    "openai",
    "ollama",
)
PROBE = (
    "import contextlib, io, json, sys\n"
    "from assistant.interfaces.cli import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    code = main(['ask', '--json', sys.argv[1]])\n"
    "print(json.dumps({'code': code, 'answer': json.loads(out.getvalue()), 'heavy': sorted(m for m in "
    f"{HEAVY!r} if m in sys.modules)}}))\n"
)


def test_ask_on_a_built_index_imports_no_heavy_package(assistant) -> None:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(assistant.settings.data_dir), "ASSISTANT_LLM": "none"}
    question = "What is the maximum daily dose of baclofen for muscle cramps?"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, question], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["code"] == 0 and got["heavy"] == []
    assert "30 mg/day" in got["answer"]["answer"] and not got["answer"]["refused"]
