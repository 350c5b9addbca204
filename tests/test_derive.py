"""Derivations checked against closed forms and independent 30-digit computations."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from symbolic import custom_activation, get_activation

SMOOTHNESS = [
    ("relu", {}, "C0"), ("leaky_relu", {}, "C0"), ("elu", {"alpha": 1}, "C1"), ("elu", {"alpha": "0.5"}, "C0"),
    ("celu", {}, "C1"), ("selu", {}, "C0"), ("hard_tanh", {}, "C0"), ("step", {}, "discontinuous"),
    ("sign", {}, "discontinuous"), ("gelu", {}, "Cinf"), ("swish", {}, "Cinf"), ("mish", {}, "Cinf"),
    ("softplus", {}, "Cinf"), ("tanh", {}, "Cinf"), ("gem", {"N": 1}, "C2"), ("gem", {"N": 2}, "C4"),
    ("gem", {"N": 3}, "C6"), ("e_gem", {"N": 2}, "C4"), ("berlu", {}, "C1"), ("rectified_monomial", {"k": 3}, "C2"),
    ("relu_kan_basis", {}, "C1"), ("kan_edge", {}, "C2"), ("pade_tanh", {}, "C2"), ("elephant", {"d": 3}, "C2"),
    ("elephant", {"d": 4}, "Cinf"), ("smooth_leaky", {}, "Cinf"), ("pau", {}, "C0"), ("biper", {}, "discontinuous"),
]


@pytest.mark.parametrize("name,params,expected", SMOOTHNESS)
def test_smoothness_class(name, params, expected):
    assert get_activation(name, **params).derive().smoothness == expected


def test_jumps_are_exact():
    d = get_activation("elu", alpha="0.5").derive()
    first = [j for j in d.jumps if j.order == 1]
    assert len(first) == 1 and first[0].value == sp.Rational(1, 2) and first[0].at == 0
    step = get_activation("step").derive()
    assert [(j.order, j.value) for j in step.jumps if j.order == 0] == [(0, 1)]
    st = get_activation("soft_threshold", tau=2).derive()
    assert sorted(float(b) for b in st.breakpoints) == [-2.0, 2.0]
    assert sorted((float(j.at), j.value) for j in st.jumps if j.order == 1) == [(-2.0, -1), (2.0, 1)]
    gem2 = get_activation("gem", N=2).derive()
    assert [(j.order, j.value) for j in gem2.jumps][0] == (5, 120)  # x^5 on the right: 5! = 120


def test_distributional_derivative_of_step_and_relu():
    reg, sing = get_activation("step").derive().distributional_derivative(1)
    assert reg == 0 and sing == [(0, 0, 1)]  # delta(x)
    reg, sing = get_activation("relu").derive().distributional_derivative(2)
    assert sing == [(0, 0, 1)]  # relu'' = delta


@pytest.mark.parametrize("name,exact", [("relu", 1), ("tanh", 1), ("sigmoid", sp.Rational(1, 4)),
                                        ("hard_sigmoid", sp.Rational(1, 6)), ("leaky_relu", 1), ("arctan_gate", 1 / sp.pi)])
def test_lipschitz_exact(name, exact):
    d = get_activation(name).derive()
    assert d.lipschitz_exact == exact
    assert d.lipschitz == pytest.approx(float(exact), rel=1e-15)


def _independent_lipschitz(f, x0):
    """max of f' found by Newton on f'' (mpmath numerical differentiation, 40 digits)."""
    with mpmath.workdps(40):
        r = mpmath.findroot(lambda t: mpmath.diff(f, t, 2), x0)
        return float(mpmath.diff(f, r)), float(r)


def test_lipschitz_swish_gelu_against_mpmath():
    swish_ref, at = _independent_lipschitz(lambda t: t / (1 + mpmath.exp(-t)), 2.4)
    d = get_activation("swish").derive()
    assert d.lipschitz == pytest.approx(swish_ref, rel=1e-13)
    assert d.lipschitz_at.at == pytest.approx(at, rel=1e-10)
    gelu_ref, at = _independent_lipschitz(lambda t: t * mpmath.ncdf(t), 1.4)
    d = get_activation("gelu").derive()
    assert d.lipschitz == pytest.approx(gelu_ref, rel=1e-13)
    assert at == pytest.approx(math.sqrt(2), rel=1e-12)  # phi'' = 0 at x = sqrt(2) exactly
    assert sp.simplify(d.lipschitz_exact - (sp.Rational(1, 2) + sp.erf(1) / 2 + sp.exp(-1) / sp.sqrt(sp.pi))) == 0


def test_selu_lipschitz_is_lambda_alpha():
    d = get_activation("selu").derive()
    assert d.lipschitz == pytest.approx(1.0507009873554804934 * 1.6732632423543772848, rel=1e-14)
    assert d.lipschitz_at.at == 0.0


def test_minima_of_self_gated_activations():
    with mpmath.workdps(30):
        swish_min = -mpmath.lambertw(1 / mpmath.e).real
        omega = mpmath.lambertw(1).real
        golu_min = -omega * mpmath.exp(-1 / omega)
        gelu_at = mpmath.findroot(lambda t: mpmath.diff(lambda s: s * mpmath.ncdf(s), t), -0.75)
        gelu_min = gelu_at * mpmath.ncdf(gelu_at)
        mish_at = mpmath.findroot(lambda t: mpmath.diff(lambda s: s * mpmath.tanh(mpmath.log1p(mpmath.exp(s))), t), -1.2)
        mish_min = mish_at * mpmath.tanh(mpmath.log1p(mpmath.exp(mish_at)))
    for name, value, at in [("swish", swish_min, None), ("golu", golu_min, -omega), ("gelu", gelu_min, gelu_at),
                            ("mish", mish_min, mish_at)]:
        lo = get_activation(name).derive().range_inf
        assert lo.value == pytest.approx(float(value), rel=1e-13), name
        if at is not None:
            assert lo.at == pytest.approx(float(at), rel=1e-10), name
    assert float(swish_min) == pytest.approx(-0.278464542761074, rel=1e-14)
    assert float(gelu_min) == pytest.approx(-0.169971, abs=1e-6) and float(gelu_at) == pytest.approx(-0.751792, abs=1e-6)
    # Swish's minimum scales as -W(1/e)/beta
    assert get_activation("swish", beta=2).derive().range_inf.value == pytest.approx(float(swish_min) / 2, rel=1e-13)


@pytest.mark.parametrize("name,direction,bounded", [
    ("relu", "increasing", "below"), ("sigmoid", "increasing", "yes"), ("tanh", "increasing", "yes"),
    ("swish", None, "below"), ("gaussian", None, "yes"), ("leaky_relu", "increasing", "no"), ("snake", "increasing", "no"),
    ("step", "increasing", "yes"), ("sin", None, "yes"), ("gcu", None, "no"), ("identity", "increasing", "no"),
    ("hard_tanh", "increasing", "yes"), ("elu", "increasing", "below"), ("berlu", "increasing", "no"),
])
def test_monotone_and_bounded(name, direction, bounded):
    d = get_activation(name).derive()
    assert d.monotone_direction == direction
    assert d.bounded_text == bounded


def test_range_values():
    assert get_activation("sigmoid").derive().range_sup.value == 1.0
    assert get_activation("sigmoid").derive().range_sup.where == "+inf"
    assert get_activation("elu", alpha=2).derive().range_inf.value == -2.0
    assert get_activation("selu").derive().range_inf.value == pytest.approx(-1.0507009873554805 * 1.6732632423543772, rel=1e-14)
    assert get_activation("crrelu").derive().range_inf.value == pytest.approx(-0.01 * math.exp(-0.5), rel=1e-12)


def test_taylor_and_values_at_zero():
    d = get_activation("tanh").derive()
    assert d.taylor0["two-sided"] == [0, 1, 0, sp.Rational(-1, 3), 0]
    d = get_activation("sigmoid").derive()
    assert d.taylor0["two-sided"] == [sp.Rational(1, 2), sp.Rational(1, 4), 0, sp.Rational(-1, 48), 0]
    d = get_activation("relu").derive()
    assert d.dphi0 is None and d.dphi0_sides == (0, 1)
    assert d.taylor0["right"][:2] == [0, 1] and d.taylor0["left"] == [0] * 5
    assert get_activation("mish").derive().dphi0 == sp.Rational(3, 5)  # tanh(log 2)
    assert get_activation("softplus").derive().phi0 == sp.log(2)
    assert get_activation("step").derive().dphi0 is None


def test_parity_and_polynomial():
    assert get_activation("tanh").derive().parity == "odd"
    assert get_activation("gaussian").derive().parity == "even"
    assert get_activation("abs").derive().parity == "even"
    assert get_activation("relu").derive().parity == "neither"
    assert get_activation("monomial", k=3).derive().polynomial_degree == 3
    assert get_activation("hermite_activation", n=5).derive().polynomial_degree == 5
    assert get_activation("relu").derive().polynomial_degree is None


def test_growth_classes_and_moments():
    d = get_activation("relu").derive()
    assert (d.growth_neg.kind, d.growth_pos.kind, d.growth_pos.degree) == ("bounded", "polynomial", 1.0)
    d = get_activation("exponential").derive()
    assert d.growth_pos.kind == "exponential" and d.growth_pos.rate == pytest.approx(1.0, rel=1e-6)
    assert math.isinf(d.moments_q_max)
    assert get_activation("monomial", k=3).derive().growth_pos.degree == 3.0
    assert get_activation("gcu").derive().growth_pos.degree == 1.0
    assert get_activation("sin").derive().growth_pos.kind == "bounded"
    d = custom_activation("exp(x**2/8)").derive()  # E[exp(q z^2/4)] finite iff q < 2
    assert d.growth_pos.kind == "gaussian" and d.moments_q_max == pytest.approx(2.0, rel=1e-3)


def test_zoo_identities():
    xs = np.linspace(-9, 9, 181)
    np.testing.assert_allclose(get_activation("aptx")(xs), get_activation("swish", beta=2)(xs), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(get_activation("tempered_sigmoid")(xs), np.tanh(xs), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(get_activation("apa")(xs), get_activation("sigmoid")(xs), rtol=1e-14)
    np.testing.assert_allclose(get_activation("mittag_leffler_unit")(xs), np.tanh(xs), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(get_activation("tropical_rational")(xs), get_activation("leaky_relu")(xs), rtol=1e-14)
    np.testing.assert_allclose(get_activation("xatlu").numpy(2)(xs), 2 / (np.pi * (1 + xs**2) ** 2), rtol=1e-13)
    np.testing.assert_allclose(get_activation("snake").numpy(1)(xs), 1 + np.sin(2 * xs), rtol=1e-13, atol=1e-14)


def _gauss_mean(f):
    with mpmath.workdps(30):
        return mpmath.quad(lambda z: f(z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])


def test_zoo_gaussian_constants():
    """The zoo's [D] numbers, re-derived with mpmath quadrature of the registered mpmath callables."""
    silu = get_activation("swish").mpmath(0)
    assert float(_gauss_mean(silu)) == pytest.approx(0.206621, abs=5e-7)
    zc = get_activation("zc_swish").mpmath(0)
    assert abs(float(_gauss_mean(zc))) < 1e-6
    for n, expected in [(3, 0.9197), (5, 0.9963)]:
        h, dh = get_activation("hermite_activation", n=n).mpmath(0), get_activation("hermite_activation", n=n).mpmath(1)
        exact = math.exp(-1) * sum(1 / math.factorial(k) for k in range(n))
        assert float(_gauss_mean(lambda z: h(z) ** 2)) == pytest.approx(exact, rel=1e-20 + 1e-12)
        assert float(_gauss_mean(lambda z: dh(z) ** 2)) == pytest.approx(exact, rel=1e-12)
        assert exact == pytest.approx(expected, abs=5e-5)


def test_e_gem_tends_to_relu():
    xs = np.linspace(-1, 1, 200001)
    for eps in ("1e-4", "1e-6"):
        gap = np.max(np.abs(get_activation("e_gem", N=1, eps=eps)(xs) - np.maximum(xs, 0)))
        assert gap == pytest.approx(math.sqrt(float(eps)) / 2, rel=1e-3)  # sup at x = sqrt(eps)


@pytest.mark.parametrize("act", [get_activation(n) for n in ("relu", "step", "sign", "gelu", "exponential", "hard_tanh")]
                         + [get_activation("elu", alpha="0.5"), custom_activation("exp(x**2/8)"),
                            custom_activation("Piecewise((x + 1, x < 0), (2*x, True))")])
def test_light_queries_equal_the_derivation(act):
    """tails, moments_limit and value_jumps (what Gaussian expectations need, without extrema and Taylor data) give
    what the full derivation gives."""
    from symbolic import moments_limit, tails, value_jumps

    d = act.derive()
    assert tails(act) == (d.growth_neg, d.growth_pos)
    assert moments_limit(act) == d.moments_q_max
    assert list(value_jumps(act)) == [j for j in d.jumps if j.order == 0]
