"""The fast 2-D product rule against the adaptive engine, and the (ln q, θ) tables of the dual
activation against direct evaluation and the ReLU closed form; phase diagrams next to the edge of
chaos against ξ_c ≈ 1/(χ_1 − 1) and the point-by-point route."""

import numpy as np
import pytest

from signalprop import bivariate_moment, critical_sigma_w2, phase_diagram, propagation
from signalprop import bivariate as bv
from signalprop.dual_table import _mean_slope, dual_table
from symbolic import get_activation


def _adaptive_only(monkeypatch):
    monkeypatch.setattr(bv, "fixed_rule", lambda f, g, s1, *rest: (np.full(len(s1), np.nan), np.zeros(len(s1), bool)))


@pytest.mark.parametrize("name", ["tanh", "gelu", "elu", "relu6", "swish", "hard_tanh", "softplus"])
def test_fast_rule_matches_adaptive_engine(name, monkeypatch):
    """Two independent quadratures of the same integral (fixed graded panels with a 24/16-point
    check; adaptive GL24/GL12 panel halving): agreement to 1e-12 relative, or 1e-14 of the bound.
    Equal variances (q2 = q1) take the fast rule's even-in-y path (only y ≥ 0 integrated)."""
    act = get_activation(name)
    rng = np.random.default_rng(3)
    q1, q2 = np.exp(rng.uniform(np.log(1e-3), np.log(200.0), (2, 12)))
    c = rng.uniform(-1, 1, 12)
    c[:3] = [0.999, -0.9999, 0.3]
    for k, q2 in (((0, 0), q2), ((1, 1), q2), ((0, 0), q1), ((1, 1), q1)):
        fast = bivariate_moment(act, q1, q2, c, k=k)
        _adaptive_only(monkeypatch)
        slow = bivariate_moment(act, q1, q2, c, k=k)
        monkeypatch.undo()
        scale = np.sqrt(bivariate_moment(act, q1, q1, 1.0, k=(k[0], k[0])) * bivariate_moment(act, q2, q2, 1.0, k=(k[1], k[1])))
        assert np.all(np.abs(fast - slow) <= 1e-12 * np.abs(slow) + 1e-14 * scale), (name, k)


@pytest.mark.parametrize("n", [16, 24])
def test_half_range_gauss_rule_is_exact_on_polynomials(n):
    """∫_0^∞ y^k e^{−y²/2} dy = 2^{(k−1)/2} Γ((k+1)/2) for k < 2n (the defining property of an
    n-point Gauss rule), and a smooth non-polynomial: ∫_0^∞ cos(y) e^{−y²/2} dy = √(π/2) e^{−1/2}."""
    import math

    from signalprop.bivariate_rule import half_range_gauss

    y, w = half_range_gauss(n)
    assert np.all(y > 0) and np.all(w > 0)
    for k in range(2 * n):
        exact = 2 ** ((k - 1) / 2) * math.gamma((k + 1) / 2)
        assert w @ y**k == pytest.approx(exact, rel=5e-15), k
    assert w @ np.cos(y) == pytest.approx(math.sqrt(math.pi / 2) * math.exp(-0.5), rel=1e-13 if n == 24 else 1e-9)


def test_relu_mean_slope_closed_form():
    """ReLU: E[φ'(u1)φ'(u2)] = (π − θ)/(2π) for every q, so the mean slope on [c, 1] is
    ∫_0^θ (π − φ) sin φ dφ/(2π(1 − cos θ)) = (π − (π − θ) cos θ − sin θ)/(2π (1 − cos θ))."""
    dom = (0.0, 1.2)
    nth = 16
    theta = dom[1] * (np.cos(np.pi * np.arange(nth + 1) / nth) + 1) / 2
    series = np.polynomial.chebyshev.chebfit(2 * theta / dom[1] - 1, (np.pi - theta) / (2 * np.pi), nth)
    got = _mean_slope(series[None, :], dom)[0]
    th = theta[theta > 0]
    want = (np.pi - (np.pi - th) * np.cos(th) - np.sin(th)) / (2 * np.pi * (1 - np.cos(th)))
    np.testing.assert_allclose(got[theta > 0], want, rtol=1e-13)
    assert got[theta == 0][0] == pytest.approx(0.5, rel=1e-14)


def test_table_interpolates_the_engine():
    elu = get_activation("elu")
    table = dual_table(elu, (-0.5, 0.5), (0.0, 0.3))
    rng = np.random.default_rng(5)
    t, th = rng.uniform(-0.5, 0.5, 6), rng.uniform(0.0, 0.3, 6)
    q = np.exp(t)
    rows = table._rows(t, table.main)
    np.testing.assert_allclose(table._at(rows, th), bivariate_moment(elu, q, q, np.cos(th), k=(1, 1)), rtol=1e-11)


@pytest.mark.parametrize("name,order", [("tanh", 1.0), ("elu", 0.5)])
def test_xi_c_next_to_the_edge_of_chaos(name, order):
    """On the chaotic side, C(c) = 1 − χ_1(1 − c) + C''(1)(1 − c)²/2 + … gives 1 − c* ≈ 2(χ_1 − 1)/C''
    and ξ_c = −1/ln χ_c(c*) = (1 + O(ε^order))/ε with ε = χ_1 − 1: order 1 for smooth φ (tanh), 1/2
    for ELU, whose φ'' jumps at 0 so that C has a (1 − c)^{5/2} term. On a σ_w² line just past the
    edge of chaos (ε from 1e-6 to 1e-3; 30 points, so the grid uses its (ln q, θ) table) the grid's
    ξ_c·ε must approach 1 at that rate — a Mehler series truncated at 64 terms is off by up to 90 %
    there (ELU, c* = 0.995). The point-by-point route (Brent, then Newton on the mean slope) must
    agree."""
    act = get_activation(name)
    b2 = 0.2
    w = critical_sigma_w2(act, b2)[0] * (1 + np.geomspace(2e-6, 2e-3, 30))
    d = phase_diagram(act, w, np.array([b2]))
    eps = d.chi1[0] - 1
    assert np.all(d.phase[0] == 1) and np.all(eps > 0)
    gap = np.abs(d.xi_c[0] * eps - 1)
    assert np.all(gap <= 4 * eps**order), gap / eps**order
    assert np.all(gap >= 0.5 * eps**order), gap / eps**order  # the correction is really of that order
    for j in (0, 15):  # both solve S(c*) = 1: c* to ~1e-14/S' (S' ≈ C''/2), ξ_c to ξ_c·C''·δc*
        p = propagation(act, w[j], b2)
        assert d.c_star[0, j] == pytest.approx(p.c_star, abs=1e-13)
        assert d.xi_c[0, j] == pytest.approx(p.xi_c, rel=1e-13 * d.xi_c[0, j] + 1e-9)
