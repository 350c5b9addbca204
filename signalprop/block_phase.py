"""Order-to-chaos phases of a repeated block of any ``signalprop.architecture`` description (Poole et al. 2016;
Schoenholz et al. 2017, for blocks instead of layers).

A network that repeats one block has two maps per block, for the stream's length p and for two inputs' correlation c.
Where the length map p ↦ P(p) has a stable fixed point p* (reached from the inputs' length p⁰), the correlation map at
p*, C(c) = Σ'₁₂/p*, fixes c = 1, and its slope there decides the phase, as χ_1 does for a plain layer:

  χ₁ = C'(1) = ∂Σ'₁₂/∂Σ₁₂ at c = 1 (``architecture.covariance_slope``): ordered (χ₁ < 1, c → 1), chaotic (χ₁ > 1,
  c → c* < 1, the stable root of C(c) = c), critical (χ₁ = 1); ξ_c = −1/ln C'(c*) is the correlation depth scale.

Blocks that have p*: a plain Dense → φ layer (q* of Poole et al.; the same numbers as ``signalprop.phase``), and a
residual block with a normalization after the sum (post-norm, Norm(x + α F(x))), whose p* = γ² + β² after one block.
For post-norm blocks with F = Dense(σ_w², σ_b²) → φ → Dense(σ_v², σ_a²) this gives (derived here)

  χ₁ = (1 + α²σ_v²σ_w² E[φ'(u)²]) / (1 + α²(σ_v² E[φ(u)²] + σ_a²)),   u ~ N(0, σ_w² p* + σ_b²),

so the edge of chaos, σ_w² E[φ'(u)²] = E[φ(u)²] + σ_a²/σ_v², does not depend on the branch scale α: α sets only the
depth scales (for the norm's γ² = 1, β² = 0 that ``post_norm_block`` builds; a fixed bias β² ≠ 0 brings α back).
Residual blocks x + α F(x) without a norm after the sum (plain or pre-norm) have no fixed point — their length grows
without bound (P(p) > p) and every parameter sits at the edge of chaos (Yang & Schoenholz 2017): the phase is
"unbounded" and their growth laws are ``depth_growth``'s exponents. A weighted skip w x + α F(x) with w < 1
(``normalized_sum``) can have one again, and is treated like any block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .architecture import KernelState, Serial, covariance_slope, maps, propagate
from .gaussian import DivergentExpectationError
from .phase import PHASES

P_RANGE = (1e-12, 1e12)
"""The lengths searched for the fixed point, relative to p⁰: beyond them the stream collapses (p* = 0) or grows without
bound."""
CRITICAL_TOL = 1e-9
"""|χ₁ − 1| at most this is the edge of chaos (the maps are accurate to ~1e-12)."""
C_GAPS = tuple(8.0 ** -k for k in range(1, 14))
"""1 − c probed below c = 1 for a bracket of c* (as ``correlation.c_star``)."""


@dataclass(frozen=True)
class BlockPhase:
    """One block's phase: ``p_star`` (the stream's length at the stable fixed point; 0 when it collapses, inf when
    unbounded), ``chi1`` (C'(1) at p*), ``c_star``, ``chi_c`` (C'(c*)), ``xi_c`` (−1/ln χ_c; inf at the edge of
    chaos) and ``phase`` (a name of ``PHASES``); NaN where undefined."""

    p_star: float
    chi1: float
    c_star: float
    chi_c: float
    xi_c: float
    phase: str

    def as_dict(self) -> dict:
        return {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in vars(self).items()}


def length_map(block: Serial, p: float) -> float:
    """P(p): the stream's length after the block for an input of length p (one input, exact layer laws)."""
    state = KernelState(np.array([[p]]), np.array([p]), np.array([p]), None, math.nan, True, True)
    return float(propagate(block, state).sigma[0, 0])


def length_fixed_point(block: Serial, p0: float = 1.0) -> float:
    """The stable fixed point of the length map reached from p⁰: the first root of P(p) − p above p⁰ where it turns
    negative (if P(p⁰) > p⁰), or below p⁰ where it turns positive (if P(p⁰) < p⁰), bracketed on a grid of factors of 2
    and solved by Brent's method in ln p to 1e-14; 0 if the stream collapses below 1e-12 p⁰, inf if it grows past 1e12 p⁰
    (or overflows)."""
    from scipy.optimize import brentq

    def gap(t: float) -> float:
        p = math.exp(t)
        return length_map(block, p) / p - 1.0

    t0 = math.log(p0)
    g0 = gap(t0)
    if g0 == 0.0:
        return p0
    up = g0 > 0
    step = math.log(2.0) * (1 if up else -1)
    t, last = t0, g0
    limit = t0 + math.log(P_RANGE[1] if up else P_RANGE[0])
    while (t < limit) if up else (t > limit):
        try:
            g = gap(t + step)
        except (OverflowError, DivergentExpectationError):  # the stream's length leaves float64 or the moments' range
            return math.inf
        if not math.isfinite(g):
            return math.inf
        if (g < 0) if up else (g > 0):
            lo, hi = sorted((t, t + step))
            return math.exp(brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14))
        t, last = t + step, g
    return math.inf if up else 0.0


def correlation_map_at(block: Serial, p: float, c: float) -> float:
    """C(c) = Σ'₁₂/P(p) of two inputs of length p and correlation c (``maps``)."""
    return float(maps(block, p, c).c[-1])


def block_phase(block: Serial, p0: float = 1.0) -> BlockPhase:
    """The phase of a network repeating ``block``, its inputs of length p⁰ (module docstring)."""
    if not isinstance(block, Serial):
        raise TypeError(f"give a block built with signalprop.architecture (Serial, post_norm_block, …), got "
                        f"{type(block).__name__}")
    p_star = length_fixed_point(block, p0)
    if math.isinf(p_star):
        return BlockPhase(p_star, math.nan, math.nan, math.nan, math.nan, "unbounded")
    p = p_star if p_star > 0 else P_RANGE[0] * p0  # a collapsing stream: its limit, read at the smallest length
    chi1 = covariance_slope(block, p, 1.0)
    if chi1 <= 1.0 + CRITICAL_TOL:
        critical = abs(chi1 - 1.0) <= CRITICAL_TOL
        xi = math.inf if critical else -1.0 / math.log(chi1)
        return BlockPhase(p_star, chi1, 1.0, chi1, xi, "critical" if critical else "ordered")
    c_star = _c_star(block, p)
    chi_c = covariance_slope(block, p, c_star)
    return BlockPhase(p_star, chi1, c_star, chi_c, -1.0 / math.log(chi_c) if chi_c < 1 else math.inf, "chaotic")


def _c_star(block: Serial, p: float) -> float:
    """The stable root of C(c) = c below 1 when C'(1) > 1, as ``correlation.c_star`` finds it for a layer: the gap
    C(c) − C(1) − (c − 1) (C(1) pinned, so rounding cannot fake a root at 1) probed upward from 0 at c = 1 − 8^−k
    (positive below c*, negative above), and Brent's method on the first bracket. The gap is O((χ₁ − 1)(1 − c)): next to
    the edge of chaos c* is resolved only to ~1e-13/(χ₁ − 1), and where no probe up to 1 − 8^−13 is negative c* = 1."""
    from scipy.optimize import brentq

    one = correlation_map_at(block, p, 1.0)

    def gap(c: float) -> float:
        return correlation_map_at(block, p, c) - one - (c - 1.0)

    if gap(0.0) <= 0.0:
        return 0.0
    lo = 0.0
    for c in (1.0 - g for g in C_GAPS):
        if gap(c) < 0.0:
            return brentq(gap, lo, c, xtol=1e-15, rtol=1e-15)
        lo = c
    return 1.0


def finite_or_none(grid) -> list:
    """A 2-D grid as nested lists for JSON, None where a value is not finite."""
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in np.asarray(grid, dtype=float)]


def named_phases(phase: np.ndarray, names) -> list:
    """Phase indices as names (None where −1: not computed)."""
    return [[names[i] if i >= 0 else None for i in row] for row in phase]


@dataclass(frozen=True)
class BlockPhaseDiagram:
    """Arrays of shape (len(sigma_b2), len(sigma_w2)) over the branch's (σ_w², σ_b²) (``BlockPhase`` fields; NaN where
    undefined); ``phase`` holds indices into PHASES, as ``signalprop.phase.PhaseDiagram``."""

    activation: str
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    p_star: np.ndarray
    chi1: np.ndarray
    c_star: np.ndarray
    chi_c: np.ndarray
    xi_c: np.ndarray
    phase: np.ndarray
    interrupted: bool = False

    def as_dict(self) -> dict:
        return {"name": self.activation, "sigma_w2": self.sigma_w2.tolist(), "sigma_b2": self.sigma_b2.tolist(),
                **{k: finite_or_none(getattr(self, k)) for k in ("p_star", "chi1", "c_star", "chi_c", "xi_c")},
                "phase": named_phases(self.phase, PHASES),
                "convention": "rows: sigma_b2, columns: sigma_w2 (the branch's first Dense); p_star: the stream's length "
                              "at the block's fixed point, reached from p0 = 1; c_star, chi1, chi_c: the block's correlation "
                              "map of the stream; null: undefined or an infinite depth scale",
                "interrupted": self.interrupted}


def block_phase_diagram(block_of: Callable[[float, float], Serial], sigma_w2, sigma_b2, label: str = "block",
                        p0: float = 1.0, progress: bool = False) -> BlockPhaseDiagram:
    """``block_phase`` of ``block_of(σ_w², σ_b²)`` at every grid point (a progress bar with ``progress``; Ctrl-C stops
    after the point in flight and returns the points done, the rest NaN with phase −1, ``interrupted`` set)."""
    import sys

    from tqdm import tqdm

    w = np.asarray(sigma_w2, dtype=np.float64)
    b = np.asarray(sigma_b2, dtype=np.float64)
    shape = (len(b), len(w))
    fields = {k: np.full(shape, np.nan) for k in ("p_star", "chi1", "c_star", "chi_c", "xi_c")}
    phase = np.full(shape, -1, dtype=int)
    interrupted = False
    bar = tqdm(total=w.size * b.size, desc=f"{label}: block phases", disable=not progress, file=sys.stderr, leave=False)
    try:
        for i, bb in enumerate(b):
            for j, ww in enumerate(w):
                point = block_phase(block_of(float(ww), float(bb)), p0)
                for k in fields:
                    fields[k][i, j] = getattr(point, k)
                phase[i, j] = PHASES.index(point.phase)
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    return BlockPhaseDiagram(label, w, b, **fields, phase=phase, interrupted=interrupted)
