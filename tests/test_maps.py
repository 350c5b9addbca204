"""Length map, Stein slope, chi_1, fixed points and the edge of chaos, each crossed with an
independent route (finite differences, the phi*phi'' form, 30-digit mpmath) or a published value."""

import math

import numpy as np
import pytest

from signalprop import (
    chi1, critical_sigma_w2, edge_of_chaos, fixed_points, gaussian_moment_mp, integrate_gaussian, length_map,
    length_map_slope, propagation,
)
from symbolic import get_activation


@pytest.mark.parametrize("name", ["tanh", "swish", "gelu", "elu", "relu", "hard_tanh", "selu", "sin"])
@pytest.mark.parametrize("q", [0.05, 0.8, 6.0])
def test_stein_slope_equals_derivative_of_length_map(name, q):
    """V'(q) from the Stein form against a Richardson central difference of V (error ~1e-10)."""
    act = get_activation(name)
    h = 1e-3 * q
    v = lambda t: length_map(act, t, 1.7, 0.1)  # noqa: E731
    fd = lambda s: (v(q + s) - v(q - s)) / (2 * s)  # noqa: E731
    richardson = (4 * fd(h / 2) - fd(h)) / 3
    assert length_map_slope(act, q, 1.7) == pytest.approx(richardson, rel=1e-8, abs=1e-12)


def test_stein_slope_equals_phi_phi2_form_for_smooth_phi():
    """V'(q) = sigma_w2 E[phi'^2 + phi phi''] for C^2 activations (a third route)."""
    for name in ["tanh", "swish", "gelu"]:
        act = get_activation(name)
        f0, f1, f2 = act.numpy(0), act.numpy(1), act.numpy(2)
        direct = integrate_gaussian(lambda x: f1(x) ** 2 + f0(x) * f2(x), 0.9)
        assert length_map_slope(act, 0.9, 1.0) == pytest.approx(direct, rel=1e-12)


def test_relu_closed_forms():
    relu = get_activation("relu")
    assert length_map(relu, 3.0, 2.0, 0.1) == pytest.approx(3.1, rel=1e-14)
    assert length_map_slope(relu, 3.0, 2.0) == pytest.approx(1.0, rel=1e-12)
    assert chi1(relu, 3.0, 2.0) == pytest.approx(1.0, rel=1e-14)


def test_relu_edge_of_chaos_is_a_single_point():
    eoc = edge_of_chaos(get_activation("relu"), np.geomspace(1e-3, 1e3, 7))
    np.testing.assert_allclose(eoc.sigma_w2, 2.0, rtol=1e-13)
    np.testing.assert_allclose(eoc.sigma_b2, 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="does not reach sigma_b2 = 0.05"):
        critical_sigma_w2(get_activation("relu"), 0.05)


@pytest.mark.parametrize("slope", ["0.01", "0.2", "0.5"])
def test_leaky_relu_edge_of_chaos(slope):
    a = float(slope)
    eoc = edge_of_chaos(get_activation("leaky_relu", slope=slope), [0.5, 5.0])
    np.testing.assert_allclose(eoc.sigma_w2, 2 / (1 + a * a), rtol=1e-13)


def test_erf_at_zero_bias_has_sigma_w2_pi_over_4():
    eoc = edge_of_chaos(get_activation("erf"), [1e-10])
    assert eoc.sigma_w2[0] == pytest.approx(math.pi / 4, rel=1e-9)


def test_tanh_critical_point_schoenholz_fig1():
    """Schoenholz et al. 2017, Fig. 1: tanh at sigma_b^2 = 0.05 is critical at sigma_w^2 ~ 1.76."""
    tanh = get_activation("tanh")
    w2, q = critical_sigma_w2(tanh, 0.05)
    assert w2 == pytest.approx(1.76, abs=0.005)
    # the defining equations, checked with the 30-digit reference
    assert w2 * float(gaussian_moment_mp(tanh, q, k=1)) == pytest.approx(1.0, rel=1e-11)
    assert w2 * float(gaussian_moment_mp(tanh, q, k=0)) + 0.05 == pytest.approx(q, rel=1e-11)


def test_swish_critical_point_hayou():
    """Hayou et al. 2019: swish at sigma_b = 0.2 (sigma_b^2 = 0.04) is critical at sigma_w ~ 1.68."""
    w2, _ = critical_sigma_w2(get_activation("swish"), 0.04)
    assert math.sqrt(w2) == pytest.approx(1.68, abs=0.005)


def test_edge_of_chaos_slope_and_stability():
    """Along the EOC V'(q*) = 1 + sigma_w2 E[phi phi''](q*) (scipy quad): tanh and ELU attract everywhere; swish
    repels below its half-stable point, the root of E[phi phi''] = 0 (Roberts, Yaida & Hanin 2022, Sec. 5.3.4)."""
    from scipy.integrate import quad
    from scipy.optimize import brentq
    from scipy.special import expit

    def swish_phi_phi2(q):  # E[phi(sqrt(q) z) phi''(sqrt(q) z)], phi = x sigmoid(x), phi'' = s(1-s)(2 + x(1-2s))
        def f(z):
            x = math.sqrt(q) * z
            s = expit(x)
            return x * s * s * (1 - s) * (2 + x * (1 - 2 * s)) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        return quad(f, -40, 40, epsabs=1e-14, epsrel=1e-13, limit=400)[0]

    qs = np.array([0.05, 1.0, 5.0, 30.0, 100.0])
    swish = edge_of_chaos(get_activation("swish"), qs)
    reference = 1 + swish.sigma_w2 * np.array([swish_phi_phi2(q) for q in qs])
    np.testing.assert_allclose(swish.slope, reference, rtol=1e-10)
    assert swish.stable.tolist() == [False, False, False, True, True]
    k_star = brentq(swish_phi_phi2, 5, 30, xtol=1e-13)
    assert k_star == pytest.approx(14.3202, abs=1e-4)
    near = edge_of_chaos(get_activation("swish"), [k_star * (1 - 1e-6), k_star * (1 + 1e-6)])
    assert near.stable.tolist() == [False, True]
    for name in ("tanh", "elu"):
        curve = edge_of_chaos(get_activation(name), np.geomspace(1e-3, 1e3, 25))
        assert curve.stable.all() and (curve.slope > 0).all(), name
    relu = edge_of_chaos(get_activation("relu"), [0.5, 2.0])
    np.testing.assert_allclose(relu.slope, 1.0, rtol=1e-12)  # V(q) = q: marginal, not attracting


def test_fixed_points_tanh():
    tanh = get_activation("tanh")
    (fp,) = fixed_points(tanh, 1.5, 0.05).points
    assert 1.5 * float(gaussian_moment_mp(tanh, fp.q_star)) + 0.05 == pytest.approx(fp.q_star, rel=1e-12)
    assert fp.stable and 0 < fp.slope < 1 and fp.xi_q == pytest.approx(-1 / math.log(fp.slope))
    zero = fixed_points(tanh, 0.8, 0.0).points
    assert zero[0].q_star == 0.0 and zero[0].slope == pytest.approx(0.8)
    # sigma_w2 > 1 without bias: q* = 0 is unstable and a positive stable fixed point appears
    fps = fixed_points(tanh, 1.5, 0.0).points
    assert [f.stable for f in fps] == [False, True]


def test_relu_fixed_points():
    crit = fixed_points(get_activation("relu"), 2.0, 0.0)  # V(q) = q: every q is a fixed point
    assert crit.continuum and crit.points[0].q_star == 0.0 and crit.points[0].slope == pytest.approx(1.0)
    ordered = fixed_points(get_activation("relu"), 1.5, 0.0)
    assert not ordered.continuum and [(p.q_star, p.stable) for p in ordered.points] == [(0.0, True)]
    biased = fixed_points(get_activation("relu"), 1.5, 0.1)  # q* = sigma_b2/(1 - sigma_w2/2) = 0.4
    assert [p.q_star for p in biased.points] == [pytest.approx(0.4, rel=1e-13)]
    chaotic = fixed_points(get_activation("relu"), 2.5, 0.1)  # V(q) > q for all q: q diverges
    assert chaotic.points == [] and chaotic.diverges and not biased.diverges


def _crelu_moments(tau: float, m: float, q: float) -> tuple[float, float]:
    """Closed forms for phi = min(max(x - tau, 0), m), x ~ N(0, q) (m = inf: ReLU_tau): (E[phi^2], E[phi'^2])."""
    from scipy.stats import norm

    s = math.sqrt(q)
    a, b = tau / s, (tau + m) / s
    mass = norm.cdf(b) - norm.cdf(a)
    pa, pb = norm.pdf(a), (norm.pdf(b) if math.isfinite(b) else 0.0)
    z2 = mass + a * pa - (b * pb if math.isfinite(b) else 0.0)
    e_phi2 = s * s * z2 - 2 * s * tau * (pa - pb) + tau * tau * mass + (m * m * norm.sf(b) if math.isfinite(m) else 0.0)
    return e_phi2, mass


def _crelu_eoc(tau: float, m: float, q_star: float) -> tuple[float, float]:
    e_phi2, e_dphi2 = _crelu_moments(tau, m, q_star)
    return 1 / e_dphi2, q_star - e_phi2 / e_dphi2


@pytest.mark.parametrize("name", ["shifted_relu", "soft_threshold"])
@pytest.mark.parametrize("q_star", [0.5, 1.0, 4.0])
def test_tangent_fixed_point_at_the_sparse_edge_of_chaos(name, q_star):
    """Price et al. 2024: ReLU_tau and the soft threshold at the edge of chaos have V(q*) = q*, V'(q*) = 1 and
    V(q) > q on both sides (a double root, no sign change) -- the grid search used to return no fixed point."""
    from signalprop import attracting_fixed_point

    act = get_activation(name, tau=1)
    w2, b2 = _crelu_eoc(1.0, math.inf, q_star)  # ReLU_tau closed form
    if name == "soft_threshold":  # ST_tau = ReLU_tau(x) - ReLU_tau(-x): both moments double
        w2, b2 = w2 / 2, b2
    fps = fixed_points(act, w2, b2)
    (fp,) = fps.points
    assert fp.q_star == pytest.approx(q_star, rel=1e-9) and fp.tangent and not fp.stable and fp.xi_q == math.inf
    assert fp.slope == pytest.approx(1.0, abs=1e-12) and fps.diverges and not fps.continuum
    assert attracting_fixed_point(act, fps, 0.5 * q_star, w2, b2) == fp.q_star  # attracting from below ...
    assert attracting_fixed_point(act, fps, 1.5 * q_star, w2, b2) is None  # ... repelling above
    (reported,) = propagation(act, w2, b2, q0=0.5 * q_star).as_dict()["fixed_points"]
    assert reported["tangent"] and not reported["stable"] and reported["q_star"] == pytest.approx(q_star, rel=1e-9)


def test_near_tangent_pair_inside_one_grid_cell():
    """Clipped ReLU CReLU_{tau,m} (Price et al. 2024) at the EoC with q* = 1, tau = Phi^-1(0.85): for m = 4 the
    stable q* = 1 (V' = 0.99997) and its unstable partner 1.00008 lie in one grid cell, which the sign-change
    search missed; all roots are checked against the closed-form map solved independently with brentq."""
    from scipy.optimize import brentq
    from scipy.stats import norm

    tau = float(norm.ppf(0.85))
    for m, brackets in ((4.0, [(0.99, 1.00004), (1.00004, 1.1), (20.0, 30.0)]),
                        (2.0, [(0.9, 1.1), (1.1, 2.0), (2.0, 5.0)]),
                        (1.0, [(0.5, 2.0)])):
        act = get_activation("crelu_tau_m", tau=tau, m=m)
        w2, b2 = _crelu_eoc(tau, m, 1.0)

        def gap(q):
            return w2 * _crelu_moments(tau, m, q)[0] + b2 - q

        expected = [brentq(gap, lo, hi, xtol=1e-15, rtol=1e-14) for lo, hi in brackets]
        pts = fixed_points(act, w2, b2).points
        assert [p.q_star for p in pts] == pytest.approx(expected, rel=1e-9), m
        assert [p.stable for p in pts] == [True, False, True][:len(pts)] and not any(p.tangent for p in pts)
        # V'(q*) = 1 - sigma_w2 m phi_N(tau + m) at q* = 1 (only the clip at tau + m, where phi = m != 0, contributes)
        # (1e-9: for m = 4, g' = 3e-5 at the root, so the root itself is only good to ~1e-11)
        assert pts[0].slope == pytest.approx(1 - w2 * m * norm.pdf(tau + m), abs=1e-9)


def test_no_fixed_point_reported_for_a_near_miss():
    """V(q) - q with a positive minimum (a 'ghost' just above tangency) has no fixed point there."""
    act = get_activation("shifted_relu", tau=1)
    w2, b2 = _crelu_eoc(1.0, math.inf, 1.0)
    fps = fixed_points(act, w2, b2 + 1e-6)
    assert fps.points == [] and fps.diverges
    pair = fixed_points(act, w2, b2 - 1e-6).points  # just below: two simple roots close to q* = 1
    assert len(pair) == 2 and [p.stable for p in pair] == [True, False] and not any(p.tangent for p in pair)
    assert pair[0].q_star < 1.0 < pair[1].q_star and pair[1].q_star - pair[0].q_star < 0.05


def test_bad_variances():
    with pytest.raises(ValueError, match="sigma_w2 must be > 0"):
        length_map(get_activation("tanh"), 1.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="sigma_b2 must be >= 0"):
        fixed_points(get_activation("tanh"), 1.0, -0.1)


def test_critical_init():
    from signalprop import NoCriticalPointError, critical_init

    tanh = get_activation("tanh")
    c = critical_init(tanh, sigma_b2=0.05)
    assert c.sigma_w2 == pytest.approx(1.76, abs=0.005) and c.chi1 == pytest.approx(1.0, rel=1e-12)
    assert c.as_dict()["xi_c"] is None and c.xi_q == pytest.approx(-1 / math.log(length_map_slope(tanh, c.q_star, c.sigma_w2)))
    zero = critical_init(tanh)  # sigma_b2 = 0: q* = 0 with sigma_w2 = 1/phi'(0)^2
    assert (zero.sigma_w2, zero.q_star) == (1.0, 0.0)
    erf = critical_init(get_activation("erf"))
    assert erf.sigma_w2 == pytest.approx(math.pi / 4, rel=1e-14)
    at_q = critical_init(tanh, q_star=1.0)
    assert at_q.sigma_w2 * float(gaussian_moment_mp(tanh, 1.0, k=1)) == pytest.approx(1.0, rel=1e-11)
    relu = critical_init(get_activation("relu"))
    assert (relu.sigma_w2, relu.sigma_b2) == (2.0, 0.0) and "ReLU-like" in relu.note
    lrelu = critical_init(get_activation("leaky_relu", slope="0.2"))
    assert lrelu.sigma_w2 == pytest.approx(2 / 1.04, rel=1e-14)
    with pytest.raises(NoCriticalPointError, match="single point sigma_b2 = 0"):
        critical_init(get_activation("relu"), sigma_b2=0.1)
    with pytest.raises(ValueError, match="sigma_b2 or q_star"):
        critical_init(tanh, sigma_b2=0.1, q_star=1.0)


def test_iterate_length_map():
    from signalprop import iterate_length_map

    relu = get_activation("relu")
    qs = iterate_length_map(relu, 1.0, 1.5, 0.1, 30)  # q^l = 0.75 q^{l-1} + 0.1 -> 0.4
    expected = [1.0]
    for _ in range(30):
        expected.append(0.75 * expected[-1] + 0.1)
    np.testing.assert_allclose(qs, expected, rtol=1e-13)
    tanh = get_activation("tanh")
    (fp,) = fixed_points(tanh, 1.5, 0.05).points
    assert iterate_length_map(tanh, 3.0, 1.5, 0.05, 60)[-1] == pytest.approx(fp.q_star, rel=1e-12)  # stable q*
    np.testing.assert_array_equal(iterate_length_map(tanh, 0.0, 1.5, 0.0, 3), [0.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="depth must be >= 0"):
        iterate_length_map(tanh, 1.0, 1.5, 0.0, -1)
