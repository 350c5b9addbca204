"""Length map, its slope, χ_1, fixed points q* and the edge of chaos (Poole et al. 2016;
Schoenholz et al. 2017). Conventions: variances σ_w², σ_b² (standard parameterization, see
shared/FORMULAS.md); z ~ N(0, 1).

  V(q)   = σ_w² E[φ(√q z)²] + σ_b²                      (length map)
  V'(q)  = (σ_w²/(2q)) E[(z² − 1) φ(√q z)²]             (Stein form: exact for kinked φ)
  χ_1(q) = σ_w² E[φ'(√q z)²]                            (slope of the correlation map at c = 1)
  ξ_q    = −1/ln V'(q*),  ξ_∇ = −1/ln χ_1(q*)  (= ξ_c in the ordered phase)
  edge of chaos, parameterized by q*: σ_w² = 1/E[φ'(√q* z)²],  σ_b² = q* − σ_w² E[φ(√q* z)²]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from .gaussian import growth_rates, gaussian_moment, integrate_gaussian
from .mixing import Mixture, averaged, origin_slope


def _check_variances(sigma_w2: float, sigma_b2: float) -> None:
    if not sigma_w2 > 0:
        raise ValueError(f"sigma_w2 must be > 0 (a weight variance), got {sigma_w2}")
    if not sigma_b2 >= 0:
        raise ValueError(f"sigma_b2 must be >= 0 (a bias variance), got {sigma_b2}")


def length_map(act, q, sigma_w2: float, sigma_b2: float):
    """V(q) = σ_w² E[φ(√q z)²] + σ_b² (vectorized over q > 0)."""
    _check_variances(sigma_w2, sigma_b2)
    return sigma_w2 * gaussian_moment(act, q, k=0, p=2) + sigma_b2


@averaged
def length_map_slope(act, q, sigma_w2: float):
    """V'(q) = (σ_w²/(2q)) E[(z² − 1) φ(√q z)²] (Stein's lemma; no derivative of φ needed)."""
    qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
    f = act.numpy(0)
    rn, rp = growth_rates(act, 2)
    vals = integrate_gaussian(lambda x: f(x) ** 2, qs, 0.0, act.breakpoints, rn, rp, z_poly=lambda z: z * z - 1.0)
    out = sigma_w2 * vals / (2.0 * qs)
    return out if np.ndim(q) else float(out[0])


def dirac_jumps(act) -> list[tuple[float, float]]:
    """(position, size) of the jumps of φ itself (each puts J δ(x − b) into φ'); for a Mixture, those
    of all its components (a test for "some neuron's φ' has Dirac terms")."""
    if isinstance(act, Mixture):
        return [j for a, _ in act.components() for j in dirac_jumps(a)]
    return [(float(sp.N(j.at)), float(sp.N(j.value))) for j in act.derive().jumps if j.order == 0]


@averaged
def chi1(act, q, sigma_w2: float):
    """χ_1(q) = σ_w² E[φ'(√q z)²] (+inf for a discontinuous φ: φ' then holds Dirac terms)."""
    if dirac_jumps(act):
        return np.full(np.shape(q), math.inf) if np.ndim(q) else math.inf
    return sigma_w2 * gaussian_moment(act, q, k=1, p=2)


@averaged
def _phi0_squared(act) -> float:
    """φ(0)² (E[φ(√q z)²] at q = 0)."""
    return float(act.numpy(0)(0.0)) ** 2


def iterate_length_map(act, q0: float, sigma_w2: float, sigma_b2: float, depth: int) -> np.ndarray:
    """q^0 = q0, q^l = V(q^{l−1}) for l = 1 … depth (the infinite-width pre-activation variances).

    Stops with ValueError if q^l leaves float64 range or hits 0 with σ_b² = 0 (then all later q^l are 0,
    which is returned)."""
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    if not q0 >= 0:
        raise ValueError(f"q0 must be >= 0, got {q0}")
    qs = [float(q0)]
    for _ in range(depth):
        q = qs[-1]
        nxt = float(length_map(act, q, sigma_w2, sigma_b2)) if q > 0 else sigma_w2 * _phi0_squared(act) + sigma_b2
        if not math.isfinite(nxt):
            raise ValueError(f"q^l overflows float64 after {len(qs)} layers (the length map diverges)")
        qs.append(nxt)
    return np.array(qs)


class NoCriticalPointError(ValueError):
    """The requested critical point does not exist (the message says why and what would be valid)."""


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point q* of the length map with its slope V'(q*) and stability (V'(q*) < 1)."""

    q_star: float
    slope: float

    @property
    def stable(self) -> bool:
        return self.slope < 1.0

    @property
    def xi_q(self) -> float:
        """ξ_q = −1/ln V'(q*) (inf when V'(q*) ≥ 1 or = 1)."""
        return -1.0 / math.log(self.slope) if 0.0 < self.slope < 1.0 else math.inf


@dataclass(frozen=True)
class FixedPoints:
    """The fixed points of a length map. ``continuum``: V(q) = q for every q on the search grid (to
    1e-12 relative: ReLU at σ_w² = 2, σ_b² = 0); ``points`` then holds only q* = 0. ``diverges``:
    V(q) > q at q_max, so iterates started above the largest fixed point grow without bound."""

    points: list[FixedPoint]
    continuum: bool = False
    diverges: bool = False  # V(q) > q at the top of the search range: q^l grows without bound

    @property
    def stable(self) -> list[FixedPoint]:
        return [p for p in self.points if p.stable]


def fixed_points(act, sigma_w2: float, sigma_b2: float, q_min: float = 1e-8, q_max: float = 1e6,
                 n_grid: int = 241) -> FixedPoints:
    """All fixed points of V in [0, q_max]: q* = 0 when σ_b² = 0 and φ(0) = 0, and every sign change
    of V(q) − q on a log grid over [q_min, q_max], solved with Brent's method to 1e-14 relative."""
    _check_variances(sigma_w2, sigma_b2)
    out = []
    zero_at_origin, slope0 = origin_slope(act)
    if sigma_b2 == 0 and zero_at_origin:
        # near 0, E[φ(√q z)²] ≈ q (φ'(0−)² + φ'(0+)²)/2, so V'(0) = σ_w² (φ'(0−)² + φ'(0+)²)/2
        out.append(FixedPoint(0.0, sigma_w2 * slope0))
    qs = np.geomspace(q_min, q_max, n_grid)
    g = length_map(act, qs, sigma_w2, sigma_b2) - qs
    noise = 1e-12 * qs
    if np.all(np.abs(g) <= noise):
        return FixedPoints(out, continuum=True)
    change = (np.sign(g[:-1]) * np.sign(g[1:]) < 0) & ((np.abs(g[:-1]) > noise[:-1]) | (np.abs(g[1:]) > noise[1:]))
    for i in np.nonzero(change)[0]:
        r = brentq(lambda t: length_map(act, t, sigma_w2, sigma_b2) - t, qs[i], qs[i + 1], rtol=1e-14, xtol=1e-300)
        out.append(FixedPoint(r, length_map_slope(act, r, sigma_w2)))
    return FixedPoints(out, diverges=bool(g[-1] > 0))


@dataclass(frozen=True)
class EdgeOfChaos:
    """Edge-of-chaos curve: arrays q*, σ_w², σ_b² (points with σ_b² < 0 are dropped)."""

    q_star: np.ndarray
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray


def eoc_parameters(act, q_star):
    """(σ_w², σ_b²) that make q* a fixed point with χ_1(q*) = 1 (vectorized; σ_b² may be negative,
    meaning no critical point has that q*): σ_w² = 1/E[φ'(√q* z)²], σ_b² = q* − σ_w² E[φ(√q* z)²]."""
    w2 = 1.0 / gaussian_moment(act, q_star, k=1, p=2)
    return w2, q_star - w2 * gaussian_moment(act, q_star, k=0, p=2)


def edge_of_chaos(act, q_star) -> EdgeOfChaos:
    """The curve χ_1(q*) = 1, V(q*) = q* parameterized by q* (one pass over q*)."""
    qs = np.atleast_1d(np.asarray(q_star, dtype=np.float64))
    w2, b2 = eoc_parameters(act, qs)
    keep = b2 >= -1e-12 * qs
    return EdgeOfChaos(qs[keep], w2[keep], np.maximum(b2[keep], 0.0))


def critical_sigma_w2(act, sigma_b2: float, q_min: float = 1e-8, q_max: float = 1e6) -> tuple[float, float]:
    """(σ_w², q*) on the edge of chaos at the given σ_b² (root of σ_b²(q*) − target along the curve).

    Raises NoCriticalPointError (a ValueError) when the curve does not reach that σ_b² in [q_min, q_max] (e.g. ReLU-like φ,
    whose edge of chaos is the single point σ_b² = 0)."""
    if not sigma_b2 >= 0:
        raise ValueError(f"sigma_b2 must be >= 0, got {sigma_b2}")

    def gap(q):
        return eoc_parameters(act, q)[1] - sigma_b2

    qs = np.geomspace(q_min, q_max, 121)
    g = np.array([gap(q) for q in qs])
    idx = np.nonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)[0]
    if not idx.size:
        raise NoCriticalPointError(
            f"the edge of chaos of {act.label} does not reach sigma_b2 = {sigma_b2} for q* in [{q_min:g}, {q_max:g}] "
            f"(sigma_b2 along the curve spans [{g.min() + sigma_b2:.4g}, {g.max() + sigma_b2:.4g}])"
        )
    q = brentq(gap, qs[idx[0]], qs[idx[0] + 1], rtol=1e-14, xtol=1e-300)
    return float(eoc_parameters(act, q)[0]), q
