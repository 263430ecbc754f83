"""The one percentile (bench, eval, reports): linear between the nearest ranks; None for no values."""

import pytest

from assistant.stats import percentile


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)
    assert percentile([7.0], 95) == 7.0
    assert percentile([40.0, 10.0, 30.0, 20.0], 0) == 10.0
