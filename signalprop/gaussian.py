"""One-dimensional Gaussian expectations E[f(m + √q z)], z ~ N(0, 1), accurate for kinked functions.

Method (``quadrature.integrate_rows``, one row per q): the z-axis is cut at every breakpoint
(b − m)/√q of f, so each panel holds one analytic piece, and geometrically towards x = 0 (cuts at
0.5·8^−j down to 4e-9), where smooth activations put their sharpest features (SAU's width 5e-5);
panels are at most 1/2 wide and integrated with 24- and 12-point Gauss–Legendre; a panel whose two
estimates differ by more than its share of 1e-13 is halved, level by level, until all agree
(QuadratureError, never a silent value, if some still disagree after 16 halvings). The
window is |z| ≤ 40 (Gaussian mass beyond is < 1e-340), widened to 40 beyond the integrand's peak
z* = a√q on the side where f grows like e^{a|x|}. Kinks and jumps never fall inside a panel (but a
periodic φ's beyond the window its breakpoints are listed in, e.g. BiPer's |x| ≤ 15.9), and
oscillations (SIREN at large q) are resolved by refinement instead of aliasing. The reference is
``integrate_gaussian_mp`` (mpmath quad at 30 digits, split at the same points); tests hold the two to
1e-10 relative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from symbolic.derive import moments_limit, tails

from .mixing import averaged
from .quadrature import GRADING, integrate_rows, panel_edges

Z_WINDOW = 40.0
MAX_PANEL = 0.5
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class DivergentExpectationError(ValueError):
    """The Gaussian expectation is infinite (f grows too fast for this q)."""


def _window_edges(lo: float, hi: float, cuts: Sequence[float], max_panel: float = MAX_PANEL) -> list[float]:
    pts = sorted({lo, hi, *[c for c in cuts if lo < c < hi]})
    edges = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:]):
        n = max(1, math.ceil((b - a) / max_panel))
        edges.extend(np.linspace(a, b, n + 1)[1:].tolist())
        edges[-1] = b
    return edges


def _window(s, rate_neg: float, rate_pos: float, half_width: float = Z_WINDOW):
    """(lo, hi, peak) in z for √q = s (a number or an array): ``half_width`` beyond the integrand's
    peak z* = a√q where f ~ e^{a|x|}."""
    peak = rate_pos * s if rate_pos else -rate_neg * s
    return -half_width - rate_neg * s, half_width + rate_pos * s, peak


def mp_value(b, dps: int) -> mpmath.mpf:
    """A breakpoint (sympy exact or float) as an mpmath number at ``dps`` digits (+5 guard)."""
    return mpmath.mpf(str(b.evalf(dps + 5))) if hasattr(b, "evalf") else mpmath.mpf(b)


def mp_nodes(lo: float, hi: float, cuts: Sequence, max_panel: float) -> list:
    """Panel edges for an mpmath reference: ``_window_edges`` with the cuts kept at full precision."""
    exact = {float(c): c for c in cuts}
    return [exact.get(p, mpmath.mpf(p)) for p in _window_edges(float(lo), float(hi), list(exact), max_panel)]


def guard_overflow(vals: np.ndarray, distance: np.ndarray, where: Callable[[np.ndarray], str]) -> np.ndarray:
    """Non-finite integrand values more than 35 (in z units) from the integrand's peak are set to 0
    (their true weight is < e^-600 of the peak's); nearer ones mean the expectation itself is beyond
    float64, and DivergentExpectationError is raised with ``where(bad)`` describing the place."""
    bad = ~np.isfinite(vals)
    if bad.any():
        if np.any(distance[bad] < 35.0):
            raise DivergentExpectationError(f"the integrand overflows float64 at {where(bad)}: the expectation is beyond float64 range")
        vals[bad] = 0.0
    return vals


def _edges(s: np.ndarray, mean: float, breakpoints: Sequence[float], rate_neg: float, rate_pos: float) -> tuple[np.ndarray, np.ndarray]:
    """Panel edges in z for each √q (window, breakpoints, grading towards x = 0) and the peak z*."""
    lo, hi, centre = _window(s, rate_neg, rate_pos)
    origin = -mean / s  # x = 0: where activations act; graded cuts resolve sharp smooth features there
    cuts = [origin[:, None] + sign * GRADING[None, :] for sign in (-1.0, 1.0)]
    cuts += [((np.asarray(breakpoints, dtype=np.float64)[None, :] - mean) / s[:, None])]
    return panel_edges(lo, hi, np.concatenate(cuts, axis=1), MAX_PANEL), centre


MAX_GRADING_DENOMINATOR = 64
"""Fractional powers at a breakpoint with a larger denominator (or irrational) are not graded."""


@dataclass(frozen=True)
class SingularEnd:
    """A breakpoint where a piece of φ holds a fractional power of a factor vanishing there, (x − b)^e g(x):
    ``m_left``, ``m_right`` the grading powers (the lcm of the exponents' denominators; 1: analytic side) and
    ``e_left``, ``e_right`` the smallest such exponent on each side (inf: none; the leading behaviour of φ^(k), which
    other factors can raise, is ``_leading_exponents``')."""

    at: float
    m_left: int
    m_right: int
    e_left: float
    e_right: float


def _fractional_powers(piece: sp.Expr, b: sp.Expr) -> tuple[int, float]:
    """(lcm of denominators, smallest exponent) of the non-integer powers in ``piece`` whose base vanishes at b."""
    from symbolic.functions import X

    m, e_min = 1, math.inf
    for node in sp.preorder_traversal(piece):
        if not (isinstance(node, sp.Pow) and node.base.has(X)):
            continue
        e = node.exp
        if not e.is_number or e.is_integer:
            continue
        base_at = sp.N(node.base.subs(X, b), 30)
        if not (base_at.is_number and abs(complex(base_at)) < 1e-25):
            continue
        r = sp.nsimplify(e, rational=True, tolerance=1e-14) if not e.is_Rational else e
        if not r.is_Rational or r.q > MAX_GRADING_DENOMINATOR:
            continue
        m = math.lcm(m, int(r.q))
        e_min = min(e_min, float(r))
    return m, e_min


@lru_cache(maxsize=512)
def singular_ends(act) -> tuple[SingularEnd, ...]:
    """The breakpoints of φ with an algebraic singularity of φ or its derivatives on a side (``SingularEnd``),
    found on the analytic pieces of its piecewise form; () for most activations."""
    form = act.form
    if form.periodic or not form.breakpoints:
        return ()
    out = []
    for i, b in enumerate(form.breakpoints):
        (ml, el), (mr, er) = (_fractional_powers(form.pieces[j], b) for j in (i, i + 1))
        if ml > 1 or mr > 1:
            out.append(SingularEnd(float(sp.N(b, 30)), ml, mr, el, er))
    return tuple(out)


@lru_cache(maxsize=512)
def _leading_exponents(act, k: int) -> tuple[tuple[SingularEnd, str, float], ...]:
    """(end, side, e) for the singular sides where φ^(k) blows up like |x − b|^e, e < 0 (the leading term of its
    piece's expansion there, by sympy)."""
    from symbolic.functions import X

    out = []
    pieces = act.form.derivative_pieces(k)
    index = {float(sp.N(b, 30)): i for i, b in enumerate(act.form.breakpoints)}
    t = sp.Symbol("t", positive=True)
    for end in singular_ends(act):
        i = index[end.at]
        b = act.form.breakpoints[i]
        for side, j, sign, m in (("left", i, -1, end.m_left), ("right", i + 1, 1, end.m_right)):
            if m == 1:
                continue
            lead = sp.simplify(pieces[j].subs(X, b + sign * t)).as_leading_term(t)
            e = float(lead.as_coeff_exponent(t)[1])
            if e < 0:
                out.append((end, side, e))
    return tuple(out)


def integrate_gaussian(
    f: Callable[[np.ndarray], np.ndarray],
    q: float | np.ndarray,
    mean: float = 0.0,
    breakpoints: Sequence[float] = (),
    rate_neg: float = 0.0,
    rate_pos: float = 0.0,
    z_poly: Callable[[np.ndarray], np.ndarray] | None = None,
    what: str = "E[f(m + √q z)]",
    singular: Sequence[SingularEnd] = (),
) -> float | np.ndarray:
    """E[f(mean + √q z) · z_poly(z)] for q > 0 (``z_poly`` defaults to 1), vectorized over q.

    ``breakpoints`` are in x units; f must grow at most like e^{rate_neg |x|} at −∞ and
    e^{rate_pos x} at +∞; ``singular`` ends (among the breakpoints) at x = 0 are graded (``quadrature``) when the
    mean is 0: there x = √q z keeps the distance to the singular point to full relative precision. Elsewhere float64
    cannot resolve that distance below the spacing of numbers near the breakpoint, so those ends are left to
    halving (a QuadratureError, never a silent value, where it does not converge). Raises DivergentExpectationError if the integrand overflows float64 near
    its peak (the expectation itself is then beyond float64; use ``integrate_gaussian_mp``), and
    QuadratureError (naming ``what`` and q) where the quadrature cannot reach ~1e-13 relative.
    """
    qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if np.any(~(qs > 0)):
        raise ValueError(f"q must be > 0, got {qs[~(qs > 0)][0]}")
    s = np.sqrt(qs)
    edges, centre = _edges(s, mean, breakpoints, rate_neg, rate_pos)

    def integrand(z, rows):
        with np.errstate(all="ignore"):
            x = mean + s[rows] * z
            out = f(x) * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
            if z_poly is not None:
                out = out * z_poly(z)
        return guard_overflow(out, np.abs(z - centre[rows]), lambda bad: f"x = {x[bad][0]:.6g} (q = {qs[rows[bad][0]]:.6g})")

    graded = None
    exact = [e for e in singular if e.at == 0.0 and mean == 0.0]  # x = √q z resolves the distance to 0 exactly
    if exact:
        graded = (np.zeros((len(s), len(exact))), np.array([[e.m_left, e.m_right] for e in exact]))
    out = integrate_rows(integrand, edges, what=lambda row: f"{what} at q = {qs[row]:.6g}", graded=graded)
    return out if np.ndim(q) else float(out[0])


def integrate_gaussian_mp(
    f: Callable,
    q: float,
    mean: float = 0.0,
    breakpoints: Sequence = (),
    rate_neg: float = 0.0,
    rate_pos: float = 0.0,
    z_poly: Callable | None = None,
    dps: int = 30,
    max_panel: float = MAX_PANEL,
    half_width: float = 14.0,
) -> mpmath.mpf:
    """Reference: mpmath quad (``dps`` digits) of E[f(mean + √q z) z_poly(z)] for an mpmath callable f,
    split exactly at the breakpoints and into panels of width ≤ ``max_panel``, on |z − peak| ≤ 14
    (the Gaussian weight beyond is < 1e-43, below the 1e-10 accuracy being checked by far)."""
    with mpmath.workdps(dps):
        s = mpmath.sqrt(mpmath.mpf(q))
        m = mpmath.mpf(mean)
        bps = [mp_value(b, dps) for b in breakpoints]
        lo, hi, _ = _window(math.sqrt(q), rate_neg, rate_pos, half_width)
        nodes = mp_nodes(lo, hi, [(b - m) / s for b in bps], max_panel)

        def g(z):
            v = f(m + s * z) * mpmath.npdf(z)
            return v * z_poly(z) if z_poly is not None else v

        return mpmath.quad(g, nodes)


@averaged
def gaussian_moment(act, q: float | np.ndarray, k: int = 0, p: int = 2, mean: float = 0.0) -> float | np.ndarray:
    """E[(φ^(k)(mean + √q z))^p] for an Activation (vectorized over q).

    Raises DivergentExpectationError when φ grows like e^{b x²} and q is too large for the moment,
    QuadratureError where the value cannot be resolved to ~1e-13 (e.g. an integrable singularity of
    φ^(k) whose p-th power is not, or a periodic φ beyond the window its breakpoints are listed in).
    """
    qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if np.any(~(qs > 0)):
        raise ValueError(f"q must be > 0, got {qs[~(qs > 0)][0]}")
    qmax = moments_limit(act) * 2.0 / p  # E[φ^2] finite for q < q_max ⇒ E[φ^p] for q < 2 q_max / p
    if np.any(qs >= qmax):
        raise DivergentExpectationError(
            f"E[phi^{p}] of {act.label} diverges for q >= {qmax:.6g} (phi grows like exp(b x^2)); got q = {qs.max():.6g}"
        )
    f = act.numpy(k)
    fp = (lambda x: f(x) ** p) if p != 1 else f
    rn, rp = growth_rates(act, p)
    bps = act.breakpoints
    shift = f"{mean:g} + " if mean else ""
    singular = singular_ends(act)
    for end, side, e in _leading_exponents(act, k):
        if p * e <= -1:
            raise DivergentExpectationError(
                f"E[{describe(act, k)}(√q z)^{p}] is infinite: {describe(act, k)} behaves like |x − {end.at:g}|^{e:g} "
                f"on the {side} of x = {end.at:g}, whose power {p} is not integrable")
    out = integrate_gaussian(fp, qs, mean, bps, rn, rp, what=f"E[{describe(act, k)}({shift}√q z)^{p}]{breakpoint_note(act)}",
                             singular=singular)
    return out if np.ndim(q) else float(out[0])


def describe(act, k: int) -> str:
    """φ^(k) by name, for messages: ``tanh``, ``tanh^(1)``."""
    return f"{act.label}^({k})" if k else act.label


def breakpoint_note(act) -> str:
    """For a QuadratureError's message: where a periodic φ's listed breakpoints end (beyond, its kinks
    and jumps are not cuts and fall inside panels), else ''."""
    if not act.form.periodic:
        return ""
    return f" ({act.label}'s periodic breakpoints are listed only for |x| <= {max(map(abs, act.breakpoints)):.4g})"


def growth_rates(act, p: int) -> tuple[float, float]:
    """Exponential growth rates of φ^p at −∞ and +∞ (0 unless φ grows like e^{a|x|})."""
    return tuple(p * g.rate if g.kind == "exponential" else 0.0 for g in tails(act))


def gaussian_moment_mp(act, q: float, k: int = 0, p: int = 2, mean: float = 0.0, dps: int = 30,
                       max_panel: float = MAX_PANEL) -> mpmath.mpf:
    """Reference value of E[(φ^(k)(mean + √q z))^p] with mpmath at ``dps`` digits (slow; for tests
    and spot checks). Use a smaller ``max_panel`` for strongly oscillating φ at large q."""
    f = act.mpmath(k)
    rn, rp = growth_rates(act, p)
    return integrate_gaussian_mp(lambda x: f(x) ** p, q, mean, act.form.breakpoints, rn, rp, dps=dps, max_panel=max_panel)


def hermite_coefficients(act, q, n: int = 64, k: int = 0) -> np.ndarray:
    """a_j(q) = E[φ^(k)(√q z) He_j(z)]/√j! for j < n (normalized probabilists' Hermite basis), all j
    in one adaptive pass sharing the evaluations of φ (vectorized over q: shape (len(q), n)).
    Mehler: E[φ(u1) φ(u2)] = Σ_j a_j(q1) a_j(q2) c^j, and Σ_j a_j² = E[φ(√q z)²]. Absolute accuracy
    ~1e-15·√E[φ²] (coefficients that vanish, e.g. by parity, come out at that level)."""
    qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if np.any(~(qs > 0)):
        raise ValueError(f"q must be > 0, got {qs[~(qs > 0)][0]}")
    if n < 1:
        raise ValueError(f"n (number of coefficients) must be >= 1, got {n}")
    f = act.numpy(k)
    rn, rp = growth_rates(act, 1)
    s = np.sqrt(qs)
    edges, centre = _edges(s, 0.0, act.breakpoints, rn, rp)
    norms = np.sqrt(integrate_gaussian(lambda x: f(x) ** 2, qs, 0.0, act.breakpoints, 2 * rn, 2 * rp,
                                       what=f"E[{describe(act, k)}(√q z)^2]{breakpoint_note(act)}"))
    roots = np.sqrt(np.arange(n + 1.0))

    def integrand(z, rows):
        with np.errstate(all="ignore"):
            base = f(s[rows] * z) * np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        base = guard_overflow(base, np.abs(z - centre[rows]), lambda bad: f"z = {z[bad][0]:.6g}")
        out = np.empty((n, z.size))
        out[0] = base
        if n > 1:
            out[1] = z * base
        for j in range(1, n - 1):  # He_{j+1}/√(j+1)! = (z h_j − √j h_{j−1})/√(j+1)
            out[j + 1] = (z * out[j] - roots[j] * out[j - 1]) / roots[j + 1]
        return out

    what = f"Hermite coefficients E[{describe(act, k)}(√q z) He_j(z)]/√j! (j < {n}){breakpoint_note(act)}"
    out = integrate_rows(integrand, edges, abs_tol=1e-15 * np.maximum(norms, 1e-300), what=lambda row: f"{what} at q = {qs[row]:.6g}")
    return out if np.ndim(q) else out[0]
