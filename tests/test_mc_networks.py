"""Finite networks of architecture descriptions (theory.montecarlo.networks) against the infinite-width theory of the
same description: the stream's Gram entries after every top-level layer and the mean empirical NTK (JAX autodiff
over every trained parameter), within 4 (skew-judged) standard errors; a network with another branch scale is
rejected by the same comparison."""

import numpy as np
import pytest

from signalprop import Dense, Serial, mlp, resnet, shaping
from symbolic import get_activation
from theory.montecarlo.networks import compare_network, run_networks

X = np.array([[1.0, 0.3, -0.5, 0.8], [0.2, -1.0, 0.6, 0.4]])


def _residual_tanh(alpha=0.7):
    return Serial(Dense(1.0, 0.1), *resnet(get_activation("tanh"), 3, alpha, 1.5, 0.1, 1.2, 0.05, readout=Dense(1.0, 0.0)).layers)


NETS = {
    "plain tanh chain": lambda: mlp(get_activation("tanh"), 2, 1.5, 0.1),
    "residual tanh": _residual_tanh,
    "pre-norm (RMSNorm) SwiGLU": lambda: Serial(Dense(1.0, 0.1), *resnet(get_activation("swiglu"), 2, 0.5, 1.0, 0.05, norm="rms",
                                                                         placement="pre", readout=Dense(1.0, 0.0)).layers),
    "post-norm (LayerNorm) GELU": lambda: Serial(Dense(1.0, 0.1), *resnet(get_activation("gelu"), 2, 1.0, 1.5, 0.05,
                                                                          norm="layer", placement="post",
                                                                          readout=Dense(1.0, 0.0)).layers),
}


@pytest.mark.parametrize("name", list(NETS))
def test_networks_agree_with_their_theory(name):
    """100 networks of width 128 (float64), NTK parameterization."""
    for comp in compare_network(NETS[name](), X, 128, ensemble=100, seed=1).values():
        assert comp.passed, (name, comp.label, comp.z_corrected)


SHAPED = {"DKS tanh (zeta 1.5)": lambda: shaping.dks("tanh", depth=8, zeta=1.5),
          "TAT leaky ReLU (eta 0.5)": lambda: shaping.tat("leaky_relu", depth=8, eta=0.5)}


@pytest.mark.parametrize("name", list(SHAPED))
def test_shaped_networks_agree_with_their_theory(name):
    """A chain of 8 shaped layers (Dense(1, 0) → φ̂, inputs on the sphere |x|² = d so q = 1): 100 networks of width
    128 against the theory of the shaped activation; the stream keeps q = 1 (the DKS/TAT condition Q(1) = 1)."""
    phi = SHAPED[name]().activation
    Xs = X * np.sqrt(X.shape[1]) / np.linalg.norm(X, axis=1, keepdims=True)
    comps = compare_network(mlp(phi, 8, 1.0, 0.0), Xs, 128, ensemble=100, seed=3)
    for comp in comps.values():
        assert comp.passed, (name, comp.label, comp.z_corrected)
    lengths = comps["stream_length"].theory
    assert np.max(np.abs(np.asarray(lengths) - 1.0)) < 1e-9


def test_standard_parameterization_and_a_wrong_branch_scale():
    """The residual tanh network in the standard parameterization (the NTK depends on the width, 128), and the same
    simulation judged against the theory of α = 1 instead of 0.7: the stream lengths then fail."""
    for comp in compare_network(_residual_tanh(), X, 128, ensemble=100, seed=2, parameterization="standard").values():
        assert comp.passed, (comp.label, comp.z_corrected)
    from signalprop.architecture import Trace, input_state, propagate
    from theory.montecarlo.compare import mean_error_skew

    run = run_networks(_residual_tanh(), X, 128, ensemble=100, seed=2, ntk=False)
    trace = Trace()
    propagate(_residual_tanh(1.0), input_state(X), trace=trace)
    m, se, _ = mean_error_skew(run.grams[:, :, 0, 0])
    wrong = np.array([st.sigma[0, 0] for st in trace.states])
    assert np.max(np.abs(m - wrong) / se) > 8


def _mixed_pre_norm():
    """Pre-norm (LayerNorm) blocks of a quenched mixture: 30 % tanh units, 70 % ReLU units, kinds drawn per network."""
    from signalprop import mixture

    mix = mixture([get_activation("tanh"), get_activation("relu")], [0.3, 0.7])
    return Serial(Dense(1.0, 0.1), *resnet(mix, 2, 0.7, 1.5, 0.1, 1.2, 0.05, norm="layer", placement="pre",
                                           readout=Dense(1.0, 0.0)).layers)


def test_quenched_mixture_networks_agree_with_their_theory():
    """Each unit's kind is drawn once per network; the stream and the NTK (explicit weights) against the theory's
    mixture of duals."""
    for comp in compare_network(_mixed_pre_norm(), X, 128, ensemble=100, seed=4).values():
        assert comp.passed, (comp.label, comp.z_corrected)


FAST = {**NETS, "pre-norm quenched mixture": _mixed_pre_norm}


@pytest.mark.parametrize("name", list(FAST))
def test_gram_fast_path_agrees_with_the_theory(name):
    """The Gram fast path (each Dense's outputs drawn from their exact law given its input's Gram): 200 networks of
    width 512 against the same theory as the explicit networks."""
    for comp in compare_network(FAST[name](), X, 512, ensemble=200, seed=5, ntk=False, fast=True).values():
        assert comp.passed, (name, comp.label, comp.z_corrected)


def test_gram_fast_path_has_the_law_of_explicit_weights():
    """Both routes' mean stream covariances agree within their joint standard error (independent draws, 300 networks
    each), and the fast path still rejects the theory of α = 1 for a network of α = 0.7 (so the check can fail)."""
    from signalprop.architecture import Trace, input_state, propagate
    from theory.montecarlo.compare import mean_error_skew

    fast = run_networks(_residual_tanh(), X, 256, ensemble=300, seed=6, ntk=False, fast=True)
    slow = run_networks(_residual_tanh(), X, 256, ensemble=300, seed=7, ntk=False)
    (mf, sf, _), (ms, ss, _) = (mean_error_skew(r.grams[:, :, 0, 1]) for r in (fast, slow))
    assert np.max(np.abs(mf - ms) / np.hypot(sf, ss)) < 4
    trace = Trace()
    propagate(_residual_tanh(1.0), input_state(X), trace=trace)
    m, se, _ = mean_error_skew(fast.grams[:, :, 0, 0])
    wrong = np.array([st.sigma[0, 0] for st in trace.states])
    assert np.max(np.abs(m - wrong) / se) > 8


GRADIENT_NETS = {"residual tanh": lambda: _residual_tanh(1.0), "pre-norm (RMSNorm) SwiGLU": NETS["pre-norm (RMSNorm) SwiGLU"],
                  "post-norm (LayerNorm) GELU": NETS["post-norm (LayerNorm) GELU"]}


@pytest.mark.parametrize("name", list(GRADIENT_NETS))
def test_gradient_lengths_follow_the_block_chis(name):
    """‖∂f/∂x^l‖² after every top-level layer (explicit weights, autodiff; 200 networks of width 256) against the
    products of ``block_chis``: the gradient-independence theory of Yang & Schoenholz 2017 for residual, pre- and
    post-norm blocks."""
    comp = compare_network(GRADIENT_NETS[name](), X, 256, ensemble=200, seed=8, ntk=False, gradients=True)["gradient"]
    assert comp.passed, (name, comp.z_corrected)
    if name == "residual tanh":
        assert comp.theory[0] > 3 * comp.theory[-1]  # the gradient grows with depth


def test_gradient_check_can_fail():
    """The residual tanh network with α = 0.7 judged against the gradient theory of α = 1."""
    from signalprop import block_chis
    from theory.montecarlo.compare import mean_error_skew

    run = run_networks(_residual_tanh(0.7), X, 256, ensemble=200, seed=8, ntk=False, gradients=True)
    chis = block_chis(_residual_tanh(1.0), float(X[0] @ X[0]) / X.shape[1])
    wrong = np.array([np.prod(chis[l:]) for l in range(1, len(chis))])
    m, se, _ = mean_error_skew(run.gradients[:, :, 0])
    assert np.max(np.abs(m - wrong) / se) > 8


def test_bad_networks_are_refused():
    with pytest.raises(ValueError, match="multiple of every groupsort"):
        run_networks(mlp(get_activation("groupsort"), 1), X, 6, ensemble=2)
    with pytest.raises(ValueError, match="start the network with a Dense"):
        run_networks(resnet(get_activation("tanh"), 1), X, 8, ensemble=2)
    with pytest.raises(ValueError, match="no NTK and no gradients"):
        run_networks(mlp(get_activation("tanh"), 1), X, 8, ensemble=2, fast=True)
    with pytest.raises(ValueError, match="no NTK and no gradients"):
        run_networks(mlp(get_activation("tanh"), 1), X, 8, ensemble=2, ntk=False, gradients=True, fast=True)


def test_cli_mc_residual():
    """``mc --residual``: embedding, residual blocks, readout; the stream after every top-level layer and the NTK."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "theory", "mc", "tanh", "--residual", "0.7", "--sigma-v2", "1.2", "--width", "64",
                          "--depth", "3", "--ensemble", "50", "--measure", "q,ntk", "--dtype", "float64", "--sigma-w2", "1.5",
                          "--sigma-b2", "0.1", "--json"], capture_output=True, text=True, timeout=300)
    doc = json.loads(out.stdout)
    grad = subprocess.run([sys.executable, "-m", "theory", "mc", "tanh", "--residual", "0.7", "--width", "64", "--depth", "3",
                           "--ensemble", "50", "--measure", "grad", "--dtype", "float64", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert grad.returncode == 0, grad.stderr
    assert len(json.loads(grad.stdout)["gradient"]["index"]) == 4  # after the embedding and each of the 3 blocks
    assert out.returncode == 0 and len(doc["stream_length"]["index"]) == 5  # embedding, 3 blocks, readout
    assert doc["ntk"]["passed"] and doc["stream_length"]["passed"] and doc["config"]["residual"] == 0.7
    assert doc["config"]["sampling"] == "explicit weights"  # the NTK needs the weights
    bad = subprocess.run([sys.executable, "-m", "theory", "mc", "tanh", "--residual", "0.5", "--width", "8", "--depth", "2",
                          "--measure", "kurtosis"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "not kurtosis" in bad.stderr
