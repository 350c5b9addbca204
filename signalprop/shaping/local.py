"""Local Q and C maps at q = 1 of a transformed activation φ̂(x) = γ(φ(αx + β) + δ) (DKS, Martens et al. 2021).

With z ~ N(0, 1) and u = αz + β ~ N(β, α²) (all expectations exact for kinked φ: ``gaussian_moment`` cuts at
the breakpoints of φ, shifted to the mean β):

  m      = E[φ(u)]                         δ = −m makes C(0) = E[φ̂]²/Q(1) = 0 (DKS)
  Q(1)   = γ² E[(φ(u) + δ)²]               γ = Q(1 at γ=1)^{−1/2} makes Q(1) = 1
  Q'(1)  = γ² α E[(φ(u) + δ) φ'(u) z]      (d/dq E[φ̂(√q z)²] at q = 1; no second derivative of φ)
  C'(1)  = γ² α² E[φ'(u)²]                 (= χ of the layer at q = 1 when Q(1) = 1)
  C''(1) = γ² α⁴ E[φ''(u)²]                (finite only if φ' is continuous)

The maps are even in α (u has the same law for ±α), so |α| is integrated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..gaussian import gaussian_moment, growth_rates, integrate_gaussian


MIN_VARIANCE = 1e-10
"""Var φ(u) below this fraction of E[φ(u)²]: φ is (numerically) constant over N(β, α²), and γ would amplify
rounding (the solver treats such points as outside its domain)."""


@dataclass(frozen=True)
class LocalValues:
    """The local map values of φ̂ at q = 1 for a transformation (input_scale α, input_shift β, output_shift δ,
    output_scale γ)."""

    output_shift: float
    output_scale: float
    q_slope: float
    c_value_0: float
    c_slope_1: float
    c_curv_1: float | None


def mean(act, input_scale: float, input_shift: float) -> float:
    """E[φ(αz + β)]."""
    return gaussian_moment(act, input_scale ** 2, k=0, p=1, mean=input_shift)


def local_values(act, input_scale: float, input_shift: float, output_shift: float | None = None,
                 curvature: bool = False) -> LocalValues:
    """Local map values of γ(φ(αx + β) + δ), γ chosen so that Q(1) = 1; δ = −E[φ(αz + β)] when not given."""
    q = input_scale ** 2
    if not q > 0:
        raise ValueError(f"input_scale must be non-zero, got {input_scale}")
    m = mean(act, input_scale, input_shift)
    second = gaussian_moment(act, q, k=0, p=2, mean=input_shift)
    if not second - m * m > MIN_VARIANCE * second:
        raise ValueError(f"{act.label}({input_scale:g} z + {input_shift:g}) is constant to 1 part in "
                         f"{1 / MIN_VARIANCE:g}: a transformation that rescales it is numerically meaningless")
    delta = -m if output_shift is None else float(output_shift)
    raw = second + 2.0 * delta * m + delta * delta
    gamma2 = 1.0 / raw
    f, df = act.numpy(0), act.numpy(1)
    rn, rp = growth_rates(act, 2)
    cross = integrate_gaussian(lambda x: (f(x) + delta) * df(x), q, input_shift, act.breakpoints, rn, rp,
                               z_poly=lambda z: z, what=f"E[({act.label} + delta) {act.label}' z]")
    s = math.sqrt(q)
    c_slope = gamma2 * q * gaussian_moment(act, q, k=1, p=2, mean=input_shift)
    c_curv = gamma2 * q * q * gaussian_moment(act, q, k=2, p=2, mean=input_shift) if curvature else None
    return LocalValues(delta, math.sqrt(gamma2), gamma2 * s * cross, gamma2 * (m + delta) ** 2, c_slope, c_curv)


def residuals(values: LocalValues, targets: dict[str, float]) -> np.ndarray:
    """values − targets for the named conditions (q_slope, c_slope_1, c_curv_1)."""
    return np.array([getattr(values, name) - t for name, t in targets.items()])
