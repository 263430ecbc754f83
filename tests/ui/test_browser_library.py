"""The library in a real browser: a guideline as a PDF (the spasticity summary laid out on two pages), listed in the
corpus panel with its drug, chunks, date and pages, and cited with its page number."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.ui.support import REPO
from tests.ui.test_browser import (
    ANSWER_TIMEOUT_MS,
    CHROMIUM_ARGS,
    READY_TIMEOUT,
    _stop,
    ensure_chromium,
    free_port,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
QUESTION = "What is the usual oral baclofen dose for spasticity?"
SPASTICITY = REPO / "corpus" / "baclofen-spasticity.md"


def spasticity_as_pdf(target) -> None:
    """The shipped spasticity summary as a two-page PDF: title, headings, bullets and paragraphs."""
    from tests.conftest import write_test_pdf

    body = SPASTICITY.read_text(encoding="utf-8").split("---", 2)[2].strip().splitlines()
    blocks = [("title", body[0])]
    for i, line in enumerate(body[1:], start=1):
        nxt = body[i + 1] if i + 1 < len(body) else ""
        kind = "bullet" if line.startswith("- ") else "heading" if nxt.startswith("- ") else "para"
        blocks.append((kind, line))
    half = len(blocks) // 2
    write_test_pdf(target, [blocks[:half], blocks[half:]])


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    """`streamlit run ui/app.py` over a corpus copy holding a PDF guideline; killed (by its id) in teardown."""
    root = tmp_path_factory.mktemp("browser-library")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    (corpus / SPASTICITY.name).unlink()
    spasticity_as_pdf(corpus / "baclofen-spasticity.pdf")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_DATA_DIR=str(root / "data"),
        ASSISTANT_CORPUS_DIR=str(corpus),
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    log_path = root / "streamlit.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "ui/app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield _wait_ready(proc, f"http://127.0.0.1:{port}", log_path)
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen, url: str, log_path) -> str:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}: {log_path.read_text()[-1500:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return url
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit was not ready within {READY_TIMEOUT} s: {log_path.read_text()[-1500:]}")
        time.sleep(0.3)


def test_library_panel_and_a_pdf_citation_with_its_page(library_server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=ensure_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        try:
            page.goto(library_server, wait_until="domcontentloaded")
            page.get_by_text("Index built:").wait_for(timeout=ANSWER_TIMEOUT_MS)
            sidebar = page.get_by_test_id("stSidebar")
            listing = " ".join(sidebar.inner_text().split())
            assert "baclofen-spasticity" in listing and "PDF, 2 pages" in listing and "drug: baclofen" in listing
            assert "source date: 2026-11-23" in listing and "indexed 20" in listing

            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(QUESTION)
            box.press("Enter")
            bot = page.get_by_test_id("stChatMessage").nth(1)
            bot.locator('[class*="st-key-feedback-"]').wait_for(timeout=ANSWER_TIMEOUT_MS)
            bot.get_by_text("Sources [1]").first.click()
            shown = " ".join(bot.inner_text().split())
            assert re.search(r"Baclofen Dosage for Muscle Spasticity — .{1,80}?, p\. [12]\b", shown), shown[:2000]
            assert "Traceback" not in page.content()
        finally:
            page.close()
            browser.close()
