"""Depth scales from the slope of a map at its fixed point (Schoenholz et al. 2017, eqs. 6 and 9): numpy only,
so that a warm phase diagram needs nothing heavier."""

from __future__ import annotations

import numpy as np


def depth_scale(slope):
    """ξ = −1/ln|s| for a map whose slope at its fixed point is s (vectorized): deviations shrink as
    |s|^l = e^{−l/ξ}, alternating in sign when s < 0. 0 when s = 0 (faster than geometric), inf when
    |s| ≥ 1 (marginal or unstable: no exponential approach), NaN stays NaN."""
    s = np.abs(np.asarray(slope, dtype=np.float64))
    with np.errstate(divide="ignore"):
        out = np.where(s < 1.0, -1.0 / np.log(np.where(s < 1.0, s, 0.5)), np.where(np.isnan(s), np.nan, np.inf))
    return out if np.ndim(slope) else float(out)
