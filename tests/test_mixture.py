"""Quenched tanh/swish mixtures: the exact critical fraction p_c = 32/35 (C_W = 35/11), the depth
behaviour of the averaged length map on each side of it, and mixtures in every map (propagation,
correlation map, phase diagram) against their components."""

import math

import numpy as np
import pytest
import sympy as sp

from signalprop import (
    bivariate_moment,
    chi1,
    correlation_map,
    critical_fraction,
    length_map,
    mixture,
    phase_diagram,
    propagation,
)
from signalprop.phase import PHASES
from symbolic import get_activation

TANH, SWISH = get_activation("tanh"), get_activation("swish")


def test_tanh_swish_critical_fraction_is_exact():
    # hand derivation: <swish^2>_K = K/4 + 3K^2/16 + ..., <tanh^2>_K = K - 2K^2 + ...
    r = critical_fraction(SWISH, TANH)
    assert r.coefficients == ((sp.Rational(1, 4), sp.Rational(3, 16)), (1, -2))
    assert r.p_c == sp.Rational(32, 35) and r.C_W == sp.Rational(35, 11)
    assert critical_fraction(TANH, SWISH).p_c == sp.Rational(3, 35)  # the same point, p counting tanh


def _iterate(p, cw, k0, layers):
    mix = mixture([SWISH, TANH], [p, 1 - p])
    k = k0
    for _ in range(layers):
        k = float(length_map(mix, k, cw, 0.0))
    return k


def test_variance_flat_at_p_c_and_collapsing_below():
    """At p_c the K^2 term vanishes and the next one is +12/11 K^3: from K0 = 0.01 the variance moves
    by ~1e-3 relative in 50 layers (K^-2 ≈ K0^-2 − (24/11) l). Below p_c it collapses like 1/(|a1| l)."""
    pc, cw = 32 / 35, 35 / 11
    k = _iterate(pc, cw, 0.01, 50)
    assert k == pytest.approx((0.01**-2 - 24 / 11 * 50) ** -0.5, rel=2e-3)
    p = 0.5  # a1 = (32 − 35p)/(4(3p − 4)) = −1.45
    a1 = (32 - 35 * p) / (4 * (3 * p - 4))
    cw_p = 1 / (p / 4 + 1 - p)
    k = _iterate(p, cw_p, 0.01, 400)
    assert 1 / k == pytest.approx(1 / 0.01 - a1 * 400, rel=0.05)


def test_chi1_is_the_average_and_bad_input():
    mix = mixture([SWISH, TANH], [0.25, 0.75])
    assert chi1(mix, 0.7, 2.0) == pytest.approx(0.25 * chi1(SWISH, 0.7, 2.0) + 0.75 * chi1(TANH, 0.7, 2.0), rel=1e-14)
    with pytest.raises(ValueError, match="probabilities"):
        mixture([SWISH, TANH], [0.5, 0.6])
    with pytest.raises(ValueError, match="no critical fraction"):
        critical_fraction(SWISH, get_activation("gelu"))
    with pytest.raises(ValueError, match="phi\\(0\\) = 0"):
        critical_fraction(SWISH, get_activation("sigmoid"))


def test_mixture_propagation_from_its_components():
    """c* of a mixture solves Σ p_i C_i(c) = c with each component's own correlation map (computed
    here separately), q* solves Σ p_i V_i(q) = q; χ_c is the average of the components' slopes."""
    p, w2, b2 = 0.4, 2.5, 0.1
    mix = mixture([SWISH, TANH], [p, 1 - p])
    r = propagation(mix, w2, b2)
    q = r.q_star
    assert p * length_map(SWISH, q, w2, b2) + (1 - p) * length_map(TANH, q, w2, b2) == pytest.approx(q, rel=1e-13)
    assert r.phase == "chaotic" and 0 < r.c_star < 1
    c_map = p * correlation_map(SWISH, r.c_star, w2, b2, q) + (1 - p) * correlation_map(TANH, r.c_star, w2, b2, q)
    assert c_map == pytest.approx(r.c_star, abs=1e-13)
    slope = w2 * (p * bivariate_moment(SWISH, q, q, r.c_star, k=(1, 1)) + (1 - p) * bivariate_moment(TANH, q, q, r.c_star, k=(1, 1)))
    assert r.chi_c == pytest.approx(slope, rel=1e-12)


def test_mixture_phase_diagram():
    """The grid route agrees with the point-by-point one for a mixture, and where q^l → 0 (σ_b² = 0,
    a collapsing mixture) χ_1 is the q → 0 limit σ_w² Σ p_i φ_i'(0)² = σ_w² (½·¼ + ½·1)."""
    mix = mixture([SWISH, TANH], [0.5, 0.5])
    w = np.array([1.2, 1.6 * (1 - 1e-6), 2.0, 3.0])
    d = phase_diagram(mix, w, np.array([0.0, 0.15]))
    for j in (0, 1):
        assert d.q_star[0, j] == 0.0 and PHASES[d.phase[0, j]] == "ordered"
        assert d.chi1[0, j] == pytest.approx(w[j] * 0.625, rel=1e-14)
    for j in (2, 3):
        r = propagation(mix, w[j], 0.15)
        assert PHASES[d.phase[1, j]] == r.phase
        assert d.q_star[1, j] == pytest.approx(r.q_star, rel=1e-9)
        assert d.chi1[1, j] == pytest.approx(r.chi1, rel=1e-9)
        assert d.xi_c[1, j] == pytest.approx(r.xi_c, rel=1e-7)
    assert PHASES[d.phase[1, 3]] == "chaotic" and math.isfinite(d.xi_c[1, 3])
