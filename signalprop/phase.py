"""Order-to-chaos phase diagrams on a (σ_w², σ_b²) grid (Poole et al. 2016, Fig. 2; Schoenholz et al.
2017, Fig. 1): q*, χ_1, ξ_q, c*, χ_c and ξ_c for every grid point, vectorized.

Method. Everything needed depends on q alone, so it is tabulated once per activation as Chebyshev
series in t = ln q on [ln 1e-5, ln q_max] (interpolation at Chebyshev points, degree doubled until
the trailing coefficients fall below 1e-14 of the largest):
  h(t) = E[φ(√q z)²]/q,   g(t) = E[φ'(√q z)²],   b_n(t) = a_n(q)²/q  (n < 64, Mehler)
with a_n(q) = E[φ(√q z) He_n(z)]/√n! (all from the 1-D engine). Then, per grid point:
  q*: the root of σ_w² h(t) + σ_b² e^{−t} = 1 reached from q0 = 1 (same rule as ``propagation``),
      located on a fine t grid and polished by Newton steps on the series;
  χ_1 = σ_w² g(t*),  V'(q*) = σ_w² (h + dh/dt)(t*),  ξ_q = −1/ln V'(q*);
  chaotic points: C(c) = σ_w² Σ b_n c^n + σ_b²/q*, χ_c(c) = σ_w² Σ n b_n c^{n−1}; c* by Newton from
      c = 0 (monotone: C − c is convex), ξ_c = −1/ln χ_c(c*); ordered points: ξ_c = −1/ln χ_1.
Points whose q* is below 1e-5 report q* = 0 with the q → 0 limits; points with no attracting q*
are "unbounded" (NaN). The Mehler truncation limits χ_c where c* is close to 1 (within ~1e-3 of the
edge of chaos for kinked φ); the accuracy against ``propagation`` is measured in the tests and in
benchmarks/bench_phase.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial import chebyshev as C

from .gaussian import gaussian_moment, growth_rates, hermite_coefficients
from .maps import dirac_jumps

Q_MIN = 1e-5
N_MEHLER = 64
PHASES = ("ordered", "chaotic", "critical", "unbounded")


@dataclass(frozen=True)
class QTables:
    """Chebyshev series (in t = ln q on ``domain``) of h = E[φ²]/q, g = E[φ'²] and b_n = a_n²/q."""

    domain: tuple[float, float]
    h: np.ndarray
    g: np.ndarray | None  # None: φ is discontinuous, χ_1 = ∞
    b: np.ndarray  # (N_MEHLER, degree + 1)


def _q_max(act) -> float:
    d = act.derive()
    rate = max(growth_rates(act, 1))
    q = 1e4 if rate == 0 else min(1e4, 100.0 / rate**2)
    return min(q, 0.45 * d.moments_q_max)


def _cheb_nodes(deg: int) -> np.ndarray:
    """Chebyshev points of the first kind on [−1, 1] for a degree-``deg`` interpolant."""
    return np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))


def _interpolate(values_at, lo: float, hi: float, min_degree: int = 64, max_degree: int = 512) -> tuple[int, np.ndarray]:
    """Chebyshev interpolant of a vector-valued function of t on [lo, hi]: degree doubled until the
    last 8 coefficients of every component are < 1e-14 of its largest."""
    deg = min_degree
    while True:
        nodes = _cheb_nodes(deg)
        t = lo + (hi - lo) * (nodes + 1) / 2
        vals = values_at(t)  # (components, deg + 1)
        coefs = np.array([C.chebfit(nodes, v, deg) for v in vals])
        tail = np.max(np.abs(coefs[:, -8:]), axis=1)
        if np.all(tail <= 1e-14 * np.max(np.abs(coefs), axis=1)) or deg >= max_degree:
            return deg, coefs
        deg *= 2


@lru_cache(maxsize=32)
def q_tables(act) -> QTables:
    """The per-activation tables (one pass of the 1-D engine over ~100–500 values of q; cached)."""
    lo, hi = math.log(Q_MIN), math.log(_q_max(act))
    discontinuous = bool(dirac_jumps(act))

    def hg(t):
        q = np.exp(t)
        rows = [gaussian_moment(act, q) / q]
        if not discontinuous:
            rows.append(gaussian_moment(act, q, k=1))
        return np.array(rows)

    deg, coefs = _interpolate(hg, lo, hi)
    nodes = _cheb_nodes(deg)
    q = np.exp(lo + (hi - lo) * (nodes + 1) / 2)
    a = hermite_coefficients(act, q, N_MEHLER)  # (deg + 1, N_MEHLER)
    b = C.chebfit(nodes, a * a / q[:, None], deg).T
    return QTables((lo, hi), coefs[0], None if discontinuous else coefs[1], b)


def _map_t(tables: QTables, t):
    lo, hi = tables.domain
    return (2 * t - lo - hi) / (hi - lo)


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


def _xi(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((x > 0) & (x < 1), -1.0 / np.log(np.where((x > 0) & (x < 1), x, 0.5)), np.where(np.isnan(x), np.nan, np.inf))


def _fixed_points(tables: QTables, w2: np.ndarray, b2: float, t_grid: np.ndarray, h_grid: np.ndarray, i0: int) -> np.ndarray:
    """t* (NaN: unbounded, −inf: below Q_MIN) for every σ_w² at one σ_b². V(q) = q ⟺ σ_w² = W(t) with
    W(t) = (1 − σ_b² e^{−t})/h(t); on each monotone stretch of W every σ_w²'s crossing is found by
    bisection (searchsorted), then the one reached from q0 = e^{t_grid[i0]} ≈ 1 is kept."""
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
    out = np.full(len(w2), np.nan)
    out[~up & ~found] = -np.inf  # decreasing towards a q* below Q_MIN (or q* = 0)
    kk = np.clip(k, 0, n - 2)
    r0 = w2 * h_grid[kk] + b2 * np.exp(-t_grid[kk]) - 1.0
    r1 = w2 * h_grid[kk + 1] + b2 * np.exp(-t_grid[kk + 1]) - 1.0
    t = t_grid[kk] + (t_grid[kk + 1] - t_grid[kk]) * r0 / np.where(r0 != r1, r0 - r1, 1.0)
    hd = _dt(tables, tables.h)
    with np.errstate(all="ignore"):
        for _ in range(6):  # Newton on σ_w² h(t) + σ_b² e^{−t} − 1
            x = _map_t(tables, t)
            f = w2 * C.chebval(x, tables.h) + b2 * np.exp(-t) - 1.0
            fp = w2 * C.chebval(x, hd) - b2 * np.exp(-t)
            t = np.clip(t - f / np.where(fp == 0, 1e-300, fp), t_grid[kk], t_grid[kk + 1])
    out[found] = t[found]
    return out


def _basis(tables: QTables, x: np.ndarray) -> np.ndarray:
    """T_k(x) for every point and k ≤ degree (points × (degree + 1)): one BLAS product then gives
    every tabulated series at every point."""
    return C.chebvander(np.clip(x, -1.0, 1.0), len(tables.h) - 1)


def _c_star(bn: np.ndarray, w2: np.ndarray, b2: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """c* and χ_c(c*) for chaotic points (Newton from c = 0 on the Mehler polynomial; bn is
    (N_MEHLER, points))."""
    P = np.polynomial.polynomial
    dbn = np.arange(1, N_MEHLER)[:, None] * bn[1:]
    c = np.zeros_like(q)
    for _ in range(100):
        val = w2 * P.polyval(c, bn, tensor=False) + b2 / q - c
        slope = w2 * P.polyval(c, dbn, tensor=False) - 1.0
        step = -val / np.where(slope < 0, slope, -1e-300)
        c = np.clip(c + step, 0.0, 1.0)
        if np.all(np.abs(step) <= 1e-15):
            break
    return c, w2 * P.polyval(c, dbn, tensor=False)


def phase_diagram(act, sigma_w2, sigma_b2, tables: QTables | None = None) -> PhaseDiagram:
    """q*, χ_1, ξ_q, c*, χ_c, ξ_c on the grid sigma_b2 × sigma_w2 (1-D arrays of variances)."""
    w2 = np.asarray(sigma_w2, dtype=np.float64)
    b2s = np.asarray(sigma_b2, dtype=np.float64)
    if np.any(~(w2 > 0)) or np.any(~(b2s >= 0)):
        raise ValueError("sigma_w2 values must be > 0 and sigma_b2 values >= 0 (variances)")
    tables = q_tables(act) if tables is None else tables
    lo, hi = tables.domain
    t_grid = np.linspace(lo, hi, 2049)  # sign changes located here (Δ ln q = 0.011), then polished by Newton
    h_grid = C.chebval(_map_t(tables, t_grid), tables.h)
    i0 = int(np.argmin(np.abs(t_grid)))  # q0 ≈ 1
    t_star = np.array([_fixed_points(tables, w2, float(b2), t_grid, h_grid, i0) for b2 in b2s])
    W, B = np.broadcast_arrays(w2[None, :], b2s[:, None])
    tiny = np.isneginf(t_star)
    t_eval = np.where(np.isfinite(t_star), t_star, lo)
    T = _basis(tables, _map_t(tables, t_eval).ravel())
    q = np.where(tiny, 0.0, np.exp(t_eval))
    q[np.isnan(t_star)] = np.nan
    hd = np.pad(_dt(tables, tables.h), (0, 1))
    slope = W * (T @ (tables.h + hd)).reshape(W.shape)
    chi1 = np.full(W.shape, np.inf) if tables.g is None else W * (T @ tables.g).reshape(W.shape)
    if tiny.any():  # q* below Q_MIN: the q → 0 limits χ_1 = V'(0) = σ_w² (φ'(0−)² + φ'(0+)²)/2 when φ(0) = 0
        d = act.derive()
        if float(d.phi0) == 0.0 and tables.g is not None:
            left, right = (float(v) for v in d.dphi0_sides)
            chi1[tiny] = slope[tiny] = W[tiny] * (left**2 + right**2) / 2
    chi1[np.isnan(t_star)] = np.nan
    slope[np.isnan(t_star)] = np.nan
    phase = np.where(np.isnan(t_star), 3, np.where(np.abs(chi1 - 1) <= 1e-9, 2, np.where(chi1 < 1, 0, 1)))
    c_star = np.where(phase == 1, np.nan, 1.0)
    chi_c = np.where(phase == 1, np.nan, chi1)
    chaotic = (phase == 1) & (q > 0)
    if chaotic.any():
        bn = tables.b @ T[chaotic.ravel()].T
        cs, cc = _c_star(bn, W[chaotic], B[chaotic], q[chaotic])
        c_star[chaotic], chi_c[chaotic] = cs, cc
    c_star[phase == 3] = np.nan
    return PhaseDiagram(act.label, w2, b2s, q, chi1, _xi(slope), c_star, chi_c, _xi(chi_c), phase)
