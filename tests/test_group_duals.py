"""Duals of larger groups (signalprop.group_duals): maxout with k pieces and groupsort with groups of k.

References, each independent of the 2-D rule and the Chebyshev series:
* k = 2: the pair closed forms (1/2 + arcsin(c)/π and its integral), to rounding;
* c = 1, 0, −1: order statistics of one k-vector by 1-D/2-D scipy quadrature: κ(1) = m₂; κ̇(0) = 1/k; κ(0) = (E max)²
  (maxout) or the mean of (E u_(j))² (groupsort); κ̇(−1) = 0 (maxout: the argmax is never the argmin) or 1/k for odd k
  (groupsort: only the median keeps its rank under u → −u), 0 for even k; κ(−1) = −E[max·min] (maxout) or
  −mean_j E[u_(j) u_(k+1−j)] (groupsort);
* interior angles: the argmax/rank-coincidence probability as Gaussian orthant probabilities of the differences
  u₁ − u_j (Genz's algorithm, scipy.stats.multivariate_normal.cdf, its error ~1e-7), and brute-force sampling
  (10⁶ groups, 5 standard errors) for K and K̇ themselves."""

import math

import numpy as np
import pytest
from scipy.integrate import dblquad, quad
from scipy.special import ndtr
from scipy.stats import multivariate_normal

from signalprop.group_duals import derivative_kernel_at, group_dual
from signalprop.laws import GroupLaw, UnsupportedLayerError, layer_law, max_moment
from symbolic import get_activation


def _pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _order_density(k: int, r: int, x: float) -> float:
    """Density of the r-th smallest of k standard normals."""
    return (math.factorial(k) / (math.factorial(r - 1) * math.factorial(k - r)) * ndtr(x) ** (r - 1)
            * ndtr(-x) ** (k - r) * _pdf(x))


def _order_mean(k: int, r: int) -> float:
    return quad(lambda x: x * _order_density(k, r, x), -12, 12, epsabs=1e-14, epsrel=1e-13, limit=200)[0]


def _order_product(k: int, r: int, s: int) -> float:
    """E[u_(r) u_(s)] for r < s (ascending order statistics), from their joint density; r = s: E[u_(r)²]."""
    if r == s:
        return quad(lambda x: x * x * _order_density(k, r, x), -12, 12, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    const = math.factorial(k) / (math.factorial(r - 1) * math.factorial(s - r - 1) * math.factorial(k - s))

    def f(y, x):  # x = u_(r) < y = u_(s)
        return (const * x * y * ndtr(x) ** (r - 1) * (ndtr(y) - ndtr(x)) ** (s - r - 1) * ndtr(-y) ** (k - s)
                * _pdf(x) * _pdf(y))

    return dblquad(f, -10, 10, lambda x: x, 10, epsabs=1e-13, epsrel=1e-12)[0]


def _dual(kind: str, k: int):
    return layer_law(get_activation(kind, k=k))._unit_dual()


@pytest.mark.parametrize("kind", ["maxout", "groupsort"])
def test_pairs_reproduce_the_closed_forms(kind):
    c = np.linspace(-1, 1, 1001)
    dual = group_dual(kind, 2, 1.0)
    np.testing.assert_allclose(dual.derivative(c), 0.5 + np.arcsin(c) / np.pi, rtol=0, atol=5e-14)
    np.testing.assert_allclose(dual.value(c), c / 2 + (np.sqrt(1 - c * c) + c * np.arcsin(c)) / np.pi, rtol=0, atol=5e-14)


@pytest.mark.parametrize("kind, k", [("maxout", 3), ("maxout", 5), ("groupsort", 3), ("groupsort", 4)])
def test_endpoints_against_order_statistics(kind, k):
    dual = _dual(kind, k)
    ends = np.array([1.0, 0.0, -1.0])
    kd, kv = dual.derivative(ends), dual.value(ends)
    means = [_order_mean(k, r) for r in range(1, k + 1)]
    if kind == "maxout":
        m2, at0 = max_moment(k, 2), means[-1] ** 2
        kd_minus, at_minus = 0.0, -_order_product(k, 1, k)
    else:
        m2, at0 = 1.0, float(np.mean(np.square(means)))
        kd_minus = 1 / k if k % 2 else 0.0
        at_minus = -np.mean([_order_product(k, min(j, k + 1 - j), max(j, k + 1 - j)) for j in range(1, k + 1)])
    np.testing.assert_allclose(kd, [1.0, 1 / k, kd_minus], rtol=0, atol=1e-12)
    np.testing.assert_allclose(kv, [m2, at0, at_minus], rtol=0, atol=1e-11)


def _difference_covariance(k: int, c: float) -> np.ndarray:
    """Covariance of (u₁ − u_j, u'₁ − u'_j), j = 2 … k: A = I + 11ᵀ within an input, c A across."""
    A = np.eye(k - 1) + 1.0
    return np.block([[A, c * A], [c * A, A]])


def _orthant(cov: np.ndarray, signs: np.ndarray) -> float:
    S = np.diag(signs)
    mvn = multivariate_normal(mean=np.zeros(len(signs)), cov=S @ cov @ S, abseps=1e-10, releps=1e-10, maxpts=4_000_000)
    return float(mvn.cdf(np.zeros(len(signs)), rng=np.random.default_rng(0)))  # P(S D <= 0) = P(S D >= 0)


@pytest.mark.parametrize("c", [-0.7, 0.2, 0.9])
def test_interior_against_orthant_probabilities(c):
    """maxout k = 3: κ̇ = 3 P(u₁ wins at both inputs); groupsort k = 3: the ranks of u₁ agree (first, last or middle
    at both: the middle is the four sign patterns of (u₁ − u₂, u₁ − u₃) with opposite signs)."""
    cov = _difference_covariance(3, c)
    top = _orthant(cov, np.ones(4))
    middle = sum(_orthant(cov, np.array([s, -s, t, -t])) for s in (1, -1) for t in (1, -1))
    theta = math.acos(c)
    assert derivative_kernel_at("maxout", 3, theta) == pytest.approx(3 * top, abs=2e-7)
    assert derivative_kernel_at("groupsort", 3, theta) == pytest.approx(2 * top + middle, abs=4e-7)
    assert _dual("maxout", 3).derivative(c) == pytest.approx(derivative_kernel_at("maxout", 3, theta), abs=1e-13)


@pytest.mark.parametrize("kind, k", [("maxout", 3), ("groupsort", 4)])
def test_kernels_against_sampling(kind, k):
    """K and K̇ at unequal variances (q1, q2) = (0.5, 2), c = 0.3, from 10⁶ sampled groups: within 5 standard errors."""
    rng = np.random.default_rng(11)
    n, c, q1, q2 = 1_000_000, 0.3, 0.5, 2.0
    u = rng.standard_normal((n, k))
    v = c * u + math.sqrt(1 - c * c) * rng.standard_normal((n, k))
    if kind == "maxout":
        g, h = u.max(1), v.max(1)
        grad = (u.argmax(1) == v.argmax(1)).astype(float)
    else:
        g, h = np.sort(u, 1), np.sort(v, 1)  # ascending; the per-unit average is over the k outputs
        grad = (np.argsort(np.argsort(u, 1), 1)[:, 0] == np.argsort(np.argsort(v, 1), 1)[:, 0]).astype(float)
    prod = (g * h).reshape(n, -1).mean(1) * math.sqrt(q1 * q2)  # maxout: one output; groupsort: mean of k
    law = layer_law(get_activation(kind, k=k))
    for sample, theory in ((prod, law.dual(q1, q2, c)), (grad, law.dual_derivative(q1, q2, c))):
        z = (sample.mean() - theory) / (sample.std(ddof=1) / math.sqrt(n))
        assert abs(z) < 5, (kind, k, z)


@pytest.mark.parametrize("kind, k", [("maxout", 128), ("groupsort", 32)])
def test_largest_groups_stay_converged(kind, k):
    """At the largest supported groups one evaluation of the rule still meets κ̇(π/2) = 1/k and κ̇ → 1 as θ → 0
    (κ̇(θ) = 1 − O(θ)), i.e. the fixed panels still resolve the peak of the largest of k."""
    assert derivative_kernel_at(kind, k, math.pi / 2) == pytest.approx(1 / k, abs=1e-13)
    near = derivative_kernel_at(kind, k, 1e-6)
    assert 1 - 1e-4 < near <= 1 + 1e-13


def test_groups_beyond_the_range_are_refused():
    law = GroupLaw(get_activation("groupsort", k=64))
    with pytest.raises(UnsupportedLayerError, match="2 <= k <= 32"):
        law.dual(1.0, 1.0, 0.5)
    assert law.dual(2.0, 2.0, 1.0) == 2.0  # lengths need no dual
