"""Deep NNGP/NTK kernels: against recursions written out here from the papers' formulas (arc-cosine,
Williams), the NTK diagonal identity of ReLU, the sphere route against the general one, symmetry,
positive semi-definiteness, blocks, per-layer variances, both parameterizations, mixtures, bad input."""

import importlib
import warnings

import numpy as np
import pytest

from ntk import NoTangentKernelError, dual, final_kernels, kernel_layers, nngp, ntk
from signalprop import mixture
from symbolic import custom_activation, get_activation

RELU, TANH, ERF = (get_activation(n) for n in ("relu", "tanh", "erf"))
dual_module = importlib.import_module("ntk.dual")  # the module (the package re-exports its function ``dual``)


def _inputs(n=7, d=5, seed=0, sphere=False):
    X = np.random.default_rng(seed).normal(size=(n, d))
    if sphere:
        X *= np.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True)
    return X


def _relu_recursion(X, depth, w2, b2, standard_width=None):
    """Σ^l, Θ^l of ReLU from Cho & Saul's J_1 and (π − θ)/2π, written out (arccos of the correlation)."""
    d = X.shape[1]
    sigma = w2 * X @ X.T / d + b2
    theta = X @ X.T + 1.0 if standard_width else sigma.copy()
    for _ in range(depth):
        q = np.sqrt(np.outer(np.diag(sigma), np.diag(sigma)))
        th = np.arccos(np.clip(sigma / q, -1, 1))
        k = q * (np.sin(th) + (np.pi - th) * np.cos(th)) / (2 * np.pi)
        dk = (np.pi - th) / (2 * np.pi)
        sigma_new = w2 * k + b2
        head = standard_width * k + 1.0 if standard_width else sigma_new
        theta = head + w2 * dk * theta
        sigma = sigma_new
    return sigma, theta


@pytest.mark.parametrize("depth", [0, 1, 2, 5])
def test_relu_ntk_diagonal_is_depth_plus_one_times_input_kernel(depth):
    """σ_w² = 2, σ_b = 0: Σ^l(x, x) = Σ^0(x, x) and Σ̇^l(x, x) = 1, so Θ^L(x, x) = (L + 1) Σ^0(x, x)."""
    X = _inputs()
    got = np.diag(ntk(RELU, X, depth=depth, sigma_w2=2.0))
    assert got == pytest.approx((depth + 1) * 2 * np.sum(X * X, axis=1) / X.shape[1], rel=1e-15)


def test_relu_against_arc_cosine_recursion():
    X = _inputs(9, 4, seed=1)
    layers = kernel_layers(RELU, X, depth=4, sigma_w2=1.7, sigma_b2=0.2)
    sigma, theta = _relu_recursion(X, 4, 1.7, 0.2)
    # arccos of a rounded correlation near c = 1 costs ~ε/θ in θ: 1e-11 relative covers it on these inputs
    assert layers.nngp[-1] == pytest.approx(sigma, rel=1e-12)
    assert layers.ntk[-1] == pytest.approx(theta, rel=1e-11)


def test_standard_parameterization_against_recursion():
    X = _inputs(6, 3, seed=2)
    got = ntk(RELU, X, depth=3, sigma_w2=2.0, sigma_b2=0.05, parameterization="standard", width=512)
    assert got == pytest.approx(_relu_recursion(X, 3, 2.0, 0.05, standard_width=512)[1], rel=1e-11)
    # the forward kernel does not depend on the parameterization
    assert kernel_layers(RELU, X, depth=3, sigma_w2=2.0, sigma_b2=0.05, parameterization="standard", width=512).nngp[-1] == \
        pytest.approx(nngp(RELU, X, depth=3, sigma_w2=2.0, sigma_b2=0.05), rel=1e-15)


def test_per_layer_variances():
    X = _inputs(5, 3, seed=3)
    w2, b2 = [1.0, 2.5, 0.7], [0.1, 0.0, 0.3]
    d = X.shape[1]
    sigma = w2[0] * X @ X.T / d + b2[0]
    for layer in (1, 2):
        q = np.sqrt(np.outer(np.diag(sigma), np.diag(sigma)))
        th = np.arccos(np.clip(sigma / q, -1, 1))
        sigma = w2[layer] * q * (np.sin(th) + (np.pi - th) * np.cos(th)) / (2 * np.pi) + b2[layer]
    assert nngp(RELU, X, depth=2, sigma_w2=w2, sigma_b2=b2) == pytest.approx(sigma, rel=1e-12)


def test_erf_against_williams_recursion():
    X = _inputs(8, 6, seed=4)
    w2, b2, depth = 3.0, 0.5, 3
    sigma = w2 * X @ X.T / 6 + b2
    for _ in range(depth):
        dg = np.diag(sigma)
        sigma = w2 * 2 / np.pi * np.arcsin(2 * sigma / np.sqrt(np.outer(1 + 2 * dg, 1 + 2 * dg))) + b2
    assert nngp(ERF, X, depth=depth, sigma_w2=w2, sigma_b2=b2) == pytest.approx(sigma, rel=1e-13)


def _engine_recursion(act, X, depth, w2, b2):
    """Σ^L, Θ^L with every entry from ``dual`` on single entries (the 2-D engine; no Mehler, no θ-series)."""
    n, d = X.shape
    sigma = w2 * X @ X.T / d + b2
    theta = sigma.copy()
    for _ in range(depth):
        q = np.diag(sigma).copy()
        k, kd = (np.array([[float(dual(act, q[i], q[j], sigma[i, j], derivative=dv)) for j in range(n)] for i in range(n)])
                 for dv in (False, True))
        sigma, theta = w2 * k + b2, w2 * k + b2 + w2 * kd * theta
    return sigma, theta


@pytest.mark.parametrize("name", ["tanh", "elu", "swish"])
def test_mehler_route_matches_engine_on_unequal_norms(name):
    """Inputs of different norms: Mehler's certified series (engine where it cannot certify) against
    the engine on every entry, 1e-12 relative to the largest entry."""
    act = get_activation(name)
    X = _inputs(5, 3, seed=9) * np.array([[0.3], [1.0], [1.7], [0.8], [2.2]])
    X[4] = 1.01 * X[3]  # a pair at c ≈ 1: the series' tail bound fails there for kinked φ
    layers = kernel_layers(act, X, depth=3, sigma_w2=1.6, sigma_b2=0.1)
    sigma, theta = _engine_recursion(act, X, 3, 1.6, 0.1)
    assert np.max(np.abs(layers.nngp[-1] - sigma)) <= 1e-12 * np.max(np.abs(sigma))
    assert np.max(np.abs(layers.ntk[-1] - theta)) <= 1e-12 * np.max(np.abs(theta))


def test_sphere_route_matches_engine():
    """Inputs on a sphere (20 of them, past the θ-series threshold): every layer's θ-series against
    the engine entry by entry."""
    X = _inputs(20, 4, seed=5, sphere=True)
    layers = kernel_layers(TANH, X, depth=2, sigma_w2=1.5, sigma_b2=0.1)
    sigma, theta = _engine_recursion(TANH, X, 2, 1.5, 0.1)
    assert np.max(np.abs(layers.nngp[-1] - sigma)) <= 1e-12 * np.max(np.abs(sigma))
    assert np.max(np.abs(layers.ntk[-1] - theta)) <= 1e-12 * np.max(np.abs(theta))


def test_cubic_table_matches_series(monkeypatch):
    """Many entries on a sphere go through the cubic table of the θ-series (in φ = arccos x, from two FFTs): against
    the series itself, to rounding (measured ≤ 8.4e-16 of the largest entry for eight activations at depth 10)."""
    X = _inputs(330, 5, seed=10, sphere=True)
    fast = ntk(get_activation("elu"), X, depth=2, sigma_w2=1.8, sigma_b2=0.05)
    monkeypatch.setattr(dual_module, "SPLINE_MIN", 10**12)
    series = ntk(get_activation("elu"), X, depth=2, sigma_w2=1.8, sigma_b2=0.05)
    assert not np.array_equal(fast, series)  # the table was used
    assert np.max(np.abs(fast - series)) <= 4e-15 * np.max(np.abs(series))


def test_series_table_in_the_cosine_variable():
    """``evaluate_series`` on 60,000 angles (the domain's ends included): a degree-1024 series with algebraically
    decaying coefficients through the table equals chebval to 1e-15 of the largest coefficient; a series the table
    cannot follow (coefficients that do not decay up to degree 1,500: h⁴/384 times its fourth derivative is ~1e-5)
    falls back to chebval itself, exactly."""
    from numpy.polynomial import chebyshev as C

    from signalprop.dual_table import to_unit

    rng = np.random.default_rng(4)
    domain = (0.3, 2.9)
    theta = np.concatenate([rng.uniform(*domain, 60_000), domain])
    smooth = rng.normal(size=1025) / (1.0 + np.arange(1025)) ** 5
    got, ref = dual_module.evaluate_series(smooth, domain, theta), C.chebval(to_unit(theta, domain), smooth)
    assert not np.array_equal(got, ref)  # the table, not the fallback
    assert np.max(np.abs(got - ref)) <= 1e-15 * np.max(np.abs(smooth))
    rough = rng.normal(size=1_500)
    assert np.array_equal(dual_module.evaluate_series(rough, domain, theta), C.chebval(to_unit(theta, domain), rough))


@pytest.mark.parametrize("name", ["relu", "tanh", "elu", "erf", "sin", "gelu"])
def test_symmetric_positive_semidefinite_and_blocks(name):
    act = get_activation(name)
    X = _inputs(8, 3, seed=6)
    layers = kernel_layers(act, X, depth=2, sigma_w2=1.8, sigma_b2=0.05)
    for mat in (layers.nngp[-1], layers.ntk[-1]):
        assert np.array_equal(mat, mat.T)
        eig = np.linalg.eigvalsh(mat)
        assert eig.min() >= -1e-12 * eig.max(), (name, eig.min())
    cross = kernel_layers(act, X[:3], X[3:], depth=2, sigma_w2=1.8, sigma_b2=0.05)
    assert cross.nngp[-1] == pytest.approx(layers.nngp[-1][:3, 3:], rel=1e-12, abs=1e-15)
    assert cross.ntk[-1] == pytest.approx(layers.ntk[-1][:3, 3:], rel=1e-12, abs=1e-15)


def test_non_polynomial_kernel_is_strictly_positive_definite_on_the_sphere():
    """Jacot et al.: for non-polynomial φ the NTK is positive definite on distinct points of the sphere;
    a degree-1 polynomial (identity) gives a rank-d linear kernel instead."""
    X = _inputs(12, 3, seed=7, sphere=True)
    assert np.linalg.eigvalsh(ntk(TANH, X, depth=2, sigma_w2=1.5))[0] > 1e-6
    lin = ntk(get_activation("identity"), X, depth=2, sigma_w2=1.5)
    assert np.linalg.matrix_rank(lin, tol=1e-10 * np.abs(lin).max()) == 3


def test_mixture_kernel_at_depth_one_is_the_average():
    X = _inputs(6, 4, seed=8)
    mix = mixture([RELU, TANH], [0.4, 0.6])
    parts = [nngp(a, X, depth=1, sigma_w2=1.3, sigma_b2=0.1) for a in (RELU, TANH)]
    assert nngp(mix, X, depth=1, sigma_w2=1.3, sigma_b2=0.1) == pytest.approx(0.4 * parts[0] + 0.6 * parts[1], rel=1e-14)


def test_bad_input():
    X = _inputs(4, 3)
    with pytest.raises(ValueError, match="same number of features"):
        nngp(RELU, X, np.ones((2, 4)))
    with pytest.raises(ValueError, match="NaN or inf"):
        nngp(RELU, np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="zero-norm input"):
        nngp(RELU, np.array([[1.0, 0.0], [0.0, 0.0]]), sigma_b2=0.0)
    with pytest.raises(ValueError, match="sigma_w2 must be > 0"):
        nngp(RELU, X, sigma_w2=0.0)
    with pytest.raises(ValueError, match="one value per layer"):
        nngp(RELU, X, depth=2, sigma_w2=[1.0, 2.0])
    with pytest.raises(ValueError, match="width"):
        ntk(RELU, X, parameterization="standard")
    with pytest.raises(ValueError, match="parameterization must be"):
        ntk(RELU, X, parameterization="mean-field")
    with pytest.raises(ValueError, match="depth"):
        nngp(RELU, X, depth=-1)
    with pytest.raises(NoTangentKernelError, match="does not exist"):
        ntk(get_activation("sign"), X, depth=1)
    assert np.all(np.isfinite(nngp(get_activation("sign"), X, depth=2, sigma_b2=0.1)))


@pytest.mark.parametrize("keep", [False, True])
def test_overflowing_kernel_is_a_clear_error_without_warnings(keep):
    """φ = e^x: E[e^u e^v] = e^{(q1 + q2 + 2k)/2}, so Σ^1 ~ 3 e^{q0} reaches ~1e6 and Σ^2 overflows. The error names the
    layer, before the NTK step would meet inf − inf (every layer kept, or only the last on the upper triangle)."""
    exp = custom_activation("exp(x)")
    X = _inputs(6, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OverflowError, match="overflows float64 at layer 2"):
            (kernel_layers if keep else final_kernels)(exp, X, depth=6, sigma_w2=3.0, sigma_b2=0.1)


def test_interpolated_hermite_coefficients_route():
    """More inputs than interpolation nodes, unequal norms: Hermite coefficients interpolated in ln q;
    entries against the engine recursion on each pair alone (an entry depends only on its two inputs)."""
    X = _inputs(80, 3, seed=11) * np.linspace(0.4, 1.6, 80)[:, None]
    layers = kernel_layers(TANH, X, depth=2, sigma_w2=1.6, sigma_b2=0.1)
    scale = np.max(np.abs(layers.ntk[-1]))
    for i, j in ((0, 79), (3, 40), (10, 11), (77, 78)):
        sigma, theta = _engine_recursion(TANH, X[[i, j]], 2, 1.6, 0.1)
        assert abs(layers.nngp[-1][i, j] - sigma[0, 1]) <= 1e-12 * scale
        assert abs(layers.ntk[-1][i, j] - theta[0, 1]) <= 1e-12 * scale


@pytest.mark.parametrize("name,parameterization", [("elu", "ntk"), ("relu", "ntk"), ("tanh", "standard")])
def test_composed_sphere_series_matches_layer_by_layer(name, parameterization):
    """Many inputs on one sphere: Σ^L, Θ^L from one Chebyshev series in the input angle (recursion run
    on its nodes) against the layer-by-layer matrices, and the Gram-matrix route for X2."""
    from ntk import final_kernels

    act = get_activation(name)
    X = _inputs(240, 6, seed=12, sphere=True)
    kw = dict(depth=6, sigma_w2=1.9, sigma_b2=0.05, parameterization=parameterization, width=100)
    fast = final_kernels(act, X, **kw)
    slow = kernel_layers(act, X, **kw)
    for a, b in zip(fast, (slow.nngp[-1], slow.ntk[-1])):
        assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b))
        assert np.array_equal(a, a.T)
    cross = final_kernels(act, X[:200], X[200:], **kw)  # 8,000 entries: layer by layer
    assert np.max(np.abs(cross[1] - slow.ntk[-1][:200, 200:])) <= 1e-12 * np.max(np.abs(slow.ntk[-1]))


def test_composed_route_edge_cases():
    """Identical inputs (a zero-width angle range) and X2 on the same sphere take correct routes."""
    from ntk import final_kernels

    X = np.tile(_inputs(1, 4, seed=13, sphere=True), (250, 1))
    s, t = final_kernels(TANH, X, depth=3, sigma_w2=1.5, sigma_b2=0.1)
    single = kernel_layers(TANH, X[:1], depth=3, sigma_w2=1.5, sigma_b2=0.1)
    assert np.all(np.isfinite(s)) and s == pytest.approx(single.nngp[-1][0, 0], rel=1e-13) and t == pytest.approx(single.ntk[-1][0, 0], rel=1e-13)
    Y = _inputs(260, 4, seed=14, sphere=True)
    fast = final_kernels(TANH, Y[:200], Y[:250], depth=3, sigma_w2=1.5, sigma_b2=0.1)  # 50,000 entries: composed
    slow = kernel_layers(TANH, Y[:200], Y[:250], depth=3, sigma_w2=1.5, sigma_b2=0.1)
    assert np.max(np.abs(fast[1] - slow.ntk[-1])) <= 1e-12 * np.max(np.abs(slow.ntk[-1]))


def test_one_input_gives_its_kernel_without_warnings():
    """A single input (no off-diagonal angle): Jacot et al.'s Figure 1 setting at x0 = (1, 0), ReLU, β = 0.1,
    four weight layers: Θ = 0.2825 exactly (Σ^(1) = 0.51, Θ^(2) = 0.52, Θ^(3) = 0.4025, Θ^(4) = 0.4025/2 + 0.08125)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theta = ntk(get_activation("relu"), np.array([[1.0, 0.0]]), depth=3, sigma_w2=1.0, sigma_b2=0.01)
    assert theta.shape == (1, 1) and theta[0, 0] == pytest.approx(0.2825, rel=1e-14)
