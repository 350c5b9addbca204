"""Chebyshev tables of the dual activation in (t = ln q, θ = arccos c), for the phase diagram's
chaotic points next to the edge of chaos, where the Mehler series cannot hold c* and χ_c.

In θ the dual activation stays analytic at c = 1 even for kinked φ (ReLU: (sin θ + (π − θ) cos θ)/2π),
while in c it is not ((1 − c)^{3/2} terms), which is why Mehler's power series in c converges slowly
there and a Chebyshev series in θ converges fast. Values come from the 2-D engine
(``bivariate_moment``) at Chebyshev extreme points, whose sets are nested when the degree doubles
(values are reused); each direction's degree doubles until the last three coefficients are below
TOL of the largest (at most MAX_DEGREE).

Continuous φ: the table holds D1(t, θ) = E[φ'(u1) φ'(u2)] (Var u = q = e^t, corr cos θ), and the
fixed point comes from the mean slope of the correlation map on [c, 1],
  S(c) = (C(1) − C(c))/(1 − c) = σ_w² ∫_c^1 D1 ds/(1 − c) = σ_w² ∫_0^θ D1 sin φ dφ/(1 − cos θ),
since C(c) − c = (1 − c)(1 − S(c)) when C(1) = 1: c* solves S(c*) = 1. Unlike C(c) − c, which is
O((χ_1 − 1)(1 − c)) there, S − 1 keeps full relative accuracy next to the edge of chaos, so c* and
χ_c(c*) = σ_w² D1 lose only ε/(χ_1 − 1) instead of ε/(χ_1 − 1)². S is monotone (D1 increases with c:
its Mehler coefficients are ≥ 0), and is solved by safeguarded Newton in θ.

Discontinuous φ (sign, step): E[φ'φ'] carries Dirac terms singular at θ = 0, so the table holds
Dq = E[φ(u1) φ(u2)]/q, C(c) = σ_w² Dq + σ_b²/q = c is solved by Newton in c, and
χ_c = −σ_w² ∂_θ Dq/sin θ (Price's theorem, dc = −sin θ dθ).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
from numpy.polynomial import chebyshev as C

from symbolic import disk_cache

from .threads import thread_map

TOL = 1e-12
MIN_DEGREE = 8
MAX_DEGREE = 128
_U, _WU = np.polynomial.legendre.leggauss(48)
_U, _WU = (_U + 1) / 2, _WU / 2  # Gauss–Legendre on [0, 1]


def to_unit(v, domain: tuple[float, float]) -> np.ndarray:
    """v mapped from ``domain`` onto [−1, 1] (the Chebyshev variable), clipped to it."""
    lo, hi = domain
    return np.clip((2 * np.asarray(v, dtype=np.float64) - lo - hi) / (hi - lo), -1.0, 1.0)


def extrema(n: int) -> np.ndarray:
    """Chebyshev extreme points cos(πk/n), k = 0 … n (from +1 down to −1)."""
    return np.cos(np.pi * np.arange(n + 1) / n)


def chebyshev_coefficients(values: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
    """Chebyshev coefficients of values at the extreme points along ``axes`` (default: every axis;
    other axes are independent components), by a DCT-I per axis (``_dct1``)."""
    out = values
    for axis in range(values.ndim) if axes is None else axes:
        out = np.moveaxis(np.tensordot(_dct1(values.shape[axis] - 1), out, axes=(1, axis)), 0, axis)
    return out


@lru_cache(maxsize=16)
def _dct1(n: int) -> np.ndarray:
    """The (n + 1) × (n + 1) matrix from values at the extreme points cos(πj/n) to Chebyshev coefficients:
    c_k = (2/n) Σ''_j f_j cos(πjk/n), the end terms (j = 0, n) and the end coefficients (k = 0, n) halved.
    The angles are reduced exactly (jk mod 2n) before the cosine. A matrix product, not scipy.fft: the tables
    have at most 129 points a side, and importing scipy.fft costs 0.1 s."""
    j = np.arange(n + 1)
    m = np.outer(j, j) % (2 * n)
    matrix = np.cos(np.pi * m / n) * (2.0 / n)
    matrix[:, [0, n]] /= 2
    matrix[[0, n], :] /= 2
    return matrix


def trailing(coefs: np.ndarray, axis: int) -> float:
    """Largest of the last three coefficients along ``axis``, relative to the largest coefficient."""
    last = np.take(coefs, range(coefs.shape[axis] - 3, coefs.shape[axis]), axis=axis)
    return float(np.max(np.abs(last)) / max(np.max(np.abs(coefs)), 1e-300))


@dataclass(frozen=True)
class DualTable:
    """2-D Chebyshev coefficients (t degree + 1, θ degree + 1) on t_domain × th_domain: of D1 and its
    mean slope S/σ_w² (continuous φ), or of Dq (discontinuous φ, ``slope_form`` False); ``tail`` is
    the largest trailing coefficient left (the table's relative accuracy)."""

    t_domain: tuple[float, float]
    th_domain: tuple[float, float]
    main: np.ndarray
    mean_slope: np.ndarray | None
    tail: float

    @property
    def slope_form(self) -> bool:
        return self.mean_slope is not None

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as arrays (the disk cache's entry; ``mean_slope`` absent in the Dq form)."""
        out = {"domains": np.array([*self.t_domain, *self.th_domain]), "main": self.main, "tail": np.array([self.tail])}
        if self.mean_slope is not None:
            out["mean_slope"] = self.mean_slope
        return out

    @classmethod
    def from_arrays(cls, arrays) -> DualTable:
        """Inverse of ``arrays``, checking shapes and values (ValueError on anything else)."""
        domains, main, tail = (disk_cache.checked(arrays, n, d) for n, d in (("domains", 1), ("main", 2), ("tail", 1)))
        slope = disk_cache.checked(arrays, "mean_slope", 2) if "mean_slope" in arrays else None
        if domains.shape != (4,) or tail.shape != (1,) or (slope is not None and slope.shape != main.shape):
            raise ValueError("dual table of inconsistent shapes")
        return cls((float(domains[0]), float(domains[1])), (float(domains[2]), float(domains[3])), main, slope, float(tail[0]))

    def _rows(self, t: np.ndarray, coefs: np.ndarray) -> np.ndarray:
        """Per point, the θ-series (points × θ degree + 1) at its t."""
        return C.chebvander(to_unit(t, self.t_domain), coefs.shape[0] - 1) @ coefs

    def _at(self, rows: np.ndarray, theta: np.ndarray, derivative: bool = False) -> np.ndarray:
        if derivative:
            rows = self._d_theta(rows)
        return np.sum(C.chebvander(to_unit(theta, self.th_domain), rows.shape[1] - 1) * rows, axis=1)

    def _d_theta(self, rows: np.ndarray) -> np.ndarray:
        """The θ-series of the θ-derivative, per point."""
        return C.chebder(rows, axis=1) * (2.0 / (self.th_domain[1] - self.th_domain[0]))

    def fixed_point(self, sigma_w2: np.ndarray, sigma_b2: np.ndarray, q: np.ndarray, c_below: np.ndarray,
                    max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
        """c* and χ_c(c*) for chaotic points whose c* lies in [c_below, 1] (see the module docstring):
        safeguarded Newton in θ on σ_w² S(θ) = 1, iterating only the points not yet converged."""
        t = np.log(q)
        if not self.slope_form:
            return self._fixed_point_values(sigma_w2, sigma_b2, q, t, c_below, max_iter)
        rows, d1 = self._rows(t, self.mean_slope), self._rows(t, self.main)
        d_rows = self._d_theta(rows)
        lo = np.zeros_like(q)  # S > 1 (c above c*)
        hi = np.arccos(np.clip(c_below, -1.0, 1.0))  # S ≤ 1 (c at or below c*)
        theta = hi.copy()
        active = np.arange(len(q))
        for _ in range(max_iter):
            th, w2 = theta[active], sigma_w2[active]
            f = w2 * self._at(rows[active], th) - 1.0
            lo_a = np.where(f > 0, th, lo[active])
            hi_a = np.where(f > 0, hi[active], th)
            fp = w2 * self._at(d_rows[active], th)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = th - f / fp
            bisect = ~((step >= lo_a) & (step <= hi_a))  # closed: a step below one ulp of θ lands on θ itself (done)
            new = np.where(bisect, 0.5 * (lo_a + hi_a), step)
            # done: no step left, or σ_w² S − 1 within a few ulps of 0, where Newton can cycle between two θ
            settled = np.abs(f) <= 1e-15
            new = np.where(settled, th, new)  # kept where S is settled, even if the step would have bisected
            done = (np.abs(new - th) <= 1e-16 + 1e-14 * th) | settled
            theta[active], lo[active], hi[active] = new, lo_a, hi_a
            active = active[~done]
            if not active.size:
                break
        return np.cos(theta), sigma_w2 * self._at(d1, theta)

    def _fixed_point_values(self, sigma_w2, sigma_b2, q, t, c_below, max_iter):
        """Newton in c on C(c) = c from below (monotone: C − c is convex), for discontinuous φ."""
        rows = self._rows(t, self.main)
        c = c_below.copy()

        def dq_and_slope(cc):
            theta = np.arccos(np.clip(cc, -1.0, 1.0))
            return self._at(rows, theta), -self._at(rows, theta, derivative=True) / np.sin(theta)

        for _ in range(max_iter):
            dq, slope = dq_and_slope(c)
            gap = sigma_w2 * dq + sigma_b2 / q - c
            step = np.where(sigma_w2 * slope < 1, -gap / np.minimum(sigma_w2 * slope - 1, -1e-300), 0.0)
            c = np.clip(c + step, c_below, 1.0)
            if np.all(np.abs(step) <= 1e-15):
                break
        return c, sigma_w2 * dq_and_slope(c)[1]


def mean_slope_nodes(theta: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes φ_k and weights w_k with Σ w_k D1(φ_k) = ∫_0^θ D1(φ) sin φ dφ/(1 − cos θ) for D1
    analytic in φ (Gauss–Legendre in φ = θu; θ sin(θu)/(1 − cos θ) written as θ sin(θu)/(2 sin²(θ/2))
    so that small θ loses nothing). θ = 0: the single node 0 (the mean slope is D1 there)."""
    if theta == 0.0:
        return np.zeros(1), np.ones(1)
    phi = theta * _U
    return phi, _WU * theta * np.sin(phi) / (2 * math.sin(theta / 2) ** 2)


def _mean_slope(d1: np.ndarray, th_domain: tuple[float, float]) -> np.ndarray:
    """Values of the mean slope ∫_0^θ D1 sin φ dφ/(1 − cos θ) at the table's nodes, from the θ-series
    of D1 (rows: t nodes)."""
    nth = d1.shape[1] - 1
    theta = th_domain[0] + (th_domain[1] - th_domain[0]) * (extrema(nth) + 1) / 2
    out = np.empty_like(d1)
    for j, th in enumerate(theta):
        phi, weights = mean_slope_nodes(float(th))
        out[:, j] = C.chebval(to_unit(phi, th_domain), d1.T) @ weights
    return out


_CACHE: dict = {}
CACHE_SIZE = 16
CHUNK = 16  # 2-D engine values per call, the progress bar's step (a call's panels follow its widest row: 64 → 16
#             made ELU's table 15 % faster)


def dual_table(act, t_domain: tuple[float, float], th_domain: tuple[float, float], progress: bool = False) -> DualTable:
    """The table on t_domain × th_domain (see the module docstring), cached per (activation,
    domain); ``progress`` shows a bar (stderr) while values are computed."""
    return cached_dual_table(disk_cache.expression_key(act), lambda: act, t_domain, th_domain, progress)


def cached_dual_table(key: str, activation: Callable[[], object], t_domain: tuple[float, float],
                      th_domain: tuple[float, float], progress: bool = False) -> DualTable:
    """``dual_table`` of the activation whose ``disk_cache.expression_key`` is ``key``, in memory or on disk;
    ``activation()`` gives the activation itself, called only when the table has to be built."""
    memory_key = (key, t_domain, th_domain)
    if memory_key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        disk_key = f"{key} on {[float(v).hex() for v in (*t_domain, *th_domain)]}"
        _CACHE[memory_key] = disk_cache.cached(
            "dual_table", disk_key, lambda: _build(activation(), t_domain, th_domain, progress).arrays(), DualTable.from_arrays)
    return _CACHE[memory_key]


def _build(act, t_domain: tuple[float, float], th_domain: tuple[float, float], progress: bool) -> DualTable:
    from .bivariate import bivariate_moment  # the 2-D engine (and sympy): only where a table is built
    from .maps import dirac_jumps

    discontinuous = bool(dirac_jumps(act))
    cache: dict[tuple[int, int], float] = {}
    lattice = extrema(MAX_DEGREE)

    def grid(nt: int, nth: int) -> np.ndarray:
        """Values at the (nt + 1) × (nth + 1) extreme points; keys are indices on the finest lattice."""
        keys = [(i * (MAX_DEGREE // nt), j * (MAX_DEGREE // nth)) for i in range(nt + 1) for j in range(nth + 1)]
        todo = [k for k in keys if k not in cache]
        if todo:
            it, ith = np.array(todo).T
            q = np.exp(t_domain[0] + (t_domain[1] - t_domain[0]) * (lattice[it] + 1) / 2)
            c = np.cos(th_domain[0] + (th_domain[1] - th_domain[0]) * (lattice[ith] + 1) / 2)

            def values(sl: slice) -> np.ndarray:
                qq, cc = q[sl], c[sl]
                return bivariate_moment(act, qq, qq, cc) / qq if discontinuous else bivariate_moment(act, qq, qq, cc, k=(1, 1))

            from tqdm import tqdm  # here: 15 ms of import that a warm call never needs

            chunks = [slice(start, start + CHUNK) for start in range(0, len(todo), CHUNK)]
            with tqdm(total=len(todo), desc=f"{act.label}: dual table {nt + 1}x{nth + 1}", disable=not progress,
                      file=sys.stderr, leave=False) as bar:
                for sl, vals in zip(chunks, thread_map(values, chunks)):  # chunks in parallel threads, in order
                    cache.update(zip(todo[sl], vals))
                    bar.update(len(vals))
        return np.array([cache[k] for k in keys]).reshape(nt + 1, nth + 1)

    nt = nth = MIN_DEGREE
    while True:
        coefs = chebyshev_coefficients(grid(nt, nth))
        tails = [trailing(coefs, axis) for axis in (0, 1)]
        grow = [tails[0] > TOL and nt < MAX_DEGREE, tails[1] > TOL and nth < MAX_DEGREE]
        if not any(grow):
            break
        nt, nth = nt * (2 if grow[0] else 1), nth * (2 if grow[1] else 1)
    if discontinuous:
        return DualTable(t_domain, th_domain, coefs, None, max(tails))
    # the mean slope's own series: its values at the nodes (from D1's θ-series at each t node), then DCT
    d1_rows = C.chebvander(extrema(nt), nt) @ coefs  # θ-series of D1 at each t node
    return DualTable(t_domain, th_domain, coefs, chebyshev_coefficients(_mean_slope(d1_rows, th_domain)), max(tails))


def table_domain(t: np.ndarray, c_below: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """A table domain covering points (t, c ≥ c_below), rounded outwards (t to 0.5, θ to 0.05) so
    that nearby grids share a cached table."""
    lo, hi = math.floor(2 * float(t.min())) / 2, math.ceil(2 * float(t.max())) / 2
    if hi - lo < 0.5:
        hi = lo + 0.5
    th = math.ceil(20 * float(np.arccos(np.clip(c_below, 0.0, 1.0)).max()) + 1e-9) / 20
    return (lo, hi), (0.0, min(math.pi / 2, max(th, 0.05)))
