from assistant.corpus.chunk import SUMMARY_SECTION, chunk_guideline, split_refs
from assistant.corpus.load import load_corpus
from assistant.settings import REPO_ROOT
from assistant.types import Guideline

REPO = REPO_ROOT


def _chunks(doc_id: str):
    docs = {d.id: d for d in load_corpus(REPO / "corpus").guidelines}
    return chunk_guideline(docs[doc_id])


def test_sections_follow_headings():
    sections = [c.section for c in _chunks("baclofen-muscle-cramps")]
    assert sections[0] == SUMMARY_SECTION
    assert "Dosing Protocol for Muscle Cramps" in sections
    assert "Monitoring and Precautions" in sections
    assert sections[-1] == SUMMARY_SECTION  # closing paragraph after the last list
    spast = {c.section for c in _chunks("baclofen-spasticity")}
    assert spast == {
        SUMMARY_SECTION,
        "Initial Dosing and Titration",
        "Oral vs. Intrathecal Administration",
        "Treatment Algorithm for Spasticity Management",
        "Important Precautions and Monitoring",
        "Mechanism of Action",
    }


def test_reference_numbers_become_refs_not_doses():
    chunk = next(c for c in _chunks("baclofen-muscle-cramps") if c.text.startswith("For muscle cramps, start"))
    assert chunk.text.endswith("up to 30 mg/day")
    assert chunk.refs == [1, 2]
    mech = next(c for c in _chunks("baclofen-spasticity") if c.text.startswith("For severe spasticity unresponsive"))
    assert mech.refs == [4, 1]
    # No chunk text ends in a bare reference number any more.
    for c in _chunks("baclofen-muscle-cramps") + _chunks("baclofen-spasticity"):
        assert not c.text.rstrip(".").split()[-1].isdigit(), c.text


def test_split_refs_keeps_quantities():
    assert split_refs("increase by 10 mg weekly up to 30 mg/day 1, 2") == (
        "increase by 10 mg weekly up to 30 mg/day",
        [1, 2],
    )
    assert split_refs("the maximum is up to 30") == ("the maximum is up to 30", [])
    assert split_refs("usually 5-10") == ("usually 5-10", [])
    assert split_refs("no refs here.") == ("no refs here.", [])


def test_ids_are_content_hashes():
    first = [c.id for c in _chunks("baclofen-spasticity")]
    assert first == [c.id for c in _chunks("baclofen-spasticity")]
    assert len(set(first)) == len(first)
    assert all(len(i) == 16 for i in first)


def test_markdown_headings_and_long_paragraphs():
    long_para = " ".join([f"Baclofen sentence number {i} is here." for i in range(60)])
    doc = Guideline(
        id="x", title="T", source="s", date="d", text=f"T\n## Dosing\n- Start at 5 mg 3\n\n# Other\n{long_para}"
    )
    chunks = chunk_guideline(doc)
    assert chunks[0].section == "Dosing" and chunks[0].refs == [3] and chunks[0].text == "Start at 5 mg"
    rest = [c for c in chunks if c.section == "Other"]
    assert len(rest) > 1 and all(len(c.text) <= 600 for c in rest)
    assert " ".join(c.text for c in rest).replace(" ", "") == long_para.replace(" ", "")


def test_a_one_line_guideline_is_its_own_text() -> None:
    line = "Baclofen for spasms: start 5 mg three times daily and increase slowly; do not stop abruptly."
    chunks = chunk_guideline(Guideline(id="one", title=line, text=line))
    assert [c.text for c in chunks] == [line]


def test_a_list_item_that_continues_the_line_before_keeps_it():
    from assistant.corpus.chunk import chunk_guideline
    from assistant.types import Guideline

    text = (
        "T\nTitration\n- Start 25 mg three times daily for 7 days, then\n- 50 mg three times daily\n"
        "Notes\nThe options include:\n- rest\n- Stretching helps.\n- Heat is used.\n"
    )
    texts = [c.text for c in chunk_guideline(Guideline(id="x", title="T", text=text, source="x"))]
    assert "Start 25 mg three times daily for 7 days, then 50 mg three times daily" in texts
    assert "The options include: rest" in texts
    assert "Heat is used." in texts  # an item after a finished sentence stands alone
    assert not any(t == "50 mg three times daily" for t in texts)
