"""Universality classes of criticality (Roberts, Yaida & Hanin, The Principles of Deep Learning
Theory, ch. 5), read off the exact Taylor data of φ at 0.

- scale-invariant: φ(x) = a₊x (x > 0), a₋x (x < 0). Critical at C_b = 0, C_W = 2/(a₊² + a₋²);
  every K is a fixed point.
- K* = 0: φ(0) = 0, σ₁ = φ'(0) ≠ 0, and near K = 0 the recursion at C_b = 0, C_W = 1/σ₁² is
  K^{l+1} = K^l + a₁ (K^l)² + …, with a₁ = σ₃/σ₁ + (3/4)(σ₂/σ₁)² (σ_k = φ^(k)(0)).
  a₁ < 0: K^l ≈ 1/(−a₁ l), a power-law approach to the critical point (tanh: a₁ = −2).
  a₁ > 0: K = 0 is only half-stable, so φ is not in the class (swish 3/4, GELU 6/π).
- neither: no criticality at K* = 0 (φ(0) ≠ 0, or φ'(0) = 0, or a₁ ≥ 0). Such activations may have
  critical points at K* ≠ 0; see signalprop.criticality.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symbolic import GatedUnit, GroupUnit

from .laws import layer_law


@dataclass(frozen=True)
class UniversalityClass:
    name: str  # "scale-invariant", "K*=0" or "neither"
    C_b: float | None
    C_W: float | None
    a1: sp.Expr | None
    reason: str

    def as_dict(self) -> dict:
        return {"class": self.name, "C_b": self.C_b, "C_W": self.C_W,
                "a1": None if self.a1 is None else float(self.a1),
                "a1_exact": None if self.a1 is None else sp.sstr(self.a1), "reason": self.reason}


def _scale_invariant_slopes(act) -> tuple[sp.Expr, sp.Expr] | None:
    form = act.form
    x = sp.Symbol("x", real=True)
    bps = list(form.breakpoints)
    if bps not in ([], [0]):
        return None
    slopes = []
    for piece in (form.pieces[0], form.pieces[-1]):
        piece = piece.subs({s: x for s in piece.free_symbols})
        if not piece.is_polynomial(x) or sp.degree(piece, x) > 1 or piece.subs(x, 0) != 0:
            return None
        slopes.append(sp.diff(piece, x))
    return slopes[0], slopes[1]


def universality_class(act) -> UniversalityClass:
    """The class of ``act`` with its critical (C_b, C_W) and, for K* = 0, the exact a₁ (element-wise φ; a gated unit
    is in none of these classes: its M(q) = M_φ M_ψ is not of the form the expansion above assumes)."""
    if isinstance(act, GatedUnit):
        return UniversalityClass("neither", None, None, None, "a gated unit phi(u) psi(v): M(q) = E[phi^2] E[psi^2] "
                                 "is not the single-activation form the classes assume")
    if isinstance(act, GroupUnit):
        law = layer_law(act)
        if law.m2 == 1.0:  # M(q) = q and G = 1: every q a fixed point at C_W = 1, as for ReLU
            return UniversalityClass("scale-invariant", 0.0, 1.0, None, f"{act.label}: E[g^2] = q and chi_1 = sigma_w2 "
                                     "(norm- and gradient-norm-preserving on pairs): C_W = 1")
        return UniversalityClass("neither", None, None, None, f"{act.label}: E[g^2] = {law.m2:.6g} q but chi_1 = sigma_w2: "
                                 "length and gradient preservation need different sigma_w2")
    slopes = _scale_invariant_slopes(act)
    if slopes is not None:
        neg, pos = slopes
        cw = 2 / (neg**2 + pos**2)
        return UniversalityClass("scale-invariant", 0.0, float(cw), None,
                                 f"phi = a+ x (x > 0), a- x (x < 0) with a+ = {pos}, a- = {neg}: C_W = 2/(a+^2 + a-^2)")
    d = act.derive()
    taylor = d.taylor0.get("two-sided")
    if taylor is None:
        return UniversalityClass("neither", None, None, None, "phi is not smooth at 0 (a breakpoint there) and not scale-invariant")
    c0, c1, c2, c3 = taylor[:4]
    if c0 != 0:
        return UniversalityClass("neither", None, None, None, f"phi(0) = {c0} != 0")
    if c1 == 0:
        return UniversalityClass("neither", None, None, None, "phi'(0) = 0")
    s1, s2, s3 = c1, 2 * c2, 6 * c3
    a1 = sp.simplify(s3 / s1 + sp.Rational(3, 4) * (s2 / s1) ** 2)
    cw = float(1 / s1**2)
    if a1.is_negative or (a1.is_number and float(a1) < 0):
        return UniversalityClass("K*=0", 0.0, cw, a1, f"a1 = {a1} < 0: K^l ~ 1/(-a1 l) at C_b = 0, C_W = 1/phi'(0)^2")
    return UniversalityClass("neither", None, None, a1,
                             f"a1 = {a1} >= 0: K* = 0 is at best half-stable (not in the K* = 0 class)")


# ---------------------------------------------------------------- K* ≠ 0: χ_∥ = χ_⊥ = 1
def chi_parallel(act, K, C_W: float):
    """χ_∥(K) = dK^{l+1}/dK^l = (C_W/(2K)) ⟨φ(√K z)² (z² − 1)⟩ (RYH eq. 5.10 in z-units; Stein form)."""
    from .maps import length_map_slope

    return length_map_slope(act, K, C_W)


def chi_perp(act, K, C_W: float):
    """χ_⊥(K) = C_W ⟨φ'(√K z)²⟩ (= χ_1 of Poole et al.)."""
    from .maps import chi1

    return chi1(act, K, C_W)


@dataclass(frozen=True)
class HalfStablePoint:
    """A critical point K* ≠ 0 (χ_∥ = χ_⊥ = 1) with its (C_b, C_W). At it δK^{l+1} = δK^l +
    ½ V''(K*) (δK^l)² + …, so it attracts from one side only: from below when V'' > 0 (the
    perturbation shrinks as 1/l), from above when V'' < 0 (RYH §5.3.4, "half-stable")."""

    K_star: float
    C_b: float
    C_W: float
    curvature: float  # V''(K*) = C_W d²⟨φ²⟩_K/dK²

    @property
    def attracts_from(self) -> str:
        return "below" if self.curvature > 0 else "above"

    def as_dict(self) -> dict:
        return {"K_star": self.K_star, "C_b": self.C_b, "C_W": self.C_W, "curvature": self.curvature,
                "attracts_from": self.attracts_from}


def nonzero_critical_points(act, K_min: float = 1e-3, K_max: float = 1e3, n_grid: int = 121) -> list[HalfStablePoint]:
    """All K* in [K_min, K_max] with χ_∥(K*) = χ_⊥(K*) = 1 and C_b ≥ 0: with C_W = 1/⟨φ'²⟩_K
    (χ_⊥ = 1), the roots of χ_∥(K) − 1 on a log grid polished by Brent's method to 1e-14;
    C_b = K* − C_W ⟨φ²⟩_{K*}. V''(K*) = C_W ⟨φ² He_4(z)⟩/(4K²) (second-order Stein identity).
    Scale-invariant φ (χ_∥ ≡ χ_⊥ at C_b = 0) and K* = 0 class members give an empty list here; see
    ``universality_class`` for their critical points."""
    import numpy as np
    from scipy.optimize import brentq

    from .gaussian import gaussian_moment, growth_rates, integrate_gaussian

    def gap(K):
        return float(chi_parallel(act, K, 1.0 / float(gaussian_moment(act, K, k=1)))) - 1.0

    Ks = np.geomspace(K_min, K_max, n_grid)
    g = np.array([gap(K) for K in Ks])
    f = act.numpy(0)
    rn, rp = growth_rates(act, 2)
    out = []
    real = (np.abs(g[:-1]) > 1e-10) | (np.abs(g[1:]) > 1e-10)  # not rounding noise (scale-invariant φ: χ_∥ ≡ 1)
    for i in np.nonzero((np.sign(g[:-1]) * np.sign(g[1:]) < 0) & real)[0]:
        K = brentq(gap, Ks[i], Ks[i + 1], xtol=1e-300, rtol=1e-14)
        cw = 1.0 / float(gaussian_moment(act, K, k=1))
        cb = K - cw * float(gaussian_moment(act, K))
        if cb < -1e-12 * K:
            continue
        he4 = integrate_gaussian(lambda x: f(x) ** 2, K, 0.0, act.breakpoints, rn, rp, z_poly=lambda z: z**4 - 6 * z**2 + 3)
        out.append(HalfStablePoint(K, max(cb, 0.0), cw, cw * he4 / (4 * K * K)))
    return out
