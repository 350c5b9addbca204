"""The derivation of an activation: everything the theory layers need to know about φ.

Exact (sympy) where it can be: breakpoints, jumps of φ^(k) at each breakpoint, smoothness class,
φ(0), φ'(0), Taylor coefficients at 0 (one-sided at a kink), polynomial degree. Numerical with a
stated method where it cannot: Lipschitz constant, range, monotonicity (symbolic.extrema), growth
at ±∞ (symbolic.growth), parity (checked on a symmetric grid).

Distributional derivative (jumps J_j(b) = φ^(j)(b+) − φ^(j)(b−)):
    φ^(k) = {φ^(k)}_regular + Σ_b Σ_{j<k} J_j(b) δ^{(k−1−j)}(x − b).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy as sp

from .extrema import Extremum, extrema
from .functions import X, sigmoid, softplus
from .growth import Growth, growth, moments_q_max

K_MAX = 16
"""Highest derivative order checked for jumps (smoothness C^k is decided for k < K_MAX)."""
TAYLOR_ORDER = 4
_ZERO_TOL = sp.Float("1e-40")


def _is_zero(v: sp.Expr) -> bool:
    if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return False
    n = sp.N(v, 60)
    return bool(abs(n) < _ZERO_TOL) if n.is_number else sp.simplify(v) == 0


def _tidy(v: sp.Expr) -> sp.Expr:
    """Simplify small expressions; numbers also via exp-rewriting (tanh(log 2) → 3/5)."""
    if sp.count_ops(v) >= 60:
        return v
    out = sp.simplify(v)
    if out.is_number and out.has(sp.tanh, sp.sinh, sp.cosh, sigmoid, softplus):
        alt = sp.simplify(out.rewrite(sp.exp))
        out = alt if sp.count_ops(alt) < sp.count_ops(out) else out
    return out


@dataclass(frozen=True)
class Jump:
    """φ^(order) jumps by ``value`` at ``at`` (right limit minus left limit)."""

    at: sp.Expr
    order: int
    value: sp.Expr

    def as_dict(self) -> dict:
        v = sp.N(self.value, 17)
        return {
            "at": float(sp.N(self.at, 17)),
            "order": self.order,
            "jump": float(v) if v.is_finite else None,
            "exact": sp.sstr(self.value),
        }


def _show(e) -> str:
    """Readable form: floats (e.g. 70-digit numerical breakpoints) shown with 15 significant digits."""
    if isinstance(e, sp.Basic):
        e = e.xreplace({f: sp.Float(f, 15) for f in e.atoms(sp.Float)})
    return sp.sstr(e)


def _num(v: sp.Expr | None) -> float | None:
    if v is None:
        return None
    n = sp.N(v, 17)
    return float(n) if n.is_real and n.is_finite else None


@dataclass
class Derivation:
    """What is known about φ; ``str()`` gives a readable report, ``as_dict()`` the JSON form."""

    activation: object
    breakpoints: list[sp.Expr]
    jumps: list[Jump]
    smoothness: str
    smoothness_order: int | None  # k for C^k; −1 discontinuous; None for C^∞
    lipschitz: float | None
    lipschitz_at: Extremum | None
    monotone_direction: str | None  # increasing / decreasing / constant / None
    range_inf: Extremum
    range_sup: Extremum
    parity: str
    phi0: sp.Expr
    dphi0: sp.Expr | None
    dphi0_sides: tuple[sp.Expr, sp.Expr]
    taylor0: dict[str, list[sp.Expr]]
    growth_neg: Growth
    growth_pos: Growth
    moments_q_max: float
    polynomial_degree: int | None
    notes: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------------------------------
    @property
    def monotone(self) -> bool:
        return self.monotone_direction is not None

    @property
    def lipschitz_exact(self) -> sp.Expr | None:
        """The Lipschitz constant as an exact expression, when it was found exactly."""
        if self.lipschitz is None or self.lipschitz_at is None or self.lipschitz_at.exact is None:
            return None
        return _tidy(sp.Abs(self.lipschitz_at.exact))

    @property
    def lipschitz_method(self) -> str:
        if self.lipschitz is None:
            return "infinite: phi is discontinuous or phi' is unbounded"
        if self.lipschitz_exact is not None:
            return "exact (closed-form extremum of phi', checked symbolically)"
        if self.lipschitz_at is not None and self.lipschitz_at.where in ("+inf", "-inf"):
            return f"limit of |phi'| as x -> {self.lipschitz_at.where} (numerical, far-out evaluation at 40 digits)"
        return "numerical: grid-bracketed critical point of phi' polished to 30 digits (symbolic.extrema)"

    @property
    def bounded_below(self) -> bool:
        return math.isfinite(self.range_inf.value)

    @property
    def bounded_above(self) -> bool:
        return math.isfinite(self.range_sup.value)

    @property
    def bounded(self) -> bool:
        return self.bounded_below and self.bounded_above

    @property
    def bounded_text(self) -> str:
        return {(True, True): "yes", (True, False): "below", (False, True): "above"}.get(
            (self.bounded_below, self.bounded_above), "no"
        )

    @property
    def growth_text(self) -> str:
        a, b = self.growth_neg.text, self.growth_pos.text
        return a if a == b else f"{a} / {b}"

    def distributional_derivative(self, k: int) -> tuple[sp.Expr, list[tuple[sp.Expr, int, sp.Expr]]]:
        """(regular part of φ^(k), [(b, m, coefficient of δ^{(m)}(x − b))])."""
        act = self.activation
        singular = [
            (j.at, k - 1 - j.order, j.value) for j in self.jumps if j.order < k
        ]
        return act.derivative(k), singular

    # ---------------------------------------------------------------------------------------
    def as_dict(self) -> dict:
        act = self.activation
        spec = act.spec
        taylor = {side: [sp.sstr(c) for c in cs] for side, cs in self.taylor0.items()}
        taylor_num = {side: [_num(c) for c in cs] for side, cs in self.taylor0.items()}
        return {
            "name": act.name,
            "label": act.label,
            "params": {k: _num(v) for k, v in act.params.items()},
            "formula": sp.sstr(act.expr),
            "family": spec.family,
            "kind": spec.kind,
            "source": spec.source,
            "zoo_id": spec.zoo_id,
            "confirmed": spec.confirmed,
            "notes": spec.notes,
            "smoothness": self.smoothness,
            "smoothness_order": self.smoothness_order,
            "breakpoints": [float(sp.N(b, 17)) for b in self.breakpoints],
            "breakpoints_exact": [sp.sstr(b) for b in self.breakpoints],
            "breakpoints_periodic": act.form.periodic,
            "jumps": [j.as_dict() for j in self.jumps],
            "lipschitz": self.lipschitz,
            "lipschitz_at": None if self.lipschitz_at is None else self.lipschitz_at.as_dict(),
            "lipschitz_exact": None if self.lipschitz_exact is None else sp.sstr(self.lipschitz_exact),
            "lipschitz_method": self.lipschitz_method,
            "monotone": self.monotone,
            "monotone_direction": self.monotone_direction,
            "bounded": self.bounded,
            "bounded_below": self.bounded_below,
            "bounded_above": self.bounded_above,
            "range": [self.range_inf.as_dict(), self.range_sup.as_dict()],
            "parity": self.parity,
            "phi0": _num(self.phi0),
            "phi0_exact": sp.sstr(self.phi0),
            "dphi0": _num(self.dphi0),
            "dphi0_left": _num(self.dphi0_sides[0]),
            "dphi0_right": _num(self.dphi0_sides[1]),
            "taylor0": taylor,
            "taylor0_values": taylor_num,
            "growth": {"-inf": self.growth_neg.as_dict(), "+inf": self.growth_pos.as_dict()},
            "growth_text": self.growth_text,
            "gaussian_moments_q_max": self.moments_q_max if math.isfinite(self.moments_q_max) else None,
            "gaussian_moments_all_q": math.isinf(self.moments_q_max),
            "polynomial": self.polynomial_degree is not None,
            "polynomial_degree": self.polynomial_degree,
            "derivatives": {str(k): sp.sstr(act.derivative(k)) for k in (1, 2)},
            "notes_derivation": self.notes,
        }

    def __str__(self) -> str:
        act = self.activation
        lines = [f"{act.label}  [{act.spec.family}; {act.spec.kind}{'' if act.spec.confirmed else '; UNCONFIRMED'}]"]
        lines.append(f"  phi(x)      = {_show(act.expr)}")
        for k in (1, 2):
            reg, sing = self.distributional_derivative(k)
            deltas = " ".join(
                f"+ ({_show(c)})*delta{'' if m == 0 else '^(' + str(m) + ')'}(x - {_show(b)})"
                for b, m, c in sing
            )
            regular = _show(reg) if (reg != 0 or not sing) else ""
            lines.append(f"  phi^({k})(x)  = {regular} {deltas}".replace("  + ", " ").rstrip())
        lines.append(f"  source      : {act.spec.source}")
        bps = ", ".join(_show(b) for b in self.breakpoints[:12]) or "none"
        if len(self.breakpoints) > 12:
            bps += f", ... ({len(self.breakpoints)} in all{', periodic' if act.form.periodic else ''})"
        lines.append(f"  breakpoints : {bps}")
        for j in self.jumps[:12]:
            lines.append(f"    jump of phi^({j.order}) at {_show(j.at)}: {_show(j.value)}")
        lines.append(f"  smoothness  : {self.smoothness}")
        lip = "unbounded" if self.lipschitz is None else f"{self.lipschitz:.15g}"
        if self.lipschitz_at is not None and self.lipschitz is not None:
            ex = self.lipschitz_exact
            lip += f" (= {_show(ex)})" if ex is not None else ""
            lip += f" at x = {self.lipschitz_at.at:.12g}" if self.lipschitz_at.at is not None else f" as x -> {self.lipschitz_at.where}"
        lines.append(f"  Lipschitz   : {lip}")
        lines.append(f"  monotone    : {self.monotone_direction or 'no'}")
        lo, hi = self.range_inf.value, self.range_sup.value
        lines.append(f"  range       : [{lo:.12g}, {hi:.12g}]  (bounded: {self.bounded_text})")
        lines.append(f"  parity      : {self.parity}")
        lines.append(f"  phi(0)      : {_show(self.phi0)}")
        d0 = _show(self.dphi0) if self.dphi0 is not None else f"not differentiable (left {_show(self.dphi0_sides[0])}, right {_show(self.dphi0_sides[1])})"
        lines.append(f"  phi'(0)     : {d0}")
        for side, cs in self.taylor0.items():
            lines.append(f"  Taylor at 0 ({side}): " + ", ".join(_show(c) for c in cs))
        lines.append(f"  growth      : {self.growth_text}")
        qm = "all q" if math.isinf(self.moments_q_max) else f"q < {self.moments_q_max:.6g}"
        lines.append(f"  E[phi(sqrt(q) z)^2] finite for: {qm}")
        lines.append(f"  polynomial  : {'degree ' + str(self.polynomial_degree) if self.polynomial_degree is not None else 'no'}")
        lines += [f"  note: {n}" for n in self.notes]
        if act.spec.notes:
            lines.append(f"  registry note: {act.spec.notes}")
        return "\n".join(lines)


def _jump(form, left: sp.Expr, right: sp.Expr, b: sp.Expr) -> sp.Expr:
    """right(b+) − left(b−) (zoo where a side is infinite)."""
    lv = form.one_sided(left, b, "left")
    rv = form.one_sided(right, b, "right")
    return rv - lv if (lv.is_finite and rv.is_finite) else sp.zoo


@lru_cache(maxsize=1024)
def value_jumps(act) -> tuple[Jump, ...]:
    """The jumps of φ itself (order 0; each puts a Dirac term into φ'), from its pieces alone: what the maps need,
    without the derivation's extrema, growth and Taylor analysis (``derive(act).jumps`` lists the same among all orders)."""
    form = act.form
    out = []
    for i, b in enumerate(form.breakpoints):
        jump = _jump(form, form.pieces[i], form.pieces[i + 1], b)
        if not _is_zero(jump):
            out.append(Jump(b, 0, _tidy(jump)))
    return tuple(out)


@lru_cache(maxsize=1024)
def tails(act) -> tuple[Growth, Growth]:
    """φ's growth at −∞ and +∞ (``symbolic.growth``) alone, without the rest of the derivation: what Gaussian
    expectations need (their windows, and ``moments_limit``)."""
    return tuple(growth(act.mpmath(0), s, act.numpy(0)) for s in (-1, 1))


def moments_limit(act) -> float:
    """Largest q with E[φ(√q z)²] < ∞ (inf: every q), from ``tails`` (= ``derive(act).moments_q_max``)."""
    return moments_q_max(*tails(act))


def _jumps(form) -> tuple[list[Jump], int | None, list[str]]:
    """All non-zero jumps of φ^(k), k ≤ max(3, first non-zero order), and the smoothness order."""
    jumps: list[Jump] = []
    notes: list[str] = []
    first: int | None = None
    for i, b in enumerate(form.breakpoints):
        left, right = form.pieces[i], form.pieces[i + 1]
        found = None
        for k in range(K_MAX + 1):
            if k:
                left, right = sp.diff(left, X), sp.diff(right, X)
            jump = _jump(form, left, right, b)
            if not _is_zero(jump):
                jumps.append(Jump(b, k, _tidy(jump)))
                found = k if found is None else found
            if found is not None and k >= max(found, 3):
                break
        if found is None:
            notes.append(f"no jump up to order {K_MAX} at x = {sp.sstr(b)}: smooth there to that order")
            found = K_MAX + 1
        first = found if first is None else min(first, found)
    return jumps, first, notes


def _taylor(form, at_break: bool, piece_index: int) -> dict[str, list[sp.Expr]]:
    def coeffs(p, side):
        out = []
        d = p
        for k in range(TAYLOR_ORDER + 1):
            v = form.one_sided(d, sp.S.Zero, side)
            out.append(_tidy(v / sp.factorial(k)))
            d = sp.diff(d, X)
        return out

    if at_break:
        return {"left": coeffs(form.pieces[piece_index], "left"), "right": coeffs(form.pieces[piece_index + 1], "right")}
    return {"two-sided": coeffs(form.pieces[piece_index], "right")}


def _parity(f) -> str:
    xs = np.concatenate([np.linspace(0.0, 30.0, 3001)[1:], np.geomspace(30.0, 1e4, 200)])
    a, b = f(xs), f(-xs)
    ok = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isinf(a), np.isinf(b)):
        return "neither"
    a, b = a[ok], b[ok]
    scale = 1e-12 * (1.0 + np.abs(a))
    if np.all(np.abs(a - b) <= scale):
        return "even"
    if np.all(np.abs(a + b) <= scale):
        return "odd"
    return "neither"


def _polynomial_degree(form) -> int | None:
    if form.breakpoints or not form.pieces[0].is_polynomial(X):
        return None
    return int(sp.degree(sp.expand(form.pieces[0]), X))


@lru_cache(maxsize=1024)
def at_origin(act) -> tuple[sp.Expr, tuple[sp.Expr, sp.Expr]]:
    """(φ(0), (φ'(0−), φ'(0+))) from φ's pieces alone: what the signal-propagation maps need at
    q → 0, without the derivation's extrema, growth and Taylor analysis."""
    form = act.form
    zero_is_break, idx = _origin_piece(form)
    phi0 = form.point_values[idx] if zero_is_break else _tidy(form.one_sided(form.pieces[idx], sp.S.Zero, "right"))
    left, right = (form.pieces[idx], form.pieces[idx + 1]) if zero_is_break else (form.pieces[idx],) * 2
    return phi0, (_tidy(form.one_sided(sp.diff(left, X), sp.S.Zero, "left")),
                  _tidy(form.one_sided(sp.diff(right, X), sp.S.Zero, "right")))


def _origin_piece(form) -> tuple[bool, int]:
    """(whether 0 is a breakpoint, index of the piece containing 0, or of the piece left of it when it is one)."""
    bps = form.breakpoint_floats
    return bool(np.any(bps == 0.0)), int(np.searchsorted(bps, 0.0))


@lru_cache(maxsize=1024)
def derive(act) -> Derivation:
    """Derive everything in the module docstring for the Activation ``act`` (cached)."""
    form = act.form
    jumps, first, notes = _jumps(form)
    if first is None:
        smooth, order = "Cinf", None
    elif first == 0:
        smooth, order = "discontinuous", -1
    elif first > K_MAX:
        smooth, order = f"C{K_MAX}", K_MAX
    else:
        smooth, order = f"C{first - 1}", first - 1
    # derivative extrema: Lipschitz constant and monotonicity (jumps of φ count for monotonicity)
    d_inf, d_sup = extrema(act, 1)
    r_inf, r_sup = extrema(act, 0)
    big = max((d_inf, d_sup), key=lambda e: abs(e.value))
    lipschitz = abs(big.value) if order != -1 and math.isfinite(big.value) else None
    lip_at = big if lipschitz is not None else None
    finite = [abs(e.value) for e in (d_inf, d_sup) if math.isfinite(e.value)]
    tol = 1e-12 * max([1.0, *finite])
    jump_signs = [float(sp.N(j.value)) for j in jumps if j.order == 0 and j.value.is_finite]
    inc = d_inf.value >= -tol and all(v > 0 for v in jump_signs)
    dec = d_sup.value <= tol and all(v < 0 for v in jump_signs)
    direction = "constant" if inc and dec else ("increasing" if inc else ("decreasing" if dec else None))
    phi0, sides = at_origin(act)
    zero_is_break, idx = _origin_piece(form)
    taylor = _taylor(form, zero_is_break, idx)
    if not zero_is_break:
        dphi0 = sides[0]
    else:
        jumps_at_0 = any(j.order == 0 and float(sp.N(j.at)) == 0.0 for j in jumps)
        dphi0 = sides[0] if _is_zero(sides[1] - sides[0]) and not jumps_at_0 else None
    g_neg, g_pos = tails(act)
    if form.periodic:
        span = float(form.breakpoint_floats[-1])
        notes.append(f"infinitely many (periodic) breakpoints: those in |x| <= {span:.6g} are listed and used")
    return Derivation(
        activation=act,
        breakpoints=list(form.breakpoints),
        jumps=jumps,
        smoothness=smooth,
        smoothness_order=order,
        lipschitz=lipschitz,
        lipschitz_at=lip_at,
        monotone_direction=direction,
        range_inf=r_inf,
        range_sup=r_sup,
        parity=_parity(act.numpy(0)),
        phi0=phi0,
        dphi0=dphi0,
        dphi0_sides=sides,
        taylor0=taylor,
        growth_neg=g_neg,
        growth_pos=g_pos,
        moments_q_max=moments_q_max(g_neg, g_pos),
        polynomial_degree=_polynomial_degree(form),
        notes=notes,
    )


def derivation_document(act) -> dict:
    """``derive(act).as_dict()``, the derivation's JSON form, kept in the persistent cache (``disk_cache``; keyed
    by the exact expression): ``acttheory zoo`` and ``show --json`` read it instead of deriving again."""
    from . import disk_cache

    return disk_cache.cached_json("derivation", f"{act.name}:{disk_cache.expression_key(act)}",
                                  lambda: derive(act).as_dict())

