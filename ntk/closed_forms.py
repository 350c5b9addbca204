"""Closed-form dual activations E[φ(u)φ(v)], (u, v) centred Gaussian with Var u = q1, Var v = q2 and
Cov(u, v) = k, recognized from φ's exact sympy form (no per-name branching). Three families:

- ``RectifiedMonomials``: φ = a₊ x₊ⁿ + a₋ (−x)₊ⁿ (breakpoint at 0 only, n ≥ 0 integer): step, sign
  (n = 0), ReLU, leaky/parametric ReLU, |x| (n = 1), rectified monomials. Cho & Saul (2009), arc-cosine
  kernels: E[x₊ⁿ(u) x₊ⁿ(v)] = (q1 q2)^{n/2} J_n(θ)/(2π), J_n(θ) = (−1)ⁿ sin^{2n+1}θ
  ((1/sin θ) ∂_θ)ⁿ ((π − θ)/sin θ), and the mixed terms take J_n(π − θ). θ = arctan2(√(q1q2 − k²), k)
  (stable next to c = ±1, where arccos loses half the digits).
- ``Polynomial``: φ a polynomial. Mehler's formula with the exact Hermite coefficients of φ(√q z)
  (numpy.polynomial.hermite_e): E[φ(u)φ(v)] = Σ_n a_n(q1) a_n(q2) cⁿ, a finite sum.
- ``GaussianExponentials``: φ = Σ_j α_j exp(γ_j x² + β_j x) with complex α_j, β_j and real γ_j (sin,
  cos, Fourier sums, exp, Gaussian bumps, Gabor): E[e^{γ1u² + β1u} e^{γ2v² + β2v}] =
  D^{−1/2} exp(½ bᵀ S b), S = (I − 2ΣΓ)⁻¹Σ, D = det(I − 2ΣΓ) (Σ the covariance, Γ = diag(γ1, γ2)).
  The erf family φ = A + B erf(a x) (erf, Gaussian CDF) has Williams' (1997) arcsin kernel
  (``ErfAffine``); its derivative is Gaussian.

Each family knows the family of φ' (or None: the derivative kernel is then computed numerically, or
does not exist for discontinuous φ). Tested against the 2-D engine and the mpmath reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp
from numpy.polynomial import hermite_e as He

from symbolic.functions import X

MAX_MONOMIAL_DEGREE = 8  # J_n derived symbolically up to this n


COLLINEAR_GAP = 4 * np.finfo(np.float64).eps


@dataclass(frozen=True)
class Angle:
    """The angle θ ∈ [0, π] between two pre-activations with cos θ, sin θ, and √(q1 q2)."""

    theta: np.ndarray
    cos: np.ndarray
    sin: np.ndarray
    root: np.ndarray


def angles(q1: np.ndarray, q2: np.ndarray, k: np.ndarray) -> Angle:
    """θ = arctan2(√(q1q2 − k²), k) with its cosine and sine computed algebraically (no trigonometric
    calls). A gap q1q2 − k² within rounding of q1q2 (≤ 4ε q1q2) counts as collinear (θ = 0 or π):
    k = c√(q1 q2) with c = ±1 rounds to such a gap, which would otherwise read as θ ≈ 1e-8 and shift
    kernels linear in θ (K̇ of ReLU) by ~1e-8."""
    prod = q1 * q2
    gap = prod - k * k
    open_ = gap > COLLINEAR_GAP * prod
    root = np.sqrt(prod)
    sin = np.sqrt(np.where(open_, gap, 0.0)) / root
    cos = np.where(open_, k / root, np.sign(k))
    return Angle(np.arctan2(sin, cos), cos, sin, root)


def angle(q1: np.ndarray, q2: np.ndarray, k: np.ndarray) -> np.ndarray:
    """θ alone (see ``angles``)."""
    return angles(q1, q2, k).theta


def correlation(q1: np.ndarray, q2: np.ndarray, k: np.ndarray) -> np.ndarray:
    """c = k/√(q1 q2) in [−1, 1], snapped to ±1 under the same collinearity rule as ``angles``."""
    prod = q1 * q2
    c = np.clip(k / np.sqrt(prod), -1.0, 1.0)
    return np.where(prod - k * k > COLLINEAR_GAP * prod, c, np.sign(c))


@lru_cache(maxsize=MAX_MONOMIAL_DEGREE + 1)
def arc_cosine_j(n: int) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """J_n of Cho & Saul (2009), eq. (8), derived with sympy and simplified to a polynomial in sin θ,
    cos θ and (π − θ) (no division by sin θ left), compiled for numpy as J_n(θ, sin θ, cos θ)."""
    th, sin, cos = sp.symbols("theta sin cos")
    expr = (sp.pi - th) / sp.sin(th)
    for _ in range(n):
        expr = sp.diff(expr, th) / sp.sin(th)
    j = sp.expand(sp.expand_trig(sp.simplify(sp.trigsimp(sp.expand((-1) ** n * sp.sin(th) ** (2 * n + 1) * expr)))))
    j = j.subs({sp.sin(th): sin, sp.cos(th): cos})
    if j.has(sp.sin, sp.cos):
        raise AssertionError(f"J_{n} did not reduce to a polynomial in sin θ and cos θ: {j}")
    return sp.lambdify((th, sin, cos), j, modules="numpy")


@dataclass(frozen=True)
class RectifiedMonomials:
    """φ = plus·x₊ⁿ + minus·(−x)₊ⁿ (see the module docstring)."""

    n: int
    plus: float
    minus: float
    name = "arc-cosine"
    uses_angle = True  # value() takes the pairs' ``angles`` when given

    def value(self, q1, q2, k, geometry: Angle | None = None):
        """``geometry``: the pairs' ``angles``, when the caller has them already (shared by K and K̇)."""
        g = angles(q1, q2, k) if geometry is None else geometry
        j = arc_cosine_j(self.n)
        out = (self.plus**2 + self.minus**2) * j(g.theta, g.sin, g.cos)
        if self.plus * self.minus != 0:  # the mixed terms (|x|, leaky ReLU); not for ReLU or rectified monomials
            out += 2 * self.plus * self.minus * j(np.pi - g.theta, g.sin, -g.cos)
        out *= g.root**self.n / (2 * np.pi) if self.n else 1 / (2 * np.pi)
        return out

    def derivative(self):
        if self.n == 0:
            return None  # Dirac masses: E[φ'φ'] is infinite at c = 1
        return RectifiedMonomials(self.n - 1, self.n * self.plus, -self.n * self.minus)


def _one_sided_monomial(piece: sp.Expr, side: int) -> tuple[int, float] | None:
    """(n, a) with piece = a·(side·x)ⁿ on its side of 0, or None."""
    if piece == 0:
        return (-1, 0.0)
    poly = sp.Poly(sp.expand(piece), X) if piece.is_polynomial(X) else None
    if poly is None or len(poly.terms()) != 1:
        return None
    (n,), a = poly.terms()[0]
    return (n, float(a) * side**n)


def _match_rectified(act) -> RectifiedMonomials | None:
    form = act.form
    if len(form.breakpoints) != 1 or form.breakpoints[0] != 0 or len(form.pieces) != 2:
        return None
    left, right = _one_sided_monomial(form.pieces[0], -1), _one_sided_monomial(form.pieces[1], 1)
    if left is None or right is None:
        return None
    n = max(left[0], right[0])
    if n < 0 or n > MAX_MONOMIAL_DEGREE or (left[0] not in (n, -1)) or (right[0] not in (n, -1)):
        return None
    return RectifiedMonomials(n, right[1], left[1])


@dataclass(frozen=True)
class Polynomial:
    """φ(x) = Σ coef[i] xⁱ: Mehler's formula with exact Hermite coefficients."""

    coef: tuple[float, ...]
    name = "polynomial (Mehler)"
    uses_angle = False

    def hermite(self, q: np.ndarray) -> np.ndarray:
        """a_n(q) = E[φ(√q z) He_n(z)]/√n! (shape q.shape + (degree + 1,))."""
        deg = len(self.coef) - 1
        powers = np.sqrt(q)[..., None] ** np.arange(deg + 1)
        scaled = powers * np.asarray(self.coef)
        factorial = np.array([math.factorial(i) for i in range(deg + 1)], dtype=np.float64)
        return np.apply_along_axis(lambda row: He.poly2herme(row), -1, scaled) * np.sqrt(factorial)

    def value(self, q1, q2, k, geometry=None):
        a1, a2 = self.hermite(np.asarray(q1, dtype=np.float64)), self.hermite(np.asarray(q2, dtype=np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(q1 * q2 > 0, k / np.sqrt(q1 * q2), 0.0)
        return np.polynomial.polynomial.polyval(c, np.moveaxis(a1 * a2, -1, 0), tensor=False)

    def derivative(self):
        d = np.polynomial.polynomial.polyder(np.asarray(self.coef))
        return Polynomial(tuple(float(v) for v in (d if len(d) else [0.0])))


def _match_polynomial(act) -> Polynomial | None:
    expr = act.expr
    if act.form.breakpoints or not expr.is_polynomial(X):
        return None
    return Polynomial(tuple(float(v) for v in reversed(sp.Poly(expr, X).all_coeffs())))


@dataclass(frozen=True)
class GaussianExponentials:
    """φ = Σ_j alpha_j exp(gamma_j x² + beta_j x) (complex alpha, beta; real gamma ≤ 0 or small)."""

    alpha: tuple[complex, ...]
    gamma: tuple[float, ...]
    beta: tuple[complex, ...]
    name = "Gaussian integral"
    uses_angle = False

    def value(self, q1, q2, k, geometry=None):
        q1, q2, k = (np.asarray(v, dtype=np.float64) for v in (q1, q2, k))
        det = q1 * q2 - k * k
        real = all(complex(v).imag == 0 for v in self.alpha + self.beta)  # e.g. φ' of erf, Gaussians: no complex arrays
        total = np.zeros(np.broadcast(q1, q2, k).shape, dtype=np.float64 if real else np.complex128)
        cast = (lambda v: complex(v).real) if real else complex  # noqa: E731
        with np.errstate(over="ignore", invalid="ignore"):  # overflow (exp of large variances) is reported by the caller
            for a1, g1, b1 in zip(self.alpha, self.gamma, self.beta):  # one pass per pair: memory O(entries)
                for a2, g2, b2 in zip(self.alpha, self.gamma, self.beta):
                    x1, y1, x2, y2 = (cast(v) for v in (a1, b1, a2, b2))
                    d = (1 - 2 * g1 * q1) * (1 - 2 * g2 * q2) - 4 * g1 * g2 * k * k
                    term = x1 * x2 / np.sqrt(d)
                    if y1 != 0 or y2 != 0:
                        s11, s22, s12 = (q1 - 2 * g2 * det) / d, (q2 - 2 * g1 * det) / d, k / d
                        term = term * np.exp(0.5 * (y1 * y1 * s11 + 2 * y1 * y2 * s12 + y2 * y2 * s22))
                    total += term
        return total.real

    def derivative(self):
        if any(self.gamma):
            return None  # x e^{γx²} is outside the family
        return GaussianExponentials(tuple(a * b for a, b in zip(self.alpha, self.beta)), self.gamma, self.beta)


def _match_exponentials(act) -> GaussianExponentials | None:
    expr = act.expr
    if act.form.breakpoints or expr.has(sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.Heaviside):
        return None
    terms = sp.Add.make_args(sp.powsimp(sp.expand(expr.rewrite(sp.exp)), combine="exp"))
    alpha, gamma, beta = [], [], []
    for term in terms:
        coef, rest = term.as_independent(X, as_Add=False)
        if rest == 1:
            exponent = sp.S.Zero
        elif isinstance(rest, sp.exp):
            exponent = rest.args[0]
        else:
            return None
        if not exponent.is_polynomial(X):
            return None
        poly = sp.Poly(sp.expand(exponent), X)
        if poly.degree() > 2:
            return None
        c2, c1, c0 = ([0] * (3 - len(poly.all_coeffs())) + poly.all_coeffs())
        if not sp.im(c2) == 0:
            return None
        alpha.append(complex(sp.N(coef * sp.exp(c0), 30)))
        gamma.append(float(c2))
        beta.append(complex(sp.N(c1, 30)))
    if any(g > 0 for g in gamma):
        return None  # E[φ²] would diverge for large q: leave the error to the numerical path
    merged: dict[tuple[float, complex], complex] = {}
    for a, g, b in zip(alpha, gamma, beta):  # equal exponents (e.g. from sin²) share one term
        key = (g, complex(round(b.real, 14), round(b.imag, 14)))
        merged[key] = merged.get(key, 0j) + a
    keys = [key for key, a in merged.items() if abs(a) > 0]
    return GaussianExponentials(tuple(merged[key] for key in keys), tuple(g for g, _ in keys), tuple(b for _, b in keys))


@dataclass(frozen=True)
class ErfAffine:
    """φ = shift + scale·erf(a x): Williams (1997), E[erf(au) erf(av)] = (2/π) arcsin(2a²k/√((1 + 2a²q1)(1 + 2a²q2)))."""

    shift: float
    scale: float
    a: float
    name = "Williams arcsin"
    uses_angle = False

    def value(self, q1, q2, k, geometry=None):
        a2 = self.a * self.a
        z = 2 * a2 * k / np.sqrt((1 + 2 * a2 * q1) * (1 + 2 * a2 * q2))
        return self.shift**2 + self.scale**2 * (2 / np.pi) * np.arcsin(np.clip(z, -1.0, 1.0))

    def derivative(self):
        # φ' = scale·(2a/√π) e^{−a²x²}
        return GaussianExponentials((complex(self.scale * 2 * self.a / math.sqrt(math.pi)),), (-self.a * self.a,), (0j,))


def _match_erf(act) -> ErfAffine | None:
    expr = sp.expand(act.expr)
    erfs = [e for e in expr.atoms(sp.erf)]
    if len(erfs) != 1 or act.form.breakpoints:
        return None
    arg = erfs[0].args[0]
    a = sp.simplify(arg / X)
    if a.has(X) or not a.is_real:
        return None
    scale = expr.coeff(erfs[0])
    shift = sp.simplify(expr - scale * erfs[0])
    if scale.has(X) or shift.has(X):
        return None
    return ErfAffine(float(shift), float(scale), float(a))


MATCHERS = (_match_polynomial, _match_rectified, _match_erf, _match_exponentials)


@lru_cache(maxsize=256)
def closed_form(act):
    """The closed-form family of φ's dual activation, or None (then numerical)."""
    for match in MATCHERS:
        family = match(act)
        if family is not None:
            return family
    return None
