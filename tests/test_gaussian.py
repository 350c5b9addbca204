"""The 1-D Gaussian expectation engine against 30-digit mpmath references and closed forms."""

import math
import zlib

import numpy as np
import pytest

from signalprop import DivergentExpectationError, gaussian_moment, gaussian_moment_mp
from symbolic import custom_activation, get_activation, registered_names

from oscillating import FREQUENCY



def _q_for(name: str, k: int) -> float:
    """A reproducible pseudo-random q in [1e-4, 1e3] per activation and derivative order."""
    u = np.random.default_rng(zlib.crc32(f"{name}:{k}".encode())).uniform(-4.0, 3.0)
    return float(10.0**u)


@pytest.mark.parametrize("name", registered_names())
@pytest.mark.parametrize("k", [0, 1])
def test_moments_match_mpmath(name, k):
    """E[phi^(k)(sqrt(q) z)^2] to 1e-10 relative (1e-13 absolute) of the 30-digit reference."""
    act = get_activation(name)
    q = _q_for(name, k)
    if name == "exponential":
        q = min(q, 100.0)  # E[exp(2 sqrt(q) z)] = exp(2q) overflows float64 beyond q ~ 354
    got = gaussian_moment(act, q, k=k, p=2)
    panel = min(0.5, 2.0 / (FREQUENCY.get(name, 0.0) * math.sqrt(q) + 1e-300))
    ref = float(gaussian_moment_mp(act, q, k=k, p=2, max_panel=panel))
    assert abs(got - ref) <= 1e-10 * abs(ref) + 1e-13, (name, k, q, got, ref)


@pytest.mark.parametrize("q", [1e-4, 0.3, 1.0, 17.0, 1e3])
def test_closed_forms(q):
    assert gaussian_moment(get_activation("relu"), q) == pytest.approx(q / 2, rel=1e-13)
    assert gaussian_moment(get_activation("relu"), q, k=1) == pytest.approx(0.5, rel=1e-13)
    assert gaussian_moment(get_activation("identity"), q) == pytest.approx(q, rel=1e-13)
    assert gaussian_moment(get_activation("step"), q) == pytest.approx(0.5, rel=1e-13)
    # Williams 1997: E[erf(u)^2] = (2/pi) arcsin(2q/(1+2q))
    assert gaussian_moment(get_activation("erf"), q) == pytest.approx(2 / math.pi * math.asin(2 * q / (1 + 2 * q)), rel=1e-12)
    assert gaussian_moment(get_activation("sin"), q) == pytest.approx((1 - math.exp(-2 * q)) / 2, rel=1e-11, abs=1e-15)
    assert gaussian_moment(get_activation("leaky_relu", slope="0.2"), q) == pytest.approx(q * (1 + 0.04) / 2, rel=1e-13)
    if q < 300:
        assert gaussian_moment(get_activation("exponential"), q) == pytest.approx(math.exp(2 * q), rel=1e-12)


def test_mean_shift_and_other_powers():
    relu = get_activation("relu")
    # E[relu(m + z)] = m Phi(m) + phi_N(m) at q = 1
    m = 0.7
    expected = m * 0.5 * (1 + math.erf(m / math.sqrt(2))) + math.exp(-m * m / 2) / math.sqrt(2 * math.pi)
    assert gaussian_moment(relu, 1.0, p=1, mean=m) == pytest.approx(expected, rel=1e-13)
    assert gaussian_moment(get_activation("identity"), 2.0, p=4) == pytest.approx(3 * 4.0, rel=1e-13)


def test_vectorized_over_q():
    qs = np.array([0.1, 1.0, 10.0])
    np.testing.assert_allclose(gaussian_moment(get_activation("relu"), qs), qs / 2, rtol=1e-13)


def test_bad_input_and_divergence():
    with pytest.raises(ValueError, match="q must be > 0"):
        gaussian_moment(get_activation("tanh"), 0.0)
    act = custom_activation("exp(x**2/8)")  # E[exp(q z^2/4)] finite iff q < 2
    assert gaussian_moment(act, 1.0) == pytest.approx(1 / math.sqrt(1 - 0.5), rel=1e-10)
    with pytest.raises(DivergentExpectationError, match="diverges for q >= 2"):
        gaussian_moment(act, 3.0)
    with pytest.raises(DivergentExpectationError, match="beyond float64"):
        gaussian_moment(get_activation("exponential"), 1e3)


def test_hermite_coefficients_closed_forms():
    """E[e^{√q z} He_j(z)] = e^{q/2} q^{j/2} and E[e^{i√q z} He_j(z)] = e^{-q/2} (i√q)^j (Gaussian
    shift identities), normalized by √j!; and Σ_j a_j² = E[φ²] (Parseval) for an analytic φ."""
    from signalprop import hermite_coefficients

    q = np.array([1e-3, 0.5, 4.0])
    j = np.arange(40)
    norm = np.array([math.sqrt(math.factorial(int(i))) for i in j])
    got = hermite_coefficients(get_activation("exponential"), q, 40)
    expected = np.exp(q / 2)[:, None] * np.sqrt(q)[:, None] ** j[None, :] / norm
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15 * np.exp(q.max()))
    got = hermite_coefficients(get_activation("sin"), q, 40)
    expected = np.exp(-q / 2)[:, None] * np.sqrt(q)[:, None] ** j[None, :] * np.sin(j * np.pi / 2)[None, :] / norm
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    tanh = get_activation("tanh")
    a = hermite_coefficients(tanh, 0.3, 64)
    assert np.sum(a * a) == pytest.approx(gaussian_moment(tanh, 0.3), rel=1e-13)
    with pytest.raises(ValueError, match="q must be > 0"):
        hermite_coefficients(tanh, -1.0)


def test_unresolved_integrals_raise():
    """Panels still disagreeing after the last halving raise QuadratureError naming what was integrated,
    the interval, the disagreement left against the tolerance and what to do — never a silent value."""
    from signalprop.quadrature import MAX_LEVELS, QuadratureError, integrate_rows

    with pytest.raises(QuadratureError, match=rf"sin\(1e7 z\): adaptive Gauss–Legendre on \[0, 1\] did not converge in "
                                              rf"{MAX_LEVELS} halvings: .* still disagree, by .* requested; .*mpmath reference"):
        integrate_rows(lambda z, rows: np.sin(1e7 * z), np.array([[0.0, 1.0]]), what=lambda row: "sin(1e7 z)")
    # E[φ'(z)²] = E[1/(4|z|)] is infinite for φ = √|x|: recognised from the singularity's exponent (singular_ends)
    from signalprop.gaussian import DivergentExpectationError

    with pytest.raises(DivergentExpectationError, match=r"custom\^\(1\) behaves like \|x − 0\|\^-0.5 on the left"):
        gaussian_moment(custom_activation("sqrt(abs(x))"), 1.0, k=1)
    # BiPer's square wave has its jumps listed only for |x| ≤ 15.9: at q = 50 the mean crosses unlisted jumps
    with pytest.raises(QuadratureError, match=r"periodic breakpoints are listed only for \|x\| <= 15.92\) at q = 50"):
        gaussian_moment(get_activation("biper"), 50.0, p=1)


def test_oscillation_faster_than_first_panels():
    """sin(10⁵ x) aliases on the first 1/2-wide panels (their Σ|panel| is ~1e-6 of the true size); the
    tolerance follows Σ|panel| as the panels resolve the oscillation: E[φ'²] = 10¹⁰ (1 + e^{−2·10¹⁰})/2."""
    act = custom_activation("sin(100000*x)")
    assert gaussian_moment(act, 1.0, k=1) == pytest.approx(5e9, rel=1e-13)
    assert gaussian_moment(act, 1.0) == pytest.approx(0.5, rel=1e-13)
