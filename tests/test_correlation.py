"""Correlation map, χ_c, c*, ξ_c, joint (q, c) iteration and the per-point summary, against closed
forms (arc-cosine, Williams, arcsin for sign), Price's theorem by finite differences, and the ReLU
edge-of-chaos law 1 − c^l ~ 9π²/(2 l²) (Hayou et al. 2019)."""

import json
import math

import numpy as np
import pytest

from signalprop import (
    c_star,
    chi1,
    correlation_map,
    correlation_map_slope,
    gaussian_moment,
    iterate_maps,
    propagation,
)
from symbolic import get_activation
from theory.cli import main


def test_relu_correlation_map_closed_form():
    relu = get_activation("relu")
    c = np.array([-1.0, -0.5, 0.0, 0.3, 0.9, 1.0])
    th = np.arccos(c)
    # σ_w² = 2, σ_b² = 0, any q*: C(c) = (sin θ + (π − θ) cos θ)/π, χ_c = (π − θ)/π
    np.testing.assert_allclose(correlation_map(relu, c, 2.0, 0.0, 0.7), (np.sin(th) + (np.pi - th) * c) / np.pi,
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(correlation_map_slope(relu, c, 2.0, 0.7), (np.pi - th) / np.pi, rtol=1e-12, atol=1e-15)


def test_slope_is_derivative_of_map():
    """Price's theorem: C'(c) = σ_w² E[φ'(u1)φ'(u2)], checked by a central difference (h = 1e-4: error ~h²)."""
    for name in ("tanh", "swish", "elu", "hard_tanh"):
        act = get_activation(name)
        c, h, q = 0.3, 1e-4, 1.7
        fd = (correlation_map(act, c + h, 1.5, 0.1, q) - correlation_map(act, c - h, 1.5, 0.1, q)) / (2 * h)
        assert correlation_map_slope(act, c, 1.5, q) == pytest.approx(fd, rel=1e-7), name


def test_discontinuous_activation_uses_dirac_terms():
    """sign: C(c) = ((2/π) arcsin c + σ_b²)/q*, so χ_c = σ_w² (2/π)/(q* √(1 − c²)); χ_1 = ∞."""
    sign = get_activation("sign")
    w2, b2 = 1.0, 0.1
    q = w2 + b2
    for c in (-0.6, 0.0, 0.4, 0.95):
        assert correlation_map_slope(sign, c, w2, q) == pytest.approx(w2 * 2 / math.pi / (q * math.sqrt(1 - c * c)), rel=1e-11)
    assert correlation_map_slope(sign, 1.0, w2, q) == math.inf
    assert chi1(sign, q, w2) == math.inf
    cs = c_star(sign, w2, b2, q, math.inf)
    assert ((2 / math.pi) * math.asin(cs) + b2) / q == pytest.approx(cs, abs=1e-13)
    step = get_activation("step")  # E[step step] = (π − θ)/(2π): χ_c = σ_w²/(2π q √(1 − c²))
    assert correlation_map_slope(step, 0.5, 2.0, 1.3) == pytest.approx(2.0 / (2 * math.pi * 1.3 * math.sqrt(0.75)), rel=1e-11)


def test_chaotic_erf_has_c_star_zero_and_closed_form_chi_c():
    """erf, σ_b² = 0: c* = 0 and χ_c = σ_w² E[erf'(u)]² = σ_w² (4/π)/(1 + 2q*)."""
    p = propagation(get_activation("erf"), 3.0, 0.0)
    assert p.phase == "chaotic" and p.c_star == pytest.approx(0.0, abs=1e-14)
    assert p.chi_c == pytest.approx(3.0 * 4 / math.pi / (1 + 2 * p.q_star), rel=1e-12)
    assert p.xi_c == pytest.approx(-1 / math.log(p.chi_c), rel=1e-12)


def test_tanh_phases():
    tanh = get_activation("tanh")
    ordered = propagation(tanh, 1.5, 0.05)
    assert ordered.phase == "ordered" and ordered.c_star == 1.0
    assert ordered.xi_c == pytest.approx(-1 / math.log(ordered.chi1), rel=1e-12)
    chaotic = propagation(tanh, 4.0, 0.05)
    assert chaotic.phase == "chaotic" and 0 < chaotic.c_star < 1
    c = chaotic.c_star
    assert float(correlation_map(tanh, c, 4.0, 0.05, chaotic.q_star)) == pytest.approx(c, abs=1e-13)
    assert chaotic.chi_c < 1 < chaotic.chi1  # c* is stable although c = 1 is not
    assert chaotic.xi_grad == math.inf


def test_c_star_just_past_the_edge_of_chaos():
    """Chaotic side, χ_1 − 1 ~ 1e-5 … 2e-4 (tanh): C(c) ≈ 1 − χ_1 (1 − c) + C''(1)(1 − c)²/2 gives
    1 − c* = 2(χ_1 − 1)/C''(1) and ξ_c = 1/(χ_1 − 1) up to relative corrections O(χ_1 − 1), with
    C''(1) = σ_w² q* E[φ''(u)²] (a 1-D integral, independent of the 2-D engine). A root pinned at
    c = 1 by rounding (the old failure: c* = 1, ξ_c = ∞ in the chaotic phase) fails both."""
    tanh = get_activation("tanh")
    for w2, b2 in ((2.2, 0.1674), (2.2614, 0.1905), (2.3474, 0.2256)):
        p = propagation(tanh, w2, b2)
        eps = p.chi1 - 1
        assert p.phase == "chaotic" and 1e-6 < eps < 1e-3
        c2 = w2 * p.q_star * gaussian_moment(tanh, p.q_star, k=2)
        assert 1 - p.c_star == pytest.approx(2 * eps / c2, rel=10 * eps)
        assert p.xi_c == pytest.approx(1 / eps, rel=10 * eps)


def test_relu_special_points():
    relu = get_activation("relu")
    crit = propagation(relu, 2.0, 0.0, q0=3.0)
    assert crit.phase == "critical" and crit.q_star == 3.0 and crit.xi_c == math.inf
    ordered = propagation(relu, 1.5, 0.1)
    assert ordered.q_star == pytest.approx(0.1 / (1 - 0.75), rel=1e-12) and ordered.chi1 == pytest.approx(0.75, rel=1e-12)
    assert propagation(relu, 2.5, 0.1).phase == "unbounded"


def test_iterate_maps_first_layer_and_relu_eoc_law():
    relu = get_activation("relu")
    q1, q2, c = iterate_maps(relu, 1.0, 0.2, 2.0, 0.0, 60, q0_other=4.0)
    np.testing.assert_allclose(q1, 1.0, rtol=1e-12)
    np.testing.assert_allclose(q2, 4.0, rtol=1e-12)
    th = math.acos(0.2)
    assert c[1] == pytest.approx((math.sin(th) + (math.pi - th) * 0.2) / math.pi, rel=1e-12)
    # Hayou et al. 2019: at the ReLU edge of chaos 1 − c^l ~ 9π²/(2 l²), i.e. ε = 1 − c obeys
    # ε_{l+1} = ε_l − k ε_l^{3/2} + O(ε^{5/2}) with k = 2√2/(3π), so ε_l^{-1/2} grows by k/2 per layer
    # (the next order adds +3.0 % at l = 30…60, +1.0 % at l = 100…200: measured, shrinking like 1/l)
    growth = ((1 - c[60]) ** -0.5 - (1 - c[30]) ** -0.5) / 30
    assert growth == pytest.approx(math.sqrt(2) / (3 * math.pi), rel=0.04)
    assert growth > math.sqrt(2) / (3 * math.pi)


def test_bad_input():
    tanh = get_activation("tanh")
    with pytest.raises(ValueError, match="correlation"):
        correlation_map(tanh, 1.2, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="sigma_w2 must be > 0"):
        propagation(tanh, 0.0, 0.1)
    with pytest.raises(ValueError, match="q0"):
        propagation(tanh, 1.0, 0.1, q0=-1)


def test_maps_cli_json(capsys):
    assert main(["maps", "tanh", "--sigma-w2", "4", "--sigma-b2", "0.05", "--depth", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("q_star", "c_star", "chi1", "xi_q", "xi_c", "phase", "q", "c"):
        assert key in doc
    assert doc["phase"] == "chaotic" and len(doc["q"]) == len(doc["c"]) == 4
    assert main(["maps", "relu", "--sigma-w2", "2", "--sigma-b2", "0", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["phase"] == "critical" and doc["xi_c"] is None
    assert main(["maps", "tanh", "--sigma-w2", "1", "--sigma-b2", "-1"]) == 2
    assert "sigma-b2 must be >= 0" in capsys.readouterr().err
