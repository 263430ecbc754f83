"""The one percentile of the project (bench, eval and reports use it): linear interpolation between the two
nearest ranks, numpy's default method."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (q in 0..100) of the values, or None when there are none."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))
