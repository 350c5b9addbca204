"""Monte-Carlo measurements on finite networks (theory.montecarlo): reproducibility, agreement with the
infinite-width maps at ≥ 4 standard errors in the ordered, critical and chaotic phases, the finite-
width kurtosis against an exact formula, and a deliberately wrong theory failing each check."""

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("jax")

from symbolic import get_activation  # noqa: E402
from theory.mc_cli import two_inputs  # noqa: E402
from theory.montecarlo import (Comparison, NetworkSpec, forward, kurtosis_theory, layer_variances,  # noqa: E402
                               measure_c, measure_kurtosis, measure_q)

TANH, RELU = get_activation("tanh"), get_activation("relu")
X2 = two_inputs(0.5)


def _wrong(comp: Comparison, theory) -> Comparison:
    return Comparison(comp.label, comp.index, comp.measured, comp.stderr, theory)


def test_same_seed_same_numbers_whatever_the_chunks():
    spec = NetworkSpec(TANH, 32, 3, 1.5, 0.1, ensemble=6, dtype="float64", seed=3)
    a = forward(spec, X2, progress=False)
    b = forward(spec, X2, progress=False, chunk=1)
    c = forward(NetworkSpec(TANH, 32, 3, 1.5, 0.1, ensemble=6, dtype="float64", seed=4), X2, progress=False)
    assert np.allclose(a.gram, b.gram, rtol=1e-12, atol=0) and np.allclose(a.outputs, b.outputs, rtol=1e-12, atol=1e-300)
    assert not np.allclose(a.gram, c.gram)


@pytest.mark.parametrize("w2,b2,phase", [(1.2, 0.05, "ordered"), (1.7603, 0.05, "edge of chaos"), (3.0, 0.05, "chaotic")])
def test_q_and_c_agree_with_the_maps(w2, b2, phase):
    """tanh at width 256, depth 12, 80 networks (float32): q^l and c^l within 4 standard errors of the
    iterated length and correlation maps; the same data fail against the length map at σ_w² 10 % off
    and against the correlation map of inputs at cosine 0.55 instead of 0.5."""
    spec = NetworkSpec(TANH, 256, 12, w2, b2, ensemble=80, seed=1, outputs=256)
    fwd = forward(spec, X2, progress=False)
    q, c = measure_q(spec, X2, fwd), measure_c(spec, X2, fwd)
    assert q.passed and c.passed, (phase, q.z, c.z)
    q_off = layer_variances(NetworkSpec(TANH, 256, 12, 1.1 * w2, b2, ensemble=80), X2)[0]
    assert not _wrong(q, q_off).passed
    assert not _wrong(c, layer_variances(spec, two_inputs(0.55))[2]).passed


def test_relu_kurtosis_grows_like_five_l_over_n():
    """ReLU, σ_w² = 2, σ_b = 0: the leading-order theory is 15 l/N (Hanin & Nica: (1 + 5/N)^l − 1 times
    3); the measurement at N = 32 matches the exact 3((1 + 5/N)^l − 1) within 4 standard errors, and
    a theory with half the slope fails."""
    n, depth = 32, 6
    spec = NetworkSpec(RELU, n, depth, 2.0, 0.0, ensemble=4000, seed=2, outputs=n)
    q = layer_variances(spec, X2)[0]
    layers = np.arange(depth + 1)
    assert np.allclose(kurtosis_theory(spec, q), 15 * layers / n, rtol=1e-9, atol=1e-12)
    fwd = forward(spec, X2, progress=False)
    k = measure_kurtosis(spec, X2, fwd)
    exact = 3 * ((1 + 5 / n) ** layers - 1)
    assert _wrong(k, exact).passed, _wrong(k, exact).z
    assert not _wrong(k, exact / 2).passed


def test_orthogonal_weights_follow_the_same_maps():
    spec = NetworkSpec(TANH, 128, 6, 1.5, 0.05, ensemble=40, weights="orthogonal", seed=5, outputs=128)
    fwd = forward(spec, X2, progress=False)
    assert measure_q(spec, X2, fwd).passed and measure_c(spec, X2, fwd).passed
    assert np.isnan(measure_kurtosis(spec, X2, fwd).theory).all()  # the kurtosis theory is for Gaussian weights


@pytest.mark.parametrize("kwargs,message", [
    (dict(width=0), "widths"), (dict(depth=0), "depth"), (dict(ensemble=1), "ensemble"),
    (dict(sigma_w2=-1.0), "sigma_w2"), (dict(weights="haar"), "weights"), (dict(dtype="float16"), "dtype"),
    (dict(width=(8, 8)), "one width"),
])
def test_bad_specs(kwargs, message):
    base = dict(act=TANH, width=8, depth=3, sigma_w2=1.0, sigma_b2=0.0, ensemble=4)
    with pytest.raises(ValueError, match=message):
        NetworkSpec(**{**base, **kwargs})


def test_memory_refused_with_estimate(monkeypatch):
    monkeypatch.setenv("ACTTHEORY_MC_MEMORY", "1000000")
    spec = NetworkSpec(TANH, 4096, 2, 1.0, 0.0, ensemble=4)
    with pytest.raises(MemoryError, match="GiB"):
        forward(spec, X2, progress=False)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "theory", "mc", *args], capture_output=True, text=True, timeout=300)


def test_cli_json_and_table(tmp_path):
    out = _cli("tanh", "--width", "64", "--depth", "4", "--ensemble", "30", "--sigma-w2", "1.5", "--sigma-b2", "0.05",
               "--measure", "q,c,kurtosis", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["config"]["widths"] == [64] * 4 and doc["config"]["ensemble"] == 30 and doc["config"]["networks_completed"] == 30
    for name in ("q", "c", "kurtosis"):
        assert len(doc[name]["measured"]) == len(doc[name]["stderr"]) == len(doc[name]["theory"]) == 5
    table = _cli("tanh", "--width", "64", "--depth", "3", "--ensemble", "20")
    assert table.returncode == 0 and "agrees within 4 standard errors" in table.stdout
    saved = _cli("tanh", "--width", "32", "--depth", "2", "--ensemble", "4", "--measure", "q,ntk", "--save", str(tmp_path / "r.npz"),
                 "-o", str(tmp_path / "fig.png"))
    assert saved.returncode in (0, 1), saved.stderr  # 4 networks: agreement is not the point here
    data = np.load(tmp_path / "r.npz")
    assert data["gram"].shape == (4, 3, 2, 2) and data["ntk"].shape == (4, 2, 2)
    assert json.loads(str(data["document"]))["config"]["versions"]["jax"] not in ("", "not installed")
    assert (tmp_path / "fig.png").stat().st_size > 1000
    bad = _cli("tanh", "--width", "64", "--depth", "3", "--measure", "q,spin")
    assert bad.returncode == 2 and "--measure" in bad.stderr


def test_fast_path_has_the_law_of_explicit_weights():
    """The exact-conditional sampler against explicit Gaussian weights: q, c and the (1/N-sized)
    kurtosis of ReLU at N = 32 agree between the two within 4 standard errors of their difference,
    and the fast path matches the exact kurtosis formula too."""
    n, depth = 32, 6
    spec = NetworkSpec(RELU, n, depth, 2.0, 0.1, ensemble=3000, seed=7, outputs=n)
    fast = forward(spec, X2, progress=False, fast=True)
    slow = forward(spec, X2, progress=False)
    for measure in (measure_q, measure_c, measure_kurtosis):
        a, b = measure(spec, X2, fast), measure(spec, X2, slow)
        z = (a.measured - b.measured) / np.sqrt(a.stderr**2 + b.stderr**2)
        assert np.all(np.abs(z) <= 4), (measure.__name__, z)


@pytest.mark.parametrize("fast", [True, False])
def test_orthogonal_weights_preserve_every_gram_exactly(fast):
    """Deep linear networks with scaled Haar weights (widths 16 ≥ d = 4, float64): every layer's Gram matrix
    is exactly σ_w^{2(l+1)} X Xᵀ/d in every network, on the fast path and with explicit matrices (an O(N³)
    QR either way would miss it by rounding only)."""
    X = np.array([[1.0, 0.5, -0.3, 2.0], [0.2, -1.0, 0.7, 0.4]])
    spec = NetworkSpec(get_activation("identity"), 16, 3, 1.3, 0.0, ensemble=5, seed=3, weights="orthogonal",
                       dtype="float64", outputs=16)
    gram = forward(spec, X, progress=False, fast=fast).gram
    exact = 1.3 ** np.arange(1, 5)[:, None, None] * (X @ X.T / 4)
    assert np.max(np.abs(gram - exact)) <= 1e-12


def test_orthogonal_fast_path_has_the_law_of_explicit_weights():
    """The orthogonal exact-conditional sampler (a random orthonormal frame instead of an N × N Haar matrix)
    against explicit Haar matrices for tanh (N = 32, depth 4, 2000 networks, σ_b² = 0.1): q, c, the kurtosis
    and the relative variance of q̂ (the statistic Haar weights change most) agree within 4 standard errors of
    their difference; the same against Gaussian weights does not (the check can fail)."""
    from theory.montecarlo import measure_c, measure_kurtosis, measure_q, measure_qvar

    spec = NetworkSpec(TANH, 32, 4, 1.5, 0.1, ensemble=2000, seed=5, weights="orthogonal", outputs=32)
    fast, slow = forward(spec, X2, progress=False, fast=True), forward(spec, X2, progress=False)
    gauss = NetworkSpec(TANH, 32, 4, 1.5, 0.1, ensemble=2000, seed=6, outputs=32)
    other = forward(gauss, X2, progress=False, fast=True)

    def z(measure, s1, f1, s2, f2):
        a, b = measure(s1, X2, f1), measure(s2, X2, f2)
        return (a.measured - b.measured) / np.sqrt(a.stderr**2 + b.stderr**2)

    for measure in (measure_q, measure_c, measure_kurtosis, measure_qvar):
        assert np.all(np.abs(z(measure, spec, fast, spec, slow)) <= 4), measure.__name__
    assert np.max(np.abs(z(measure_qvar, spec, fast, gauss, other))) > 4


@pytest.mark.parametrize("act,w2,b2", [(TANH, 3.0, 0.05), (RELU, 2.0, 0.0)])
def test_gradients_follow_chi_per_layer(act, w2, b2):
    """E‖∂f/∂h^l‖² against Π χ(q^k) (backward pass with the forward pass's weights regenerated from
    the same keys), width 256, depth 10, 60 networks; the product at σ_w² 10 % higher fails."""
    from theory.montecarlo import gradients, gradient_theory, measure_grad

    spec = NetworkSpec(act, 256, 10, w2, b2, ensemble=60, seed=4)
    grads = gradients(spec, X2, progress=False)
    comp = measure_grad(spec, X2, grads)
    assert comp.passed, comp.z
    off = NetworkSpec(act, 256, 10, 1.1 * w2, b2, ensemble=60)
    assert not _wrong(comp, gradient_theory(off, layer_variances(off, X2)[0])).passed


def test_width_sweep_gives_relu_kurtosis_slope():
    """Widths 32 … 256, 3000 networks each (exact fast path): the fitted slope of the excess kurtosis
    in 1/N is 15 l for ReLU at σ_w² = 2 (Hanin & Nica), and the mean of q stays at its infinite-width
    value (ReLU's length map is linear); a slope theory 20 % low fails."""
    from theory.montecarlo import width_sweep

    out = width_sweep(RELU, [32, 64, 128, 256], 5, 2.0, 0.0, X2, ensemble=3000, seed=1, progress=False)
    k, shift = out["kurtosis_slope"], out["q_shift_slope"]
    assert np.allclose(k.theory, 15 * np.arange(6)) and np.allclose(shift.theory, 0, atol=1e-6)
    assert k.passed and shift.passed, (k.z, shift.z)
    assert not _wrong(k, 0.8 * k.theory).passed


def test_empirical_nngp_matches_ntk_module():
    """The readout covariance of 60 tanh networks (width 256, depth 4) against ntk.nngp for the three
    entries of two inputs; ntk.nngp at σ_w² 10 % off fails."""
    from ntk import nngp
    from theory.montecarlo import measure_nngp

    spec = NetworkSpec(TANH, 256, 4, 1.8, 0.1, ensemble=60, seed=8, outputs=256)
    comp = measure_nngp(spec, X2, forward(spec, X2, progress=False, fast=True))
    assert comp.passed, comp.z
    off = nngp(TANH, X2, depth=4, sigma_w2=1.98, sigma_b2=0.1)[np.triu_indices(2)]
    assert not _wrong(comp, off).passed


@pytest.mark.parametrize("act,parameterization", [(RELU, "ntk"), (TANH, "ntk"), (TANH, "standard")])
def test_empirical_ntk_matches_ntk_module(act, parameterization):
    """The mean empirical NTK J Jᵀ of the first readout unit (60 networks, width 256, depth 3, summed
    layer by layer from the backward pass) against ntk.ntk in the same parameterization; the theory
    at σ_w² 10 % off fails."""
    from ntk import ntk
    from theory.montecarlo import gradients, measure_ntk

    spec = NetworkSpec(act, 256, 3, 1.8, 0.1, ensemble=60, seed=9, parameterization=parameterization)
    comp = measure_ntk(spec, X2, gradients(spec, X2, progress=False))
    assert comp.passed, comp.z
    off = ntk(act, X2, depth=3, sigma_w2=1.98, sigma_b2=0.1, parameterization=parameterization, width=256)[np.triu_indices(2)]
    assert not _wrong(comp, off).passed


def test_q_fluctuations_gaussian_theory_and_orthogonal_suppression():
    """Across 400 tanh networks (width 128, depth 6): Gaussian weights fluctuate as (Var(s²) + 2q²/N)/q²
    (a theory without the 2q²/N sampling term fails), and orthogonal weights fluctuate less at every
    layer, by more than 4 standard errors of the difference (Day, Kahn & Roberts)."""
    from theory.montecarlo import measure_qvar, vertex

    gauss = NetworkSpec(TANH, 128, 6, 1.5, 0.05, ensemble=400, seed=12, outputs=128)
    g = measure_qvar(gauss, X2, forward(gauss, X2, progress=False, fast=True))
    assert g.passed, g.z
    q = layer_variances(gauss, X2)[0]
    assert not _wrong(g, vertex(gauss, q) / q**2).passed
    orth = NetworkSpec(TANH, 128, 6, 1.5, 0.05, ensemble=400, seed=13, outputs=128, weights="orthogonal")
    o = measure_qvar(orth, X2, forward(orth, X2, progress=False))
    assert np.all((g.measured - o.measured) / np.sqrt(g.stderr**2 + o.stderr**2) > 4)


def test_jacobian_singular_values():
    """Square tanh networks (N = 64, depth 6, 20 networks, σ_w² = 1.05, σ_b = 0): the mean squared
    singular value of J_l follows Π χ(q^k) for Gaussian and orthogonal weights (a theory at σ_w² 10 %
    off fails), and orthogonal weights keep the squared singular values far less spread (Pennington
    et al. 2017)."""
    from theory.montecarlo import jacobians, measure_jacobian, measure_jacobian_spread

    spreads = {}
    for weights in ("gaussian", "orthogonal"):
        spec = NetworkSpec(TANH, 64, 6, 1.05, 0.0, ensemble=20, seed=14, weights=weights)
        jac = jacobians(spec, progress=False)
        comp = measure_jacobian(spec, None, jac)
        assert comp.passed, (weights, comp.z)
        off = NetworkSpec(TANH, 64, 6, 1.155, 0.0, ensemble=20, weights=weights)
        assert not _wrong(comp, measure_jacobian(off, None, jac).theory).passed
        spreads[weights] = measure_jacobian_spread(spec, None, jac)
    g, o = spreads["gaussian"], spreads["orthogonal"]
    assert (g.measured - o.measured)[0] > 4 * np.hypot(g.stderr, o.stderr)[0]
    with pytest.raises(ValueError, match="square"):
        jacobians(NetworkSpec(TANH, (8, 16), 2, 1.0, 0.0, ensemble=2), progress=False)


def test_kernel_deviation_shrinks_like_one_over_root_width():
    """One network's NNGP (readout covariance) and empirical NTK deviate from the infinite-width kernels
    by ~ N^(-1/2) (widths 64 … 512, 30 networks each): fitted exponents within 4 standard errors of
    −1/2, and an exponent of −1 fails."""
    from theory.montecarlo import kernel_deviation_sweep

    out = kernel_deviation_sweep(TANH, [64, 128, 256, 512], 3, 1.8, 0.1, X2, ensemble=30, seed=3, progress=False)
    for name in ("nngp", "ntk"):
        exponent = out[f"{name}_exponent"]
        assert exponent.passed, (name, exponent.measured, exponent.stderr)
        assert not _wrong(exponent, np.array([-1.0])).passed
        assert np.all(np.diff(out[f"{name}_deviation"].measured) < 0.05)  # shrinking (up to noise)
