"""Universality classes (Roberts-Yaida-Hanin): exact classification, checked against the iterated
length map (the 1/l approach of the K* = 0 class is measured, not assumed)."""

import math

import pytest
import sympy as sp

from signalprop import iterate_length_map, universality_class
from symbolic import get_activation


@pytest.mark.parametrize("name,params,c_w", [("relu", {}, 2.0), ("leaky_relu", {"slope": "0.2"}, 2 / 1.04),
                                             ("abs", {}, 1.0), ("identity", {}, 1.0)])
def test_scale_invariant(name, params, c_w):
    cls = universality_class(get_activation(name, **params))
    assert cls.name == "scale-invariant" and cls.C_b == 0.0 and cls.C_W == pytest.approx(c_w, rel=1e-15)


@pytest.mark.parametrize("name,c_w,a1", [("tanh", 1.0, -2), ("erf", math.pi / 4, -2), ("sin", 1.0, -1)])
def test_k_star_zero_class(name, c_w, a1):
    cls = universality_class(get_activation(name))
    assert cls.name == "K*=0" and (cls.C_b, cls.C_W) == (0.0, pytest.approx(c_w, rel=1e-15)) and cls.a1 == a1


@pytest.mark.parametrize("name,a1", [("swish", sp.Rational(3, 4)), ("gelu", 6 / sp.pi), ("golu", 3)])
def test_swish_gelu_golu_are_not_in_the_class(name, a1):
    cls = universality_class(get_activation(name))
    assert cls.name == "neither" and sp.simplify(cls.a1 - a1) == 0


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "elu", "gaussian"])
def test_neither(name):
    assert universality_class(get_activation(name)).name == "neither"


@pytest.mark.parametrize("name", ["tanh", "sin"])
def test_one_over_l_decay_matches_a1(name):
    """At C_b = 0, C_W = 1/phi'(0)^2 the iterated length map gives l K^l -> 1/(-a1) (up to log(l)/l)."""
    act = get_activation(name)
    cls = universality_class(act)
    ks = iterate_length_map(act, 0.1, cls.C_W, 0.0, 3000)
    assert 3000 * ks[-1] == pytest.approx(1 / float(-cls.a1), rel=0.02)


def test_swish_moves_away_from_zero():
    """a1 = 3/4 > 0: a small K grows, as dK/dl = a1 K^2 predicts: K^l ~ 1/(1/K^0 - a1 l)."""
    act = get_activation("swish")
    ks = iterate_length_map(act, 1e-3, 4.0, 0.0, 400)  # C_W = 1/phi'(0)^2 = 4
    assert ks[-1] > ks[0]
    assert ks[-1] == pytest.approx(1 / (1e3 - 0.75 * 400), rel=0.01)


def test_half_stable_critical_points_swish_gelu():
    """RYH §5.3.4: SWISH and GELU are critical only at K* != 0 with C_b > 0, half-stable. References:
    an independent 40-digit mpmath solution (research notes of this project); GELU's K* is exactly
    (3 + √17)/2."""
    from signalprop import chi_parallel, chi_perp, nonzero_critical_points

    (sw,) = nonzero_critical_points(get_activation("swish"))
    assert sw.K_star == pytest.approx(14.3201736180, rel=1e-10)
    assert sw.C_W == pytest.approx(1.98800467827, rel=1e-10)
    assert sw.C_b == pytest.approx(0.555143170722, rel=1e-10)
    assert sw.attracts_from == "below"
    (ge,) = nonzero_critical_points(get_activation("gelu"))
    assert ge.K_star == pytest.approx((3 + math.sqrt(17)) / 2, rel=1e-12)
    assert ge.C_W == pytest.approx(1.98305825744, rel=1e-10) and ge.C_b == pytest.approx(0.172922390756, rel=1e-10)
    assert ge.attracts_from == "above"
    gelu = get_activation("gelu")
    assert chi_parallel(gelu, ge.K_star, ge.C_W) == pytest.approx(1.0, abs=1e-12)
    assert chi_perp(gelu, ge.K_star, ge.C_W) == pytest.approx(1.0, abs=1e-12)
    # half-stability seen by iterating K -> C_b + C_W <phi^2>_K from both sides (2000 layers)
    above = iterate_length_map(gelu, ge.K_star + 0.5, ge.C_W, ge.C_b, 2000)[-1]
    below = iterate_length_map(gelu, ge.K_star - 0.5, ge.C_W, ge.C_b, 2000)[-1]
    assert abs(above - ge.K_star) < 0.45 and abs(below - ge.K_star) > 0.5
    assert nonzero_critical_points(get_activation("tanh")) == []
    assert nonzero_critical_points(get_activation("relu")) == []  # scale-invariant: every K, see universality_class


def test_critical_init_at_zero_bias_follows_the_universality_class():
    """σ_b² = 0 with φ(0) = 0: the edge of chaos ends at q* = 0, σ_w² = 2/(φ'(0−)² + φ'(0+)²). Whether
    it attracts is checked here by iterating the length map itself from q0 = 0.01 (50 layers):
    tanh (K* = 0 class, a1 = −2) and ELU (breakpoint at 0) shrink, swish (a1 = 3/4: half-stable)
    grows. softplus (φ(0) ≠ 0) has no critical point at σ_b² = 0: a clear error, CLI exit 2."""
    from signalprop import NoCriticalPointError, critical_init, iterate_length_map
    from theory.cli import main

    for name, w2, shrinks, word in (("tanh", 1.0, True, "K* = 0 universality class"), ("elu", 1.0, True, "attracts"),
                                    ("swish", 4.0, False, "half-stable")):
        act = get_activation(name)
        r = critical_init(act, sigma_b2=0.0)
        assert (r.sigma_w2, r.q_star, r.chi1) == (pytest.approx(w2, rel=1e-15), 0.0, 1.0) and word in r.note, (name, r.note)
        q = iterate_length_map(act, 0.01, r.sigma_w2, 0.0, 50)
        assert (q[-1] < q[0]) == shrinks, (name, q[-1])
    with pytest.raises(NoCriticalPointError, match="does not reach sigma_b2 = 0"):
        critical_init(get_activation("softplus"), sigma_b2=0.0)
    assert main(["critical", "softplus"]) == 2
