"""The chat in a real browser: `streamlit run ui/app.py` driven by Playwright through Debian's chromium.

Playwright's own browser download is never used: the browser is /usr/bin/chromium, installed with apt-get when missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from tests.ui.support import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "tests" / "artifacts"
QUESTION = "Is 40 mg/day of baclofen OK for muscle cramps?"
READY_TIMEOUT = 90  # seconds for the server to answer its health check
ANSWER_TIMEOUT_MS = 120_000  # first script run loads the model and builds the index


def ensure_chromium() -> str:
    """Debian's chromium, installed with apt-get when missing; a clear failure (not a skip) otherwise."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    how = "apt-get update && apt-get install -y chromium"
    if shutil.which("apt-get") is None:
        pytest.fail(f"{CHROMIUM} is missing and apt-get is not available; install Debian's chromium ({how}).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            pytest.fail(
                f"{CHROMIUM} is missing and `{' '.join(cmd)}` failed (exit {proc.returncode}): {' | '.join(tail)}. "
                f"Install it as root: {how}"
            )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run ui/app.py` on a free loopback port with a temp data dir; always killed in teardown."""
    data = tmp_path_factory.mktemp("browser-data")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_DATA_DIR=str(data), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    log_path = data / "streamlit.log"
    log = open(log_path, "w")
    # No privacy flags here: .streamlit/config.toml must make a plain `streamlit run` keep everything local.
    cmd = [sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.port", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}: {log_path.read_text()[-1500:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit was not ready within {READY_TIMEOUT} s: {log_path.read_text()[-1500:]}")
            time.sleep(0.3)
        yield {"url": url, "data": data, "log": log_path}
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server we started (its own process group, by its id)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _wait_for_events(path, wanted: set[str], timeout: float = 20.0) -> list[dict]:
    from assistant.interfaces.audit import read_audit

    deadline = time.monotonic() + timeout
    while True:
        records, _ = read_audit(path)
        if wanted <= {r["event"] for r in records} or time.monotonic() > deadline:
            assert wanted <= {r["event"] for r in records}, f"audit log has {[r['event'] for r in records]}"
            return records
        time.sleep(0.2)


def _plain(markdown_line: str) -> str:
    """A line of answer Markdown as the browser shows it (bullets and bold removed)."""
    line = re.sub(r"^\s*[-*]\s+", "", markdown_line)
    return re.sub(r"\*\*(.+?)\*\*", r"\1", line).strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def record_requests(page) -> list[str]:
    """Every URL the page asks for (documents, scripts, fonts, icons, websockets, fetches), in order."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda ws: urls.append(ws.url))
    return urls


def off_machine(urls: list[str]) -> list[str]:
    """The URLs that would leave the machine (data: and blob: URLs never do)."""
    return [
        u for u in urls if urlparse(u).scheme not in ("data", "blob", "about") and urlparse(u).hostname not in LOOPBACK
    ]


def test_dosing_question_in_a_real_browser(server, browser, assistant):
    expected = assistant.reply([], QUESTION)  # the same Assistant, in-process, on a separate temp store
    assert expected.dose_check is not None and expected.dose_check.verdict == "above_max"

    page = browser.new_page(viewport={"width": 1280, "height": 1500})
    requests = record_requests(page)
    try:
        page.goto(server["url"], wait_until="domcontentloaded")
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
        page.get_by_text("Index built:").wait_for(timeout=ANSWER_TIMEOUT_MS)  # the Assistant is loaded
        assert page.get_by_text("not a prescription").first.is_visible()
        box.fill(QUESTION)
        box.press("Enter")

        messages = page.get_by_test_id("stChatMessage")
        bot = messages.nth(1)
        # the thumbs are the last element of a finished answer: wait for them, then read the whole message
        bot.locator('[class*="st-key-feedback-"]').wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert messages.count() == 2
        assert bot.get_by_text("Dose check: Above the guideline maximum — hard stop").is_visible()
        shown = _squash(bot.inner_text())
        for line in expected.text.splitlines():
            if line.strip():
                assert _squash(_plain(line)) in shown, f"answer line missing on the page: {line!r}"
        assert "verdict above_max" in shown

        # one click opens the cited sources: title, section, the guideline's refs and the exact text
        bot.get_by_text("Sources [1]").first.click()
        first = expected.citations[0]
        page.get_by_text(first.text, exact=False).first.wait_for(state="visible", timeout=10_000)
        shown = _squash(bot.inner_text())
        for c in expected.citations:
            assert _squash(f"[{c.n}] {c.title} — {c.section}") in shown
            assert _squash(c.text) in shown
        assert page.get_by_text("Download conversation (Markdown)").is_visible()

        # the main area scrolls inside the page: grow the viewport so the screenshot holds the whole chat
        height = page.evaluate("() => Math.max(0, ...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
        page.set_viewport_size({"width": 1280, "height": max(900, min(int(height) + 40, 5000))})
        page.wait_for_timeout(500)  # let the layout settle at the new size
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
        assert (ARTIFACTS / "chat.png").stat().st_size > 10_000
        assert "Traceback" not in page.content()

        # thumbs up and the Markdown download, from the real page, both land in the server's audit log
        bot.locator('[class*="st-key-feedback-"] button').first.click()
        with page.expect_download(timeout=30_000) as info:
            page.get_by_text("Download conversation (Markdown)").click()
        exported = open(info.value.path(), encoding="utf-8").read()
        assert QUESTION in exported and "**Dose check: above_max** (hard stop)" in exported
        assert all(c.text in exported for c in expected.citations)
        records = _wait_for_events(server["data"] / "audit.jsonl", {"answer", "feedback", "download"})
        assert next(r for r in records if r["event"] == "feedback")["rating"] == "up"
        assert next(r for r in records if r["event"] == "download")["format"] == "markdown"
        answer_record = next(r for r in records if r["event"] == "answer")
        assert answer_record["app_version"] and len(answer_record["index_sha256"]) == 16  # provenance on every entry

        # the whole cycle (load, ask, sources opened, thumbs, download) stayed on this machine
        assert len(requests) > 10 and any("/_stcore/stream" in u for u in requests)
        assert off_machine(requests) == [], off_machine(requests)
    finally:
        page.close()


BURST = [
    "What is the maximum daily dose of baclofen for muscle cramps?",
    "How does baclofen work?",
    "What is the starting dose of baclofen for spasticity?",
    "Is 40 mg/day of baclofen OK for muscle cramps?",
    "What is the starting dose of metformin?",
]


@pytest.mark.parametrize("gap_ms", [150, 0])
def test_five_questions_150_ms_apart_are_all_answered_in_order(server, browser, gap_ms):
    """Issue 13: sent 150 ms apart (and back to back), every question is answered and audited in the order sent."""
    from ui.pending import BUSY_NOTE

    page = browser.new_page(viewport={"width": 1280, "height": 1500})
    try:
        page.goto(server["url"], wait_until="domcontentloaded")
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
        page.get_by_text("Index built:").wait_for(timeout=ANSWER_TIMEOUT_MS)
        saw_busy = False
        for question in BURST:
            box.fill(question, timeout=ANSWER_TIMEOUT_MS)
            box.press("Enter")
            page.wait_for_timeout(gap_ms)
            saw_busy = saw_busy or page.get_by_text(BUSY_NOTE).count() > 0
        messages = page.get_by_test_id("stChatMessage")
        page.locator('[class*="st-key-feedback-"]').nth(len(BURST) - 1).wait_for(timeout=ANSWER_TIMEOUT_MS)
        page.wait_for_timeout(500)
        assert messages.count() == 2 * len(BURST)
        shown = [_squash(messages.nth(i).inner_text()) for i in range(messages.count())]
        assert [shown[2 * i].endswith(q) or q in shown[2 * i] for i, q in enumerate(BURST)] == [True] * len(BURST)
        assert "30 mg/day" in shown[1] and "Above the guideline maximum" in shown[7]
        assert saw_busy or not gap_ms  # the page said the later questions were queued
        assert page.get_by_test_id("stChatInput").get_by_role("status").inner_text() == ""  # none left unsent
        records = _wait_for_events(server["data"] / "audit.jsonl", {"answer"})
        asked = [r["question"] for r in records if r["event"] == "answer"]
        assert asked[-len(BURST) :] == BURST  # every question answered and audited, in the order it was sent
    finally:
        page.close()


PATIENT_QUESTION = "Is 40 mg/day of baclofen OK for muscle cramps?"
OUT_OF_RANGE = {"egfr": "999", "sodium": "10", "age": "-5"}  # typed, not picked: the browser lets them be typed


def test_out_of_range_patient_values_are_refused_with_a_message_not_a_traceback(server, browser):
    """eGFR 999, sodium 10 and age -5 typed into the sidebar: each field refuses its value with a visible message
    giving the range of corpus/patient_fields.toml, the facts the dose check uses stay as they were, the page shows no
    exception, and the question is still answered."""
    from assistant import patient_bounds

    bounds = patient_bounds()
    page = browser.new_page(viewport={"width": 1280, "height": 1500})
    try:
        page.goto(server["url"], wait_until="domcontentloaded")
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
        page.get_by_text("Index built:").wait_for(timeout=ANSWER_TIMEOUT_MS)
        sidebar = page.get_by_test_id("stSidebar")
        weight = sidebar.locator(".st-key-pt_weight").get_by_test_id("stNumberInputField")
        weight.fill("70")
        weight.press("Enter")  # a value in range is taken, and the page says which facts the dose check uses
        used = sidebar.get_by_text("Dose check uses")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]"
            ".some(e => e.innerText.includes('Dose check uses: Weight 70 kg'))",
            timeout=30_000,
        )

        for key, typed in OUT_OF_RANGE.items():
            low, high, _ = bounds[key]
            message = f"Number is outside the allowed range. Please enter a value between {low:.2f} and {high:.2f}."
            widget = sidebar.locator(f".st-key-pt_{key}")
            field = widget.get_by_test_id("stNumberInputField")
            field.fill(typed)
            field.press("Enter")
            assert field.get_attribute("aria-invalid") == "true", key
            assert widget.get_by_role("alert").inner_text() == f"Error: {message}"  # read out by screen readers
            widget.get_by_test_id("stTooltipErrorHoverTarget").hover()  # the red mark next to the field
            tooltip = page.get_by_test_id("stTooltipErrorContent")
            tooltip.wait_for(state="visible", timeout=10_000)
            assert _squash(tooltip.inner_text()) == f"Error: {message}", key
            page.mouse.move(700, 50)  # the tooltip closes
            tooltip.wait_for(state="hidden", timeout=10_000)

        page.wait_for_timeout(1_000)  # a rerun, had any value been sent, would have finished by now
        assert _squash(used.inner_text()).endswith("Dose check uses: Weight 70 kg")  # none of the three was used
        assert page.get_by_test_id("stException").count() == 0
        assert "Traceback" not in page.content()

        box.fill(PATIENT_QUESTION)
        box.press("Enter")
        bot = page.get_by_test_id("stChatMessage").nth(1)
        bot.locator('[class*="st-key-feedback-"]').wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert bot.get_by_text("Dose check: Above the guideline maximum — hard stop").is_visible()
        assert page.get_by_test_id("stException").count() == 0
        assert "Traceback" not in page.content()
        records = _wait_for_events(server["data"] / "audit.jsonl", {"answer"})
        mine = [r for r in records if r["event"] == "answer" and r["question"] == PATIENT_QUESTION]
        assert mine[-1]["patient"] == {"weight": 70}, mine[-1]["patient"]  # the refused facts were never used
    finally:
        page.close()
