"""Reading questions: intent, dose mentions, titration, patient facts, follow-ups. Also input validation."""
import pytest

from assistant.errors import InputError
from assistant.query.understand import understand
from assistant.query.validate import validate_question


@pytest.mark.parametrize("question, intent", [
    ("What is the maximum daily dose of baclofen for muscle cramps?", "maximum"),
    ("How do I start baclofen?", "start"),
    ("How fast can I titrate baclofen?", "titration"),
    ("Which labs should I monitor?", "monitoring"),
    ("Can I stop baclofen suddenly?", "stopping"),
    ("What can I use instead of baclofen?", "alternatives"),
    ("Does baclofen cause drowsiness?", "side_effects"),
    ("How does baclofen work?", "mechanism"),
    ("Is baclofen effective for cramps?", "efficacy"),
    ("Is ITB better than oral?", "route"),
    ("How much baclofen for spasticity?", "dose"),
])
def test_intent(question, intent):
    assert understand(question, []).intent == intent


def test_titration_question_reads_previous_dose_and_interval():
    q = understand("Patient on 10 mg/day baclofen for cramps, can I go to 30 mg/day next week?", [])
    assert (q.previous_dose, q.doses, q.interval_days, q.indication) == (
        "10 mg/day",
        ["30 mg/day"],
        7.0,
        "muscle_cramps",
    )
    q = understand("at 20 mg daily, increase to 30 mg daily in 3 days?", [])
    assert (q.previous_dose, q.doses, q.interval_days) == ("20 mg daily", ["30 mg daily"], 3.0)


@pytest.mark.parametrize(
    "text, facts",
    [
        ("eGFR of 22", {"egfr": 22.0}),
        ("CrCl 45 mL/min", {"egfr": 45.0}),
        ("on hemodialysis", {"dialysis": True}),
        ("not on dialysis", {"dialysis": False}),
        ("an 80-year-old", {"age": 80.0}),
        ("aged 70", {"age": 70.0}),
        ("sodium 122", {"sodium": 122.0}),
        ("Na 130 mmol/L and cirrhotic", {"sodium": 130.0, "cirrhosis": True}),
        ("10 mg/day baclofen 1, 2", {}),
    ],
)
def test_patient_facts_from_text(text, facts):
    assert understand(text, []).patient.known() == facts


@pytest.mark.parametrize(
    "text, doses",
    [
        ("5 mg three times daily", ["5 mg three times daily"]),
        ("5mg tid", ["5mg tid"]),
        ("40-80 mg daily", ["40-80 mg daily"]),
        ("0.03 g/day", ["0.03 g/day"]),
        ("give 30000 mcg daily", ["30000 mcg daily"]),
        ("10 mg every 8 hours", ["10 mg every 8 hours"]),
        ("is 10 mg enough", ["10 mg"]),
        ("can she take a few tablets a day", ["a few tablets a day"]),  # vague: the checker must say it cannot read it
        ("How many doses a day should oral baclofen be split into?", []),  # a frequency question proposes no dose
        ("how many tablets per day is the maximum", []),
    ],
)
def test_dose_mentions(text, doses):
    assert understand(text, []).doses == doses


def test_follow_up_inherits_context():
    q = understand("and if the eGFR is 45?", ["What is the max dose for cramps in cirrhosis?"])
    assert q.is_followup and q.indication == "muscle_cramps" and q.patient.egfr == 45 and q.patient.cirrhosis
    assert "cramps" in q.search_text


def test_new_topic_is_not_a_follow_up():
    q = understand("What is the usual dose of baclofen for spasticity?", ["What is the max dose for cramps?"])
    assert not q.is_followup and q.indication == "spasticity"


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * 3000, "too long"),
        ("a\x00b", "binary"),
        ("bad \ufffd text", "undecodable"),
        (b"\xff\xfe", "not valid UTF-8"),
        (None, "must be text"),
    ],
)
def test_bad_questions(value, message):
    with pytest.raises(InputError, match=message):
        validate_question(value, 2000)


def test_good_question_is_stripped():
    assert validate_question("  What is the max?\n", 2000) == "What is the max?"


def test_one_stray_control_character_is_dropped_not_fatal():
    # Real pasted text (MedicationQA row 33) carries a lone U+009D; that is noise, not binary data.
    assert validate_question("how does baclofen\x9d work", 2000) == "how does baclofen work"
    with pytest.raises(InputError, match="binary"):
        validate_question("\x01\x02\x03\x04 baclofen", 2000)
