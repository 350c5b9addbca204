"""Correlation map, its slope χ_c, the fixed point c*, the depth scale ξ_c, and the joint iteration
of (q^l, c^l) for two inputs (Poole et al. 2016, eqs. 4–5; Schoenholz et al. 2017, §3).

  C(c)  = (σ_w² E[φ(u1) φ(u2)] + σ_b²)/q*,   (u1, u2) ~ N(0, q*[[1, c], [c, 1]])
  χ_c   = C'(c) = σ_w² E[φ'(u1) φ'(u2)]       (Price's theorem; χ_c(1) = χ_1)
  c*    : C(c*) = c*;  c* = 1 when χ_1 ≤ 1, else the unique root in [0, 1) (C is convex on [0, 1]:
          a power series in c with non-negative coefficients, Mehler; for a gated unit a product of two such)
  ξ_c   = −1/ln|χ_c(c*)|

For a discontinuous φ (jumps J_i at b_i) φ' carries Dirac terms J_i δ(x − b_i); E[φ'(u1) φ'(u2)]
then has the exact extra terms J_i E[δ(u1 − b_i) φ'(u2)] (a 1-D Gaussian at the conditional law),
their mirror images, and J_i J_j p(b_i, b_j) (the bivariate density). χ_1 is then infinite.
"""

from __future__ import annotations

import math

import numpy as np

from .bivariate import check_correlation
from .dual_table import mean_slope_nodes
from .laws import layer_law
from .maps import _check_variances, depth_scale, dirac_jumps as _dirac_jumps, length_map

_PROBES = 13  # c = 1 − 8^−k probed when bracketing c* (down to 1 − c ≈ 1.8e-12)


def correlation_map(act, c, sigma_w2: float, sigma_b2: float, q_star: float):
    """C(c) = (σ_w² E[φ(u1)φ(u2)] + σ_b²)/q* with Var u1 = Var u2 = q* (vectorized over c)."""
    _check_variances(sigma_w2, sigma_b2)
    ca = check_correlation(c)
    return (sigma_w2 * layer_law(act).dual(q_star, q_star, ca) + sigma_b2) / q_star


def correlation_map_slope(act, c, sigma_w2: float, q_star: float):
    """χ_c(c) = C'(c) = σ_w² K̇(q*, q*, c), K̇ = E[φ'(u1) φ'(u2)] for one activation (vectorized; +inf at c = ±1 for
    discontinuous φ, where the Dirac terms of φ' meet; ``laws``)."""
    check_correlation(c)
    return sigma_w2 * layer_law(act).dual_derivative(q_star, q_star, c)


def c_star(act, sigma_w2: float, sigma_b2: float, q_star: float, chi1: float) -> float:
    """The stable fixed point of the correlation map: 1 when χ_1 ≤ 1 (ordered or critical), else the
    root of C(c) = c in [0, 1) (unique by convexity).

    C(1) is pinned to 1 (the gap is C(c) − C(1) − (c − 1)), so that q*'s own rounding cannot fake a
    root at c = 1; the bracket is found by probing c = 1 − 8^−k, k = 1 … 13 (C − c > 0 below c*,
    < 0 above), and Brent's method solves it to ~1e-15. That gap is O((χ_1 − 1)(1 − c)) next to the
    edge of chaos, so for c* > 0.9 (continuous φ) the root is polished by Newton on the mean slope
    S(c) = (C(1) − C(c))/(1 − c) = σ_w² ∫_c^1 E[φ'φ'] ds/(1 − c) = 1, which keeps its relative
    accuracy as χ_1 → 1 (see ``dual_table``). When no probe up to 1 − 1.8e-12 has a negative gap,
    c* = 1 is returned."""
    from scipy.optimize import brentq

    if chi1 <= 1.0:
        return 1.0
    one = float(correlation_map(act, 1.0, sigma_w2, sigma_b2, q_star))

    def gap(c):
        return float(correlation_map(act, c, sigma_w2, sigma_b2, q_star)) - one - (c - 1.0)

    if gap(0.0) <= 0.0:
        return 0.0
    lo = 0.0
    for k in range(1, _PROBES + 1):
        c = 1.0 - 8.0**-k
        if gap(c) < 0.0:
            root = brentq(gap, lo, c, xtol=1e-15, rtol=1e-15)
            return _polish(act, root, sigma_w2, q_star) if root > 0.9 and not _dirac_jumps(act) else root
        lo = c
    return 1.0  # χ_1 so close to 1 that c* cannot be told from 1 in double precision


def _polish(act, c: float, sigma_w2: float, q: float, steps: int = 4) -> float:
    """Newton on S(c) = 1 from c (S' = (S − χ_c)/(1 − c)), S by Gauss–Legendre in θ (``mean_slope_nodes``)."""
    for _ in range(steps):
        theta = math.acos(c)
        phi, weights = mean_slope_nodes(theta)
        d1 = layer_law(act).dual_derivative(q, q, np.cos(np.append(phi, theta)))
        s, slope = sigma_w2 * float(d1[:-1] @ weights), sigma_w2 * float(d1[-1])
        if s == slope:
            break
        new = min(max(c - (s - 1.0) * (1.0 - c) / (s - slope), 0.0), 1.0)
        done = abs(new - c) <= 1e-16
        c = new
        if done:
            break
    return c


def xi_c(chi_c: float) -> float:
    """ξ_c = −1/ln|χ_c| (inf at |χ_c| ≥ 1: the edge of chaos; 0 at χ_c = 0). χ_c(c*) ≥ 0 for the c* ∈ [0, 1]
    this module finds (C' is a power series in c with non-negative coefficients there, Mehler)."""
    return depth_scale(chi_c)


def iterate_maps(act, q0: float, c0: float, sigma_w2: float, sigma_b2: float, depth: int,
                 q0_other: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pre-activation variances and correlation of two inputs through ``depth`` layers of the
    infinite-width network: q1^l = V(q1^{l−1}), q2^l = V(q2^{l−1}),
    c^l = (σ_w² E[φ(u1)φ(u2)] + σ_b²)/√(q1^l q2^l), (u1, u2) at (q1^{l−1}, q2^{l−1}, c^{l−1}).

    Returns (q1, q2, c), arrays of length depth + 1 (index 0: the inputs' own layer-0 values; the
    second input has variance ``q0_other``, default q0)."""
    _check_variances(sigma_w2, sigma_b2)
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    q2_0 = q0 if q0_other is None else q0_other
    if not (q0 > 0 and q2_0 > 0):
        raise ValueError(f"input variances must be > 0, got {q0} and {q2_0}")
    check_correlation(c0)
    q1s, q2s, cs = [float(q0)], [float(q2_0)], [float(c0)]
    for _ in range(depth):
        q1, q2, c = q1s[-1], q2s[-1], cs[-1]
        n1, n2 = (float(length_map(act, q, sigma_w2, sigma_b2)) for q in (q1, q2))
        if not (math.isfinite(n1) and math.isfinite(n2)) or min(n1, n2) <= 0:
            raise ValueError(f"q^l leaves (0, inf) after {len(q1s)} layers (q = {n1:.6g}, {n2:.6g})")
        cov = sigma_w2 * float(layer_law(act).dual(q1, q2, c)) + sigma_b2
        q1s.append(n1)
        q2s.append(n2)
        cs.append(min(1.0, max(-1.0, cov / math.sqrt(n1 * n2))))
    return np.array(q1s), np.array(q2s), np.array(cs)
