"""The public CLI contract (DESIGN.md 'Public interfaces'), run as a subprocess like a script would."""

import json
import os
import subprocess
import sys

import pytest

from assistant.settings import REPO_ROOT

REPO = REPO_ROOT
ASK_KEYS = {"question", "answer", "refused", "citations", "dose_check"}
CITATION_KEYS = {"n", "chunk_id", "doc_id", "title", "section", "text"}


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-data")
    return {**os.environ, "ASSISTANT_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}


def run(args, env, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        input=stdin,
        timeout=300,
    )


@pytest.mark.slow
def test_ask_json_on_missing_index_builds_it_and_answers_30(cli_env):
    out = run(["ask", "--json", "What is the maximum daily dose of baclofen for muscle cramps?"], cli_env)
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert ASK_KEYS <= set(obj)
    assert obj["refused"] is False and "30 mg/day" in obj["answer"]
    assert obj["citations"] and all(CITATION_KEYS <= set(c) for c in obj["citations"])
    assert obj["citations"][0]["doc_id"] == "baclofen-muscle-cramps"
    assert obj["dose_check"] is None
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_ask_json_refuses_metformin(cli_env):
    obj = json.loads(run(["ask", "--json", "What is the starting dose of metformin?"], cli_env).stdout)
    assert obj["refused"] is True and obj["citations"] == [] and obj["dose_check"] is None


@pytest.mark.slow
def test_ask_json_dose_check_and_patient_flag(cli_env):
    out = run(["ask", "--json", "Is 10 mg/day of baclofen OK for muscle cramps?", "--patient", "egfr=20"], cli_env)
    obj = json.loads(out.stdout)
    assert obj["dose_check"]["verdict"] == "contraindicated" and obj["dose_check"]["hard_stop"] is True
    assert obj["dose_check"]["patient"]["egfr"] == 20


@pytest.mark.slow
def test_ask_human_readable_lists_sources(cli_env):
    out = run(["ask", "How does baclofen work?"], cli_env)
    assert out.returncode == 0
    assert "Sources:" in out.stdout and "[1] Baclofen Dosage for Muscle Spasticity › Mechanism of Action" in out.stdout


@pytest.mark.slow
def test_batch_contract(cli_env, tmp_path):
    lines = [
        {"id": "q1", "question": "What is the maximum daily dose of baclofen for muscle cramps?"},
        {"id": "q2", "turns": ["What is the max dose for cramps?", "and if the eGFR is 45?"]},
        {"id": "q3", "question": "Is 30 mg/day baclofen OK for cramps?", "patient": {"dialysis": True}},
        {"id": "q4", "question": "What is the starting dose of metformin?"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(json.dumps(x) for x in lines) + "\nnot json\n" + json.dumps({"id": "q6", "question": ""}) + "\n"
    )
    out = run(["batch", str(path)], cli_env)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3", "q4", None, "q6"]
    assert all(ASK_KEYS <= set(r) for r in rows[:4])
    assert rows[1]["refused"] is False and "eGFR 30-60" in rows[1]["answer"]
    assert rows[2]["dose_check"]["verdict"] == "contraindicated"
    assert rows[3]["refused"] is True
    assert "error" in rows[4] and "error" in rows[5] and "empty" in rows[5]["error"]
    assert out.returncode == 1 and "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "   "], "the question is empty"),
        (["ask", "x" * 100_000], "too long"),
        (["ask", "dose \x01\x02\x1b of baclofen"], "binary"),
        (["ask", "x", "--patient", "egfr=abc"], "egfr must be a number"),
        (["ask", "x", "--patient", "height=170"], "unknown patient key"),
        (["batch", "/nonexistent/file.jsonl"], "no such file"),
    ],
)
def test_bad_input_is_one_line_error(cli_env, args, message):
    out = run(args, cli_env)
    assert out.returncode != 0
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_binary_batch_file_and_missing_corpus(cli_env, tmp_path):
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(b"\xff\xfe\x00\x01garbage\n")
    out = run(["batch", str(blob)], cli_env)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "error" in json.loads(out.stdout.splitlines()[0])
    env = {**cli_env, "ASSISTANT_CORPUS_DIR": str(tmp_path / "missing"), "ASSISTANT_DATA_DIR": str(tmp_path / "d")}
    out = run(["ingest"], env)
    assert out.returncode == 2 and "corpus directory not found" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_ingest_reports_corrupt_document_and_indexes_the_rest(tmp_path):
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    (corpus / "broken.md").write_bytes(b"\x00\xff")
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_DATA_DIR": str(tmp_path / "d")}
    out = run(["ingest"], env)
    assert out.returncode == 0
    assert "skipped: broken.md: not UTF-8" in out.stderr
    assert "indexed 2 guideline(s)" in out.stdout and "added 37" in out.stdout


@pytest.mark.slow
def test_ingest_rebuilds_an_index_another_backend_built_and_ask_then_answers(tmp_path, embeddings):
    from assistant.index.ingest import ingest
    from assistant.index.store import open_collection
    from assistant.index.version import BACKEND_KEY, _set_metadata
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path / "data")
    ingest(settings, embed=embeddings.embed_documents)
    _set_metadata(open_collection(settings), **{BACKEND_KEY: "torch"})  # as an index from before the default changed
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1"}
    refused = run(["ask", "--json", "What is the maximum daily dose of baclofen for muscle cramps?"], env)
    assert refused.returncode != 0 and "ingest --rebuild" in refused.stderr and "Traceback" not in refused.stderr
    rebuilt = run(["ingest"], env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "note: the index was built with the torch backend; rebuilding it with onnx" in rebuilt.stderr
    assert "37 chunks in the index (rebuilt into a fresh store and swapped in)" in rebuilt.stdout
    # refused, as above, unless the rebuilt store records onnx
    answered = run(["ask", "--json", "What is the maximum daily dose of baclofen for muscle cramps?"], env)
    assert answered.returncode == 0 and "30 mg/day" in json.loads(answered.stdout)["answer"]
