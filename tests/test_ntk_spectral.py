"""Spectral tools: Funk–Hecke eigenvalues against closed forms (linear kernel, ReLU's arc-cosine
kernel: zero odd eigenvalues beyond k = 1, Bach 2017; the d = 3 values μ_0 = 3/4 and μ_1 = 1/3 at
σ_w² = 2), Mercer's trace, and against the eigenvalues of a large Gram matrix on random sphere points;
the kernels on the sphere against the recursion composed from independent duals (ReLU's arc-cosine
closed form, GELU by Gauss–Hermite); depth profiles; the infinite-depth regimes."""

import math

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss

from ntk import kernel_layers
from ntk.spectral import depth_profile, infinite_depth_limit, legendre_d, multiplicity, sphere_kernel, sphere_spectrum
from symbolic import get_activation

RELU = get_activation("relu")


def test_multiplicities_and_normalization():
    assert [multiplicity(3, k) for k in range(5)] == [1, 3, 5, 7, 9]  # 2k + 1 on S²
    assert [multiplicity(2, k) for k in range(4)] == [1, 2, 2, 2]
    assert multiplicity(5, 2) == 14  # dim of harmonic polynomials of degree 2 in 5 variables: 15 − 1
    t = np.linspace(-1, 1, 7)
    assert legendre_d(2, 3, t)[2] == pytest.approx((3 * t * t - 1) / 2, abs=1e-15)
    assert legendre_d(3, 2, np.cos(0.4))[3] == pytest.approx(math.cos(1.2), abs=1e-15)
    # P_2^{(d)}(t) = (d t² − 1)/(d − 1), exact for any d (no overflow at d = 1e8)
    for d in (5, 1000, 10**8):
        np.testing.assert_allclose(legendre_d(2, d, t)[2], (d * t * t - 1) / (d - 1), rtol=1e-14, atol=1e-15)
    # large d: exact integers (N(d, 1) = d, N(d, 2) = d(d + 1)/2 − 1)
    assert multiplicity(10**8, 1) == 10**8 and multiplicity(10**8, 2) == 10**8 * (10**8 + 1) // 2 - 1


@pytest.mark.parametrize("d", [20, 64, 65, 20000, 10**8])
def test_funk_hecke_at_large_dimension_against_mpmath(d):
    """ReLU at depth 1, σ_w² = 2 (Σ⁰ = 2t): κ(t) = 2(sin θ + (π − θ) cos θ)/π (arc-cosine, closed form); its Funk–Hecke
    eigenvalues μ_k = ∫ κ(t) P_k^{(d)}(t) (1 − t²)^{(d−3)/2} dt / ∫ (1 − t²)^{(d−3)/2} dt by mpmath at 30 digits in
    u = t √d (the measure's width), against the toolkit's rule (θ for d ≤ 64, Gegenbauer beyond)."""
    import mpmath

    mpmath.mp.dps = 30
    k_max = 4
    kappa = lambda t: 2 * (mpmath.sqrt(1 - t * t) + (mpmath.pi - mpmath.acos(t)) * t) / mpmath.pi  # noqa: E731

    def p(k, t):  # the recurrence in mpmath, an independent evaluation
        a, b = mpmath.mpf(1), t
        if k == 0:
            return a
        for j in range(1, k):
            a, b = b, ((2 * j + d - 2) * t * b - j * a) / (j + d - 2)
        return b

    scale = mpmath.sqrt(d)
    dens = lambda u: (1 - u * u / d) ** (mpmath.mpf(d - 3) / 2)  # noqa: E731
    cut = min(scale, 12)  # beyond |u| = 12 the weight is < e^{-70}
    norm = mpmath.quad(dens, [-cut, 0, cut])
    ref = [mpmath.quad(lambda u: kappa(u / scale) * p(k, u / scale) * dens(u), [-cut, 0, cut]) / norm
           for k in range(k_max + 1)]
    mpmath.mp.dps = 15
    got = sphere_spectrum(get_activation("relu"), d, 1, 2.0, 0.0, k_max=k_max, ntk=False).nngp
    np.testing.assert_allclose(got, np.array(ref, dtype=float), rtol=1e-9, atol=1e-15 * float(ref[0]))


def test_linear_kernel_has_one_eigenvalue_one_over_d():
    sp = sphere_spectrum(get_activation("identity"), 4, 2, 1.0, 0.0, k_max=5, ntk=False)
    assert sp.nngp[1] == pytest.approx(0.25, rel=1e-13)
    assert np.all(np.abs(np.delete(sp.nngp, 1)) < 1e-15)


def test_relu_arc_cosine_spectrum():
    sp = sphere_spectrum(RELU, 3, 1, 2.0, 0.0, k_max=15)
    assert sp.nngp[0] == pytest.approx(0.75, rel=1e-13) and sp.nngp[1] == pytest.approx(1 / 3, rel=1e-13)
    assert np.all(np.abs(sp.nngp[3::2]) < 1e-14)  # odd k ≥ 3 vanish
    assert np.all(sp.nngp[2::2] > 0)
    assert sp.trace_nngp == pytest.approx(2.0, rel=1e-14)  # κ(1) = Σ^1(x, x) = σ_w² q^0/2 with q^0 = σ_w² = 2
    assert np.sum(sp.multiplicity * sp.nngp) == pytest.approx(sp.trace_nngp, rel=2e-4)  # Mercer, truncated at k = 15


def test_mercer_trace_deep_kernels():
    sp = sphere_spectrum(get_activation("tanh"), 5, 3, 1.5, 0.1, k_max=40)
    assert np.sum(sp.multiplicity * sp.nngp) == pytest.approx(sp.trace_nngp, rel=1e-10)
    assert np.sum(sp.multiplicity * sp.ntk) == pytest.approx(sp.trace_ntk, rel=1e-10)
    assert np.all(sp.nngp[:10] > 0)  # non-polynomial φ: positive definite on the sphere


def test_spectrum_against_gram_matrix_eigenvalues():
    """n random points on S² (d = 3): the Gram matrix / n has eigenvalues ≈ μ_k with multiplicity 2k + 1
    (Monte-Carlo, O(1/√n) relative): the top eigenvalue groups match within 10 %."""
    n, d = 1500, 3
    X = np.random.default_rng(0).normal(size=(n, d))
    X *= np.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True)
    gram = kernel_layers(RELU, X, depth=2, sigma_w2=2.0, sigma_b2=0.0, ntk=False).nngp[-1]
    eig = np.sort(np.linalg.eigvalsh(gram / n))[::-1]
    sp = sphere_spectrum(RELU, d, 2, 2.0, 0.0, k_max=2, ntk=False)
    assert eig[0] == pytest.approx(sp.nngp[0], rel=0.1)
    assert np.mean(eig[1:4]) == pytest.approx(sp.nngp[1], rel=0.1)
    assert np.mean(eig[4:9]) == pytest.approx(sp.nngp[2], rel=0.1)


def _compose(dual, t: np.ndarray, depth: int, w2: float, b2: float) -> tuple[np.ndarray, np.ndarray]:
    """(Σ^L(t), Θ^L(t)) for inputs on the sphere ‖x‖² = d at t = x·x'/d, NTK parameterization, composed
    by hand from ``dual(q, c)`` = (E[φ(u)φ(v)], E[φ'(u)φ'(v)]) at Var u = Var v = q, Cov(u, v) = c."""
    q, s = w2 + b2, w2 * t + b2
    theta = s
    for _ in range(depth):
        k, kdot = dual(q, s)
        s, q = w2 * k + b2, w2 * dual(q, q)[0] + b2
        theta = s + w2 * kdot * theta
    return s, theta


def _arc_cosine(q: float, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ReLU's dual (Cho & Saul 2009, n = 1 and n = 0): q (sin θ + (π − θ) cos θ)/(2π), (π − θ)/(2π), cos θ = c/q."""
    angle = np.arccos(np.clip(c / q, -1.0, 1.0))
    return q * (np.sin(angle) + (np.pi - angle) * np.cos(angle)) / (2 * np.pi), (np.pi - angle) / (2 * np.pi)


def _gauss_hermite_dual(act, nodes: int = 100):
    """The dual of ``act`` by a product Gauss–Hermite rule in (z1, z2), u = √q z1, v = (c/√q) z1 + √(q − c²/q) z2:
    for GELU (entire) 100 nodes per axis agree with 80 and 150 to ~1e-15 at the variances used here."""
    x, w = hermegauss(nodes)
    weights = np.outer(w, w) / w.sum() ** 2
    f, df = act.numpy(0), act.numpy(1)

    def dual(q: float, c) -> tuple[np.ndarray, np.ndarray]:
        c = np.asarray(c, dtype=np.float64)[..., None, None]
        u = math.sqrt(q) * x[:, None]
        v = c / math.sqrt(q) * x[:, None] + np.sqrt(np.maximum(q - c * c / q, 0.0)) * x[None, :]
        return (weights * f(u) * f(v)).sum(axis=(-2, -1)), (weights * df(u) * df(v)).sum(axis=(-2, -1))

    return dual


@pytest.mark.parametrize("name,dual,w2,b2,rtol", [
    ("relu", _arc_cosine, 2.0, 0.1, 1e-14),            # closed form against closed form: rounding only
    ("gelu", _gauss_hermite_dual(get_activation("gelu")), 1.7, 0.2, 1e-12),  # the 2-D engine's ~1e-13 against a converged rule
])
def test_kernels_on_the_sphere_against_an_independent_dual(name, dual, w2, b2, rtol):
    """kernel_layers on 4-D inputs on the sphere and sphere_kernel at t ∈ [−1, 1] (t = ±1 included) against
    the depth-3 recursion composed here from a dual computed independently of ntk/."""
    act = get_activation(name)
    X = np.random.default_rng(1).normal(size=(5, 4))
    X *= 2 / np.linalg.norm(X, axis=1, keepdims=True)
    t = np.clip(X @ X.T / 4, -1, 1)
    np.fill_diagonal(t, 1.0)  # an input with itself: exactly 1 (arccos is ill-conditioned at 1 − 1e-16)
    s, th = _compose(dual, t, 3, w2, b2)
    layers = kernel_layers(act, X, depth=3, sigma_w2=w2, sigma_b2=b2)
    assert layers.nngp[-1] == pytest.approx(s, rel=rtol) and layers.ntk[-1] == pytest.approx(th, rel=rtol)
    grid = np.array([-1.0, -0.5, 0.0, 0.3, 0.99, 1.0])
    s, th = _compose(dual, grid, 3, w2, b2)
    ss, tt = sphere_kernel(act, grid, 3, w2, b2)
    assert ss == pytest.approx(s, rel=rtol) and tt == pytest.approx(th, rel=rtol)


def test_depth_profile_and_infinite_depth_regimes():
    X = np.random.default_rng(2).normal(size=(12, 6))
    X *= np.sqrt(6) / np.linalg.norm(X, axis=1, keepdims=True)
    prof = depth_profile(get_activation("tanh"), X, 4, 1.5, 0.05)
    assert np.all(prof.min_eig_nngp[1:] > 0) and np.all(np.isfinite(prof.condition_ntk[1:]))
    assert infinite_depth_limit(get_activation("tanh"), 0.8, 0.1).regime == "constant"
    assert infinite_depth_limit(get_activation("tanh"), 3.0, 0.1).regime == "identity plus constant"
    assert infinite_depth_limit(RELU, 2.0, 0.0).regime == "constant (critical)"
    assert infinite_depth_limit(get_activation("identity"), 1.0, 0.0).regime == "keeps structure"
    with pytest.raises(ValueError, match="q\\* = 0"):
        infinite_depth_limit(get_activation("tanh"), 0.5, 0.0)
    with pytest.raises(ValueError, match="d must be"):
        sphere_spectrum(RELU, 1, 2)


def test_dual_coefficients_sum_to_the_kernel():
    """Σ b_n cⁿ reproduces the dual at |c| < 1 (erf: Williams' closed form) and Σ b_n = E[φ²]."""
    from ntk import dual, dual_coefficients

    erf = get_activation("erf")
    b = dual_coefficients(erf, 0.7, 80)
    assert np.all(b >= 0) and np.all(b[::2] < 1e-30)  # odd φ: only odd powers
    c = np.array([-0.6, 0.2, 0.5])
    assert np.polynomial.polynomial.polyval(c, b) == pytest.approx(dual(erf, 0.7, 0.7, 0.7 * c), rel=1e-12)
    with pytest.raises(ValueError, match="q must be"):
        dual_coefficients(erf, 0.0)
