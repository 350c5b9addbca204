"""Vectorized numpy, JAX and mpmath callables for φ^(k), built from the analytic pieces.

Conventions at a breakpoint b: φ(b) is the value the defining expression gives (sign(0) = 0,
step(0) as registered); for k ≥ 1, φ^(k)(b) is the mean of the one-sided limits (finite ones only).

numpy: with few pieces each is evaluated on the whole array and the active one selected, with many
(periodic breakpoints) each only on its own interval; floating-point exceptions are silenced and any
non-finite result is recomputed at 30 digits with mpmath, so the answer is the correctly rounded float
(±inf only when the true value overflows).
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from .functions import X
from .pieces import PiecewiseForm


def _np_softplus(a):
    return np.logaddexp(0.0, a)


def _np_sigmoid(a):
    from scipy.special import expit

    return expit(a)


NUMPY_FUNCTIONS = {"sigmoid": _np_sigmoid, "softplus": _np_softplus}


@lru_cache(maxsize=1)
def _numpy_namespace() -> dict:
    """The names sympy's lambdify gets from ``modules=["scipy", "numpy"]``, read from numpy's own dictionary: sympy
    builds them with ``from numpy import *``, which loads numpy's lazy submodules (f2py, …) and scipy.special whole,
    0.1–0.2 s once per process. Its translations are kept (Heaviside → heaviside, builtin abs for Abs); scipy.special's
    functions (erf, …) are imported one by one by lambdify as the printed code names them."""
    namespace = {name: value for name, value in vars(np).items() if not name.startswith("_")}
    namespace.update(Heaviside=np.heaviside, Abs=abs)
    return namespace


def _lambdify_numpy(expr: sp.Expr) -> Callable:
    """``sp.lambdify(X, expr, modules=[NUMPY_FUNCTIONS, "scipy", "numpy"])``: the same printer (SciPyPrinter with the
    settings lambdify gives it) and the same names, without the star imports (``_numpy_namespace``)."""
    from sympy.printing.numpy import SciPyPrinter

    printer = SciPyPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                            "user_functions": {name: name for name in NUMPY_FUNCTIONS}})
    return sp.lambdify(X, expr, modules=[NUMPY_FUNCTIONS, _numpy_namespace()], printer=printer)
EXP_SATURATION = mpmath.mpf(10) ** 7


def _mp_exp(a):
    """mpmath exp that saturates beyond |a| > 1e7 (0 or inf; such values are far outside float64).

    Without it a double exponential (e.g. exp(-exp(-x)) at x = -1e6) would ask mpmath for a number
    with an astronomically large exponent and stall.
    """
    if a < -EXP_SATURATION:
        return mpmath.mpf(0)
    if a > EXP_SATURATION:
        return mpmath.inf
    return mpmath.exp(a)


MPMATH_MODULES = [
    {
        "exp": _mp_exp,
        "sigmoid": lambda a: 1 / (1 + _mp_exp(-a)),
        "softplus": lambda a: a + mpmath.log1p(_mp_exp(-a)) if a > 0 else mpmath.log1p(_mp_exp(a)),
    },
    "mpmath",
]


def _jax_modules():
    import jax
    import jax.scipy.special as jsp

    return [{"sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus, "erf": jsp.erf, "erfc": jsp.erfc}, "jax"]


def _lambdify(expr: sp.Expr, modules) -> Callable:
    return sp.lambdify(X, expr, modules=modules)


def _regular_derivative(form: PiecewiseForm, k: int) -> sp.Expr:
    """φ^(k) of the original expression without its Dirac terms (used outside a periodic window)."""
    d = sp.diff(form.original, X, k)
    return d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)


def breakpoint_value(form: PiecewiseForm, pieces: tuple[sp.Expr, ...], i: int, k: int) -> sp.Expr:
    """φ^(k)(b_i) under the module's convention (exact sympy value, may be ±oo if singular)."""
    if k == 0:
        return form.point_values[i]
    b = form.breakpoints[i]
    left = form.one_sided(pieces[i], b, "left")
    right = form.one_sided(pieces[i + 1], b, "right")
    finite = [v for v in (left, right) if v.is_finite]
    return sum(finite) / len(finite) if len(finite) == 2 else (finite[0] if finite else sp.nan)


FEW_PIECES = 4
"""Up to this many pieces, every piece is evaluated on the whole array and the active one selected."""


class NumpyFunction:
    """φ^(k) on float64 arrays; see the module docstring for the conventions."""

    def __init__(self, form: PiecewiseForm, k: int):
        self.form = form
        self.k = k
        pieces = form.derivative_pieces(k)
        self.pieces = pieces
        self._funcs = [_lambdify_numpy(p) for p in pieces]
        self._bp = form.breakpoint_floats
        self._bp_values = np.array(
            [float(sp.N(breakpoint_value(form, pieces, i, k), 20)) for i in range(len(self._bp))],
            dtype=np.float64,
        )
        self._mp = MpmathFunction(form, k)
        self._outside = (
            _lambdify_numpy(_regular_derivative(form, k)) if form.periodic else None
        )

    def __call__(self, x):
        xs = np.asarray(x, dtype=np.float64)
        scalar = xs.ndim == 0
        xs = np.atleast_1d(xs)
        bp = self._bp
        with np.errstate(all="ignore"):
            if not len(bp):
                out = _fresh(self._funcs[0](xs), xs)
            elif len(self._funcs) <= FEW_PIECES:
                # few pieces: evaluate each on the whole array and select in place (inactive values discarded)
                out = _fresh(self._funcs[-1](xs), xs)
                for i in range(len(bp) - 1, -1, -1):
                    np.copyto(out, self._funcs[i](xs), where=xs < bp[i])
                    on = xs == bp[i]
                    if on.any():
                        out[on] = self._bp_values[i]
            else:
                out = np.empty_like(xs)
                idx = np.searchsorted(bp, xs)
                for i, f in enumerate(self._funcs):
                    mask = idx == i
                    if mask.any():
                        out[mask] = np.broadcast_to(f(xs[mask]), (int(mask.sum()),))
                j = np.minimum(idx, len(bp) - 1)
                on = xs == bp[j]
                out[on] = self._bp_values[j[on]]
            if self._outside is not None:
                far = (xs < bp[0]) | (xs > bp[-1])
                if far.any():
                    out[far] = np.broadcast_to(self._outside(xs[far]), (int(far.sum()),))
        if not np.isfinite(out).all():
            bad = ~np.isfinite(out)
            out[bad] = [float(self._mp(float(t))) for t in xs[bad]]
        return out[0] if scalar else out


def _fresh(values, xs: np.ndarray) -> np.ndarray:
    """A piece's values as a new float64 array of xs's shape: itself when it already is one that owns its memory (a
    ufunc's result; never xs or a view of it, which the selection in place would overwrite), else a copy."""
    if (isinstance(values, np.ndarray) and values.base is None and values is not xs and values.dtype == np.float64
            and values.shape == xs.shape):
        return values
    if np.ndim(values) == 0:  # a constant piece (twice as fast as copying a broadcast)
        return np.full(xs.shape, values, dtype=np.float64)
    return np.array(np.broadcast_to(values, xs.shape), dtype=np.float64)


class MpmathFunction:
    """φ^(k) on mpmath numbers at the caller's working precision (mpmath.mp.dps)."""

    def __init__(self, form: PiecewiseForm, k: int):
        self.form = form
        self.k = k
        self.pieces = form.derivative_pieces(k)
        self._funcs = [_lambdify(p, MPMATH_MODULES) for p in self.pieces]
        self._bp_exact = form.breakpoints
        self._bp_values = [breakpoint_value(form, self.pieces, i, k) for i in range(len(form.breakpoints))]
        self._outside = (
            _lambdify(_regular_derivative(form, k), MPMATH_MODULES) if form.periodic else None
        )
        self._cache_dps = None
        self._bp_mp: list = []
        self._bp_float = [mpmath.mpf(float(b)) for b in form.breakpoint_floats]

    def _breakpoints(self):
        if self._cache_dps != mpmath.mp.dps:
            self._bp_mp = [mpmath.mpf(str(sp.N(b, mpmath.mp.dps + 5))) for b in self._bp_exact]
            self._cache_dps = mpmath.mp.dps
        return self._bp_mp

    def __call__(self, x):
        x = mpmath.mpf(x)
        bps = self._breakpoints()
        j = bisect.bisect_left(self._bp_float, x)
        if j < len(bps) and x == self._bp_float[j]:  # the float nearest b counts as b (as in numpy)
            return self._at_breakpoint(j)
        i = bisect.bisect_left(bps, x)
        if i < len(bps) and x == bps[i]:
            return self._at_breakpoint(i)
        if self._outside is not None and bps and (x < bps[0] or x > bps[-1]):
            return mpmath.mpf(self._outside(x))
        val = self._funcs[i](x)
        return mpmath.mpf(val) if not isinstance(val, mpmath.mpc) else val

    def _at_breakpoint(self, i: int):
        v = sp.N(self._bp_values[i], mpmath.mp.dps)
        return mpmath.mpf(str(v)) if v.is_finite else mpmath.nan


INT32_MAX = 2**31 - 1


def _float_big_integers(expr: sp.Expr) -> sp.Expr:
    """``expr`` with integer literals beyond int32 written as floats: JAX turns a Python int into int32
    (unless x64 is on), so the coefficient 9319019990 of a rational activation would overflow."""
    big = {n: sp.Float(n, 20) for n in expr.atoms(sp.Integer) if abs(int(n)) > INT32_MAX}
    return expr.xreplace(big) if big else expr


class JaxFunction:
    """φ^(k) for JAX arrays (jit/vmap-able): branches selected with ``jnp.where``.

    Works in whichever precision the caller's arrays have (enable x64 for float64).
    """

    def __init__(self, form: PiecewiseForm, k: int):
        mods = _jax_modules()
        self.pieces = form.derivative_pieces(k)
        self._funcs = [_lambdify(_float_big_integers(p), mods) for p in self.pieces]
        self._bp = [float(b) for b in form.breakpoint_floats]
        self._bp_values = [
            float(sp.N(breakpoint_value(form, self.pieces, i, k), 20)) for i in range(len(self._bp))
        ]
        self._outside = _lambdify(_regular_derivative(form, k), mods) if form.periodic else None

    def __call__(self, x):
        import jax.numpy as jnp

        x = jnp.asarray(x)
        out = jnp.zeros_like(x) + self._funcs[-1](x)
        for i in range(len(self._bp) - 1, -1, -1):
            out = jnp.where(x < self._bp[i], self._funcs[i](x) + jnp.zeros_like(x), out)
        for b, v in zip(self._bp, self._bp_values):
            out = jnp.where(x == b, v, out)
        if self._outside is not None and self._bp:
            far = (x < self._bp[0]) | (x > self._bp[-1])
            out = jnp.where(far, self._outside(x) + jnp.zeros_like(x), out)
        return out

