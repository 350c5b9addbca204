"""Quenched tanh/swish mixtures: the exact critical fraction p_c = 32/35 (C_W = 35/11) and the
depth behaviour of the averaged length map on each side of it."""

import pytest
import sympy as sp

from signalprop import critical_fraction, mixture, mixture_chi1, mixture_length_map
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
        k = float(mixture_length_map(mix, k, cw, 0.0))
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
    from signalprop import chi1

    assert mixture_chi1(mix, 0.7, 2.0) == pytest.approx(0.25 * chi1(SWISH, 0.7, 2.0) + 0.75 * chi1(TANH, 0.7, 2.0), rel=1e-14)
    with pytest.raises(ValueError, match="probabilities"):
        mixture([SWISH, TANH], [0.5, 0.6])
    with pytest.raises(ValueError, match="no critical fraction"):
        critical_fraction(SWISH, get_activation("gelu"))
    with pytest.raises(ValueError, match="phi\\(0\\) = 0"):
        critical_fraction(SWISH, get_activation("sigmoid"))
