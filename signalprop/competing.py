"""The critical fraction of a quenched mixture of two activations ("Competing nonlinearities,
criticality, and order-to-chaos transition in deep networks", Lesser & Chowdhury, arXiv:2605.05294).
Mixtures themselves (``mixture``, ``Mixture``) live in ``mixing``: every map of ``signalprop``
accepts one, e.g. V(q) = σ_w² Σ_i p_i E[φ_i(√q z)²] + σ_b² is ``length_map(mix, q, …)``.

Critical fraction (Roberts–Yaida–Hanin K* = 0 analysis applied to the averaged map): with
σ_k = φ^(k)(0) and φ(0) = 0, ⟨φ²⟩_K = σ_1² K + (σ_1 σ_3 + ¾ σ_2²) K² + O(K³), so the mixture's
recursion at C_b = 0, C_W = 1/Σ p_i σ_{1,i}² is K' = K + a_1(p) K² + …, with
a_1(p) = Σ p_i (σ_1σ_3 + ¾σ_2²)_i / Σ p_i σ_{1,i}². p_c is the fraction where a_1 = 0: the pre-activation
variance stops collapsing (a_1 < 0, K ~ 1/(|a_1| l)) and starts inflating (a_1 > 0). For tanh/swish
(p = swish fraction) p_c = 32/35, C_W = 35/11, exactly. Convention: variances, standard
parameterization; p counts the first activation given to ``critical_fraction``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class CriticalFraction:
    """p_c (probability of ``first``), the critical C_W there (C_b = 0), and each component's
    (σ_1², σ_1σ_3 + ¾σ_2²) — the K and K² coefficients of ⟨φ²⟩_K."""

    p_c: sp.Expr
    C_W: sp.Expr
    coefficients: tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]
    convention: str

    def as_dict(self) -> dict:
        return {"p_c": float(self.p_c), "p_c_exact": sp.sstr(self.p_c), "C_W": float(self.C_W),
                "C_W_exact": sp.sstr(self.C_W), "C_b": 0.0, "convention": self.convention}


def _small_k_coefficients(act) -> tuple[sp.Expr, sp.Expr]:
    taylor = act.derive().taylor0.get("two-sided")
    if taylor is None or taylor[0] != 0 or taylor[1] == 0:
        raise ValueError(f"{act.label}: the K* = 0 analysis needs phi smooth at 0 with phi(0) = 0 and phi'(0) != 0")
    s1, s2, s3 = taylor[1], 2 * taylor[2], 6 * taylor[3]
    return sp.nsimplify(s1**2), sp.simplify(s1 * s3 + sp.Rational(3, 4) * s2**2)


def critical_fraction(first, second) -> CriticalFraction:
    """The fraction p_c of ``first`` (rest: ``second``) at which the mixture's a_1 vanishes (exact)."""
    (g1a, g2a), (g1b, g2b) = _small_k_coefficients(first), _small_k_coefficients(second)
    if sp.sign(g2a) == sp.sign(g2b):
        raise ValueError(
            f"no critical fraction: {first.label} and {second.label} both {'inflate' if g2a > 0 else 'collapse'} the variance "
            f"(K^2 coefficients {g2a} and {g2b} have the same sign); one must have a1 > 0 and the other a1 < 0")
    p = sp.simplify(g2b / (g2b - g2a))
    cw = sp.simplify(1 / (p * g1a + (1 - p) * g1b))
    return CriticalFraction(p, cw, ((g1a, g2a), (g1b, g2b)),
                            f"p = probability that a neuron uses {first.label}; C_b = 0, C_W = sigma_w2 (variances)")
