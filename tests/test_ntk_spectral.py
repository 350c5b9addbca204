"""Spectral tools: Funk–Hecke eigenvalues against closed forms (linear kernel, ReLU's arc-cosine
kernel: zero odd eigenvalues beyond k = 1, Bach 2017; the d = 3 values μ_0 = 3/4 and μ_1 = 1/3 at
σ_w² = 2), Mercer's trace, and against the eigenvalues of a large Gram matrix on random sphere points;
depth profiles; the infinite-depth regimes."""

import math

import numpy as np
import pytest

from ntk import kernel_layers
from ntk.spectral import depth_profile, infinite_depth_limit, legendre_d, multiplicity, sphere_kernel, sphere_spectrum
from symbolic import get_activation

RELU = get_activation("relu")


def test_multiplicities_and_normalization():
    assert [multiplicity(3, k) for k in range(5)] == [1, 3, 5, 7, 9]  # 2k + 1 on S²
    assert [multiplicity(2, k) for k in range(4)] == [1, 2, 2, 2]
    assert multiplicity(5, 2) == 14  # dim of harmonic polynomials of degree 2 in 5 variables: 15 − 1
    t = np.linspace(-1, 1, 7)
    assert legendre_d(2, 3, t) == pytest.approx((3 * t * t - 1) / 2, abs=1e-15)
    assert legendre_d(3, 2, np.cos(0.4)) == pytest.approx(math.cos(1.2), abs=1e-15)


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


def test_sphere_kernel_matches_kernel_matrix():
    X = np.random.default_rng(1).normal(size=(5, 4))
    X *= 2 / np.linalg.norm(X, axis=1, keepdims=True)
    layers = kernel_layers(get_activation("elu"), X, depth=3, sigma_w2=1.7, sigma_b2=0.2)
    t = (X @ X.T / 4)[0]
    s, th = sphere_kernel(get_activation("elu"), np.clip(t, -1, 1), 3, 1.7, 0.2)
    assert s == pytest.approx(layers.nngp[-1][0], rel=1e-12)
    assert th == pytest.approx(layers.ntk[-1][0], rel=1e-12)


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
