"""Dual activations K = E[φ(u)φ(v)], K̇ = E[φ'(u)φ'(v)] by three routes: the closed forms, the 2-D
engine (itself checked against mpmath in test_bivariate.py), and the closed formulas written out
independently here and evaluated in mpmath at 30 digits (which also tests float stability next to
c = ±1). The θ-series route (shared variance) against the engine, and a nested mpmath value for a
function without a closed form."""

import math

import mpmath
import numpy as np
import pytest

from ntk import NoTangentKernelError, closed_form, dual, method
from ntk.closed_forms import ErfAffine, GaussianExponentials, Polynomial, RectifiedMonomials
from signalprop import bivariate_moment, bivariate_moment_mp, mixture
from symbolic import get_activation, registered_names

REL = 1e-12  # closed forms and the engine both reach ~1e-14; the engine's documented accuracy is ~1e-13

CLOSED = {
    "relu": RectifiedMonomials, "leaky_relu": RectifiedMonomials, "prelu": RectifiedMonomials, "abs": RectifiedMonomials,
    "step": RectifiedMonomials, "sign": RectifiedMonomials, "rectified_monomial": RectifiedMonomials,
    "erf": ErfAffine, "gaussian_cdf": ErfAffine,
    "exponential": GaussianExponentials, "sin": GaussianExponentials, "cos": GaussianExponentials,
    "siren": GaussianExponentials, "fourier_activation": GaussianExponentials, "daruan": GaussianExponentials,
    "gaussian": GaussianExponentials, "gabor_real": GaussianExponentials,
    "identity": Polynomial, "monomial": Polynomial, "polynomial": Polynomial, "hermite_activation": Polynomial,
    "polynorm": Polynomial,
}


def _points(seed: int, n: int = 8, q_hi: float = 5.0):
    rng = np.random.default_rng(seed)
    q1, q2 = np.exp(rng.uniform(math.log(0.01 * q_hi), math.log(q_hi), (2, n)))
    c = rng.uniform(-1, 1, n)
    c[:4] = [1.0, -1.0, 0.9999, -0.99999]
    return q1, q2, c


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_closed_form_recognized_and_matches_engine(name):
    act = get_activation(name)
    assert isinstance(closed_form(act), CLOSED[name])
    q1, q2, c = _points(len(name), q_hi=0.02 if name == "gabor_real" else 5.0)
    if name == "siren":
        q1, q2 = q1 / 100, q2 / 100  # sin(30x): keep the 2-D engine's oscillation count moderate
    k = c * np.sqrt(q1 * q2)
    derivs = [False] if name in ("step", "sign") else [False, True]
    for derivative in derivs:
        order = (1, 1) if derivative else (0, 0)
        got = dual(act, q1, q2, k, derivative=derivative)
        ref = bivariate_moment(act, q1, q2, c, k=order)
        scale = np.sqrt(bivariate_moment(act, q1, q1, 1.0, k=order) * bivariate_moment(act, q2, q2, 1.0, k=order))
        assert np.all(np.abs(got - ref) <= REL * np.abs(ref) + 1e-14 * scale), (name, derivative, got, ref)


def test_zoo_members_without_closed_form_use_the_engine():
    for name in ("tanh", "swish", "gelu", "elu", "selu", "hard_tanh", "shifted_relu", "softplus"):
        assert closed_form(get_activation(name)) is None, name
        assert method(get_activation(name)) == "numerical"
    assert method(get_activation("relu"), derivative=True) == "arc-cosine"
    assert method(get_activation("erf"), derivative=True) == "Gaussian integral"
    assert sum(closed_form(get_activation(n)) is not None for n in registered_names()) >= len(CLOSED)


# ---------------------------------------------------------------- the formulas, written out, in mpmath
def _angle(q1, q2, c):
    return mpmath.acos(c) if abs(c) < 1 else (mpmath.mpf(0) if c > 0 else mpmath.pi)


def _mp_reference(name, q1, q2, c):
    """Closed forms from the papers, evaluated at 30 digits (independent of ntk.closed_forms)."""
    q1, q2, c = mpmath.mpf(q1), mpmath.mpf(q2), mpmath.mpf(c)
    th, r, k = _angle(q1, q2, c), mpmath.sqrt(q1 * q2), c * mpmath.sqrt(q1 * q2)
    if name == "relu":  # Cho & Saul (2009) J_1
        return r / (2 * mpmath.pi) * (mpmath.sin(th) + (mpmath.pi - th) * mpmath.cos(th))
    if name == "rectified_monomial":  # J_2 = 3 sin θ cos θ + (π − θ)(1 + 2 cos² θ)
        return q1 * q2 / (2 * mpmath.pi) * (3 * mpmath.sin(th) * mpmath.cos(th) + (mpmath.pi - th) * (1 + 2 * mpmath.cos(th) ** 2))
    if name == "step":  # J_0 = π − θ
        return (mpmath.pi - th) / (2 * mpmath.pi)
    if name == "sign":
        return 1 - 2 * th / mpmath.pi
    if name == "abs":  # E|u||v| = (2√(q1q2)/π)(sin θ + (π/2 − θ) cos θ)
        return 2 * r / mpmath.pi * (mpmath.sin(th) + (mpmath.pi / 2 - th) * mpmath.cos(th))
    if name == "erf":  # Williams (1997)
        return 2 / mpmath.pi * mpmath.asin(2 * k / mpmath.sqrt((1 + 2 * q1) * (1 + 2 * q2)))
    if name == "sin":
        return mpmath.exp(-(q1 + q2) / 2) * mpmath.sinh(k)
    if name == "cos":
        return mpmath.exp(-(q1 + q2) / 2) * mpmath.cosh(k)
    if name == "exponential":
        return mpmath.exp((q1 + q2) / 2 + k)
    if name == "gaussian":  # E[e^{−u²/2} e^{−v²/2}] = det(I + Σ)^{−1/2}
        return 1 / mpmath.sqrt((1 + q1) * (1 + q2) - k * k)
    if name == "monomial":  # E[u² v²] = q1 q2 + 2k²
        return q1 * q2 + 2 * k * k
    raise KeyError(name)


@pytest.mark.parametrize("name", ["relu", "rectified_monomial", "step", "sign", "abs", "erf", "sin", "cos", "exponential",
                                  "gaussian", "monomial"])
def test_closed_form_against_formula_in_mpmath(name):
    act = get_activation(name)
    q1, q2, c = _points(7, 12)
    c[4:7] = [1 - 1e-12, -1 + 1e-13, 1e-9]
    k = c * np.sqrt(q1 * q2)
    got = dual(act, q1, q2, k)
    with mpmath.workdps(30):
        # the reference takes the correlation of the float k actually passed (so the test measures the
        # evaluation, not the rounding of k, which moves θ by ~ε/sin θ), snapped to ±1 within 4ε as dual does
        c_in = [mpmath.mpf(kk) / mpmath.sqrt(mpmath.mpf(a) * mpmath.mpf(b)) for a, b, kk in zip(q1, q2, k)]
        c_in = [mpmath.sign(v) if 1 - abs(v) ** 2 <= 4 * 2.0**-52 else v for v in c_in]
        ref = np.array([float(_mp_reference(name, a, b, v)) for a, b, v in zip(q1, q2, c_in)])
    scale = np.max(np.abs(ref))
    # θ from the float gap q1q2 − k² carries ~ε/sin θ (cancellation), which kernels with a finite slope in θ
    # at θ → 0, π (step, sign: K linear in θ) pass on: allowed as 8ε/sin θ of the scale
    sin = np.sqrt(np.maximum(1 - np.array([float(v) for v in c_in]) ** 2, 0.0))
    conditioning = np.where(sin > 0, 8 * 2.0**-52 / np.where(sin > 0, sin, 1.0), 0.0)
    assert np.all(np.abs(got - ref) <= 1e-13 * np.abs(ref) + (1e-15 + conditioning) * scale), (name, got - ref)


def test_relu_derivative_kernel_formula():
    """E[1(u>0) 1(v>0)] = (π − θ)/2π, E[φ'φ'] of leaky ReLU (slope a for x < 0) = ((1 + a²)(π − θ) + 2aθ)/2π."""
    q1, q2, c = _points(11)
    th = np.arccos(c)  # tolerance 1e-13: k = c√(q1q2) is rounded, which moves θ by ~ε/sin θ (≤ 3e-14 here)
    assert dual(get_activation("relu"), q1, q2, c * np.sqrt(q1 * q2), derivative=True) == pytest.approx((np.pi - th) / (2 * np.pi), abs=1e-13)
    a = 0.25
    got = dual(get_activation("prelu", a=a), q1, q2, c * np.sqrt(q1 * q2), derivative=True)
    assert got == pytest.approx(((1 + a * a) * (np.pi - th) + 2 * a * th) / (2 * np.pi), abs=1e-13)


# ---------------------------------------------------------------- numerical routes
@pytest.mark.parametrize("name", ["tanh", "elu", "hard_tanh", "swish"])
def test_theta_series_matches_engine(name):
    """Shared variance: the Chebyshev series in θ against the engine at the same entries (1e-12)."""
    act = get_activation(name)
    rng = np.random.default_rng(5)
    q = 1.7
    c = np.concatenate([[1.0, -1.0, 0.99999, -0.99999], rng.uniform(-1, 1, 40)])
    for derivative in (False, True):
        got = dual(act, np.full(c.size, q), np.full(c.size, q), c * q, derivative=derivative)
        order = (1, 1) if derivative else (0, 0)
        ref = bivariate_moment(act, q, q, c, k=order)
        scale = bivariate_moment(act, q, q, 1.0, k=order)
        assert np.all(np.abs(got - ref) <= 1e-12 * np.abs(ref) + 1e-14 * scale), (name, derivative)


def test_numerical_route_against_nested_mpmath():
    """tanh has no closed form: the engine's value inside ``dual`` against nested 20-digit quadrature."""
    act = get_activation("tanh")
    q1, q2, c = 1.3, 0.7, 0.4
    ref = float(bivariate_moment_mp(act, q1, q2, c, k=(1, 1), dps=20, max_panel=2.0, method="gauss-legendre"))
    assert float(dual(act, q1, q2, c * math.sqrt(q1 * q2), derivative=True)) == pytest.approx(ref, rel=1e-12)


def test_mixture_dual_is_the_average():
    mix = mixture([get_activation("relu"), get_activation("tanh")], [0.3, 0.7])
    q1, q2, c = _points(3, 5)
    k = c * np.sqrt(q1 * q2)
    expected = 0.3 * dual(get_activation("relu"), q1, q2, k) + 0.7 * dual(get_activation("tanh"), q1, q2, k)
    assert dual(mix, q1, q2, k) == pytest.approx(expected, rel=1e-15)


def test_bad_input():
    relu = get_activation("relu")
    with pytest.raises(ValueError, match="must be > 0"):
        dual(relu, 0.0, 1.0, 0.0)
    with pytest.raises(NoTangentKernelError, match="Dirac"):
        dual(get_activation("sign"), 1.0, 1.0, 0.5, derivative=True)
