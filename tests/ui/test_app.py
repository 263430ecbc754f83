"""ui/app.py headless with AppTest, over the real Assistant (embedding model, Chroma in a temp data dir)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from assistant.answer.compose import REFUSAL
from assistant.interfaces import audit
from assistant.settings import Settings
from tests.ui.support import APP, REPO, chat_box_data, send, unescape

pytestmark = pytest.mark.slow
TIMEOUT = 120  # the first run loads the embedding model and builds the index
CORPUS_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.md")))


def start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def ask(at: AppTest, question: str) -> AppTest:
    send(at, question).run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    return at


def last_turn(at: AppTest) -> dict:
    return at.session_state["turns"][-1]


def badges(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "-badge[" in m.value]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture()
def app(ui_env) -> AppTest:
    return start()


def test_page_shows_disclaimer_corpus_and_empty_patient_context(app):
    assert any("not a prescription" in c.value for c in app.main.caption)
    assert any("not a prescription" in c.value for c in app.sidebar.caption)
    corpus = [unescape(m.value) for m in app.sidebar.markdown]
    assert any("(`baclofen-muscle-cramps`)" in m and "chunks" in m for m in corpus)
    assert any("(`baclofen-spasticity`)" in m and "chunks" in m for m in corpus)
    assert any(c.value.startswith("Index built: 20") for c in app.sidebar.caption)
    for key in ("pt_egfr", "pt_age", "pt_sodium"):
        assert app.sidebar.number_input(key=key).value is None
    assert app.sidebar.selectbox(key="pt_indication").value == "unknown"
    assert app.sidebar.selectbox(key="pt_dialysis").value == "unknown"
    assert not app.chat_message and app.download_button[0].disabled


def test_question_gets_an_answer_with_a_citation_expander(app):
    ask(app, "What is the maximum daily dose of baclofen for muscle cramps?")
    user, bot = app.chat_message
    assert user.name == "user" and bot.name == "assistant"
    answer = last_turn(app)["answer"]
    assert not answer.refused and answer.citations
    assert unescape(bot.markdown[0].value) == answer.text and "[1]" in answer.text
    [sources] = [e for e in bot.expander if e.label.startswith("Sources")]
    assert sources.label == "Sources " + ", ".join(f"[{c.n}]" for c in answer.citations)
    shown = [unescape(m.value) for m in sources.markdown]
    for c in answer.citations:
        assert f"**[{c.n}] {c.title}** — {c.section}" in shown
        assert f"> {c.text}" in shown
        assert c.text in CORPUS_TEXT  # the exact guideline words, checkable in one click
    refs = [unescape(cap.value) for cap in sources.caption]
    assert any(
        f"Guideline's own references: {', '.join(map(str, c.refs))}" in r
        for c in answer.citations
        if c.refs
        for r in refs
    )


def test_dose_question_shows_above_max_badge_with_limits_and_sources(app):
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    dc = last_turn(app)["answer"].dose_check
    assert dc is not None and dc.verdict == "above_max" and dc.hard_stop
    assert badges(app) == [":red-badge[:material/block: Dose check: Above the guideline maximum — hard stop]"]
    text = "\n".join(unescape(m.value) for m in app.markdown) + "\n".join(unescape(c.value) for c in app.caption)
    assert "verdict `above_max`" in text
    hard = [f for f in dc.findings if f.severity == "hard"]
    assert hard
    for f in hard:
        assert f.message in text
        if f.limit:
            assert f"Limit: **{f.limit}** — source: {f.citation.doc_id} › {f.citation.section}" in text
            assert f"> {f.citation.quote}" in text
    understood = [unescape(c.value) for c in app.caption if "Understood" in c.value]
    assert understood and "40 mg/day" in understood[0]


def test_sidebar_egfr_changes_the_verdict(app):
    question = "Is 10 mg/day of baclofen ok for muscle cramps?"
    ask(app, question)
    assert last_turn(app)["answer"].dose_check.verdict != "contraindicated"
    app.sidebar.number_input(key="pt_egfr").set_value(20).run(timeout=TIMEOUT)
    ask(app, question)
    dc = last_turn(app)["answer"].dose_check
    assert dc.verdict == "contraindicated" and dc.patient.get("egfr") == 20
    assert (
        badges(app)[-1]
        == ":red-badge[:material/block: Dose check: Do not give: contraindicated for this patient — hard stop]"
    )
    assert last_turn(app)["patient"]["egfr"] == 20


def test_sidebar_indication_and_dialysis_reach_the_checker(app):
    app.sidebar.selectbox(key="pt_indication").set_value("muscle_cramps")
    app.sidebar.selectbox(key="pt_dialysis").set_value("yes").run(timeout=TIMEOUT)
    ask(app, "Is 10 mg/day of baclofen ok?")
    dc = last_turn(app)["answer"].dose_check
    assert dc.indication == "muscle_cramps" and dc.patient.get("dialysis") is True
    assert dc.verdict == "contraindicated"


def test_refusal_is_rendered_as_a_refusal(app):
    ask(app, "What is the starting dose of metformin?")
    assert last_turn(app)["answer"].refused
    assert [i.value for i in app.info] == [f"{REFUSAL} Not covered: metformin."]
    assert app.info[0].proto.icon == ":material/search_off:"
    assert not app.error and not badges(app) and not [e for e in app.expander if e.label.startswith("Sources")]


def test_follow_up_uses_the_earlier_turns(app):
    ask(app, "What is the starting dose of baclofen for muscle cramps?")
    ask(app, "And the maximum?")
    answer = last_turn(app)["answer"]
    assert not answer.refused
    assert answer.understood.get("follow_up") is True and answer.understood.get("indication") == "muscle_cramps"
    assert len(app.chat_message) == 4


def test_feedback_and_download_are_present_and_audited(app):
    path = Settings().audit_path
    before = len(audit.read_audit(path)[0])
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    assert len(app.feedback) == 1
    app.feedback[0].set_value(0).run(timeout=TIMEOUT)
    labels = [b.label for b in app.download_button]
    assert labels == ["Download conversation (Markdown)", "Download conversation (JSON)"]
    assert not app.download_button[0].disabled
    app.download_button[0].click().run(timeout=TIMEOUT)
    records, bad = audit.read_audit(path)
    assert bad == 0
    new = records[before:]
    assert [r["event"] for r in new] == ["answer", "feedback", "download"]
    answer_rec, feedback_rec, download_rec = new
    assert feedback_rec["rating"] == "down" and feedback_rec["dose_check"]["verdict"] == "above_max"
    assert feedback_rec["citations"] and feedback_rec["question"] == "Is 40 mg/day of baclofen OK for muscle cramps?"
    assert (
        download_rec["format"] == "markdown" and download_rec["conversation"][0]["dose_check"]["verdict"] == "above_max"
    )
    for rec in new:
        assert set(rec["patient"]) <= set(audit.PATIENT_FIELDS)
    assert not app.warning


def test_two_sessions_do_not_see_each_other(ui_env):
    a, b = start(), start()
    ask(a, "Is 40 mg/day of baclofen OK for muscle cramps?")
    b.run(timeout=TIMEOUT)
    assert not b.chat_message and b.session_state["turns"] == []
    ask(b, "What is the starting dose of metformin?")
    a.run(timeout=TIMEOUT)
    assert [m.name for m in a.chat_message] == ["user", "assistant"]
    assert last_turn(a)["question"].startswith("Is 40 mg/day") and not last_turn(a)["answer"].refused
    assert last_turn(b)["answer"].refused and len(b.session_state["turns"]) == 2


def test_new_conversation_clears_chat_and_patient_context(app):
    app.sidebar.number_input(key="pt_egfr").set_value(45).run(timeout=TIMEOUT)
    ask(app, "Is 10 mg/day of baclofen ok for muscle cramps?")
    assert app.chat_message
    button(app, "New conversation").click().run(timeout=TIMEOUT)
    assert not app.chat_message and app.session_state["turns"] == []
    assert app.sidebar.number_input(key="pt_egfr").value is None


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ("   ", "type a question"),
        ("x" * 2001, "limited to 2,000 characters"),
        ("\x00\x01\x02\x03 baclofen \xff\xfe", "binary"),
        ("dose\x1b[31m baclofen", "binary"),
    ],
)
def test_bad_input_gets_a_friendly_message(app, message, fragment):
    ask(app, message)
    assert not app.exception and not app.error
    assert any(fragment in w.value for w in app.warning)
    assert not app.chat_message and app.session_state["turns"] == []
    ask(app, "What is the maximum daily dose of baclofen for muscle cramps?")  # and the app keeps working
    assert not last_turn(app)["answer"].refused


def test_assistant_failure_shows_one_line_error_and_app_keeps_working(app, monkeypatch):
    from assistant.pipeline import Assistant

    def boom(self, *args, **kwargs):
        raise RuntimeError("store went away\nTraceback (most recent call last): secret details")

    monkeypatch.setattr(Assistant, "reply", boom)
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    [err] = app.error
    assert unescape(err.value) == "The assistant could not answer this question (RuntimeError: store went away)."
    assert "Traceback" not in err.value and not app.exception
    monkeypatch.undo()
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    assert last_turn(app)["answer"].dose_check.verdict == "above_max"
    # the failed turn is shown but not sent as history
    assert [t.get("error", False) for t in app.session_state["turns"] if t["role"] == "assistant"] == [True, False]


def test_reindex_after_adding_a_document(ui_env, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ASSISTANT_RULES_DIR", str(corpus / "rules"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    at = start()
    assert not any("tizanidine-note" in m.value for m in at.sidebar.markdown)
    (corpus / "tizanidine-note.md").write_text(
        '---\nid: tizanidine-note\ntitle: "Tizanidine Test Note"\nsource: "test"\ndate: "2026-11-23"\n---\n'
        "Tizanidine Test Note\nDosing\n- Tizanidine is an alternative for spasticity 1\n- Monitor liver function 2\n",
        encoding="utf-8",
    )
    button(at, "Re-index corpus").click().run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    [ok] = at.sidebar.success
    assert ok.value.startswith("Re-indexed: ") and " 0 added" not in ok.value and "0 removed" in ok.value
    assert any("(`tizanidine-note`)" in unescape(m.value) for m in at.sidebar.markdown)


def test_assistant_that_cannot_start_shows_an_error_not_a_traceback(ui_env, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "not-a-url")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    assert not at.exception
    [err] = at.error
    assert unescape(err.value).startswith(
        "The assistant could not start: StoreError: ASSISTANT_CHROMA_URL must look like"
    )
    assert chat_box_data(at)["disabled"]
    assert any("not a prescription" in c.value for c in at.main.caption)
    assert at.sidebar.number_input(key="pt_egfr").value is None  # the rest of the page still works


def test_unavailable_llm_backend_falls_back_to_the_extractive_answer_with_a_note(app, monkeypatch):
    question = "What is the maximum daily dose of baclofen for muscle cramps?"
    extractive = ask(app, question) and last_turn(app)["answer"]
    # The operator enables a backend that cannot be built; users pick only from the enabled list (issue 13).
    monkeypatch.setenv("ASSISTANT_LLM_ALLOWED", "none,nosuchbackend:model")
    app.run(timeout=TIMEOUT)
    assert app.sidebar.selectbox(key="llm_backend").options == ["none (extractive)", "nosuchbackend:model"]
    app.sidebar.selectbox(key="llm_backend").set_value("nosuchbackend:model").run(timeout=TIMEOUT)
    answer = ask(app, question) and last_turn(app)["answer"]
    assert answer.backend == "nosuchbackend:model" and answer.guard.fallback
    assert answer.text == extractive.text and answer.citations == extractive.citations
    [note] = answer.notes
    assert "nosuchbackend" in note and note.endswith("showing the extractive answer") and "\n" not in note
    assert any("nosuchbackend" in unescape(w.value) for w in app.warning)
    assert any("extractive answer (fallback)" in unescape(c.value) for c in app.caption)


def test_users_are_offered_only_the_enabled_answer_writers(app):
    assert app.sidebar.selectbox(key="llm_backend").options == ["none (extractive)", "llamacpp (bundled Gemma 3 270M)"]
    assert not [t for t in app.sidebar.text_input if t.key == "llm_other"]  # no free-text backend any more


def test_a_bad_setting_is_one_line_on_the_page(ui_env, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MIN_SIMILARITY", "nan")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    assert not at.exception
    [err] = at.error
    assert unescape(err.value).startswith(
        "The assistant could not start: ASSISTANT_MIN_SIMILARITY='nan' is not allowed"
    )


def test_questions_queued_in_one_session_are_answered_in_order(app):
    """Two questions already accepted (ui/pending.py) when a run starts: both answered, in order, nothing dropped."""
    from ui import pending

    for q in ("What is the maximum daily dose of baclofen for muscle cramps?", "How does baclofen work?"):
        pending.enqueue(app.session_state["pending"], q, {"indication": None, "route": None}, None, "none")
    app.run(timeout=TIMEOUT)
    turns = app.session_state["turns"]
    assert [t["content"] for t in turns if t["role"] == "user"][-2:] == [
        "What is the maximum daily dose of baclofen for muscle cramps?",
        "How does baclofen work?",
    ]
    assert app.session_state["pending"] == [] and not chat_box_data(app)["disabled"]


def test_questions_sent_together_are_all_answered_in_order_and_acknowledged(app):
    """Streamlit keeps one of several requests that arrive together; the box's state in it holds every question
    not yet taken, so all are answered, in the order sent, and a rerun with the same state answers none again."""
    questions = ("What is the maximum daily dose of baclofen for muscle cramps?", "How does baclofen work?")
    send(app, *questions).run(timeout=TIMEOUT)
    assert not app.exception
    asked = [t["content"] for t in app.session_state["turns"] if t["role"] == "user"]
    assert asked == list(questions)
    box = app.session_state["chat_box"]["queue"]
    assert chat_box_data(app)["acked"] == [q["id"] for q in box]  # the page may forget them now
    app.run(timeout=TIMEOUT)
    assert [t["content"] for t in app.session_state["turns"] if t["role"] == "user"] == list(questions)


NUMBER_KEYS = ("egfr", "crcl", "weight", "age", "sodium")


def sidebar_text(at: AppTest) -> str:
    parts = [*at.sidebar.caption, *at.sidebar.warning, *at.sidebar.error]
    return "\n".join(unescape(p.value) for p in parts)


def test_patient_number_fields_take_their_bounds_and_units_from_the_patient_fields_file(app):
    """One source for the bounds: corpus/patient_fields.toml, read through `assistant.patient_bounds()`."""
    from assistant import patient_bounds

    bounds = patient_bounds()
    assert (bounds["egfr"][:2], bounds["sodium"][:2]) == ((0.0, 200.0), (90.0, 200.0))  # the sidebar had 250 and 80
    for key in NUMBER_KEYS:
        low, high, unit = bounds[key]
        widget = app.sidebar.number_input(key=f"pt_{key}")
        assert (widget.min, widget.max) == (low, high), key
        assert widget.label.endswith(f"({unit})") and f"{low:g}–{high:g} {unit}" in widget.help
    assert "Dose check uses no patient facts (all unknown)." in sidebar_text(app)


def test_out_of_range_patient_values_never_show_a_traceback_and_are_not_used(app):
    """What the browser would refuse (eGFR 999, sodium 10, age -5) is not used; the page still answers."""
    app.sidebar.number_input(key="pt_egfr").set_value(999)
    app.sidebar.number_input(key="pt_sodium").set_value(10)
    app.sidebar.number_input(key="pt_age").set_value(-5)
    app.sidebar.number_input(key="pt_weight").set_value(70).run(timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert [app.sidebar.number_input(key=f"pt_{k}").value for k in ("egfr", "sodium", "age")] == [None] * 3
    assert "Dose check uses: Weight 70 kg" in sidebar_text(app)
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    turn = last_turn(app)
    assert turn["answer"].dose_check.verdict == "above_max"
    assert turn["patient"]["egfr"] is None and turn["patient"]["weight"] == 70
    assert "egfr" not in turn["answer"].dose_check.patient


def test_a_value_the_patient_model_refuses_is_a_one_line_warning_and_left_unknown(app, monkeypatch):
    """Should the form's widget ever take a value the Patient model refuses, the page says so in one line."""
    import ui.sidebar
    from assistant import patient_bounds

    wider = {**patient_bounds(), "egfr": (0.0, 1000.0, "mL/min/1.73m²")}
    monkeypatch.setattr(ui.sidebar, "patient_bounds", lambda: wider)
    app.run(timeout=TIMEOUT)
    app.sidebar.number_input(key="pt_egfr").set_value(999)
    app.sidebar.number_input(key="pt_age").set_value(70).run(timeout=TIMEOUT)
    assert not app.exception and not app.error
    [warning] = app.sidebar.warning
    shown = unescape(warning.value)
    assert shown.startswith("eGFR not used: egfr 999 is outside the plausible range 0–200 mL/min/1.73m²")
    assert "\n" not in shown and "Traceback" not in shown
    assert "Dose check uses: Age 70 years" in sidebar_text(app)
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    turn = last_turn(app)
    assert not turn.get("error") and turn["patient"]["egfr"] is None and turn["patient"]["age"] == 70


@pytest.mark.parametrize(
    ("bounds", "fragment"),
    [
        (OSError("patient_fields.toml: No such file"), "OSError: patient_fields.toml: No such file"),
        (ValueError("Invalid value (at line 3, column 7)"), "ValueError: Invalid value (at line 3, column 7)"),
        ({}, "the patient fields file gives no range for egfr, crcl, weight, age, sodium"),
        ({k: (5.0, 1.0, "u") for k in NUMBER_KEYS}, "gives an unusable range for egfr"),
    ],
)
def test_an_unreadable_patient_fields_file_is_one_error_line_and_questions_are_still_answered(
    app, monkeypatch, bounds, fragment
):
    import ui.sidebar

    def broken():
        if isinstance(bounds, Exception):
            raise bounds
        return bounds

    monkeypatch.setattr(ui.sidebar, "patient_bounds", broken)
    app.run(timeout=TIMEOUT)
    assert not app.exception
    [err] = app.sidebar.error
    shown = unescape(err.value)
    assert shown.startswith("Patient context not used (") and fragment in shown and "\n" not in shown
    assert shown.endswith("; questions are answered without it.")
    ask(app, "Is 40 mg/day of baclofen OK for muscle cramps?")
    turn = last_turn(app)
    assert turn["answer"].dose_check.verdict == "above_max" and not turn["answer"].dose_check.patient
