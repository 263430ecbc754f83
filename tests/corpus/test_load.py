import pytest

from assistant.corpus.load import CorpusError, load_corpus


def test_real_corpus_loads_with_front_matter(corpus_copy):
    result = load_corpus(corpus_copy)
    assert result.errors == []
    ids = {d.id: d for d in result.guidelines}
    assert set(ids) == {"baclofen-muscle-cramps", "baclofen-spasticity"}
    cramps = ids["baclofen-muscle-cramps"]
    assert cramps.title == "Baclofen for Muscle Cramps: Dosage and Treatment Approach"
    assert cramps.text.splitlines()[0] == cramps.title  # body kept verbatim, title line included


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty document"),
        (b"\x00\x01\x02binary\xff", "not UTF-8"),
        (b"---\n- a list\n- not a mapping\n---\nText", "must be key: value lines"),
        (b"---\nid: x\ntitle: [unclosed\n---\nText", "not valid YAML"),
        (b"---\nid: x\ntitle: never closed\n", "not closed"),
        (b"%PDF-1.7\nnot really a pdf", "not a readable PDF"),
        (b"---\nid: x\ntitle: T\nsource: s\ndate: d\n---\n   \n", "no text after"),
    ],
)
def test_bad_document_is_reported_and_others_still_load(corpus_copy, content, message):
    name = "broken.pdf" if content.startswith(b"%PDF") else "broken.md"
    (corpus_copy / name).write_bytes(content)
    result = load_corpus(corpus_copy)
    assert len(result.guidelines) == 2
    assert len(result.errors) == 1 and message in result.errors[0] and result.errors[0].startswith(name)
    assert "\n" not in result.errors[0]


def test_duplicate_id_is_rejected(corpus_copy):
    text = (corpus_copy / "baclofen-spasticity.md").read_text()
    (corpus_copy / "zz-copy.md").write_text(text)
    result = load_corpus(corpus_copy)
    assert any("already used" in e for e in result.errors)


def test_missing_corpus_directory(tmp_path):
    with pytest.raises(CorpusError, match="corpus directory not found"):
        load_corpus(tmp_path / "nope")
