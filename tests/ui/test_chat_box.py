"""The chat box's transport (ui/chat_box.py) and the queue it feeds (ui/pending.py), without a browser.

The page sends every question not yet taken on each send, so a request Streamlit keeps in place of another still
holds both; these tests replay such states and check each question is taken once, in order, or refused with a note.
"""

from __future__ import annotations

import pytest

from ui import pending
from ui.chat_box import MAX_ID_CHARS, Sent, acknowledged, unseen

CONTEXT = ({"indication": None, "route": None}, None, "none")


def state(*pairs: tuple[str, str]) -> dict:
    return {"queue": [{"id": i, "text": t} for i, t in pairs]}


def test_a_merged_state_yields_every_question_once_in_the_order_sent():
    seen: set[str] = set()
    first, bad = unseen(state(("a", "first?")), seen)
    assert first == [Sent("a", "first?")] and bad == 0
    # two later sends merged into one request: the kept state holds the one not yet taken and both new ones
    later, bad = unseen(state(("a", "first?"), ("b", "second?"), ("c", "third?")), seen)
    assert later == [Sent("b", "second?"), Sent("c", "third?")] and bad == 0
    assert unseen(state(("a", "first?"), ("b", "second?"), ("c", "third?")), seen) == ([], 0)  # a rerun: nothing new


def test_taken_ids_are_acknowledged_so_the_page_stops_sending_them():
    seen: set[str] = set()
    box = state(("a", "one?"), ("b", "two?"))
    assert acknowledged(box, seen) == []
    unseen(box, seen)
    assert acknowledged(box, seen) == ["a", "b"]


def test_the_same_text_sent_twice_is_two_questions():
    assert unseen(state(("a", "Dose?"), ("b", "Dose?")), set())[0] == [Sent("a", "Dose?"), Sent("b", "Dose?")]


@pytest.mark.parametrize(
    "box",
    [None, "text", 7, {"queue": "abc"}, {"queue": {"id": "a", "text": "x"}}, {"other": []}, []],
)
def test_a_state_that_is_not_a_list_of_questions_yields_nothing(box):
    assert unseen(box, set()) == ([], 0)


def test_entries_that_did_not_come_from_the_page_are_counted_never_queued():
    box = {
        "queue": [
            {"id": "a", "text": "fine?"},
            {"id": 5, "text": "numeric id"},
            {"id": "", "text": "empty id"},
            {"id": "x" * (MAX_ID_CHARS + 1), "text": "long id"},
            {"id": "b"},
            {"id": "c", "text": ["not", "text"]},
            "just a string",
        ]
    }
    assert unseen(box, set()) == ([Sent("a", "fine?")], 6)


def test_accepted_questions_keep_the_context_they_were_sent_with():
    queue: list[dict] = []
    notes: list[str] = []
    patient_fields = {"indication": "spasticity", "route": None}
    pending.accept(
        queue, notes, [Sent("a", "Max dose?"), Sent("b", "Start dose?")], (patient_fields, None, "none"), 500
    )
    assert [q["question"] for q in queue] == ["Max dose?", "Start dose?"] and notes == []
    assert all(q["fields"] == patient_fields and q["fields"] is not patient_fields for q in queue)


def test_a_bad_question_gets_a_note_and_the_rest_are_still_queued():
    queue: list[dict] = []
    notes: list[str] = []
    pending.accept(queue, notes, [Sent("a", "   "), Sent("b", "x" * 600), Sent("c", "Max dose?")], CONTEXT, 500)
    assert [q["question"] for q in queue] == ["Max dose?"]
    assert len(notes) == 2 and "Please type a question" in notes[0] and "600 characters" in notes[1]


def test_a_full_queue_refuses_visibly_and_names_the_question():
    queue: list[dict] = []
    notes: list[str] = []
    sent = [Sent(str(i), f"Question {i} *about* [x]?") for i in range(pending.MAX_WAITING + 2)]
    pending.accept(queue, notes, sent, CONTEXT, 500)
    assert len(queue) == pending.MAX_WAITING and len(notes) == 2
    assert notes[0].startswith("Not queued:") and "Question 10 \\*about\\* \\[x\\]\\?" in notes[0]
