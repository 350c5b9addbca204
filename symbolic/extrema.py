"""Global infimum and supremum of φ^(k) over ℝ (range, Lipschitz constant, monotonicity).

Method: φ^(k) and φ^(k+1) are evaluated on a dense grid (step 0.005 on [−60, 60], geometric out to
±10^6). Candidates are (i) every critical point bracketed by a sign change of φ^(k+1) inside one
piece — the most extreme brackets are solved with Brent's method and polished by a 30-digit mpmath
Newton/secant step, (ii) the exact one-sided limits at every breakpoint, (iii) the behaviour at ±∞
(limit when bounded, ±∞ when unbounded; from symbolic.growth). An interior extremum whose location
is recognised as a simple closed form (p/q, p/q·π or √(p/q)) and makes φ^(k+1) vanish exactly is returned with
its exact value; otherwise the value is numerical to ~1e-15 relative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from .functions import X
from .growth import growth

_INNER = 60.0
_GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-_INNER, _INNER, 24001) + 0.0013717,  # offset: no grid point sits on 0
            np.geomspace(_INNER, 1e6, 600),
            -np.geomspace(_INNER, 1e6, 600),
        ]
    )
)
_REFINE = 6  # brackets refined per direction


@dataclass(frozen=True)
class Extremum:
    """An infimum or supremum: ``value`` (±inf if unbounded), where it is attained or approached."""

    value: float
    at: float | None
    where: str  # "interior", "breakpoint", "+inf", "-inf"
    exact: sp.Expr | None = None

    def as_dict(self) -> dict:
        return {
            "value": _json_float(self.value),
            "at": self.at,
            "where": self.where,
            "exact": None if self.exact is None else sp.sstr(self.exact),
        }


def _json_float(v: float):
    return v if math.isfinite(v) else None


def _simple_guess(r: float) -> sp.Expr | None:
    """A simple closed form equal to r to 1e-12: p/q, p/q·π or ±sqrt(p/q) with q ≤ 12, |p| ≤ 144."""
    tol = 1e-12 * max(1.0, abs(r))
    if abs(r) < 1e-12:
        return sp.S.Zero
    for q in range(1, 13):
        for value, make in ((r, lambda p, q: sp.Rational(p, q)), (r / math.pi, lambda p, q: sp.Rational(p, q) * sp.pi),
                            (math.copysign(r * r, r), lambda p, q: sp.sign(p) * sp.sqrt(sp.Rational(abs(p), q)))):
            p = round(value * q)
            if p and abs(p) <= 144 * q and abs(float(make(p, q)) - r) <= tol:
                return make(p, q)
    return None


def _exact_critical(piece_k: sp.Expr, piece_k1: sp.Expr, r: float) -> tuple[sp.Expr, sp.Expr] | None:
    """If r is a simple closed form r* where φ^(k+1) vanishes exactly, return (r*, φ^(k)(r*))."""
    guess = _simple_guess(r)
    if guess is None:
        return None
    try:
        if sp.simplify(piece_k1.subs(X, guess)) != 0:
            return None
        value = sp.simplify(piece_k.subs(X, guess))
    except (TypeError, ValueError, NotImplementedError):
        return None
    return (guess, value) if value.is_real and value.is_finite else None


def _polish(f_mp, g_mp, lo: float, hi: float, g_np) -> float:
    from scipy.optimize import brentq

    r = brentq(g_np, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=200)
    with mpmath.workdps(30):
        try:
            rr = mpmath.findroot(g_mp, mpmath.mpf(r), tol=mpmath.mpf(10) ** -25)
            if lo - 1e-9 <= rr <= hi + 1e-9:
                return float(rr)
        except (ValueError, ZeroDivisionError):
            pass
    return r


def extrema(act, k: int) -> tuple[Extremum, Extremum]:
    """(infimum, supremum) of φ^(k) over the real line for the Activation ``act``."""
    form = act.form
    bps = form.breakpoint_floats
    grid = _GRID[~np.isin(_GRID, bps)]
    f_np, g_np = act.numpy(k), act.numpy(k + 1)
    f_mp, g_mp = act.mpmath(k), act.mpmath(k + 1)
    fv, gv = f_np(grid), g_np(grid)
    cands: list[Extremum] = []
    finite = np.isfinite(fv)
    if finite.any():
        i_min = int(np.nanargmin(np.where(finite, fv, np.inf)))
        i_max = int(np.nanargmax(np.where(finite, fv, -np.inf)))
        cands += [Extremum(float(fv[i_min]), float(grid[i_min]), "interior"),
                  Extremum(float(fv[i_max]), float(grid[i_max]), "interior")]
    # critical points: sign changes of φ^(k+1) inside one piece
    piece = np.searchsorted(bps, grid)
    change = (np.sign(gv[:-1]) * np.sign(gv[1:]) < 0) & (piece[:-1] == piece[1:])
    idx = np.nonzero(change)[0]
    if idx.size:
        mid = np.maximum(fv[idx], fv[idx + 1])
        low = np.minimum(fv[idx], fv[idx + 1])
        chosen = set(idx[np.argsort(-mid)[:_REFINE]]) | set(idx[np.argsort(low)[:_REFINE]])
        dpieces = form.derivative_pieces(k)
        d1pieces = form.derivative_pieces(k + 1)
        for i in sorted(chosen):
            r = _polish(f_mp, g_mp, float(grid[i]), float(grid[i + 1]), g_np)
            p = int(piece[i])
            found = _exact_critical(dpieces[p], d1pieces[p], r)
            if found is not None:
                cands.append(Extremum(float(found[1]), float(found[0]), "interior", found[1]))
                continue
            with mpmath.workdps(30):
                cands.append(Extremum(float(f_mp(mpmath.mpf(r))), r, "interior"))
    # one-sided limits at breakpoints
    dpieces = form.derivative_pieces(k)
    for i, b in enumerate(form.breakpoints):
        for side, pc in (("left", dpieces[i]), ("right", dpieces[i + 1])):
            v = form.one_sided(pc, b, side)
            fv_b = float(sp.N(v, 20)) if v.is_finite else (math.inf if v == sp.oo else -math.inf)
            if v.is_finite or v in (sp.oo, -sp.oo):
                cands.append(Extremum(fv_b, float(bps[i]), "breakpoint", v if v.is_finite else None))
            else:  # zoo / nan: unbounded on both sides
                cands += [Extremum(math.inf, float(bps[i]), "breakpoint"), Extremum(-math.inf, float(bps[i]), "breakpoint")]
    # tails
    for sign, where in ((1, "+inf"), (-1, "-inf")):
        gr = growth(f_mp, sign, f_np)
        with mpmath.workdps(30):
            far = [f_mp(mpmath.mpf(sign * 1e6 * (1 + j / 7))) for j in range(8)]
        if gr.kind == "bounded":
            if gr.limit is not None:
                cands.append(Extremum(gr.limit, None, where))
        else:
            if max(far) > 0:
                cands.append(Extremum(math.inf, None, where))
            if min(far) < 0:
                cands.append(Extremum(-math.inf, None, where))
    lo = min(cands, key=lambda e: e.value)
    hi = max(cands, key=lambda e: e.value)
    return _prefer_exact(lo, cands), _prefer_exact(hi, cands)


def _prefer_exact(best: Extremum, cands: list[Extremum]) -> Extremum:
    """Among candidates equal to ``best`` (to 1e-14) prefer an exact value, then a limit at ±∞
    (a grid value equal to it to 1e-14 is a saturated float, not an attained extremum)."""
    if not math.isfinite(best.value):
        return best
    tol = 1e-14 * max(1.0, abs(best.value))
    same = [c for c in cands if abs(c.value - best.value) <= tol]
    exact = [c for c in same if c.exact is not None]
    tails = [c for c in same if c.where in ("+inf", "-inf")]
    return (exact or tails or [best])[0]
