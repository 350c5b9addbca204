"""Depth scales with a negative slope, stability by |V'(q*)|, the bound V'(q*) ≥ −1/2, the exact σ_b² = 0
critical point (no root in rounding noise), and clear answers for discontinuous and shifted activations.

References are independent of the engine: closed-form length maps iterated in plain numpy, scipy's
normal distribution for the shifted ReLU."""

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import norm

from signalprop import (NoCriticalPointError, critical_init, critical_sigma_w2, edge_of_chaos, fixed_points, length_map_slope,
                        propagation)
from signalprop.maps import depth_scale
from symbolic import get_activation

# closed-form length maps: E[cos(√q z)²] = (1 + e^{−2q})/2, E[exp(−q z²)] = 1/√(1 + 2q)
CLOSED = {
    "cos": lambda q, w2, b2: w2 * (1 + np.exp(-2 * q)) / 2 + b2,
    "gaussian": lambda q, w2, b2: w2 / np.sqrt(1 + 2 * q) + b2,
}


@pytest.mark.parametrize("name, w2, b2", [("cos", 2.0, 0.1), ("gaussian", 3.0, 0.0), ("cos", 4.0, 0.5)])
def test_negative_slope_depth_scale_against_an_independent_iteration(name, w2, b2):
    """q^l − q* alternates in sign and shrinks by |V'(q*)| per layer; ξ_q = −1/ln|V'(q*)|, finite."""
    V = CLOSED[name]
    q_star = brentq(lambda q: V(q, w2, b2) - q, 1e-9, 100.0, xtol=1e-15, rtol=1e-15)
    dev = [1.0 - q_star]
    while abs(dev[-1]) > 1e-9:  # until rounding (~1e-16/|dev|) would spoil the ratio's digits
        dev.append(V(q_star + dev[-1], w2, b2) - q_star)
    dev = np.array(dev)
    ratios = dev[1:] / dev[:-1]
    assert len(ratios) >= 3 and np.all(ratios < 0), "the deviations alternate in sign"
    h = 1e-6  # the slope by a central difference of the closed form (error ~h² ~ 1e-12)
    slope = (V(q_star + h, w2, b2) - V(q_star - h, w2, b2)) / (2 * h)
    assert ratios[-1] == pytest.approx(slope, rel=1e-5)  # nonlinear terms ~|q^l − q*| < 1e-8 / |slope|, rounding < 1e-7
    p = propagation(get_activation(name), w2, b2)
    assert p.q_star == pytest.approx(q_star, rel=1e-12)
    (point,) = p.fixed_points.points
    assert point.slope == pytest.approx(slope, rel=1e-8) and point.slope < 0 and point.alternating and point.stable
    assert p.xi_q == pytest.approx(-1 / math.log(abs(slope)), rel=1e-8)
    assert p.as_dict()["xi_q"] is not None


def test_stability_is_by_absolute_slope():
    from signalprop import FixedPoint

    assert FixedPoint(1.0, -0.5).stable and FixedPoint(1.0, 0.5).stable
    assert not FixedPoint(1.0, -1.5).stable and not FixedPoint(1.0, 1.5).stable
    assert FixedPoint(1.0, -0.5).xi_q == pytest.approx(1 / math.log(2))
    assert math.isinf(FixedPoint(1.0, -1.5).xi_q) and math.isinf(FixedPoint(1.0, 1.0, tangent=True).xi_q)
    assert depth_scale(0.0) == 0.0 and math.isinf(depth_scale(1.0)) and math.isnan(depth_scale(math.nan))
    np.testing.assert_allclose(depth_scale(np.array([0.5, -0.5, 2.0])), [1 / math.log(2), 1 / math.log(2), math.inf])


@pytest.mark.parametrize("name", ["cos", "gaussian", "tanh", "sin", "elu", "swish", "sigmoid", "gelu", "softplus", "selu"])
@pytest.mark.parametrize("w2, b2", [(0.5, 0.0), (2.0, 0.05), (8.0, 1.0), (30.0, 0.0)])
def test_no_length_map_fixed_point_has_slope_below_minus_one_half(name, w2, b2):
    """d ln E[φ(√q z)²]/d ln q ≥ −1/2, so V'(q*) ≥ −1/2 at every fixed point with σ_b² ≥ 0 (no period doubling)."""
    for point in fixed_points(get_activation(name), w2, b2).points:
        assert point.slope >= -0.5 - 1e-12, (name, w2, b2, point)


@pytest.mark.parametrize("name, w2", [("tanh", 1.0), ("sin", 1.0), ("erf", math.pi / 4), ("swish", 4.0), ("gelu", 4.0),
                                      ("elu", 1.0)])
def test_zero_bias_critical_point_is_exact(name, w2):
    """φ(0) = 0: the edge of chaos ends at q* = 0 with σ_w² = 2/(φ'(0−)² + φ'(0+)²), returned exactly
    (erf: φ'(0) = 2/√π, σ_w² = π/4)."""
    got_w2, q = critical_sigma_w2(get_activation(name), 0.0)
    assert q == 0.0
    assert got_w2 == pytest.approx(w2, rel=1e-15)


def test_no_root_in_rounding_noise():
    """tanh's σ_b²(q*) = O(q*³) near 0 is below rounding at q* = 1e-8: a target below what the grid can
    resolve has no root there, and a resolvable one is solved to its true q*."""
    tanh = get_activation("tanh")
    with pytest.raises(NoCriticalPointError, match="does not reach"):
        critical_sigma_w2(tanh, 1e-30)
    w2, q = critical_sigma_w2(tanh, 1e-6)
    # the curve by scipy quad: σ_w²(q) = 1/E[sech⁴(√q z)], σ_b²(q) = q − σ_w² E[tanh²(√q z)] ≈ (4/3) q³
    from theory.claims.reference import gauss_quad

    def curve(q):
        w = 1 / gauss_quad(lambda z: np.cosh(np.sqrt(q) * z) ** -4.0)
        return w, q - w * gauss_quad(lambda z: np.tanh(np.sqrt(q) * z) ** 2)

    q_ref = brentq(lambda t: curve(t)[1] - 1e-6, 1e-3, 0.1, xtol=1e-16, rtol=1e-14)
    assert q_ref == pytest.approx((0.75e-6) ** (1 / 3), rel=0.03)
    assert q == pytest.approx(q_ref, rel=1e-6)  # σ_b² is ~q³ and cancels q to ~1e-4 relative: 1e-6 in q*
    assert w2 == pytest.approx(curve(q_ref)[0], rel=1e-9)


@pytest.mark.parametrize("name", ["step", "sign", "biper"])
def test_discontinuous_activations_have_no_edge_of_chaos(name):
    act = get_activation(name)
    for call in (lambda: critical_init(act, 0.05), lambda: critical_sigma_w2(act, 0.05), lambda: edge_of_chaos(act, [1.0])):
        with pytest.raises(NoCriticalPointError, match="discontinuous"):
            call()


def test_shifted_relu_critical_point_is_tangent():
    """ReLU(x − τ) on the edge of chaos: σ_w² = 1/Φ(−τ/√q*), σ_b² = q* − σ_w² E[(√q* z − τ)_+²] with
    E[(√q z − τ)_+²] = (q + τ²)Φ(−τ/√q) − τ√q φ(τ/√q) (closed form), and q* a tangent fixed point
    (V'(q*) = 1, Price et al. 2024)."""
    tau, b2 = 1.0, 0.05

    def curve_b2(q):
        s = math.sqrt(q)
        tail = norm.sf(tau / s)
        second = (q + tau**2) * tail - tau * s * norm.pdf(tau / s)
        return q - second / tail

    q_ref = brentq(lambda q: curve_b2(q) - b2, 1e-3, 10.0, xtol=1e-15, rtol=1e-14)
    w2_ref = 1 / norm.sf(tau / math.sqrt(q_ref))
    act = get_activation("shifted_relu")
    ci = critical_init(act, b2)
    assert ci.q_star == pytest.approx(q_ref, rel=1e-9)
    assert ci.sigma_w2 == pytest.approx(w2_ref, rel=1e-8)  # w2 ~ 1e5: its conditioning in q* costs digits
    assert math.isinf(ci.xi_q) and "tangent" in ci.note
    assert float(length_map_slope(act, ci.q_star, ci.sigma_w2)) == pytest.approx(1.0, abs=1e-9)


def test_edge_of_chaos_tangent_is_neither_stable_nor_repelling():
    """Along ReLU_τ's whole edge of chaos V'(q*) = 1 exactly (Price et al. 2024): every point is tangent,
    none 'stable'; swish has none tangent on this range (V'(q*) − 1 = σ_w² E[φφ''] ≠ 0)."""
    qs = np.geomspace(0.01, 100, 20)
    relu_tau = edge_of_chaos(get_activation("shifted_relu"), qs)
    assert relu_tau.tangent.all() and not relu_tau.stable.any()
    swish = edge_of_chaos(get_activation("swish"), qs)
    assert not swish.tangent.any()
    np.testing.assert_array_equal(swish.stable, np.abs(swish.slope) < 1)
