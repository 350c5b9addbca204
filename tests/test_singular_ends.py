"""Algebraic end-point singularities (quadrature ``graded``, gaussian ``singular_ends``): φ = max(0, x)^α and its
derivative x^{α−1}, singular at 0, integrated on panels mapped as x = h t^m — against Γ-function closed forms and the
30-digit mpmath reference; divergent moments refused; the 1-D route of the laws' c = 1 entries."""

import math

import numpy as np
import pytest

from signalprop import layer_law
from signalprop.gaussian import DivergentExpectationError, gaussian_moment, gaussian_moment_mp, singular_ends
from signalprop.quadrature import integrate_rows
from symbolic import get_activation
from symbolic.custom import custom_activation


def _c(beta):
    """E[z₊^{2β}] = 2^{β−1} Γ(β + 1/2)/√π."""
    return 2 ** (beta - 1) * math.gamma(beta + 0.5) / math.sqrt(math.pi)


def test_graded_panels_integrate_end_point_singularities():
    """∫₀¹ x^{−1/2} dx = 2 (right of the cut, m = 2) and ∫_{−1}^0 (−x)^{−2/3} dx = 3 (left of it, m = 3), one row each."""
    edges = np.array([[0.0, 0.5, 1.0], [-1.0, -0.5, 0.0]])

    def f(z, rows):
        with np.errstate(all="ignore"):
            return np.where(rows == 0, np.abs(z) ** -0.5, np.abs(z) ** (-2 / 3))

    cuts = np.array([[0.0, 0.0], [0.0, 0.0]])
    out = integrate_rows(f, edges, graded=(cuts, np.array([[1, 2], [3, 1]])))
    assert out == pytest.approx([2.0, 3.0], rel=1e-14)


@pytest.mark.parametrize("alpha", ["3/4", "0.6", "0.9", "5/4", "1/3"])
@pytest.mark.parametrize("q", [0.01, 1.0, 37.0])
def test_rectified_power_moments_against_gamma_functions(alpha, q):
    a = float(eval(alpha))  # a literal of this test
    act = custom_activation(f"max(0, x)^({alpha})", name="arelu")
    assert gaussian_moment(act, q) == pytest.approx(_c(a) * q**a, rel=1e-13)
    if a > 0.5:
        assert gaussian_moment(act, q, k=1) == pytest.approx(a * a * _c(a - 1) * q ** (a - 1), rel=1e-13)
    else:
        with pytest.raises(DivergentExpectationError, match="not integrable"):
            gaussian_moment(act, q, k=1)


@pytest.mark.parametrize("formula,q", [("x + max(0, -x)^(5/3)", 1.5), ("tanh(x)*max(0, x)^(2/5)", 3.0),
                                       ("max(0, x)^(7/4) - 2*max(0, x)^(3/4)", 0.7)])
def test_singular_ends_against_mpmath(formula, q):
    """A left-side singularity, a product whose analytic factor raises the leading power (tanh(x) x^{2/5} ~ x^{7/5}: its
    φ' is bounded although x^{2/5}'s is not), two powers with one grading: φ and φ' (p = 2 and p = 1) against the 30-digit
    reference."""
    act = custom_activation(formula, name="singular")
    for k in (0, 1):
        for p in (1, 2):
            got = gaussian_moment(act, q, k=k, p=p)
            ref = float(gaussian_moment_mp(act, q, k=k, p=p))
            assert got == pytest.approx(ref, rel=1e-12, abs=1e-15), (k, p, got, ref)


def test_singular_ends_away_from_zero_are_not_graded():
    """x = m + √q z cannot resolve the distance to a singular breakpoint b ≠ 0 below float64's spacing near b: the
    engine does not grade there and says it cannot converge (never a silent value)."""
    from signalprop.quadrature import QuadratureError

    act = custom_activation("max(0, x - 1)^(3/4)", name="shifted")
    assert gaussian_moment(act, 2.0) == pytest.approx(float(gaussian_moment_mp(act, 2.0)), rel=1e-10)
    with pytest.raises(QuadratureError, match="did not converge"):
        gaussian_moment(act, 2.0, k=1)


def test_singular_ends_are_found_only_where_they_are():
    assert singular_ends(get_activation("tanh")) == () and singular_ends(get_activation("relu")) == ()
    assert singular_ends(get_activation("rectified_monomial", k=3)) == ()
    (end,) = singular_ends(custom_activation("max(0, x)^(3/4)", name="arelu"))
    assert (end.at, end.m_left, end.m_right, end.e_right) == (0.0, 1, 4, 0.75)
    (both,) = singular_ends(custom_activation("abs(x)^(2/3)", name="cusp"))
    assert (both.m_left, both.m_right) == (3, 3)


def test_laws_take_the_one_dimensional_route_at_c_one():
    """K(q, q, 1) = E[φ²] and K̇(q, q, 1) = E[φ'²] exactly (the same 1-D moments); for tanh the collinear 2-D route
    (q1 ≠ q2 → equal) agrees to 1e-13."""
    law = layer_law(custom_activation("max(0, x)^(3/4)", name="arelu"))
    assert law.dual(1.3, 1.3, 1.0) == law.second_moment(1.3)
    assert law.dual_derivative(1.3, 1.3, 1.0) == law.gradient_moment(1.3)
    tanh = layer_law(get_activation("tanh"))
    other = 0.7 * (1 + 1e-15)  # q1 ≠ q2: the collinear 2-D route
    assert tanh.dual_derivative(0.7, 0.7, 1.0) == pytest.approx(tanh.dual_derivative(0.7, other, 1.0), rel=1e-13)
    assert tanh.dual(0.7, 0.7, 1.0) == pytest.approx(tanh.dual(0.7, other, 1.0), rel=1e-13)
