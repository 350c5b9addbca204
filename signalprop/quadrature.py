"""Batched adaptive Gauss–Legendre quadrature: many independent integrals ("rows") at once.

Each row is an interval cut into panels at given points (its breakpoints); every panel is integrated
with 24- and 12-point Gauss–Legendre. A panel whose two estimates differ by more than its share
(∝ its width) of ``rel_tol`` × (the row's Σ|panel| over its current panels), by more than ``rel_tol``
of its own value, and by more than 1e-3 of the row's tolerance, is halved, level by level, for all
rows together (vectorized). A row with panels still disagreeing after ``max_levels`` halvings raises
QuadratureError (with Σ|fine − coarse| over those panels against the tolerance): a value is never
returned unresolved.
On a panel where the integrand is analytic the 24-point rule converges geometrically, so cutting
exactly at kinks and jumps is what makes kinked activations as accurate as smooth ones.

The 1-D Gaussian engine (``gaussian``) and the bivariate one (``bivariate``, one row per outer node)
are both built on ``integrate_rows``.

Algebraic end-point singularities: where the integrand behaves like |x − a|^β g(x) at a cut a (g analytic, β > −1
rational with denominator m; e.g. φ = max(0, x)^{3/4}, φ' ~ x^{−1/4}), the panels that end at a are integrated in
t with x = a ± h t^m (``graded``): the integrand becomes m h t^{m(β+1)−1} g(a ± h t^m), an analytic function of t,
and Gauss–Legendre converges geometrically again; halving keeps the map on the half that touches a.
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
    """The adaptive quadrature cannot resolve the integrand to the requested accuracy (it oscillates or
    varies too fast, or has a kink, jump or singularity that is not a declared breakpoint)."""


Describe = Callable[[int], str]  # a row's description (what is integrated there) for error messages
ADVICE = ("the integrand varies too fast or is not smooth there: an oscillation faster than the panels, a kink or jump that "
          "is not a declared breakpoint, a singularity (the expectation may then be infinite), or values whose rounding noise "
          "exceeds the tolerance (cancellation in a formula). Declare the breakpoint, lower the variance or the frequency, "
          "or compute this value with the mpmath reference (gaussian_moment_mp, bivariate_moment_mp)")


def panel_edges(lo: np.ndarray, hi: np.ndarray, cuts: np.ndarray, max_panel: float) -> np.ndarray:
    """Edges (rows × n) of each row's panels: a uniform grid on [lo, hi] with spacing ≤ ``max_panel``,
    merged with the row's ``cuts`` (rows × m; cuts outside [lo, hi] are clipped, giving empty panels)."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    n = max(1, int(np.ceil(np.max(hi - lo) / max_panel)))
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n + 1)[None, :]
    cuts = np.clip(np.asarray(cuts, dtype=np.float64).reshape(len(lo), -1), lo[:, None], hi[:, None])
    return np.sort(np.concatenate([grid, cuts], axis=1), axis=1)


BLOCK_VALUES = 65536  # components × panels per integrand call (64 Hermite rows: 1024 panels, 12 MB arrays at 24 points;
# smaller blocks spend their time in Python between numpy calls, and threads then wait on each other)


def _gauss_pair(integrand: Callable, a: np.ndarray, b: np.ndarray, rows: np.ndarray,
                grade: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """24- and 12-point estimates per panel, shape (components, panels), and whether the integrand
    is scalar (one value per abscissa). ``grade`` (panels): m > 1 maps the panel as x = a + (b − a) τ^m (m > 0,
    singular end a) or x = b − (b − a) τ^|m| (m < 0, singular end b), τ ∈ [0, 1] (module docstring).
    The panels go to the integrand in blocks of BLOCK_VALUES / components (each panel's estimates are independent
    of the others: the same values, 2–5× faster for the 64 Hermite rows than one call on 10⁴ panels, whose arrays
    of hundreds of MB are bound by memory traffic)."""
    def block(s: slice):
        return _gauss_pair_block(integrand, a[s], b[s], rows[s], None if grade is None else grade[s])

    first = block(slice(0, 256))
    if len(a) <= 256:
        return first
    step = max(256, BLOCK_VALUES // first[0].shape[0])
    parts = [first, *(block(slice(s, s + step)) for s in range(256, len(a), step))]
    return np.concatenate([p[0] for p in parts], axis=1), np.concatenate([p[1] for p in parts], axis=1), first[2]


def _gauss_pair_block(integrand: Callable, a: np.ndarray, b: np.ndarray, rows: np.ndarray,
                      grade: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, bool]:
    """``_gauss_pair`` on one block of panels."""
    half = 0.5 * (b - a)
    mid = 0.5 * (b + a)
    out = []
    for x, w in ((_X24, _W24), (_X12, _W12)):
        z = mid[:, None] + half[:, None] * x[None, :]
        jac = None
        if grade is not None and np.any(np.abs(grade) > 1):
            m = np.abs(grade)[:, None].astype(np.float64)
            graded = np.abs(grade) > 1
            tau = np.where(grade[:, None] > 0, 0.5 * (1 + x[None, :]), 0.5 * (1 - x[None, :]))
            mapped = np.where(grade[:, None] > 0, a[:, None] + 2 * half[:, None] * tau**m,
                              b[:, None] - 2 * half[:, None] * tau**m)
            z = np.where(graded[:, None], mapped, z)
            jac = np.where(graded[:, None], m * tau ** (m - 1), 1.0)
        vals = np.asarray(integrand(z.ravel(), np.repeat(rows, len(x))))
        shaped = vals.reshape(-1, *z.shape)
        out.append(half * ((shaped if jac is None else shaped * jac) @ w))
    return out[0], out[1], vals.ndim == 1


def _per_row(rows: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """Sum of (components, panels) values into (components, rows)."""
    m = values.shape[0]
    idx = (rows[None, :] + n_rows * np.arange(m)[:, None]).ravel()
    return np.bincount(idx, values.ravel(), minlength=m * n_rows).reshape(m, n_rows)


def _unresolved(what: Describe | None, edges: np.ndarray, rows: np.ndarray, a: np.ndarray, b: np.ndarray,
                err: np.ndarray, tol: np.ndarray, reason: str) -> QuadratureError:
    """The error for the open panels (a, b) of ``rows``, whose 24- and 12-point estimates still differ by
    ``err`` (components × panels), each by more than its share of its row's requested tolerance ``tol``
    (components × rows). It names the worst row (largest Σ err / tol), its interval, where its open
    panels lie, the error estimate reached there against the tolerance, and what to do."""
    reached = _per_row(rows, err, edges.shape[0])
    comp, row = np.unravel_index(np.argmax(reached / tol), reached.shape)
    mine = rows == row
    name = what(int(row)) if what is not None else f"integral {row}"
    if len(tol) > 1:
        name += f" (component {comp} of {len(tol)})"
    others = np.unique(rows).size - 1
    return QuadratureError(
        f"{name}: adaptive Gauss–Legendre on [{edges[row, 0]:.6g}, {edges[row, -1]:.6g}] {reason}: {int(mine.sum())} "
        f"panels in [{a[mine].min():.6g}, {b[mine].max():.6g}] (down to {np.min(b[mine] - a[mine]):.2g} wide) still "
        f"disagree, by {reached[comp, row]:.2g} in all, each by more than its share of the {tol[comp, row]:.2g} requested"
        + (f" ({others} other integrals still open)" if others else "") + f"; {ADVICE}")


def _initial_grades(a: np.ndarray, b: np.ndarray, rows: np.ndarray, cuts: np.ndarray, powers: np.ndarray) -> np.ndarray:
    """Per panel: +m where it starts at a cut whose right side is singular (power m), −m where it ends at a cut whose
    left side is, 1 elsewhere. A panel with singular cuts at both ends (two singular breakpoints with no grid point
    between) is mapped at its right end only; its left end then converges by halving or raises QuadratureError."""
    grade = np.ones(a.shape, dtype=np.int64)
    cuts = np.asarray(cuts, dtype=np.float64).reshape(-1, len(powers))
    for j, (left, right) in enumerate(np.asarray(powers, dtype=np.int64)):
        at = cuts[rows, j]
        if left > 1:
            grade = np.where(b == at, -left, grade)
        if right > 1:
            grade = np.where(a == at, right, grade)
    return grade


def integrate_rows(integrand: Callable[[np.ndarray, np.ndarray], np.ndarray], edges: np.ndarray,
                   rel_tol: float = REL_TOL, max_levels: int = MAX_LEVELS, abs_tol: np.ndarray | None = None,
                   what: Describe | None = None, graded: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """∫ integrand(z, row) dz over each row's [edges[row, 0], edges[row, −1]].

    ``integrand(z, rows)`` gets flat arrays of abscissae and their row indices and returns either one
    value per abscissa (the result is then one value per row) or an array (components, abscissae) —
    several integrals sharing the function evaluations (result: rows × components; a panel is
    refined until every component has converged). ``abs_tol`` (per row) is an absolute error that
    is good enough for that row (e.g. an inner integral whose weight in the outer one is small, or a
    component that vanishes); by default every row is converged to ``rel_tol`` of its own size.
    ``what(row)`` describes a row for the QuadratureError raised when it cannot be resolved (panels
    still disagreeing after ``max_levels`` halvings, or more than MAX_ACTIVE of them at once). ``graded`` = (cuts
    (rows × k), powers (k × 2): m on the left and on the right of each cut, 1 for none) maps the panels that end at a
    cut with an algebraic singularity (module docstring); the cuts must be among the edges."""
    n_rows = edges.shape[0]
    rows = np.repeat(np.arange(n_rows), edges.shape[1] - 1)
    a, b = edges[:, :-1].ravel(), edges[:, 1:].ravel()
    keep = b > a
    a, b, rows = a[keep], b[keep], rows[keep]
    grade = None if graded is None else _initial_grades(a, b, rows, *graded)
    width = np.maximum(edges[:, -1] - edges[:, 0], 1e-300)
    total = None
    for level in range(max_levels + 1):
        if not a.size:
            break
        fine, coarse, scalar = _gauss_pair(integrand, a, b, rows, grade)
        size = np.abs(fine)
        if total is None:
            total = np.zeros((fine.shape[0], n_rows))
            settled = np.zeros_like(total)  # Σ|panel| over the accepted panels
            scale = np.full_like(total, 1e-300)
            if abs_tol is not None:
                scale = np.maximum(scale, np.asarray(abs_tol)[None, :] / rel_tol)
        # the row's size Σ|panel| over its current panels (never decreasing): a first pass whose panels
        # alias an oscillation underestimates it (E[sin(ωx)²] at ω√q ≫ 1), and rel_tol of that could
        # ask for more than float64 can give
        scale = np.maximum(scale, settled + _per_row(rows, size, n_rows))
        density = rel_tol * scale / width  # tolerance per unit length
        # converged: within the panel's share of the row's tolerance, to rel_tol of the panel itself, or
        # below the per-panel floor (1e-3 of the row's tolerance: rounding in the integrand's argument
        # near a cut can keep tiny panels from agreeing any better)
        limit = np.maximum(np.maximum(density[:, rows] * (b - a), rel_tol * size), PANEL_FLOOR * rel_tol * scale[:, rows])
        ok = np.all(np.abs(fine - coarse) <= limit, axis=0)
        total += _per_row(rows[ok], fine[:, ok], n_rows)
        settled += _per_row(rows[ok], size[:, ok], n_rows)
        bad = ~ok
        if bad.any() and (level == max_levels or 2 * bad.sum() > MAX_ACTIVE):
            reason = (f"did not converge in {max_levels} halvings" if level == max_levels else
                      f"needs more than {MAX_ACTIVE} panels at once after {level + 1} halvings")
            raise _unresolved(what, edges, rows[bad], a[bad], b[bad], np.abs(fine - coarse)[:, bad], rel_tol * scale, reason)
        mid = 0.5 * (a[bad] + b[bad])
        a = np.concatenate([a[bad], mid])
        b = np.concatenate([mid, b[bad]])
        rows = np.concatenate([rows[bad], rows[bad]])
        if grade is not None:  # the map stays on the half that touches the singular end
            g = grade[bad]
            grade = np.concatenate([np.where(g > 0, g, 1), np.where(g < 0, g, 1)])
    if total is None:
        return np.zeros(n_rows)
    return total[0] if scalar else total.T
