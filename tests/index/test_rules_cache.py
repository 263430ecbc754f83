"""Validated rules reused between starts only while every input is byte-for-byte the same."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.index import library_rules as library_rules_module
from assistant.index.library_rules import library_rules
from assistant.index.rules_cache import CACHE_DIR
from assistant.settings import Settings


@pytest.fixture()
def settings(corpus_copy: Path, tmp_path: Path) -> Settings:
    return Settings(corpus_dir=corpus_copy, data_dir=tmp_path / "data")


def _fresh(settings: Settings):
    """The rules as a first start validates them (no cache folder, no in-process cache)."""
    shutil.rmtree(settings.data_dir / CACHE_DIR, ignore_errors=True)
    library_rules_module._texts.clear()
    return library_rules(settings)


def test_a_second_start_gets_the_same_rules_without_reading_the_library(settings, monkeypatch) -> None:
    fresh = _fresh(settings)
    assert fresh and len(list((settings.data_dir / CACHE_DIR).glob("*.json"))) == 1

    def no_library(_settings):
        raise AssertionError("the library was read although nothing changed")

    monkeypatch.setattr(library_rules_module, "library_texts", no_library)
    cached = library_rules(settings)
    assert dict(cached) == dict(fresh) and cached.refused == fresh.refused
    assert cached.corpus_dir == settings.corpus_dir


def test_a_guideline_edited_to_the_same_size_and_time_is_validated_again(settings) -> None:
    assert "baclofen" in _fresh(settings)
    doc = settings.corpus_dir / "baclofen-muscle-cramps.md"
    stat = doc.stat()
    text = doc.read_text(encoding="utf-8")
    assert "30 mg/day" in text
    doc.write_text(text.replace("30 mg/day", "35 mg/day"), encoding="utf-8")  # the quoted maximum no longer there
    os.utime(doc, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert doc.stat().st_size == stat.st_size
    library_rules_module._texts.clear()
    edited = library_rules(settings)
    assert "baclofen" not in edited and "baclofen" in edited.refused


def test_an_edited_rules_file_is_a_miss_and_a_refusal_is_kept_as_one(settings) -> None:
    assert "baclofen" in _fresh(settings)
    (settings.rules_dir / "baclofen.toml").write_text('drug = "baclofen"\nsurprise = 1\n', encoding="utf-8")
    refused = library_rules(settings)
    assert "baclofen" not in refused and "surprise" in refused.refused["baclofen"]
    again = library_rules(settings)  # now from the cache
    assert again.refused == refused.refused and "baclofen" not in again


def test_a_corrupt_cache_file_is_validated_again(settings) -> None:
    fresh = _fresh(settings)
    (cached,) = (settings.data_dir / CACHE_DIR).glob("*.json")
    cached.write_text('{"usable": {"baclofen": {"drug": 7}}, "refused": {}}', encoding="utf-8")
    assert dict(library_rules(settings)) == dict(fresh)
    cached.write_text("not json", encoding="utf-8")
    assert dict(library_rules(settings)) == dict(fresh)
