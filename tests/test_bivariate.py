"""The bivariate Gaussian engine E[f(u1) g(u2)] checked by three independent routes: closed forms,
the 1-D mpmath reference at c = ±1 and the Mehler (Hermite) series at |c| ≤ 1/2 for every zoo
activation, plus nested 30-digit-class mpmath quadrature on kinked cases."""

import math
import zlib

import numpy as np
import pytest

import signalprop.bivariate as bivariate
from signalprop import (
    DivergentExpectationError,
    QuadratureError,
    bivariate_moment,
    bivariate_moment_mp,
    gaussian_moment,
    integrate_gaussian,
    integrate_gaussian_mp,
)
from symbolic import custom_activation, get_activation, registered_names

from oscillating import FREQUENCY

REL = 1e-10  # the target; the engine reaches ~1e-13, so failures mean a real defect


def _point(name: str, salt: str, q_hi: float = 1e3) -> tuple[float, float]:
    """Reproducible pseudo-random variances in [1e-4, q_hi] per activation."""
    rng = np.random.default_rng(zlib.crc32(f"{name}:{salt}".encode()))
    lo, hi = -4.0, math.log10(q_hi)
    return tuple(float(10.0 ** rng.uniform(lo, hi)) for _ in range(2))


def _q_hi(name: str) -> float:
    """Largest variance at which the oscillating entries stay resolvable in 2-D (frequency·√q ≤ ~100)."""
    w = FREQUENCY.get(name)
    return 1e3 if w is None else min(1e3, (60.0 / w) ** 2)


# ---------------------------------------------------------------- closed forms
def _arccos1(q1, q2, c):  # Cho & Saul 2009, degree 1
    th = math.acos(c)
    return math.sqrt(q1 * q2) / (2 * math.pi) * (math.sin(th) + (math.pi - th) * c)


def _e(q1, q2, c):
    return math.exp(-(q1 + q2) / 2 + c * math.sqrt(q1 * q2))


CLOSED = {
    ("relu", 0): _arccos1,
    ("relu", 1): lambda q1, q2, c: (math.pi - math.acos(c)) / (2 * math.pi),  # arc-cosine degree 0
    ("erf", 0): lambda q1, q2, c: 2 / math.pi * math.asin(2 * c * math.sqrt(q1 * q2) / math.sqrt((1 + 2 * q1) * (1 + 2 * q2))),
    ("sign", 0): lambda q1, q2, c: 2 / math.pi * math.asin(c),
    ("identity", 0): lambda q1, q2, c: c * math.sqrt(q1 * q2),
    ("exponential", 0): lambda q1, q2, c: math.exp((q1 + q2 + 2 * c * math.sqrt(q1 * q2)) / 2),
    # E[sin u1 sin u2] = e^{-(q1+q2)/2} sinh(c√(q1 q2)), written without overflow
    ("sin", 0): lambda q1, q2, c: (_e(q1, q2, c) - _e(q1, q2, -c)) / 2,
    ("cos", 0): lambda q1, q2, c: (_e(q1, q2, c) + _e(q1, q2, -c)) / 2,
}
C_VALUES = [-1.0, -(1 - 1e-12), -0.999, -0.6, -0.1, 0.0, 0.05, 0.5, 0.97, 1 - 1e-9, 1.0]


@pytest.mark.parametrize("key", list(CLOSED), ids=[f"{n}-k{k}" for n, k in CLOSED])
@pytest.mark.parametrize("q1,q2", [(1.0, 1.0), (1e-4, 3.0), (0.3, 1e3), (50.0, 7.0)])
def test_closed_forms(key, q1, q2):
    name, k = key
    if name == "exponential":
        q1, q2 = min(q1, 30.0), min(q2, 30.0)
    act = get_activation(name)
    got = bivariate_moment(act, q1, q2, np.array(C_VALUES), k=(k, k))
    ref = np.array([CLOSED[key](q1, q2, c) for c in C_VALUES])
    bound = math.sqrt(abs(CLOSED[key](q1, q1, 1.0) * CLOSED[key](q2, q2, 1.0)))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14 * bound)


def test_leaky_relu_and_mixed_pair():
    """Leaky ReLU through its split φ = a x + (1 − a) relu(x) and the arc-cosine kernel."""
    a = 0.2
    leaky, relu = get_activation("leaky_relu", slope="0.2"), get_activation("relu")
    q1, q2, c = 2.0, 0.5, -0.3
    s = math.sqrt(q1 * q2)
    # E[(a u1 + (1-a) r1)(a u2 + (1-a) r2)] with E[u1 r2] = c s / 2
    expected = a * a * c * s + 2 * a * (1 - a) * c * s / 2 + (1 - a) ** 2 * _arccos1(q1, q2, c)
    assert bivariate_moment(leaky, q1, q2, c) == pytest.approx(expected, rel=1e-12)
    # a pair of different functions: E[relu(u1) u2] = c sqrt(q1 q2)/2
    assert bivariate_moment(relu, q1, q2, c, other=get_activation("identity")) == pytest.approx(c * s / 2, rel=1e-12)


# ---------------------------------------------------------------- every zoo activation, c = ±1
@pytest.mark.parametrize("name", registered_names())
def test_collinear_matches_mpmath(name):
    """c = ±1 is one-dimensional: E[φ^(k)(√q1 z) φ^(k)(±√q2 z)] against the 30-digit 1-D reference."""
    act = get_activation(name)
    for k, sign in ((0, 1.0), (1, -1.0)):
        q1, q2 = _point(name, f"collinear{k}", _q_hi(name))
        if name == "exponential":
            q1, q2 = min(q1, 30.0), min(q2, 30.0)  # keeps e^{2x} (in the Cauchy–Schwarz scale) inside float64
        got = bivariate_moment(act, q1, q2, sign, k=(k, k))
        f = act.mpmath(k)
        r = math.sqrt(q2 / q1)
        rn, rp = bivariate.growth_rates(act, 1)
        rates = (rn + r * (rn if sign > 0 else rp), rp + r * (rp if sign > 0 else rn))
        bps = list(act.form.breakpoints) + [sign * b / r for b in act.form.breakpoints]
        w = FREQUENCY.get(name, 0.0) * (math.sqrt(q1) + math.sqrt(q2))
        ref = float(integrate_gaussian_mp(lambda x: f(x) * f(sign * r * x), q1, 0.0, bps, *rates,
                                          max_panel=min(0.5, 2.0 / (w + 1e-300))))
        assert abs(got - ref) <= REL * abs(ref) + 1e-13, (name, k, sign, q1, q2, got, ref)


# ---------------------------------------------------------------- every zoo activation, Mehler series
N_HERMITE = 64


def _hermite_coefficients(act, k: int, q: float) -> np.ndarray:
    """a_n = E[φ^(k)(√q z) He_n(z)]/√n!, n < 64, by the (separately verified) 1-D engine."""
    f = act.numpy(k)
    rn, rp = bivariate.growth_rates(act, 1)
    out = []
    for n in range(N_HERMITE):
        coef = np.zeros(n + 1)
        coef[n] = 1.0 / math.sqrt(math.factorial(n))
        out.append(integrate_gaussian(f, q, 0.0, act.breakpoints, rn, rp,
                                      z_poly=lambda z, coef=coef: np.polynomial.hermite_e.hermeval(z, coef)))
    return np.array(out)


@pytest.mark.parametrize("name", registered_names())
def test_general_c_matches_mehler_series(name):
    """For |c| ≤ 1/2, E[f(u1) g(u2)] = Σ_n a_n b_n c^n (normalized Hermite coefficients); the tail
    beyond n = 64 is ≤ 2^-64 √(E f² E g²), so the series is a reference independent of the 2-D cuts.
    The oscillating entries are taken at variances where frequency·√q ≤ 60."""
    act = get_activation(name)
    if len(act.breakpoints) > bivariate.MAX_BREAKPOINTS:  # BiPer's square wave: a stated limit, c = ±1 only
        with pytest.raises(QuadratureError, match="breakpoints"):
            bivariate_moment(act, 1.0, 1.0, 0.3)
        return
    rng = np.random.default_rng(zlib.crc32(f"{name}:mehler".encode()))
    for k in (0, 1):
        q1, q2 = _point(name, f"mehler{k}", _q_hi(name))
        if name == "exponential":
            q1, q2 = min(q1, 3.0), min(q2, 3.0)  # coefficients e^{q/2} √q^n/√n!: the series needs q ≲ 3
        c = float(rng.uniform(-0.5, 0.5))
        a, b = _hermite_coefficients(act, k, q1), _hermite_coefficients(act, k, q2)
        ref = float(np.sum(a * b * c ** np.arange(N_HERMITE)))
        got = bivariate_moment(act, q1, q2, c, k=(k, k))
        # absolute floor: 1e-13 of the Cauchy–Schwarz scale √(E f² E g²) (the coefficients' own error)
        scale = math.sqrt(gaussian_moment(act, q1, k=k) * gaussian_moment(act, q2, k=k))
        assert abs(got - ref) <= REL * abs(ref) + 1e-13 * max(scale, 1.0), (name, k, q1, q2, c, got, ref)


# ---------------------------------------------------------------- nested mpmath, kinked cases near c = ±1
@pytest.mark.parametrize("name,k,q1,q2,c", [
    ("hard_tanh", 0, 2.0, 0.5, 0.93),
    ("relu", 1, 1.3, 0.7, -0.4),
    ("elu", 1, 0.8, 3.0, -0.95),
    ("elu", 1, 400.0, 400.0, math.cos(0.75)),  # a dual-table point off the half-range rule: graded y panels (18 s)
])
def test_nested_mpmath_reference(name, k, q1, q2, c):
    act = get_activation(name)
    ref = float(bivariate_moment_mp(act, q1, q2, c, k=(k, k), dps=20, max_panel=2.0, method="gauss-legendre"))
    assert bivariate_moment(act, q1, q2, c, k=(k, k)) == pytest.approx(ref, rel=REL, abs=1e-13)


# Dual-table points (E[φ'(u1) φ'(u2)] on equal variances, c = cos θ near 1), where the fast path's 16/10-point pair
# is accepted first. References: bivariate_moment_mp(act, q, q, cos θ, k=(1, 1), dps=20, max_panel=2.0,
# method="gauss-legendre"), nested mpmath quadrature at 20 digits (2 minutes each for GELU, hence written here).
@pytest.mark.parametrize("name,q,theta,ref", [
    ("gelu", 90.0, 0.2, 0.47550065424362276),
    ("gelu", 3.0, 0.15, 0.4953579183669547),
    ("tanh", 2.0, 0.05, 0.3488874791719942),
])
def test_dual_table_points_against_mpmath(name, q, theta, ref):
    assert bivariate_moment(get_activation(name), q, q, math.cos(theta), k=(1, 1)) == pytest.approx(ref, rel=1e-14)


# ---------------------------------------------------------------- interface and bad input
def test_vectorized_shapes_and_symmetry():
    tanh = get_activation("tanh")
    c = np.linspace(-1, 1, 7)
    got = bivariate_moment(tanh, 0.8, np.array([[0.5], [2.0]]), c)
    assert got.shape == (2, 7)
    assert got[0, 3] == 0.0 or abs(got[0, 3]) < 1e-16  # odd φ, c = 0
    # odd φ: E(−c) = −E(c), to the engine's absolute accuracy 1e-15·√(E f² E g²) at the zero c = 0
    np.testing.assert_allclose(got[:, ::-1], -got, rtol=1e-12, atol=1e-15)
    swapped = bivariate_moment(tanh, np.array([[0.5], [2.0]]), 0.8, c)
    np.testing.assert_allclose(swapped, got, rtol=1e-12, atol=1e-16)


def test_plain_callables_that_return_their_input_or_integers():
    """integrate_gaussian2 on user functions (not the toolkit's callables): identity functions, whose result is the
    engine's own node array, give E[u1 u2] = c √(q1 q2); indicator functions returning bools or integers give the
    orthant probability P(u1 > 0, u2 > 0) = 1/4 + arcsin(c)/(2π) (Sheppard); a broadcast constant gives E[u2²]."""
    got = bivariate.integrate_gaussian2(lambda x: x, lambda x: x, 1.0, 2.0, 0.5, widths=(1.0, 1.0))
    assert got == pytest.approx(0.5 * math.sqrt(2.0), rel=1e-13)
    got = bivariate.integrate_gaussian2(lambda x: x > 0, lambda x: (x > 0).astype(int), 1.0, 2.0, 0.5,
                                        breakpoints_f=(0.0,), breakpoints_g=(0.0,), widths=(1.0, 1.0))
    assert got == pytest.approx(0.25 + math.asin(0.5) / (2 * math.pi), rel=1e-13)
    got = bivariate.integrate_gaussian2(lambda x: np.broadcast_to(1.0, x.shape), lambda x: x * x, 1.0, 2.0, 0.5,
                                        widths=(1.0, 1.0))
    assert got == pytest.approx(2.0, rel=1e-13)


def test_bad_input():
    relu = get_activation("relu")
    with pytest.raises(ValueError, match="q1 must be > 0"):
        bivariate_moment(relu, 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match=r"c must be a correlation in \[-1, 1\]"):
        bivariate_moment(relu, 1.0, 1.0, 1.5)
    with pytest.raises(DivergentExpectationError, match="diverges"):
        bivariate_moment(custom_activation("exp(x**2/8)"), 3.0, 1.0, 0.5)


def test_unresolvable_oscillation_raises(monkeypatch):
    monkeypatch.setattr(bivariate, "MAX_EVALUATIONS", 1e6)
    with pytest.raises(QuadratureError, match=r"E\[custom\(u1\) custom\(u2\)\] at q1 = 1000, q2 = 1000, c = 0.3: .*vary too fast"):
        bivariate_moment(custom_activation("sin(200*x)"), 1e3, 1e3, 0.3)


def test_unresolved_scale_raises():
    """φ = √|x|: E[φ'(u)²] = E[1/(4|u|)] is infinite, so the Cauchy–Schwarz scale of E[φ'(u1) φ'(u2)]
    cannot be resolved: a QuadratureError naming both expectations."""
    with pytest.raises(QuadratureError, match=r"E\[custom\^\(1\)\(u1\) custom\^\(1\)\(u2\)\], at q = 2: .*did not converge"):
        bivariate_moment(custom_activation("sqrt(abs(x))"), 2.0, 2.0, 1.0, k=(1, 1))
