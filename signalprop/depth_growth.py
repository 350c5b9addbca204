"""Growth laws of deep architectures: how the stream's length, the correlation of two inputs and the gradient evolve
with depth where no fixed point is reached (residual networks sit at the edge of chaos for every σ: Yang &
Schoenholz 2017 find polynomial forward and subexponential backward dynamics).

``depth_growth(net, p0, c0)`` runs ``maps`` and ``block_chis`` through every top-level layer l = 1 … L and gives the
local exponents between depths l and 2l (l = 1, 2, 4, …):

  e_p(l)     = log(p^{2l}/p^l)/log 2                          (p^l = Θ(l^e): e; exponential growth: e grows ∝ l)
  e_c(l)     = log((1 − c^{2l})/(1 − c^l))/log 2              (1 − c^l = Θ(l^e), e < 0 when the inputs' streams align)
  e_chi(l)   = log(|G^{2l}|/|G^l|)/log 2,  G^l = log Π_{k ≤ l} χ_k (gradient growth or decay exp(±Θ(l^e)): tanh
                                                                 resnets e → 1/2, ReLU resnets and plain chains e = 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .architecture import Serial, block_chis, maps

RESOLVED_GAP = 1e-12
"""1 − c below this is rounding of a correlation that has reached 1: its exponent is NaN."""


@dataclass(frozen=True)
class DepthGrowth:
    """Per top-level layer l = 1 … L: ``p`` (the stream's length), ``c`` (two inputs' correlation), ``q`` (the variance
    entering each nonlinearity, in order, as in ``ArchitectureMaps``), ``chi`` (each
    layer's gradient factor) and ``log_chi`` (log Π_{k ≤ l} χ_k); ``doublings`` l = 1, 2, 4, … with 2l ≤ L and the
    local exponents between l and 2l (NaN where the quantity is not positive or not resolved: 1 − c < 1e-12)."""

    p: np.ndarray
    c: np.ndarray
    q: np.ndarray
    chi: np.ndarray
    log_chi: np.ndarray
    doublings: np.ndarray
    p_exponent: np.ndarray
    c_exponent: np.ndarray
    chi_exponent: np.ndarray

    def as_dict(self) -> dict:
        return {k: v.tolist() for k, v in vars(self).items()}


def local_exponents(values: np.ndarray, doublings: np.ndarray) -> np.ndarray:
    """log(v(2l)/v(l))/log 2 for l in ``doublings`` (values[l − 1] is v at depth l); NaN where v ≤ 0."""
    a, b = values[doublings - 1], values[2 * doublings - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(b / a) / math.log(2.0)
    return np.where((a > 0) & (b > 0), out, np.nan)


def depth_growth(net: Serial, p0: float, c0: float = 0.5) -> DepthGrowth:
    """Lengths, correlations and gradient factors through ``net`` and their local growth exponents (module docstring)."""
    m = maps(net, p0, c0)
    chi = block_chis(net, p0)
    log_chi = np.cumsum(np.log(chi))
    doublings = 2 ** np.arange(max(0, int(math.log2(max(len(chi), 1))))) if len(chi) >= 2 else np.array([], dtype=int)
    doublings = doublings[2 * doublings <= len(chi)].astype(int)
    gap = 1.0 - m.c
    gap = np.where(gap > RESOLVED_GAP, gap, np.nan)  # below it, 1 − c is rounding: no exponent
    return DepthGrowth(m.p, m.c, m.q, chi, log_chi, doublings, local_exponents(m.p, doublings),
                       local_exponents(gap, doublings), local_exponents(np.abs(log_chi), doublings))
