"""The refusal thresholds in Settings are the ones `python -m evals.calibrate` chooses on the written cases."""

import pytest

from evals.calibrate import choose, features
from evals.cases import load_cases
from evals.runner import DEFAULT_CASES

pytestmark = pytest.mark.slow


def test_settings_hold_the_calibrated_thresholds(assistant):
    rows = features(assistant, load_cases(DEFAULT_CASES))
    zipf, similarity, precision, recall = choose(rows)
    assert (assistant.settings.topic_zipf, assistant.settings.min_similarity) == (zipf, similarity)
    assert precision >= 0.95 and recall >= 0.95
