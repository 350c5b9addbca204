"""Length map, its slope, χ_1, fixed points q* and the edge of chaos (Poole et al. 2016;
Schoenholz et al. 2017). Conventions: variances σ_w², σ_b² (standard parameterization, see
shared/FORMULAS.md); z ~ N(0, 1).

  V(q)   = σ_w² E[φ(√q z)²] + σ_b²                      (length map)
  V'(q)  = (σ_w²/(2q)) E[(z² − 1) φ(√q z)²]             (Stein form: exact for kinked φ)
  χ_1(q) = σ_w² E[φ'(√q z)²]                            (slope of the correlation map at c = 1)
  ξ_q    = −1/ln|V'(q*)|,  ξ_∇ = −1/ln χ_1(q*)  (= ξ_c in the ordered phase)
  edge of chaos, parameterized by q*: σ_w² = 1/E[φ'(√q* z)²],  σ_b² = q* − σ_w² E[φ(√q* z)²]

A fixed point is stable when |V'(q*)| < 1; when V'(q*) < 0 (cos, the Gaussian bump: V decreasing) the
lengths approach q* alternating around it, still at the rate |V'(q*)|^l. No length map can period-double:
E[φ(√q z)²] = ∫φ(x)² e^{−x²/2q} dx/√(2πq) has d ln E/d ln q = −1/2 + E[x²φ²]/(2q E[φ²]) ≥ −1/2, so at a
fixed point (σ_b² ≥ 0, σ_w² E[φ²] = q* − σ_b² ≤ q*) V'(q*) = σ_w² dE/dq ≥ −σ_w² E/(2q*) ≥ −1/2 (for
mixtures too, term by term). A period-2 orbit would need V'(q*) < −1 somewhere on the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .gaussian import DivergentExpectationError
from .laws import layer_law
from .scales import depth_scale


def _check_variances(sigma_w2: float, sigma_b2: float) -> None:
    if not sigma_w2 > 0:
        raise ValueError(f"sigma_w2 must be > 0 (a weight variance), got {sigma_w2}")
    if not sigma_b2 >= 0:
        raise ValueError(f"sigma_b2 must be >= 0 (a bias variance), got {sigma_b2}")


def length_map(act, q, sigma_w2: float, sigma_b2: float):
    """V(q) = σ_w² M(q) + σ_b², M(q) = E[g²] of the layer law (E[φ(√q z)²] for one activation; vectorized over q > 0)."""
    _check_variances(sigma_w2, sigma_b2)
    return sigma_w2 * layer_law(act).second_moment(q) + sigma_b2


def length_map_slope(act, q, sigma_w2: float):
    """V'(q) = σ_w² M'(q); for one activation (σ_w²/(2q)) E[(z² − 1) φ(√q z)²] (Stein's lemma: no derivative of φ)."""
    return sigma_w2 * layer_law(act).second_moment_slope(q)


def dirac_jumps(act) -> list[tuple[float, float]]:
    """(position, size) of the jumps of φ itself (each puts J δ(x − b) into φ'); for a Mixture or a gated unit,
    those of all its components (a test for "some neuron's derivative has Dirac terms")."""
    return layer_law(act).jumps()


def chi1(act, q, sigma_w2: float):
    """χ_1(q) = σ_w² G(q), G = Σ_b E[(∂_b g)²] (E[φ'(√q z)²] for one activation; +inf for a discontinuous one)."""
    return sigma_w2 * layer_law(act).gradient_moment(q)


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
        nxt = float(length_map(act, q, sigma_w2, sigma_b2)) if q > 0 else sigma_w2 * layer_law(act).origin().m0 + sigma_b2
        if not math.isfinite(nxt):
            raise ValueError(f"q^l overflows float64 after {len(qs)} layers (the length map diverges)")
        qs.append(nxt)
    return np.array(qs)


class NoCriticalPointError(ValueError):
    """The requested critical point does not exist (the message says why and what would be valid)."""


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point q* of the length map with its slope V'(q*) and stability (|V'(q*)| < 1).

    ``tangent``: V(q) − q touches 0 at q* without changing sign (a double root, V'(q*) = 1 to
    numerical accuracy: ReLU_τ / soft threshold at the edge of chaos, Price et al. 2024). Such a
    point attracts from one side only and is reported as not stable. ``alternating``: V'(q*) < 0, so
    q^l − q* changes sign every layer (V'(q*) ≥ −1/2 always: see the module's docstring)."""

    q_star: float
    slope: float
    tangent: bool = False

    @property
    def stable(self) -> bool:
        return abs(self.slope) < 1.0 and not self.tangent

    @property
    def alternating(self) -> bool:
        return self.slope < 0.0

    @property
    def xi_q(self) -> float:
        """ξ_q = −1/ln|V'(q*)| (inf when |V'(q*)| ≥ 1, and at a tangent fixed point)."""
        return math.inf if self.tangent else depth_scale(self.slope)


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


TANGENT_RTOL = 1e-9  # |V'(q*) − 1| below this: a tangent fixed point (the Stein slope is good to ~1e-12)
_NOISE_RTOL = 1e-12  # |V(q) − q| ≤ this × q is numerical zero: a continuum, a root, or (at an extremum) a tangent root


def _extrema(act, qs: np.ndarray, sigma_w2: float) -> list[float]:
    """Interior extrema of g(q) = V(q) − q on the grid: roots of g'(q) = V'(q) − 1 (Stein slope, no
    derivative of φ needed), bracketed by the sign changes of g' between grid points."""
    from scipy.optimize import brentq

    dg = length_map_slope(act, qs, sigma_w2) - 1.0
    out = [float(q) for q, d in zip(qs[1:-1], dg[1:-1]) if d == 0.0]
    for i in np.nonzero(np.sign(dg[:-1]) * np.sign(dg[1:]) < 0)[0]:
        out.append(brentq(lambda t: length_map_slope(act, t, sigma_w2) - 1.0, qs[i], qs[i + 1], rtol=1e-15, xtol=1e-300))
    return out


def fixed_points(act, sigma_w2: float, sigma_b2: float, q_min: float = 1e-8, q_max: float = 1e6,
                 n_grid: int = 241) -> FixedPoints:
    """All fixed points of V in [0, q_max]: q* = 0 when σ_b² = 0 and φ(0) = 0, and the roots of
    g(q) = V(q) − q in [q_min, q_max].

    The log grid over [q_min, q_max] is refined by every interior extremum of g (a root of
    g' = V' − 1 between grid points, solved with Brent's method), so (i) a pair of roots inside one
    grid cell is split into two sign changes (near-tangent fixed points, e.g. clipped ReLU with a
    large clip) and (ii) an extremum where |g| ≤ 1e-12 q is a tangent (double) fixed point, V'(q*) = 1,
    which has no sign change at all (ReLU_τ at the edge of chaos). Sign changes are solved with
    Brent's method to 1e-14 relative. Missed only if g has two extrema within one grid cell."""
    from scipy.optimize import brentq

    _check_variances(sigma_w2, sigma_b2)
    out = []
    origin = layer_law(act).origin()
    if sigma_b2 == 0 and origin.zero:
        # near 0, M(q) ≈ q · origin.slope (one activation: (φ'(0−)² + φ'(0+)²)/2), so V'(0) = σ_w² origin.slope
        out.append(FixedPoint(0.0, sigma_w2 * origin.slope))
    grid = np.geomspace(q_min, q_max, n_grid)
    g_grid = length_map(act, grid, sigma_w2, sigma_b2) - grid
    if np.all(np.abs(g_grid) <= _NOISE_RTOL * grid):
        return FixedPoints(out, continuum=True)
    ext = np.array(_extrema(act, grid, sigma_w2))
    g_ext = length_map(act, ext, sigma_w2, sigma_b2) - ext if ext.size else ext
    tangent = np.abs(g_ext) <= _NOISE_RTOL * ext
    qs = np.concatenate([grid, ext])
    order = np.argsort(qs)
    qs, g = qs[order], np.concatenate([g_grid, g_ext])[order]
    # sign of g with values at the noise level counted as 0 and skipped: a root there is either a
    # tangent point (handled below) or a simple root bracketed by the nonzero neighbours
    sgn = np.where(np.abs(g) > _NOISE_RTOL * qs, np.sign(g), 0.0)
    nz = np.nonzero(sgn)[0]
    found = [(float(q), True) for q in ext[tangent]]
    for a, b in zip(nz[:-1], nz[1:]):
        if sgn[a] * sgn[b] < 0:
            r = brentq(lambda t: length_map(act, t, sigma_w2, sigma_b2) - t, qs[a], qs[b], rtol=1e-14, xtol=1e-300)
            found.append((float(r), False))
    for r, is_tangent in sorted(found):
        out.append(FixedPoint(r, length_map_slope(act, r, sigma_w2), tangent=is_tangent))
    return FixedPoints(out, diverges=bool(g_grid[-1] > 0))


@dataclass(frozen=True)
class EdgeOfChaos:
    """Edge-of-chaos curve: arrays q*, σ_w², σ_b² (points with σ_b² < 0 are dropped) and the slope
    V'(q*) of the length map there.

    On the curve V'(q*) = σ_w² (E[φ'²] + E[φφ'']) = 1 + σ_w² E[φ(√q* z)φ''(√q* z)], so q* attracts
    (``stable``) where E[φφ''] < 0 (tanh, ELU: everywhere) and repels where it is > 0: swish and GELU
    below their half-stable point (Roberts, Yaida & Hanin 2022, §5.3.4: swish q* = 14.3202,
    σ_b² = 0.55514), where χ_1 = 1 describes a fixed point the lengths drift away from."""

    q_star: np.ndarray
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    slope: np.ndarray

    @property
    def tangent(self) -> np.ndarray:
        """``is_tangent`` along the curve (ReLU_τ and the soft threshold: everywhere, Price et al. 2024)."""
        return is_tangent(self.slope)

    @property
    def stable(self) -> np.ndarray:
        """|V'(q*)| < 1 and not tangent: the critical point is reached by iterating the length map (Hayou
        et al. 2019 ask the variance to converge before χ_1 = 1 defines the edge of chaos)."""
        return (np.abs(self.slope) < 1.0) & ~self.tangent


def is_tangent(slope):
    """V'(q*) = 1 within TANGENT_RTOL (vectorized): a double root of V(q) − q, approached from one side only."""
    return np.abs(np.asarray(slope) - 1.0) <= TANGENT_RTOL


def _require_continuous(act) -> None:
    """A jump of φ puts a Dirac term into φ', so χ_1 = σ_w² E[φ'²] = ∞ for every σ_w² > 0: no edge of chaos."""
    jumps = dirac_jumps(act)
    if jumps:
        where = ", ".join(f"{b:g}" for b, _ in jumps[:3]) + (", …" if len(jumps) > 3 else "")
        raise NoCriticalPointError(
            f"{act.label} is discontinuous (jumps at x = {where}): phi' holds Dirac terms, so chi_1 = sigma_w2 E[phi'^2] "
            "is infinite for every sigma_w2 > 0 and there is no edge of chaos (every initialization is chaotic: "
            "nearby inputs decorrelate in one layer); critical initializations need a continuous activation")


def eoc_parameters(act, q_star):
    """(σ_w², σ_b²) that make q* a fixed point with χ_1(q*) = 1 (vectorized; σ_b² may be negative,
    meaning no critical point has that q*): σ_w² = 1/E[φ'(√q* z)²], σ_b² = q* − σ_w² E[φ(√q* z)²].

    Where E[φ'(√q* z)²] is 0 in float64 (φ' vanishes on all but a far tail: a shifted ReLU at tiny q*)
    σ_w² is inf and σ_b² NaN: no finite initialization has that q*. Raises NoCriticalPointError for a
    discontinuous φ (χ_1 = ∞)."""
    _require_continuous(act)
    law = layer_law(act)
    slope2 = law.gradient_moment(q_star)
    with np.errstate(divide="ignore", invalid="ignore"):
        w2 = 1.0 / np.asarray(slope2, dtype=np.float64)
        b2 = q_star - w2 * law.second_moment(q_star)
    if np.ndim(w2) == 0:
        w2, b2 = float(w2), (float(b2) if math.isfinite(float(w2)) else math.nan)
    else:
        b2 = np.where(np.isfinite(w2), b2, np.nan)
    return w2, b2


def edge_of_chaos(act, q_star) -> EdgeOfChaos:
    """The curve χ_1(q*) = 1, V(q*) = q* parameterized by q* (one pass over q*), with V'(q*) along it;
    q* where no finite σ_w² or no σ_b² ≥ 0 reaches the curve are dropped."""
    qs = np.atleast_1d(np.asarray(q_star, dtype=np.float64))
    w2, b2 = eoc_parameters(act, qs)
    keep = np.isfinite(b2) & (b2 >= -1e-12 * qs)
    qs, w2 = qs[keep], w2[keep]
    slope = length_map_slope(act, qs, w2) if qs.size else np.empty(0)
    return EdgeOfChaos(qs, w2, np.maximum(b2[keep], 0.0), slope)


def saddle_node_parameters(act, q_star):
    """(σ_w², σ_b²) that make q* a double root of V(q) = q (V'(q*) = 1: a saddle-node of the length map; vectorized):
    σ_w² = 1/M'(q*), σ_b² = q* − M(q*)/M'(q*) (σ_b² < 0 or NaN: no such point has that q*)."""
    law = layer_law(act)
    with np.errstate(divide="ignore", invalid="ignore"):
        w2 = 1.0 / np.asarray(law.second_moment_slope(q_star), dtype=np.float64)
        w2 = np.where(w2 > 0, w2, np.inf)
        b2 = np.where(np.isfinite(w2), q_star - w2 * law.second_moment(q_star), np.nan)
    return (float(w2), float(b2)) if np.ndim(w2) == 0 else (w2, b2)


def _curve_b2(params, qs: np.ndarray) -> np.ndarray:
    """σ_b² on the curve at each q* of the increasing grid ``qs``; NaN from the first q* where the moments diverge or
    leave float64 range on (the curve has no point there, nor beyond: the law N(0, q') of a larger variance has a
    density at least √(q/q') times that of N(0, q) everywhere, so E[φ²] stays infinite or past float64's range).
    For φ = e^x, E[φ²] = e^{2q} passes 1e308 beyond q ≈ 355; its critical point q* = 1 + σ_b² lies below and is found."""
    out = np.full(len(qs), math.nan)
    for i, q in enumerate(qs):
        try:
            out[i] = params(q)[1]
        except DivergentExpectationError:
            break
    return out


def _curve_roots(params, sigma_b2: float, q_min: float, q_max: float) -> list[float]:
    """Every q* in [q_min, q_max] where the curve q* ↦ (σ_w², σ_b²) = ``params(q*)`` reaches ``sigma_b2``: sign changes
    of σ_b²(q*) − target on a 121-point log grid (values within rounding, 1e-12 of q* and σ_b², count as no sign;
    q* where the moments diverge or leave float64 range, none), each solved with Brent's method to 1e-14."""
    from scipy.optimize import brentq

    def gap(q):
        return params(q)[1] - sigma_b2

    qs = np.geomspace(q_min, q_max, 121)
    g = _curve_b2(params, qs) - sigma_b2
    noise = _NOISE_RTOL * np.maximum(qs, sigma_b2)
    sgn = np.where(np.isfinite(g) & (np.abs(g) > noise), np.sign(g), 0.0)
    nz = np.nonzero(sgn)[0]
    flips = [(a, b) for a, b in zip(nz[:-1], nz[1:]) if sgn[a] * sgn[b] < 0 and np.all(np.isfinite(g[a:b + 1]))]
    return [brentq(gap, qs[a], qs[b], rtol=1e-14, xtol=1e-300) for a, b in flips]


def _curve_span(params, q_min: float, q_max: float) -> str:
    b2 = _curve_b2(params, np.geomspace(q_min, q_max, 121))
    finite = b2[np.isfinite(b2)]
    return f"[{finite.min():.4g}, {finite.max():.4g}]" if finite.size else "empty (sigma_w2 is infinite there)"


def critical_sigma_w2(act, sigma_b2: float, q_min: float = 1e-8, q_max: float = 1e6) -> tuple[float, float]:
    """(σ_w², q*) on the edge of chaos at the given σ_b² (root of σ_b²(q*) − target along the curve).

    σ_b² = 0 with M(0) = 0 and lim G(q) > 0 is exact: the curve ends at q* = 0 with σ_w² = 1/lim G
    (one activation: 2/(φ'(0−)² + φ'(0+)²); there σ_b²(q*) = O(q*²) or smaller, e.g. O(q*³) for tanh, and a grid
    search would find a "root" in rounding noise). Otherwise the sign changes of σ_b²(q*) − target on a
    log grid are bracketed, counting values within rounding (1e-12 of q* and σ_b²) as no sign, and the first (smallest
    q*) is solved with Brent's method. Raises NoCriticalPointError (a ValueError) when the curve does not reach that
    σ_b² in [q_min, q_max] (ReLU-like φ: the single point σ_b² = 0), or φ is discontinuous (χ_1 = ∞)."""
    if not (math.isfinite(sigma_b2) and sigma_b2 >= 0):
        raise ValueError(f"sigma_b2 must be a finite number >= 0 (a bias variance), got {sigma_b2}")
    _require_continuous(act)
    origin = layer_law(act).origin()
    if sigma_b2 == 0 and origin.zero and origin.gradient > 0:
        return 1.0 / origin.gradient, 0.0
    params = lambda q: eoc_parameters(act, q)  # noqa: E731
    roots = _curve_roots(params, sigma_b2, q_min, q_max)
    if not roots:
        why = ""
        if sigma_b2 == 0 and origin.zero and origin.gradient == 0:  # e.g. gated units: M = O(q²), G = O(q) at 0
            why = ("; at sigma_b2 = 0 the origin is a fixed point with chi_1 -> 0 (the gradient moment vanishes as q -> 0), "
                   "and along the curve q* -> 0 needs sigma_w2 -> infinity: give sigma_b2 > 0")
        raise NoCriticalPointError(
            f"the edge of chaos of {act.label} does not reach sigma_b2 = {sigma_b2} for q* in [{q_min:g}, {q_max:g}] "
            f"(sigma_b2 along the curve spans {_curve_span(params, q_min, q_max)}){why}"
        )
    q = roots[0]
    return float(eoc_parameters(act, q)[0]), q


@dataclass(frozen=True)
class OrderedLimit:
    """Where the ordered phase ends at a given σ_b² without reaching χ_1 = 1: the largest σ_w² with a stable fixed
    point, a saddle-node of the length map (V(q*) = q*, V'(q*) = 1, and V' increasing through 1 there: the stable
    fixed point below q* and the repelling one above merge and vanish). Beyond it the lengths grow without bound.
    ``chi1`` is χ_1 at that point (< 1: the ordered phase ends in divergence, not at the edge of chaos)."""

    sigma_w2: float
    sigma_b2: float
    q_star: float
    chi1: float

    def as_dict(self) -> dict:
        return {"sigma_w2": self.sigma_w2, "sigma_b2": self.sigma_b2, "q_star": self.q_star, "chi1": self.chi1}


def ordered_limit(act, sigma_b2: float, q_min: float = 1e-8, q_max: float = 1e6) -> OrderedLimit | None:
    """The saddle-node at which the stable fixed point vanishes at this σ_b² (``OrderedLimit``), or None when V has
    none in [q_min, q_max] (a concave M: tanh, erf; a linear one: ReLU). Roots of σ_b²(q*) = q* − M(q*)/M'(q*) are
    kept where M'' > 0 (M' larger at 1.0001 q* than at 0.9999 q*: a pair annihilates as σ_w² grows; where M'' < 0 a
    pair is born instead), and of those the one with the smallest σ_w² (the first met as σ_w² grows) is returned."""
    if not (math.isfinite(sigma_b2) and sigma_b2 >= 0):
        raise ValueError(f"sigma_b2 must be a finite number >= 0 (a bias variance), got {sigma_b2}")
    law = layer_law(act)
    found = []
    for q in _curve_roots(lambda t: saddle_node_parameters(act, t), sigma_b2, q_min, q_max):
        lo, hi = law.second_moment_slope(np.array([q * (1 - 1e-4), q * (1 + 1e-4)]))
        if hi > lo:
            w2 = 1.0 / float(law.second_moment_slope(q))
            found.append(OrderedLimit(w2, sigma_b2, q, w2 * float(law.gradient_moment(q))))
    return min(found, key=lambda p: p.sigma_w2, default=None)
