"""Attention kernels against neural-tangents' ``GlobalSelfAttention`` (the ``nt`` extra), where it computes the same
kernel: the tied 1/d_k scaling for softmax, ReLU, |·| and identity attention, the 1/√d_k scaling for identity
attention, and pre-/post-norm transformer blocks built from them."""

import numpy as np
import pytest

from ntk import network_kernels
from signalprop import Attention, Dense, Serial, attention_block, mlp_block
from symbolic import get_activation
from symbolic.normalizers import get_normalizer

bridge = pytest.importorskip("ntk.bridge")


@pytest.fixture(scope="module")
def nt_ready():
    try:
        bridge._stax()
    except bridge.BridgeUnavailable as err:
        pytest.skip(str(err))


X = np.random.default_rng(0).normal(size=(3, 4, 6))  # 3 sequences of 4 tokens, 6 features


@pytest.mark.parametrize("mechanism,scaling", [("softmax", "linear"), ("relu", "linear"), ("abs", "linear"),
                                               ("identity", "linear"), ("identity", "sqrt")])
def test_one_attention_layer_equals_neural_tangents(nt_ready, mechanism, scaling):
    """Dense → Attention on three sequences: NNGP and NTK equal to 1e-12 relative (logits of both signs: no ReLU
    before the attention, so ReLU, |·| and identity differ)."""
    net = Serial(Dense(1.3, 0.1), Attention(get_normalizer(mechanism), 0.7, 1.2, scaling))
    ours, theirs = network_kernels(net, X), bridge.nt_network_kernels(net, X)
    for a, b in zip(ours, theirs):
        assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(a))


def test_transformer_blocks_equal_neural_tangents(nt_ready):
    """Pre-norm softmax attention block, pre-norm ReLU MLP block, post-norm |·| attention block (α = 0.7, tied
    1/d_k): NNGP and NTK equal to 1e-11 relative."""
    net = Serial(Dense(1.0, 0.0),
                 attention_block(get_normalizer("softmax"), 0.5, 1.0, 0.7, "layer", "pre", "linear"),
                 mlp_block(get_activation("relu"), 0.7, "layer", "pre"),
                 attention_block(get_normalizer("abs"), 0.5, 1.0, 0.7, "layer", "post", "linear"))
    ours, theirs = network_kernels(net, X), bridge.nt_network_kernels(net, X)
    for a, b in zip(ours, theirs):
        assert np.max(np.abs(a - b)) <= 1e-11 * np.max(np.abs(a))


def test_layers_neural_tangents_cannot_express_are_not_translated(nt_ready):
    """1/√d_k softmax ("no known closed form" there), causal masks and temperatures give None, not a wrong kernel."""
    for layer in (Attention(get_normalizer("softmax"), 0.7, 1.0, "sqrt"),
                  Attention(get_normalizer("softmax"), 0.7, 1.0, "linear", causal=True),
                  Attention(get_normalizer("softmax", temperature=2), 0.7, 1.0, "linear")):
        assert bridge.nt_network_kernels(Serial(Dense(1.0, 0.0), layer), X) is None
