"""Order-to-chaos phase diagrams on a (σ_w², σ_b²) grid (Poole et al. 2016, Fig. 2; Schoenholz et al.
2017, Fig. 1): q*, χ_1, ξ_q, c*, χ_c and ξ_c for every grid point, vectorized.

Method. Everything needed depends on q alone, so it is tabulated once per activation as Chebyshev
series in t = ln q on [ln 1e-5, ln q_max] (interpolation at Chebyshev points, degree doubled until
the trailing coefficients fall below 1e-14 of the largest) of ln h, ln g and b_n/h, where
  h(t) = E[φ(√q z)²]/q,   g(t) = E[φ'(√q z)²],   b_n(t) = a_n(q)²/q  (n < 64, Mehler)
with a_n(q) = E[φ(√q z) He_n(z)]/√n! (all from the 1-D engine); logarithms and the weights b_n/h
(summing to 1) hold the same relative accuracy where h spans decades (sign: h = 1/q). Then, per
grid point:
  q*: the root of σ_w² h(t) + σ_b² e^{−t} = 1 reached from q0 = 1 (same rule as ``propagation``),
      bracketed on a fine t grid (where ln h and its t-derivatives are stored, so that h anywhere is a
      short Taylor sum) and polished by Newton steps, all points at once;
  χ_1 = σ_w² g(t*),  V'(q*) = σ_w² (h + dh/dt)(t*),  ξ_q = −1/ln V'(q*);
  chaotic points: C(c) = σ_w² Σ b_n c^n + σ_b²/q*, χ_c(c) = σ_w² Σ n b_n c^{n−1}; c* by Newton from
      c = 0 (monotone: C − c is convex), ξ_c = −1/ln χ_c(c*); ordered points: ξ_c = −1/ln χ_1.
  Next to the edge of chaos c* → 1, where the Mehler series converges slowly (kinked φ: b_n ~
      n^{−5/2}). Its truncation error is bounded from the exact sums Σ b_n = h and Σ n b_n = g (the
      dropped terms are ≥ 0); every chaotic point whose bound exceeds TAIL_TOL in χ_c is solved again
      on a Chebyshev table in (ln q, θ = arccos c) of E[φ'φ'] (``dual_table``: analytic in θ, solved
      through the mean slope of C on [c, 1], which stays well conditioned as χ_1 → 1). That table
      costs 0.5–2 k values of the 2-D engine, seconds to a minute on first use (cached).
The table starts at q = 1e-5, or higher where the moments fall below 1e-30 of their value at q = 1
(shifted ReLUs); points whose q* is below it report q* = 0 with the q → 0 limits when σ_b² = 0 and are
solved point by point (``propagation``) when σ_b² > 0; points with no attracting q*
are "unbounded" (NaN). Accuracy against ``propagation`` and the asymptotics ξ_c ≈ 1/(χ_1 − 1) at
the edge of chaos is measured in the tests and in benchmarks/bench_phase.py.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable

import numpy as np
from numpy.polynomial import chebyshev as C

from symbolic import disk_cache

from .dual_table import cached_dual_table, table_domain, to_unit
from .mixing import Mixture, averaged
from .quadrature import QuadratureError
from .scales import depth_scale
from .threads import split_rows

# The 1-D and 2-D engines, the layer laws and sympy are imported where tables are built or a rare point is solved
# on its own, so that a diagram from cached tables (``warm_phase_diagram``) imports none of them.

Q_MIN = 1e-5
N_MEHLER = 64
PHASES = ("ordered", "chaotic", "critical", "unbounded")


@dataclass(frozen=True)
class QTables:
    """Chebyshev series (in t = ln q on ``domain``) of ln h (h = E[φ²]/q), ln g (g = E[φ'²]) and of
    the Mehler weights b_n/h = a_n²/E[φ²] (which sum to 1): logarithms and ratios keep the same
    relative accuracy over the 9 decades of q, also where h itself spans many (φ(0) ≠ 0, sign)."""

    domain: tuple[float, float]
    log_h: np.ndarray
    log_g: np.ndarray | None  # None: φ is discontinuous, χ_1 = ∞
    b: np.ndarray  # (N_MEHLER, degree + 1)
    origin: tuple[float, float, float]  # (M(0), lim M(q)/q, lim G(q)) as q → 0: the layer law's ``origin()``

    def arrays(self) -> dict[str, np.ndarray]:
        """The tables as arrays (the disk cache's entry; ``log_g`` absent for a discontinuous φ)."""
        out = {"domain": np.array(self.domain), "log_h": self.log_h, "b": self.b, "origin": np.array(self.origin)}
        if self.log_g is not None:
            out["log_g"] = self.log_g
        return out

    @classmethod
    def from_arrays(cls, arrays) -> QTables:
        """Inverse of ``arrays``, checking shapes and values (ValueError on anything else)."""
        domain, log_h, b = (disk_cache.checked(arrays, n, d) for n, d in (("domain", 1), ("log_h", 1), ("b", 2)))
        log_g = disk_cache.checked(arrays, "log_g", 1) if "log_g" in arrays else None
        origin = disk_cache.checked(arrays, "origin", 1, finite=False)  # a limit may be infinite
        if domain.shape != (2,) or not domain[0] < domain[1] or b.shape != (N_MEHLER, log_h.size) or (
                log_g is not None and log_g.shape != log_h.shape) or origin.shape != (3,) or np.isnan(origin).any():
            raise ValueError("q tables of inconsistent shapes")
        return cls((float(domain[0]), float(domain[1])), log_h, log_g, b, tuple(float(v) for v in origin))


def _q_max(act) -> float:
    from symbolic import moments_limit

    from .gaussian import growth_rates

    if isinstance(act, Mixture):
        return min(_q_max(a) for a, _ in act.components())
    rate = max(growth_rates(act, 1))
    q = 1e4 if rate == 0 else min(1e4, 100.0 / rate**2)
    return min(q, 0.45 * moments_limit(act))


def _cheb_nodes(deg: int) -> np.ndarray:
    """Chebyshev points of the first kind on [−1, 1] for a degree-``deg`` interpolant."""
    return np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))


def _interpolate(values_at, lo: float, hi: float, what: str, min_degree: int = 64, max_degree: int = 512
                 ) -> tuple[int, np.ndarray]:
    """Chebyshev interpolant of a vector-valued function of t on [lo, hi] (logarithms of moments): degree
    doubled until the last 8 coefficients of every component are < 1e-14 of its largest (or of 1, for a
    component smaller than 1). Raises QuadratureError when they are still above 1e-10 at ``max_degree``
    (a table that does not resolve ``what``)."""
    deg = min_degree
    while True:
        nodes = _cheb_nodes(deg)
        t = lo + (hi - lo) * (nodes + 1) / 2
        vals = values_at(t)  # (components, deg + 1)
        coefs = np.array([C.chebfit(nodes, v, deg) for v in vals])
        # relative to the largest coefficient, or absolute for rows of size < 1: they are logarithms, whose
        # absolute error is the relative error of the moment (ln E[φ'²] ≡ 0 for |φ'| = 1 is rounding noise)
        scale = np.maximum(np.max(np.abs(coefs), axis=1), 1.0)
        tail = np.max(np.abs(coefs[:, -8:]), axis=1) / scale
        if np.all(tail <= 1e-14):
            return deg, coefs
        if deg >= max_degree:
            if np.all(tail <= 1e-10):
                return deg, coefs
            raise QuadratureError(
                f"the Chebyshev table of {what} in ln q on [{math.exp(lo):.3g}, {math.exp(hi):.3g}] did not converge "
                f"(trailing coefficients {tail.max():.1e} of the largest at degree {deg}); use propagation() point by point")
        deg *= 2


TABLE_FLOOR = 1e-30  # moments below this fraction of their value at q = 1 set the table's lower end (see _q_min)


def _q_min(act, hi: float) -> float:
    """The table's lower end: Q_MIN, or higher where E[φ(√q z)²]/q or E[φ'(√q z)²] fall below TABLE_FLOOR
    times their value at q = 1 (a shifted ReLU: both ~ e^{−τ²/2q}, whose logarithm no table in ln q can
    follow down to 1e-5 and which underflow to 0). Fixed points below it are solved point by point."""
    from .gaussian import gaussian_moment
    from .maps import dirac_jumps

    qs = np.append(np.geomspace(Q_MIN, min(1.0, math.exp(hi)), 41), 1.0)  # the last: the reference q = 1
    rows = [gaussian_moment(act, qs) / qs]
    if not dirac_jumps(act):
        rows.append(gaussian_moment(act, qs, k=1))
    small = np.zeros(len(qs) - 1, dtype=bool)
    for r in rows:
        small |= ~(r[:-1] > TABLE_FLOOR * r[-1])
    return float(qs[np.nonzero(small)[0][-1] + 1]) if small.any() else Q_MIN


@averaged
def _hermite_squares(act, q: np.ndarray, n: int) -> np.ndarray:
    """a_n(q)² (q × n); for a Mixture Σ p_i a_{n,i}², the Mehler coefficients of its averaged dual."""
    from .gaussian import hermite_coefficients

    return hermite_coefficients(act, q, n) ** 2


def tabulable(act) -> bool:
    """Whether the Chebyshev tables apply: element-wise activations and their mixtures (the tables hold φ's Hermite
    coefficients). Other layer laws (gated units, group activations) are solved point by point (``propagation``)."""
    from symbolic import Activation

    parts = act.components() if isinstance(act, Mixture) else [(act, 1.0)]
    return all(isinstance(a, Activation) for a, _ in parts)


POINTWISE_GRID = 1600  # grid points the point-by-point route accepts (~0.1–0.5 s each)


def _pointwise_diagram(act, w2: np.ndarray, b2s: np.ndarray, progress: bool) -> PhaseDiagram:
    """The phase diagram by ``propagation`` at every grid point (from q0 = 1), for layer laws without tables."""
    from tqdm import tqdm

    from .propagation import propagation

    if w2.size * b2s.size > POINTWISE_GRID:
        raise ValueError(f"{act.label} has no phase tables (gated and group units are solved point by point, ~0.1-0.5 s "
                         f"per point): give at most {POINTWISE_GRID} grid points (e.g. a 40 x 40 grid), got "
                         f"{b2s.size} x {w2.size}")
    fields = ("q_star", "chi1", "xi_q", "c_star", "chi_c", "xi_c")
    out = {f: np.full((b2s.size, w2.size), np.nan) for f in fields}
    phase = np.zeros((b2s.size, w2.size), dtype=np.int64)
    with tqdm(total=w2.size * b2s.size, desc=f"{act.label}: phase diagram point by point", disable=not progress,
              file=sys.stderr) as bar:
        for i, b2 in enumerate(b2s):
            for j, w in enumerate(w2):
                p = propagation(act, float(w), float(b2))
                phase[i, j] = PHASES.index(p.phase)
                for f in fields:
                    v = getattr(p, f)
                    out[f][i, j] = np.nan if v is None else v  # None: undefined (the unbounded phase)
                bar.update(1)
    return PhaseDiagram(act.label, w2, b2s, out["q_star"], out["chi1"], out["xi_q"], out["c_star"], out["chi_c"],
                        out["xi_c"], phase)


def _require_tabulable(act) -> None:
    """The tables need φ's Hermite coefficients up to q_max (~1e4), i.e. its breakpoints over |x| ≲ 900; a
    periodic φ lists them only in a window (BiPer: |x| ≤ 15.9), so its table would fail after minutes and
    gigabytes. Refused at once, with what works instead."""
    for a, _ in (act.components() if isinstance(act, Mixture) else [(act, 1.0)]):
        if a.form.periodic:
            span = max(map(abs, a.breakpoints))
            raise QuadratureError(
                f"no phase diagram for {a.label}: its tables need Hermite coefficients at q up to {_q_max(a):.3g}, but "
                f"its periodic breakpoints are listed only for |x| <= {span:.4g} (and the 2-D engine takes at most 64 "
                f"breakpoints); use gaussian_moment/length_map at q <= {(span / 9) ** 2:.3g} instead")


@lru_cache(maxsize=32)
def q_tables(act) -> QTables:
    """The per-activation tables (one pass of the 1-D engine over ~100–500 values of q), cached in
    memory and on disk (``symbolic.disk_cache``, keyed by the exact expression). Which activations have
    tables is checked where they are built: a warm call needs no piecewise form (0.2 s of sympy for ELU)."""
    from .laws import require_elementwise

    require_elementwise(act, "a phase table")
    return disk_cache.cached("q_tables", disk_cache.expression_key(act), lambda: _build_q_tables(act).arrays(),
                             QTables.from_arrays)


def _build_q_tables(act) -> QTables:
    from .gaussian import gaussian_moment
    from .laws import layer_law
    from .maps import dirac_jumps

    _require_tabulable(act)
    hi = math.log(_q_max(act))
    lo = math.log(_q_min(act, hi))
    discontinuous = bool(dirac_jumps(act))

    def logs(t):
        q = np.exp(t)
        rows = [np.log(gaussian_moment(act, q) / q)]
        if not discontinuous:
            rows.append(np.log(gaussian_moment(act, q, k=1)))
        return np.array(rows)

    def weights(q):
        return _hermite_squares(act, q, N_MEHLER) / gaussian_moment(act, q)[:, None]

    deg, coefs = _interpolate(lambda t: split_rows(logs, t, axis=1), lo, hi, f"ln E[phi^2]/q and ln E[phi'^2] of {act.label}")
    nodes = _cheb_nodes(deg)
    q = np.exp(lo + (hi - lo) * (nodes + 1) / 2)
    b = split_rows(weights, q)  # every q on its own: parallel threads
    origin = layer_law(act).origin()
    return QTables((lo, hi), coefs[0], None if discontinuous else coefs[1], C.chebfit(nodes, b, deg).T,
                   (origin.m0, origin.slope, origin.gradient))


def _mehler_weights(tables: QTables, t: np.ndarray) -> np.ndarray:
    """b_n/h at every t (N_MEHLER × points): the series through one Chebyshev–Vandermonde block (callers pass
    CHAOTIC_PART points at most: 8 MB, in cache)."""
    return tables.b @ C.chebvander(to_unit(t, tables.domain), tables.b.shape[1] - 1).T


def _dt(tables: QTables, coefs):
    lo, hi = tables.domain
    return C.chebder(coefs) * 2 / (hi - lo)


@dataclass(frozen=True)
class PhaseDiagram:
    """Arrays of shape (len(sigma_b2), len(sigma_w2)); NaN where undefined ("unbounded" points),
    inf for infinite depth scales. ``phase`` holds indices into PHASES."""

    activation: str
    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    chi1: np.ndarray
    xi_q: np.ndarray
    c_star: np.ndarray
    chi_c: np.ndarray
    xi_c: np.ndarray
    phase: np.ndarray

    def as_dict(self) -> dict:
        def clean(a):
            return [[float(v) if math.isfinite(v) else None for v in row] for row in a]

        return {
            "name": self.activation, "sigma_w2": self.sigma_w2.tolist(), "sigma_b2": self.sigma_b2.tolist(),
            "q_star": clean(self.q_star), "chi1": clean(self.chi1), "xi_q": clean(self.xi_q), "c_star": clean(self.c_star),
            "xi_c": clean(self.xi_c), "phase": [[PHASES[i] for i in row] for row in self.phase],
            "convention": "variances (standard parameterization); rows: sigma_b2, columns: sigma_w2; q* reached from q0 = 1; "
                          "null: infinite depth scale or undefined (unbounded variance)",
        }


@dataclass(frozen=True)
class _Grid:
    """L = ln h (and ln g) with t-derivatives up to TAYLOR on a fine t grid: L anywhere is then a short
    Taylor sum from the nearest node (|Δt| ≤ 0.005, error < 1e-17 for the zoo's h), and
    h = e^L, dh/dt = h L'; g likewise (a 160,000-point chebval of ln g costs 5 such sums)."""

    t: np.ndarray
    log_h: np.ndarray  # (TAYLOR + 1, nodes)
    log_g: np.ndarray | None  # (TAYLOR + 1, nodes); None: φ is discontinuous

    @property
    def h(self) -> np.ndarray:
        return np.exp(self.log_h[0])

    def index(self, t: np.ndarray) -> np.ndarray:
        step = self.t[1] - self.t[0]
        return np.clip(np.rint((t - self.t[0]) / step).astype(np.int64), 0, len(self.t) - 1)

    def _taylor(self, table: np.ndarray, t: np.ndarray, slope: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """L(t) and, with ``slope``, L'(t): both Taylor sums from one gather of the nearest node's derivatives."""
        i = self.index(t)
        dt = t - self.t[i]
        rows = table[:, i]
        value = rows[-1].copy()
        derivative = rows[-1].copy() if slope else None
        for k in range(TAYLOR - 1, -1, -1):
            step = dt / (k + 1)
            value *= step
            value += rows[k]
            if slope and k < TAYLOR - 1:
                derivative *= step
                derivative += rows[k + 1]
        return value, derivative

    def eval(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """h(t) and dh/dt."""
        log_h, slope = self._taylor(self.log_h, t, True)
        h = np.exp(log_h)
        return h, h * slope

    def g(self, t: np.ndarray) -> np.ndarray:
        """g(t) = E[φ'(√q z)²] (φ continuous)."""
        return np.exp(self._taylor(self.log_g, t, False)[0])


TAYLOR = 8
FINE = 2049


def _grid(tables: QTables) -> _Grid:
    lo, hi = tables.domain
    t = np.linspace(lo, hi, FINE)
    x = to_unit(t, tables.domain)

    def derivatives(coefs: np.ndarray) -> np.ndarray:
        rows = []
        for _ in range(TAYLOR + 1):
            rows.append(C.chebval(x, coefs))
            coefs = _dt(tables, coefs)
        return np.array(rows)

    return _Grid(t, derivatives(tables.log_h), None if tables.log_g is None else derivatives(tables.log_g))


def _fixed_points(grid: _Grid, w2: np.ndarray, b2: float, i0: int) -> tuple[np.ndarray, np.ndarray]:
    """(bracket index k, status) for every σ_w² at one σ_b²: the root t* of
    F(t) = σ_w² h(t) + σ_b² e^{−t} − 1 reached from q0 = e^{t_grid[i0]} ≈ 1 lies in
    [t_k, t_{k+1}]. V(q) = q ⟺ σ_w² = W(t) = (1 − σ_b² e^{−t})/h(t); on each monotone stretch of W
    every σ_w²'s crossing is found by bisection (searchsorted). status: 0 found, 1 unbounded,
    2 below the table's lower end (q* = 0, or tiny: solved point by point when σ_b² > 0)."""
    t_grid, h_grid = grid.t, grid.h
    n = len(t_grid)
    Wt = (1.0 - b2 * np.exp(-t_grid)) / h_grid
    turns = np.nonzero(np.diff(np.sign(np.diff(Wt))))[0] + 1
    bounds = [0, *turns.tolist(), n - 1]
    cand_up = np.full(len(w2), n)
    cand_down = np.full(len(w2), -1)
    for s, e in zip(bounds[:-1], bounds[1:]):
        seg = Wt[s:e + 1]
        rising = seg[-1] >= seg[0]
        pos = np.searchsorted(seg if rising else seg[::-1], w2)
        valid = (pos > 0) & (pos < len(seg))
        k = s + pos - 1 if rising else e - pos
        cand_up = np.where(valid & (k >= i0), np.minimum(cand_up, k), cand_up)
        cand_down = np.where(valid & (k < i0), np.maximum(cand_down, k), cand_down)
    up = w2 > Wt[i0]  # V(q0) > q0: q^l increases
    k = np.where(up, cand_up, cand_down)
    found = (k >= 0) & (k < n - 1)
    return np.clip(k, 0, n - 2), np.where(found, 0, np.where(up, 1, 2))


def _newton_t(grid: _Grid, w2: np.ndarray, b2: np.ndarray, k: np.ndarray) -> np.ndarray:
    """t* in [t_k, t_{k+1}] for all points at once: secant start (error ~1e-5 on the 0.01-wide cells), then
    Newton on F(t), at most 4 steps, stopping after one where every step was below 1e-13 (relative to
    max(|t|, 1)): convergence is quadratic, so the error left is of the order of its square times
    F''/F', which is large only next to a fold of the length map (V'(q*) → 1)."""
    t0, t1 = grid.t[k], grid.t[k + 1]
    h = grid.h
    r0 = w2 * h[k] + b2 * np.exp(-t0) - 1.0
    r1 = w2 * h[k + 1] + b2 * np.exp(-t1) - 1.0
    t = t0 + (t1 - t0) * r0 / np.where(r0 != r1, r0 - r1, 1.0)
    with np.errstate(all="ignore"):
        for _ in range(4):
            hv, dh = grid.eval(t)
            bias = b2 * np.exp(-t)
            f = w2 * hv + bias - 1.0
            fp = w2 * dh - bias
            new = np.clip(t - f / np.where(fp == 0, 1e-300, fp), t0, t1)
            settled = np.all(np.abs(new - t) <= 1e-13 * np.maximum(np.abs(t), 1.0))
            t = new
            if settled:
                break
    return t


def _c_star(bn: np.ndarray, w2: np.ndarray, b2: np.ndarray, q: np.ndarray, max_iter: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """c*, χ_c(c*) and convergence for chaotic points, by Newton from below on the Mehler polynomial
    (bn is (N_MEHLER, points)). A truncated map is convex with non-negative coefficients, so Newton from
    c = 0 rises monotonically and stays below its root, itself below the true c*; and dropping more terms
    lowers the map, so the root of the first START_TERMS terms (found first, at a quarter of the cost per
    step) is such a start for the whole polynomial. Points still moving after ``max_iter`` steps (c* next
    to 1, where Newton is slow) are reported as not converged, with such a lower bound for c*."""
    b2q = b2 / q
    start, _ = _newton_from_below(bn[:START_TERMS], w2, b2q, np.zeros_like(q), max_iter)
    c, moving = _newton_from_below(bn, w2, b2q, start, max_iter)
    return c, w2 * _horner(bn, c)[1], ~moving


START_TERMS = 16


def _newton_from_below(bn: np.ndarray, w2: np.ndarray, b2q: np.ndarray, c0: np.ndarray, max_iter: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Newton on w2 Σ bn c^n + b2q = c from c0 below the root, for every point (columns of bn): the iterates
    and which points were still moving after ``max_iter`` steps."""
    c = c0.copy()
    moving = np.ones(len(c), dtype=bool)
    idx, b, w, bq = np.arange(len(c)), bn, w2, b2q  # the compacted working set
    for _ in range(max_iter):
        if moving.sum() < 0.7 * len(idx):  # compact only once many points are done (copies cost as much as steps)
            idx = idx[moving]
            b, w, bq, moving = b[:, moving], w[moving], bq[moving], moving[moving]
        cc = c[idx]
        series, derivative = _horner(b, cc)
        val = w * series + bq - cc
        slope = w * derivative - 1.0
        step = np.where(moving, -val / np.where(slope < 0, slope, -1e-300), 0.0)
        c[idx] = np.clip(cc + step, 0.0, 1.0)
        moving &= (np.abs(step) > 1e-15) & (np.abs(val) > 4e-16)  # done: no step left, or a gap at rounding level
        if not moving.any():
            break
    still = np.zeros(len(c), dtype=bool)
    still[idx[moving]] = True
    return c, still


def _horner(coefs: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ_n coefs[n] x^n and its x-derivative per point (coefs: (terms, points)), by one Horner pass in place."""
    value = coefs[-1].copy()
    slope = np.zeros_like(x)
    for row in coefs[-2::-1]:
        slope *= x
        slope += value
        value *= x
        value += row
    return value, slope


def _mehler_tail(bn: np.ndarray, h: np.ndarray, g: np.ndarray | None, c: np.ndarray) -> np.ndarray:
    """Bound on the truncation error of χ_c(c)/σ_w² = Σ n b_n c^{n−1} (and of C, which is smaller):
    the dropped terms are non-negative and sum to T0 = h − Σ b_n and T1 = g − Σ n b_n at c = 1, so
    Σ_{n≥N} n b_n c^{n−1} ≤ min(T1 c^{N−1}, T0 Σ_{n≥N} n c^{n−1}) (each b_n ≤ T0)."""
    n = np.arange(N_MEHLER)[:, None]
    t0 = np.maximum(h - bn.sum(axis=0), 0.0) + 1e-15 * h
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = c ** (N_MEHLER - 1) * (N_MEHLER / (1 - c) + c / (1 - c) ** 2)
    bound = np.where(c < 1, t0 * geometric, np.inf)
    if g is not None:
        t1 = np.maximum(g - (n * bn).sum(axis=0), 0.0) + 1e-15 * g
        bound = np.minimum(bound, t1 * c ** (N_MEHLER - 1))
    return bound


ROW_PART = 16384  # grid points per part whose fixed points q* are solved together (whole rows of sigma_b2)
CHAOTIC_PART = 8192  # chaotic points per part whose c* are solved together (one Vandermonde block, in cache)
TAIL_TOL = 1e-12  # Mehler truncation allowed in χ_c (absolute); beyond it the dual table takes over
POINTWISE_MAX = 24  # up to this many such points are solved one by one instead (cheaper than a table)
TABLE_LIMIT = 1e-9  # a table whose trailing coefficients stay above this at the largest degree is refused


def phase_diagram(act, sigma_w2, sigma_b2, tables: QTables | None = None, progress: bool = False) -> PhaseDiagram:
    """q*, χ_1, ξ_q, c*, χ_c, ξ_c on the grid sigma_b2 × sigma_w2 (1-D arrays of variances);
    ``progress`` shows a bar (stderr) while a table for the edge of chaos is built."""
    w2, b2s = _axes(sigma_w2, sigma_b2)
    if tables is None and not tabulable(act):
        return _pointwise_diagram(act, w2, b2s, progress)
    tables = q_tables(act) if tables is None else tables
    return _diagram(_Subject(act.label, disk_cache.expression_key(act), lambda: act), tables, w2, b2s, progress)


def warm_phase_diagram(label: str, key: str, activation: Callable[[], object], sigma_w2, sigma_b2,
                       progress: bool = False) -> PhaseDiagram | None:
    """``phase_diagram`` of the activation whose ``disk_cache.expression_key`` is ``key`` (``label``: its label) from
    its q tables in the disk cache, or None when they are not there. ``activation()`` gives the activation itself,
    called only for what the cache cannot hold (a table not built yet, points below the tables solved one by one):
    with everything cached, neither it nor the engines (nor sympy) are imported. Values are those of
    ``phase_diagram``: the same tables and the same steps."""
    w2, b2s = _axes(sigma_w2, sigma_b2)
    tables = disk_cache.stored("q_tables", key, QTables.from_arrays)  # an unusable entry: removed, rebuilt cold
    return None if tables is None else _diagram(_Subject(label, key, activation), tables, w2, b2s, progress)


def _axes(sigma_w2, sigma_b2) -> tuple[np.ndarray, np.ndarray]:
    w2 = np.asarray(sigma_w2, dtype=np.float64)
    b2s = np.asarray(sigma_b2, dtype=np.float64)
    if w2.ndim != 1 or b2s.ndim != 1 or not w2.size or not b2s.size:
        raise ValueError(f"sigma_w2 and sigma_b2 must be 1-D arrays of at least one value, got shapes {w2.shape} and {b2s.shape}")
    if np.any(~(w2 > 0)) or np.any(~(b2s >= 0)):
        raise ValueError("sigma_w2 values must be > 0 and sigma_b2 values >= 0 (variances)")
    return w2, b2s


class _Subject:
    """What a diagram knows of its activation: the label, the cache key, and the activation itself on demand."""

    def __init__(self, label: str, key: str, activation: Callable[[], object]):
        self.label, self.key, self._activation = label, key, activation

    @cached_property
    def act(self):
        return self._activation()


def _diagram(subject: _Subject, tables: QTables, w2: np.ndarray, b2s: np.ndarray, progress: bool) -> PhaseDiagram:
    grid = _grid(tables)
    i0 = int(np.argmin(np.abs(grid.t)))  # q0 ≈ 1

    def rows_of(rows: slice) -> tuple[np.ndarray, ...]:  # status, t*, h(t*), V'(q*), χ_1 on these rows of the grid
        brackets = [_fixed_points(grid, w2, float(b2), i0) for b2 in b2s[rows]]
        k = np.array([b[0] for b in brackets])
        status = np.array([b[1] for b in brackets])
        W, B = np.broadcast_arrays(w2[None, :], b2s[rows, None])
        found = status == 0
        t = np.full(W.shape, tables.domain[0])
        t[found] = _newton_t(grid, W[found], B[found], k[found])
        h, dh = grid.eval(t)
        return status, t, h, W * (h + dh), (np.full(W.shape, np.inf) if grid.log_g is None else W * grid.g(t))

    step = max(1, ROW_PART // len(w2))  # parts of whole rows, whose arrays stay in cache (measured: faster than threads)
    parts = [rows_of(slice(r, r + step)) for r in range(0, len(b2s), step)]
    status, t_star, h_star, slope, chi1 = (np.concatenate(column) for column in zip(*parts))
    W, B = np.broadcast_arrays(w2[None, :], b2s[:, None])
    tiny, unbounded = status == 2, status == 1
    q = np.where(tiny, 0.0, np.exp(t_star))
    q[unbounded] = np.nan
    m0, origin_slope, origin_gradient = tables.origin
    if tiny.any() and m0 == 0.0 and tables.log_g is not None:
        # q* below the table: the q → 0 limits χ_1 = V'(0) = σ_w² (φ'(0−)² + φ'(0+)²)/2 when φ(0) = 0
        chi1[tiny], slope[tiny] = W[tiny] * origin_gradient, W[tiny] * origin_slope
    if (tiny & (B > 0)).any():  # 0 < q* < the table's lower end: the pointwise route
        from .propagation import propagation

        for i, j in zip(*np.nonzero(tiny & (B > 0))):
            point = propagation(subject.act, float(W[i, j]), float(B[i, j]))
            q[i, j], chi1[i, j] = point.q_star, point.chi1
            slope[i, j] = next(p.slope for p in point.fixed_points.points if p.q_star == point.q_star)
    chi1[unbounded] = np.nan
    slope[unbounded] = np.nan
    phase = np.where(unbounded, 3, np.where(np.abs(chi1 - 1) <= 1e-9, 2, np.where(chi1 < 1, 0, 1)))
    c_star = np.where(phase == 1, np.nan, 1.0)
    chi_c = np.where(phase == 1, np.nan, chi1)
    chaotic = (phase == 1) & (q > 0)
    if chaotic.any():
        c_star[chaotic], chi_c[chaotic] = _chaotic(subject, tables, t_star[chaotic], h_star[chaotic], W[chaotic],
                                                   B[chaotic], q[chaotic], chi1[chaotic], progress)
    c_star[phase == 3] = np.nan
    return PhaseDiagram(subject.label, w2, b2s, q, chi1, depth_scale(slope), c_star, chi_c, depth_scale(chi_c), phase)


def _chaotic(subject: _Subject, tables: QTables, tc: np.ndarray, hc: np.ndarray, wc: np.ndarray, bc: np.ndarray,
             qc: np.ndarray, chi1c: np.ndarray, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """c* and χ_c(c*) at the chaotic points: Mehler's series, or next to the edge of chaos the 2-D engine at a few
    points or the dual table (module docstring)."""
    def solve(part: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # (c*, χ_c, near the edge) on these points
        bn = hc[part] * _mehler_weights(tables, tc[part])
        cs, cc, converged = _c_star(bn, wc[part], bc[part], qc[part])
        gc = None if tables.log_g is None else chi1c[part] / wc[part]
        return cs, cc, ~converged | (wc[part] * _mehler_tail(bn, hc[part], gc, cs) > TAIL_TOL)

    # every point on its own (its Newton steps stop when it settles): parts, whose arrays stay in cache, give the values
    # of one pass (measured: faster than one pass, and than the parts in threads)
    parts = [solve(slice(s, s + CHAOTIC_PART)) for s in range(0, len(tc), CHAOTIC_PART)]
    cs, cc, near = (np.concatenate(column) for column in zip(*parts))
    if 0 < near.sum() <= POINTWISE_MAX:  # a few points: the 2-D engine at each (~30 values per point)
        from .correlation import c_star as correlation_c_star, correlation_map_slope

        for k in np.nonzero(near)[0]:
            cs[k] = correlation_c_star(subject.act, wc[k], bc[k], qc[k], np.inf)
            cc[k] = correlation_map_slope(subject.act, cs[k], wc[k], qc[k])
    elif near.any():  # next to the edge of chaos: the (ln q, θ) table of the dual activation (~10³ values)
        table = cached_dual_table(subject.key, lambda: subject.act, *table_domain(tc[near], cs[near]), progress=progress)
        if table.tail > TABLE_LIMIT:
            raise QuadratureError(
                f"the (ln q, theta) table of E[phi'phi'] for {subject.label} did not converge (trailing Chebyshev "
                f"coefficient {table.tail:.1e} at degree {table.main.shape[0] - 1} x {table.main.shape[1] - 1}); "
                "narrow the sigma_w2 / sigma_b2 range near the edge of chaos")
        cs[near], cc[near] = table.fixed_point(wc[near], bc[near], qc[near], cs[near])
    return cs, cc
