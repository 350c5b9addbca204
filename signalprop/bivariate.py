"""Bivariate Gaussian expectations E[f(u1) g(u2)], (u1, u2) centred with variances q1, q2 and
correlation c, accurate for kinked and piecewise f, g (the dual-activation building block of the
correlation map, χ_c, and the NNGP/NTK kernels).

Method. For c = ±1 exactly, u2 = ±√(q2/q1) u1 and the expectation is one-dimensional (``gaussian``
engine, cut at the breakpoints of both functions). For |c| < 1, g(x) → g(−x) turns c < 0 into
|c|, and with α = √((1+|c|)/2), β = √((1−|c|)/2) (so α² − β² = |c|, no arccos needed)

    u1 = √q1 (α x + β y),   u2 = √q2 (α x − β y),   x, y ~ N(0, 1) independent.

The inner integral over x (one row of ``quadrature.integrate_rows`` per outer node y) is cut where
f and g change piece, x = (b_f/√q1 − β y)/α and x = (b_g/√q2 + β y)/α, and graded towards both
origins; it is analytic in y except where two of those cuts cross, y = (b_f/√q1 − b_g/√q2)/(2β)
(with b = 0 included for the origins), where the outer integral is cut. Both levels are adaptive
Gauss–Legendre (24/12 points), so no kink ever sits inside a panel and the result converges to
~1e-13 relative. Windows: |x|, |y| ≤ 12 beyond the integrand's peak (Gaussian mass outside
< 1e-31). The reference is ``integrate_gaussian2_mp`` (nested mpmath quad, same cuts, 30 digits).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable, Sequence

import mpmath
import numpy as np

from .gaussian import (_INV_SQRT_2PI, DivergentExpectationError, breakpoint_note, describe, growth_rates, guard_overflow,
                       integrate_gaussian, mp_nodes, mp_value)
from symbolic.derive import moments_limit

from .mixing import averaged
from .bivariate_rule import crossings, fixed_rule, windows
from .quadrature import GRADING, Describe, QuadratureError, integrate_rows, panel_edges

W2 = 12.0  # half-width of each window (in standard-normal units) beyond the integrand's peak
MAX_PANEL2 = 1.0
ROW_BLOCK = 4096  # outer nodes per batch of inner integrals (bounds memory)
MAX_BREAKPOINTS = 64  # per function, for |c| < 1 (the cuts cross pairwise)
MAX_EVALUATIONS = 1e8  # per expectation (~10 s): beyond, QuadratureError instead of a near-hang

Rates = tuple[float, float]  # exponential growth rates of a function at −∞ and +∞


def _as_arrays(q1, q2, c) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    q1, q2, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (q1, q2, c)))
    for name, v in (("q1", q1), ("q2", q2)):
        if np.any(~(v > 0)):
            raise ValueError(f"{name} must be > 0 (a variance), got {v[~(v > 0)].ravel()[0]}")
    check_correlation(c)
    return q1.ravel(), q2.ravel(), c.ravel(), q1.shape


def check_correlation(c) -> np.ndarray:
    """c as a float64 array, or ValueError if any value is outside [−1, 1] (NaN included)."""
    ca = np.asarray(c, dtype=np.float64)
    if np.any(~(np.abs(ca) <= 1)):
        raise ValueError(f"c must be a correlation in [-1, 1], got {ca[~(np.abs(ca) <= 1)].ravel()[0]}")
    return ca


def _peak(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The integrand's peak inside a window built by ``windows`` (W2 from the widened side)."""
    return np.where(hi - W2 > 0, hi - W2, lo + W2)


def _collinear(f, g, s1, s2, sign, bps_f, bps_g, rates_f: Rates, rates_g: Rates, what: Describe) -> np.ndarray:
    """c = ±1: E[f(√q1 z) g(±√q2 z)], one row per pair (cut at the breakpoints of both); ``what(row)``
    names a pair for errors."""
    lo, hi, _, _ = windows(s1, s2, 1.0, 0.0, rates_f, rates_g if sign > 0 else rates_g[::-1], W2)
    peak = _peak(lo, hi)
    cuts = np.concatenate([np.outer(1 / s1, bps_f), np.outer(sign / s2, bps_g),
                           np.tile(np.concatenate([GRADING, -GRADING]), (len(s1), 1))], axis=1)

    def integrand(z, rows):
        with np.errstate(all="ignore"):
            vals = f(s1[rows] * z) * g(sign * s2[rows] * z) * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return guard_overflow(vals, np.abs(z - peak[rows]), lambda bad: f"z = {z[bad][0]:.6g} (c = ±1)")

    return integrate_rows(integrand, panel_edges(lo, hi, cuts, MAX_PANEL2), what=what)


def _graded(origin: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Cuts origin ± 0.5·8^−j for the levels 0.5·8^−j ≥ threshold (per row); the others are moved
    to +inf, so that ``panel_edges`` clips them into empty panels."""
    offsets = np.concatenate([GRADING, -GRADING])[None, :]
    keep = np.abs(offsets) >= threshold[:, None]
    return np.where(keep, origin[:, None] + offsets, np.inf)


def _general(f, g, s1, s2, cabs, bps_f, bps_g, rates_f: Rates, rates_g: Rates, widths, abs_tol, what: Describe) -> np.ndarray:
    """|c| = ``cabs`` < 1: the outer integral over y of the inner ones over x (module docstring), one
    outer row per problem; ``what(problem)`` names a problem for errors."""
    alpha, beta = np.sqrt(0.5 * (1 + cabs)), np.sqrt(0.5 * (1 - cabs))
    x_lo, x_hi, y_lo, y_hi = windows(s1, s2, alpha, beta, rates_f, rates_g, W2)
    x_peak, y_peak = _peak(x_lo, x_hi), _peak(y_lo, y_hi)
    # a feature of width w (x units) at the origin of f is w/(√q1 α) wide in the inner variable
    thr_f, thr_g = widths[0] / (8 * s1 * alpha), widths[1] / (8 * s2 * alpha)
    work = [0]

    def inner(y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """E_x[f(u1) g(u2)] for outer nodes y of problems p."""
        a, b, r1, r2 = alpha[p], beta[p] * y, s1[p], s2[p]
        cuts = np.concatenate([
            (bps_f[None, :] / r1[:, None] - b[:, None]) / a[:, None],
            (bps_g[None, :] / r2[:, None] + b[:, None]) / a[:, None],
            _graded(-b / a, thr_f[p]), _graded(b / a, thr_g[p])], axis=1)

        def integrand(x, rows):
            work[0] += x.size
            if work[0] > MAX_EVALUATIONS * len(s1):
                raise QuadratureError(
                    f"{what(int(p[0]))}: needs more than {MAX_EVALUATIONS:.0e} evaluations per value: the functions "
                    "vary too fast at these variances (e.g. an activation oscillating with frequency·√q ≳ 1e2)")
            with np.errstate(all="ignore"):
                vals = f(r1[rows] * (a[rows] * x + b[rows])) * g(r2[rows] * (a[rows] * x - b[rows]))
                vals = vals * np.exp(-0.5 * x * x) * _INV_SQRT_2PI
            return guard_overflow(vals, np.abs(x - x_peak[p][rows]), lambda bad: f"x = {x[bad][0]:.6g}, c = {cabs[p][rows[bad][0]]:.6g}")

        with np.errstate(all="ignore"):  # an inner error ε(y) costs ε(y)·φ(y) in the outer integral
            tol = abs_tol[p] / (2 * W2 * np.exp(-0.5 * y * y) * _INV_SQRT_2PI)
        return integrate_rows(integrand, panel_edges(x_lo[p], x_hi[p], cuts, MAX_PANEL2), abs_tol=tol,
                              what=lambda row: f"{what(int(p[row]))}, inner integral over x at y = {y[row]:.6g}")

    def outer(y, p):
        out = np.empty_like(y)
        for start in range(0, len(y), ROW_BLOCK):
            sl = slice(start, start + ROW_BLOCK)
            out[sl] = inner(y[sl], p[sl])
        with np.errstate(all="ignore"):
            out *= np.exp(-0.5 * y * y) * _INV_SQRT_2PI
        return guard_overflow(out, np.abs(y - y_peak[p]), lambda bad: f"y = {y[bad][0]:.6g}")

    with np.errstate(divide="ignore"):  # the two origins' features meet at y = 0, width ~ w/(√q β)
        thr_y = np.minimum(widths[0] / (8 * s1 * beta), widths[1] / (8 * s2 * beta))
    cuts = np.concatenate([crossings(bps_f, bps_g, s1, s2, beta), _graded(np.zeros_like(s1), thr_y)], axis=1)
    return integrate_rows(outer, panel_edges(y_lo, y_hi, cuts, MAX_PANEL2), abs_tol=abs_tol,
                          what=lambda row: f"{what(row)}, outer integral over y")


def _second_moments(f, q: np.ndarray, bps: np.ndarray, rates: Rates, what: str) -> np.ndarray:
    """E[f(√q z)²] at every q, each distinct q integrated once (table rows share their variance)."""
    distinct, where = np.unique(q, return_inverse=True)
    return integrate_gaussian(lambda x: f(x) ** 2, distinct, 0.0, bps, 2 * rates[0], 2 * rates[1], what=what)[where.ravel()]


def integrate_gaussian2(
    f: Callable[[np.ndarray], np.ndarray],
    g: Callable[[np.ndarray], np.ndarray],
    q1, q2, c,
    breakpoints_f: Sequence[float] = (),
    breakpoints_g: Sequence[float] = (),
    rates_f: Rates = (0.0, 0.0),
    rates_g: Rates = (0.0, 0.0),
    widths: tuple[float, float] = (0.0, 0.0),
    what: str = "E[f(u1) g(u2)]",
) -> float | np.ndarray:
    """E[f(u1) g(u2)] for centred Gaussian (u1, u2) with Var u1 = q1, Var u2 = q2, corr c
    (vectorized: q1, q2, c broadcast together; c = ±1 exact). ``rates_*`` are the exponential growth
    rates (at −∞, +∞) of f and g, 0 for functions of polynomial growth; ``widths`` the widths (x
    units) of their sharpest features at x = 0 (``feature_width``; 0: assume arbitrarily sharp).

    Accuracy: ~1e-13 relative, or 1e-15·√(E[f(u1)²] E[g(u2)²]) absolute where the expectation is
    much smaller than that Cauchy–Schwarz bound (near-cancelling cases such as odd f at c ≈ 0);
    QuadratureError (naming ``what``, q1, q2 and c) where that cannot be reached."""
    q1a, q2a, ca, shape = _as_arrays(q1, q2, c)
    s1, s2 = np.sqrt(q1a), np.sqrt(q2a)
    bf = np.asarray(breakpoints_f, dtype=np.float64)
    bg = np.asarray(breakpoints_g, dtype=np.float64)
    scale_f = _second_moments(f, q1a, bf, rates_f, f"E[f(u1)^2], the scale of {what},")
    same = g is f and np.array_equal(q1a, q2a)  # the dual activation on equal variances (every dual table)
    bound = scale_f if same else np.sqrt(scale_f * _second_moments(g, q2a, bg, rates_g, f"E[g(u2)^2], the scale of {what},"))
    abs_tol = 1e-15 * bound
    out = np.empty_like(ca)
    ends = np.abs(ca) == 1.0
    if (~ends).any() and max(bf.size, bg.size) > MAX_BREAKPOINTS:
        raise QuadratureError(
            f"{what}: a function with {max(bf.size, bg.size)} breakpoints (e.g. a periodic square wave) is beyond the 2-D "
            f"engine's limit of {MAX_BREAKPOINTS} per function for |c| < 1 (c = ±1 works: it is one-dimensional)")

    def at(idx: np.ndarray) -> Describe:  # the problems idx (flat indices), named for errors
        return lambda row: f"{what} at q1 = {q1a[idx[row]]:.6g}, q2 = {q2a[idx[row]]:.6g}, c = {ca[idx[row]]:.6g}"

    for sign in (1.0, -1.0):
        sel = ca == sign
        if sel.any():
            out[sel] = _collinear(f, g, s1[sel], s2[sel], sign, bf, bg, rates_f, rates_g, at(np.nonzero(sel)[0]))
    for sign in (1.0, -1.0):
        sel = ~ends & ((ca >= 0) if sign > 0 else (ca < 0))
        if sel.any():
            g_s = g if sign > 0 else (lambda x: g(-x))
            r1, r2, cs, tol = s1[sel], s2[sel], np.abs(ca[sel]), abs_tol[sel]
            shared = (bf, sign * bg, rates_f, rates_g if sign > 0 else rates_g[::-1], widths)
            vals, ok = fixed_rule(f, g_s, r1, r2, cs, *shared, bound[sel])  # fast path, self-checked
            if not ok.all():
                vals[~ok] = _general(f, g_s, r1[~ok], r2[~ok], cs[~ok], *shared, tol[~ok], at(np.nonzero(sel)[0][~ok]))
            out[sel] = vals
    return out.reshape(shape) if shape else float(out[0])


@averaged
def bivariate_moment(act, q1, q2, c, k: tuple[int, int] = (0, 0), other=None) -> float | np.ndarray:
    """E[φ^(k1)(u1) ψ^(k2)(u2)] (ψ = ``other`` or φ) for the bivariate Gaussian with variances
    q1, q2 and correlation c (vectorized). E[φ(u1)φ(u2)] is the dual activation (NNGP layer map);
    E[φ'(u1)φ'(u2)] gives χ_c and the NTK's Σ̇. For a Mixture: the average over its components φ_i
    (each neuron keeps its own φ_i, so E[φ_i(u1) φ_i(u2)] is averaged, never cross terms)."""
    other = act if other is None else other
    for a in (act, other):
        qmax = moments_limit(a)
        if np.any(np.asarray(q1 if a is act else q2) >= qmax):
            raise DivergentExpectationError(f"E[phi(u1) psi(u2)] with {a.label} diverges for variances >= {qmax:.6g} (it grows like exp(b x^2))")
    notes = breakpoint_note(act) + (breakpoint_note(other) if other is not act else "")
    return integrate_gaussian2(act.numpy(k[0]), other.numpy(k[1]), q1, q2, c, act.breakpoints, other.breakpoints,
                               growth_rates(act, 1), growth_rates(other, 1), (feature_width(act, k[0]), feature_width(other, k[1])),
                               what=f"E[{describe(act, k[0])}(u1) {describe(other, k[1])}(u2)]{notes}")


_SAMPLE = np.concatenate([np.geomspace(1e-10, 4.0, 400), np.linspace(-4.0, 4.0, 801)])
_SAMPLE = np.concatenate([_SAMPLE, -_SAMPLE])


@lru_cache(maxsize=512)
def feature_width(act, k: int = 0) -> float:
    """Width (x units, ≤ 1) of the sharpest smooth feature of φ^(k) near x = 0: 1/max(|φ^(k+1)|,
    |φ^(k+2)|) sampled on a grid geometric towards 0 (down to 1e-10) and uniform on [−4, 4], away
    from breakpoints (kinks are cut exactly and need no grading). SAU: ~5e-5; tanh, swish: 1."""
    bps = np.asarray(act.breakpoints, dtype=np.float64)
    x = _SAMPLE[np.all(np.abs(_SAMPLE[:, None] - bps[None, :]) > 1e-9, axis=1)] if bps.size else _SAMPLE
    with np.errstate(all="ignore"):
        peak = max(float(np.nanmax(np.abs(act.numpy(k + j)(x)))) for j in (1, 2))
    return 1.0 / peak if math.isfinite(peak) and peak > 1.0 else (0.0 if not math.isfinite(peak) else 1.0)


def integrate_gaussian2_mp(f: Callable, g: Callable, q1: float, q2: float, c: float,
                           breakpoints_f: Sequence = (), breakpoints_g: Sequence = (),
                           rates_f: Rates = (0.0, 0.0), rates_g: Rates = (0.0, 0.0),
                           dps: int = 30, half_width: float = 11.0, max_panel: float = 1.0,
                           method: str = "tanh-sinh") -> mpmath.mpf:
    """Reference E[f(u1) g(u2)] by nested mpmath quad at ``dps`` digits (slow: seconds), with the same
    change of variables and cuts as the fast path, on |x|, |y| ≤ 11 beyond the peak (mass outside
    < 1e-27, far below the 1e-10 being checked). f, g are mpmath callables; c = ±1 is 1-D."""
    with mpmath.workdps(dps):
        s1, s2, cc = (mpmath.sqrt(mpmath.mpf(q1)), mpmath.sqrt(mpmath.mpf(q2)), mpmath.mpf(c))
        bf = [mp_value(b, dps) for b in breakpoints_f]
        sign = 1 if cc >= 0 else -1
        bg = [sign * mp_value(b, dps) for b in breakpoints_g]
        gs = g if sign > 0 else (lambda x: g(-x))
        rg = rates_g if sign > 0 else rates_g[::-1]

        def nodes(lo, hi, cuts):
            return mp_nodes(lo, hi, cuts, max_panel)

        if abs(cc) == 1:
            lo, hi, _, _ = windows(s1, s2, 1, 0, rates_f, rg, half_width)
            cuts = [b / s1 for b in bf] + [b / s2 for b in bg] + [mpmath.mpf(0)]
            return mpmath.quad(lambda z: f(s1 * z) * gs(s2 * z) * mpmath.npdf(z), nodes(lo, hi, cuts))
        alpha, beta = mpmath.sqrt((1 + abs(cc)) / 2), mpmath.sqrt((1 - abs(cc)) / 2)
        x_lo, x_hi, y_lo, y_hi = windows(s1, s2, alpha, beta, rates_f, rg, half_width)

        def h(y):
            cuts = [(b / s1 - beta * y) / alpha for b in [0, *bf]] + [(b / s2 + beta * y) / alpha for b in [0, *bg]]
            return mpmath.quad(lambda x: f(s1 * (alpha * x + beta * y)) * gs(s2 * (alpha * x - beta * y)) * mpmath.npdf(x),
                               nodes(x_lo, x_hi, cuts), method=method) * mpmath.npdf(y)

        ycuts = [(a / s1 - b / s2) / (2 * beta) for a in [0, *bf] for b in [0, *bg]]
        return mpmath.quad(h, nodes(y_lo, y_hi, ycuts), method=method)


def bivariate_moment_mp(act, q1: float, q2: float, c: float, k: tuple[int, int] = (0, 0), other=None, dps: int = 30,
                        max_panel: float = 1.0, method: str = "tanh-sinh") -> mpmath.mpf:
    """Reference value of ``bivariate_moment`` (nested mpmath quad; seconds to minutes per value)."""
    other = act if other is None else other
    return integrate_gaussian2_mp(act.mpmath(k[0]), other.mpmath(k[1]), q1, q2, c, act.form.breakpoints,
                                  other.form.breakpoints, growth_rates(act, 1), growth_rates(other, 1),
                                  dps=dps, max_panel=max_panel, method=method)
