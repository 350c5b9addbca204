"""Architectures (signalprop.architecture, ntk.architecture): the plain chain against ``ntk.kernels``, residual maps
against Yang & Schoenholz's recursion written out with independent quadrature, normalization against its definition,
residual/LayerNorm kernels against neural-tangents' stax (FanOut, FanInSum, FanInProd, LayerNorm), and bad input."""

import math

import numpy as np
import pytest

from ntk import kernel_layers, network_kernels
from signalprop import Dense, Nonlinear, Norm, Residual, Serial, branch, maps, mlp, resnet
from signalprop.laws import UnsupportedLayerError
from symbolic import get_activation
from theory.claims.reference import gauss_quad, pair_expectation

X = np.random.default_rng(4).normal(size=(5, 3))


@pytest.mark.parametrize("name, params", [("tanh", {}), ("relu", {}), ("swiglu", {}), ("maxout", {"k": 3}), ("maxmin", {})])
@pytest.mark.parametrize("parameterization, width", [("ntk", None), ("standard", 64)])
def test_the_plain_chain_is_ntk_kernels(name, params, parameterization, width):
    act = get_activation(name, **params)
    S, T = network_kernels(mlp(act, 3, 1.4, 0.1), X, parameterization=parameterization, width=width)
    ref = kernel_layers(act, X, depth=3, sigma_w2=1.4, sigma_b2=0.1, parameterization=parameterization, width=width)
    np.testing.assert_allclose(S, ref.nngp[-1], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(T, ref.ntk[-1], rtol=1e-13, atol=1e-15)


def _tanh_residual_recursion(p, c, depth, alpha, w2, b2, v2, a2):
    """Yang & Schoenholz 2017 (full residual network): q = σ_w² p + σ_b², p' = p + α²(σ_v² E[tanh(√q z)²] + σ_a²),
    and the cross term Σ'₁₂ = Σ₁₂ + α²(σ_v² E[tanh(u₁) tanh(u₂)] + σ_a²) with Cov(u₁, u₂) = σ_w² Σ₁₂ + σ_b² (equal
    lengths), by scipy quad and a tensor 800-point Gauss–Hermite rule (tanh(√q z) is analytic in a strip of width
    π/(2√q): 200 points leave 5e-10 at q = 4.5, 800 points < 1e-15): never the toolkit's engines."""
    from scipy.special import roots_hermitenorm

    nodes, weights = roots_hermitenorm(800)
    rule = (nodes, weights / weights.sum())
    s12 = c * p
    ps, cs, qs = [], [], []
    for _ in range(depth):
        q = w2 * p + b2
        k = w2 * s12 + b2
        qs.append(q)
        p, s12 = (p + alpha**2 * (v2 * gauss_quad(lambda z: np.tanh(math.sqrt(q) * z) ** 2) + a2),
                  s12 + alpha**2 * (v2 * float(pair_expectation(np.tanh, q, q, k / q, rule=rule)) + a2))
        ps.append(p)
        cs.append(s12 / p)
    return np.array(ps), np.array(cs), np.array(qs)


def test_residual_maps_follow_yang_schoenholz():
    args = dict(alpha=0.6, sigma_w2=1.7, sigma_b2=0.08, sigma_v2=1.3, sigma_a2=0.02)
    m = maps(resnet(get_activation("tanh"), 6, **args), 0.9, 0.4)
    p, c, q = _tanh_residual_recursion(0.9, 0.4, 6, 0.6, 1.7, 0.08, 1.3, 0.02)
    np.testing.assert_allclose(m.p, p, rtol=1e-12)
    np.testing.assert_allclose(m.c, c, rtol=1e-12)
    np.testing.assert_allclose(m.q, q, rtol=1e-13)


def test_block_chis():
    """χ per top-level layer: σ_w² and E[φ'²] in a chain (their product is χ_1); 1 + α²σ_v²σ_w² E[tanh'(√q z)²] for a full
    residual tanh block, with q from Yang & Schoenholz's recursion (scipy quad, not the toolkit's engines); γ²/p for an
    RMSNorm; bad input."""
    from signalprop import block_chis, chi1

    tanh = get_activation("tanh")
    chis = block_chis(mlp(tanh, 2, 1.5, 0.1), 0.8)
    assert chis[0] == 1.5 and chis[2] == 1.5
    assert chis[0] * chis[1] == pytest.approx(chi1(tanh, 1.5 * 0.8 + 0.1, 1.5), rel=1e-13)
    args = dict(alpha=0.6, sigma_w2=1.7, sigma_b2=0.08, sigma_v2=1.3, sigma_a2=0.02)
    chis = block_chis(resnet(tanh, 5, **args), 0.9)
    _, _, q = _tanh_residual_recursion(0.9, 0.4, 5, 0.6, 1.7, 0.08, 1.3, 0.02)
    ref = [1 + 0.36 * 1.3 * 1.7 * gauss_quad(lambda z: np.cosh(math.sqrt(qq) * z) ** -4) for qq in q]
    np.testing.assert_allclose(chis, ref, rtol=1e-12)
    assert block_chis(Serial(Dense(2.0, 0.5), Norm("rms", gain2=3.0)), 1.5)[1] == pytest.approx(3.0 / (2.0 * 1.5 + 0.5), rel=1e-15)
    with pytest.raises(ValueError, match="p0"):
        block_chis(mlp(tanh, 1), 0.0)


def test_depth_growth_exponents():
    """Local exponents between depths l and 2l: exact for a power law; a ReLU residual network's length follows its
    closed form p^l = (p⁰ + b/a)(1 + a)^l − b/a (a = σ_v²σ_w²/2, b = σ_v²σ_b²/2 + σ_a²) and its gradient grows exactly
    exponentially (exponent 1); a tanh residual network's log-gradient exponent falls towards 1/2 (exp Θ(√L))."""
    from signalprop import depth_growth, local_exponents

    ls = np.arange(1, 65)
    np.testing.assert_allclose(local_exponents(3.0 * ls**2.5, np.array([1, 2, 4, 8, 16, 32])), 2.5, rtol=1e-14)
    g = depth_growth(resnet(get_activation("relu"), 32, 1.0, 1.5, 0.1, 1.2, 0.05), 1.0, 0.5)
    a, b = 1.2 * 1.5 / 2, 1.2 * 0.1 / 2 + 0.05
    closed = (1.0 + b / a) * (1 + a) ** np.arange(1, 33) - b / a
    np.testing.assert_allclose(g.p, closed, rtol=1e-13)
    np.testing.assert_allclose(g.p_exponent, local_exponents(closed, g.doublings), rtol=1e-12)
    np.testing.assert_allclose(g.chi_exponent, 1.0, rtol=1e-14)
    t = depth_growth(resnet(get_activation("tanh"), 64, 1.0, 1.5, 0.1, 1.2, 0.05), 1.0, 0.5)
    assert list(t.doublings) == [1, 2, 4, 8, 16, 32]
    assert np.all(np.diff(t.chi_exponent) < 0) and 0.5 < t.chi_exponent[-1] < 0.6
    assert 1.0 < t.p_exponent[-1] < 1.1  # p ~ (σ_v² + σ_a²) l − Θ(√l)
    same = depth_growth(resnet(get_activation("relu"), 4, 1.0, 1.0, 0.0), 1.0, 1.0)  # c stays 1: no 1 − c exponent
    assert np.all(np.isnan(same.c_exponent))
    post = depth_growth(resnet(get_activation("relu"), 8, 1.0, 2.0, 0.1, norm="layer", placement="post"), 1.0, 0.5)
    assert np.all(post.chi < 1) and np.all(np.isfinite(post.chi_exponent))  # vanishing gradients: |log Π χ|


def test_normalization_divides_by_the_root_mean_square():
    """Dense → Norm: Σ' = γ² Σ/√(q q') + β², Θ' = γ² Θ/√(q q'); a post-norm residual stream keeps the length γ² + β²."""
    net = Serial(Dense(1.5, 0.2), Norm("rms", gain2=2.0, bias2=0.1))
    S, T = network_kernels(net, X)
    S0 = 1.5 * X @ X.T / 3 + 0.2
    d = np.sqrt(np.diag(S0))
    np.testing.assert_allclose(S, 2.0 * S0 / np.outer(d, d) + 0.1, rtol=1e-14)
    np.testing.assert_allclose(T, 2.0 * S0 / np.outer(d, d), rtol=1e-14)
    post = maps(resnet(get_activation("relu"), 4, alpha=0.8, norm="layer", placement="post"), 3.0, 0.2)
    np.testing.assert_allclose(post.p, 1.0, rtol=1e-15)


def test_layernorm_after_a_nonlinearity_is_refused():
    with pytest.raises(UnsupportedLayerError, match="LayerNorm after a nonlinearity"):
        network_kernels(Serial(Dense(), Nonlinear(get_activation("relu")), Norm("layer")), X)
    S, _ = network_kernels(Serial(Dense(), Nonlinear(get_activation("relu")), Norm("rms")), X)
    np.testing.assert_allclose(np.diag(S), 1.0, rtol=1e-15)


@pytest.mark.parametrize("bad, match", [
    (lambda: Residual(branch(get_activation("tanh")), alpha=0.0), "alpha must be a finite number > 0"),
    (lambda: Residual((), 1.0), "at least one layer"),
    (lambda: Norm("batch"), "kind must be one of layer, rms"),
    (lambda: Dense(-1.0), "sigma_w2 must be a finite variance > 0"),
    (lambda: maps(mlp(get_activation("tanh"), 2), 0.0), "p0 must be a finite number > 0"),
    (lambda: resnet(get_activation("tanh"), 2, norm="rms", placement="middle"), "placement must be 'pre' or 'post'"),
    (lambda: network_kernels(Serial(Norm("rms")), np.zeros((2, 3))), "zero length"),
])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()
    with pytest.raises(TypeError, match="Dense, Nonlinear, Residual, Norm, Attention, Product and Serial"):
        Serial(Dense(), "relu")


NT_NETS = {
    "relu residual": lambda a: Serial(Dense(1.0, 0.1), resnet(get_activation("relu"), 3, alpha=a, sigma_w2=1.6, sigma_b2=0.1,
                                                               sigma_v2=1.2, sigma_a2=0.05, readout=Dense(1.1, 0.02))),
    "erf pre-norm": lambda a: Serial(Dense(1.3, 0.1), resnet(get_activation("erf"), 3, alpha=a, sigma_w2=2.0, sigma_b2=0.1,
                                                               norm="layer", placement="pre"), Dense(1.0, 0.0)),
    "gelu post-norm": lambda a: Serial(Dense(1.3, 0.1), resnet(get_activation("gelu"), 2, alpha=a, sigma_w2=1.5,
                                                                 sigma_b2=0.05, norm="rms", placement="post"), Dense(1.0, 0.1)),
    "reglu residual": lambda a: Serial(Dense(1.0, 0.1), resnet(get_activation("reglu"), 2, alpha=a, sigma_w2=1.2,
                                                                sigma_b2=0.1, readout=Dense(1.0, 0.0))),
}


@pytest.mark.parametrize("name", list(NT_NETS))
@pytest.mark.parametrize("parameterization, alpha", [("ntk", 0.6), ("standard", 1.0)])
def test_against_neural_tangents(name, parameterization, alpha):
    """Residual blocks (FanOut → parallel(Identity, branch) → FanInSum, α folded into the branch's last Dense: exact in
    the NTK parameterization; the standard one is compared at α = 1, see ``stax_architecture``), LayerNorm, and a gated
    branch (FanInProd) against neural-tangents' stax in float64 (its analytic ReLU, Erf and GELU layers), width 64 for
    the standard NTK. Off the diagonal within 1e-10 relative to the kernel's scale; on it within 1e-7, where
    neural-tangents' ReLU recovers θ = arccos(c) at c = 1 from rounded correlations (~1e-8; here K(q, q, 1) = q/2 and
    K̇ = 1/2 exactly), and 1e-10 for the smooth units."""
    bridge = pytest.importorskip("ntk.bridge")
    net = NT_NETS[name](alpha)
    try:
        ref = bridge.nt_network_kernels(net, X, parameterization=parameterization, width=64)
    except bridge.BridgeUnavailable as err:
        pytest.skip(str(err))
    assert ref is not None
    S, T = network_kernels(net, X, parameterization=parameterization, width=64)
    off = ~np.eye(len(X), dtype=bool)
    diagonal = 1e-7 if "relu" in name or "reglu" in name else 1e-10
    for ours, theirs in ((S, ref[0]), (T, ref[1])):
        scale = np.max(np.abs(theirs))
        assert np.max(np.abs(ours - theirs)[off]) <= 1e-10 * scale
        assert np.max(np.abs(np.diag(ours) - np.diag(theirs))) <= diagonal * scale


def _cli(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "theory", *args], capture_output=True, text=True, timeout=300)


def test_cli_residual_maps_and_kernel(tmp_path):
    """``maps --residual`` gives p (p^0 = --q0), q, c and the gradient factors χ per block, equal to the written-out
    recursion, and the local growth exponents; ``kernel
    --residual`` the residual network with a readout Dense(σ_w², σ_b²); --norm without --residual is refused."""
    import json

    out = _cli("maps", "tanh", "--sigma-w2", "1.7", "--sigma-b2", "0.08", "--residual", "0.6", "--sigma-v2", "1.3",
               "--sigma-a2", "0.02", "--depth", "6", "--q0", "0.9", "--c0", "0.4", "--json")
    doc = json.loads(out.stdout)
    p, c, q = _tanh_residual_recursion(0.9, 0.4, 6, 0.6, 1.7, 0.08, 1.3, 0.02)
    np.testing.assert_allclose(doc["p"], [0.9, *p], rtol=1e-12)
    np.testing.assert_allclose(doc["c"], [0.4, *c], rtol=1e-12)
    np.testing.assert_allclose(doc["q"], q, rtol=1e-13)
    chi = [1 + 0.36 * 1.3 * 1.7 * gauss_quad(lambda z: np.cosh(math.sqrt(qq) * z) ** -4) for qq in q]
    np.testing.assert_allclose(doc["chi"], chi, rtol=1e-12)
    np.testing.assert_allclose(doc["log_chi"], np.cumsum(np.log(chi)), rtol=1e-12)
    assert doc["exponents"]["depth"] == [1, 2] and len(doc["exponents"]["log_chi"]) == 2
    np.save(tmp_path / "x.npy", X)
    kern = json.loads(_cli("kernel", "erf", "--inputs", str(tmp_path / "x.npy"), "--depth", "2", "--residual", "0.5",
                           "--norm", "rms", "--post-norm", "--ntk", "--json").stdout)
    net = resnet(get_activation("erf"), 2, 0.5, norm="rms", placement="post", readout=Dense(1.0, 0.0))
    S, T = network_kernels(net, X)
    np.testing.assert_allclose(kern["nngp"], S, rtol=1e-14)
    np.testing.assert_allclose(kern["ntk"], T, rtol=1e-14)
    assert kern["placement"] == "post" and kern["residual"] == 0.5
    bad = _cli("maps", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--norm", "layer")
    assert bad.returncode == 2 and "give --residual ALPHA too" in bad.stderr
    nodepth = _cli("maps", "tanh", "--sigma-w2", "1", "--sigma-b2", "0", "--residual", "0.5")
    assert nodepth.returncode == 2 and "give --depth L" in nodepth.stderr
