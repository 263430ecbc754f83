"""Fixtures for the Streamlit chat tests: a private data dir (never the user's .data)."""

from __future__ import annotations

import os
import sys

import pytest

from assistant.settings import REPO_ROOT

REPO = REPO_ROOT
if str(REPO) not in sys.path:  # `ui` and `tests.ui.support` import from the repository root
    sys.path.insert(0, str(REPO))


@pytest.fixture(scope="module")
def ui_env(tmp_path_factory):
    """ASSISTANT_* cleared except a temporary data dir, for the whole module (the Assistant is cached per settings)."""
    data = tmp_path_factory.mktemp("ui-data")
    saved = {k: v for k, v in os.environ.items() if k.startswith("ASSISTANT_")}
    for key in saved:
        del os.environ[key]
    os.environ["ASSISTANT_DATA_DIR"] = str(data)
    yield data
    for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
        del os.environ[key]
    os.environ.update(saved)
