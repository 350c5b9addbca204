"""Batched adaptive Gauss–Legendre quadrature: many independent integrals ("rows") at once.

Each row is an interval cut into panels at given points (its breakpoints); every panel is integrated
with 24- and 12-point Gauss–Legendre. A panel whose two estimates differ by more than its share of
``rel_tol`` × (the row's Σ|panel|), and by more than ``rel_tol`` of its own value, is halved, level
by level, for all rows together (vectorized).
On a panel where the integrand is analytic the 24-point rule converges geometrically, so cutting
exactly at kinks and jumps is what makes kinked activations as accurate as smooth ones.

The 1-D Gaussian engine (``gaussian``) and the bivariate one (``bivariate``, one row per outer node)
are both built on ``integrate_rows``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

_X24, _W24 = np.polynomial.legendre.leggauss(24)
_X12, _W12 = np.polynomial.legendre.leggauss(12)
REL_TOL = 1e-13
MAX_LEVELS = 16
PANEL_FLOOR = 1e-3
GRADING = 0.5 * 8.0 ** -np.arange(10)  # 0.5 … 4e-9: cuts graded towards a point with sharp features
MAX_ACTIVE = 3_000_000  # panels refined at once; beyond it the integrand varies too fast to resolve


class QuadratureError(ValueError):
    """The adaptive quadrature cannot resolve the integrand (it oscillates or varies too fast)."""


def panel_edges(lo: np.ndarray, hi: np.ndarray, cuts: np.ndarray, max_panel: float) -> np.ndarray:
    """Edges (rows × n) of each row's panels: a uniform grid on [lo, hi] with spacing ≤ ``max_panel``,
    merged with the row's ``cuts`` (rows × m; cuts outside [lo, hi] are clipped, giving empty panels)."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    n = max(1, int(np.ceil(np.max(hi - lo) / max_panel)))
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n + 1)[None, :]
    cuts = np.clip(np.asarray(cuts, dtype=np.float64).reshape(len(lo), -1), lo[:, None], hi[:, None])
    return np.sort(np.concatenate([grid, cuts], axis=1), axis=1)


def _gauss_pair(integrand: Callable, a: np.ndarray, b: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """24- and 12-point estimates per panel, shape (components, panels), and whether the integrand
    is scalar (one value per abscissa)."""
    half = 0.5 * (b - a)
    mid = 0.5 * (b + a)
    out = []
    for x, w in ((_X24, _W24), (_X12, _W12)):
        z = mid[:, None] + half[:, None] * x[None, :]
        vals = np.asarray(integrand(z.ravel(), np.repeat(rows, len(x))))
        out.append(half * (vals.reshape(-1, *z.shape) @ w))
    return out[0], out[1], vals.ndim == 1


def _per_row(rows: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """Sum of (components, panels) values into (components, rows)."""
    m = values.shape[0]
    idx = (rows[None, :] + n_rows * np.arange(m)[:, None]).ravel()
    return np.bincount(idx, values.ravel(), minlength=m * n_rows).reshape(m, n_rows)


def integrate_rows(integrand: Callable[[np.ndarray, np.ndarray], np.ndarray], edges: np.ndarray,
                   rel_tol: float = REL_TOL, max_levels: int = MAX_LEVELS, abs_tol: np.ndarray | None = None) -> np.ndarray:
    """∫ integrand(z, row) dz over each row's [edges[row, 0], edges[row, −1]].

    ``integrand(z, rows)`` gets flat arrays of abscissae and their row indices and returns either one
    value per abscissa (the result is then one value per row) or an array (components, abscissae) —
    several integrals sharing the function evaluations (result: rows × components; a panel is
    refined until every component has converged). ``abs_tol`` (per row) is an absolute error that
    is good enough for that row (e.g. an inner integral whose weight in the outer one is small, or a
    component that vanishes); by default every row is converged to ``rel_tol`` of its own size."""
    n_rows = edges.shape[0]
    rows = np.repeat(np.arange(n_rows), edges.shape[1] - 1)
    a, b = edges[:, :-1].ravel(), edges[:, 1:].ravel()
    keep = b > a
    a, b, rows = a[keep], b[keep], rows[keep]
    width = np.maximum(edges[:, -1] - edges[:, 0], 1e-300)
    total = None
    density = None
    for level in range(max_levels + 1):
        if not a.size:
            break
        fine, coarse, scalar = _gauss_pair(integrand, a, b, rows)
        if total is None:  # tolerance per unit length, from the first (whole-row) estimate
            total = np.zeros((fine.shape[0], n_rows))
            scale = np.maximum(_per_row(rows, np.abs(fine), n_rows), 1e-300)
            if abs_tol is not None:
                scale = np.maximum(scale, np.asarray(abs_tol)[None, :] / rel_tol)
            density = rel_tol * scale / width
            floor = PANEL_FLOOR * rel_tol * scale
        if level == max_levels:  # out of halvings: take the finer estimate
            total += _per_row(rows, fine, n_rows)
            break
        # converged: within the panel's share of the row's tolerance, to rel_tol of the panel itself, or
        # below the per-panel floor (1e-3 of the row's tolerance: rounding in the integrand's argument
        # near a cut can keep tiny panels from agreeing any better)
        limit = np.maximum(np.maximum(density[:, rows] * (b - a), rel_tol * np.abs(fine)), floor[:, rows])
        ok = np.all(np.abs(fine - coarse) <= limit, axis=0)
        total += _per_row(rows[ok], fine[:, ok], n_rows)
        bad = ~ok
        if 2 * bad.sum() > MAX_ACTIVE:
            raise QuadratureError(
                f"the integrand varies too fast to resolve ({2 * bad.sum()} panels still unconverged after "
                f"{level + 1} halvings), e.g. an activation oscillating with frequency·√q ≳ 1e2 in a 2-D expectation"
            )
        mid = 0.5 * (a[bad] + b[bad])
        a = np.concatenate([a[bad], mid])
        b = np.concatenate([mid, b[bad]])
        rows = np.concatenate([rows[bad], rows[bad]])
    if total is None:
        return np.zeros(n_rows)
    return total[0] if scalar else total.T
