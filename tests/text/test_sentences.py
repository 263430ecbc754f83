"""The one sentence splitter (guard, LLM stream and eval share it)."""

from __future__ import annotations

from assistant.text.sentences import answer_sentences, sentence_ends, split_sentences


def test_split_keeps_doses_and_abbreviations_whole():
    text = "Start 5 mg t.i.d. Then 5-10 mg. Use 0.5 mg, e.g. Baclofen. 30 mg is the maximum [1]."
    assert split_sentences(text) == [
        "Start 5 mg t.i.d. Then 5-10 mg.",
        "Use 0.5 mg, e.g. Baclofen.",
        "30 mg is the maximum [1].",
    ]


def test_split_does_not_break_before_lower_case():
    assert split_sentences("Approx. ten days. then more.") == ["Approx. ten days. then more."]


def test_stream_ends_are_the_splitter_ends():
    text = "First [1]. Second [2].\n- Third"
    ends = sentence_ends(text)
    assert list(dict.fromkeys(text[:e].strip() for e in ends)) == ["First [1].", "First [1]. Second [2]."]
    assert ends == sorted(ends)


def test_answer_sentences_carry_their_markers():
    got = [(s.text, s.markers) for s in answer_sentences("A claim [1-2]. Another. [3]\n- Bullet [1][3]")]
    assert got == [("A claim [1-2].", [1, 2]), ("Another. [3]", [3]), ("Bullet [1][3]", [1, 3])]
