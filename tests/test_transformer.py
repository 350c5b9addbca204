"""Transformer blocks through the architecture recursion: token maps against explicit finite transformer networks
(JAX, standard errors), the exchangeable token kernel, pure attention's rank collapse, and bad input."""

import numpy as np
import pytest

from signalprop import (Attention, Dense, Serial, attention_block, exchangeable_kernel, mean_correlation, mlp_block,
                        token_maps, transformer)
from signalprop.laws import UnsupportedLayerError
from symbolic import get_activation
from symbolic.normalizers import get_normalizer


@pytest.mark.parametrize("scaling,heads,key_dim", [("linear", 2, 256), ("sqrt", 16, 128)])
def test_transformer_blocks_against_finite_networks(scaling, heads, key_dim):
    """Dense → pre-LN softmax attention → pre-LN GELU MLP → post-LN softmax attention (α = 0.8) on two sequences of 3
    tokens, 100 networks of width 128: the stream's length and the covariance of two tokens after every block and
    the NTK of every pair of tokens within 4.5 standard errors (29 comparisons: a false alarm ~2e-4). The finite-width
    biases (O(1/N), O(1/d_k), and for 1/√d_k O(1/heads) from each head's own attention matrix) were below 1.8
    standard errors in these runs."""
    pytest.importorskip("jax")
    from theory.montecarlo.networks import AttentionShape, compare_network

    X = np.random.default_rng(0).normal(size=(2, 3, 8))
    soft = get_normalizer("softmax")
    net = Serial(Dense(1.0, 0.0), attention_block(soft, 0.8, 1.0, 0.8, "layer", "pre", scaling),
                 mlp_block(get_activation("gelu"), 0.8, "layer", "pre"),
                 attention_block(soft, 0.8, 1.0, 0.8, "layer", "post", scaling))
    shape = AttentionShape(heads=heads, key_dim=key_dim, value_dim=128 // heads)
    for name, c in compare_network(net, X, 128, ensemble=100, attention=shape).items():
        z = (c.measured - c.theory) / np.where(c.stderr > 0, c.stderr, np.inf)
        assert np.all(np.abs(z) < 4.5), (name, z)


def test_token_maps_of_exchangeable_tokens():
    """Exchangeable inputs stay exchangeable through pre-norm blocks (equal lengths, one off-diagonal value), LayerNorm
    makes every token's length 1 after a post-norm block, and ``mean_correlation`` of q((1 − ρ)I + ρ11ᵀ) is ρ."""
    K = exchangeable_kernel(5, 2.0, 0.3)
    assert mean_correlation(K) == pytest.approx(0.3)
    net = transformer(get_normalizer("relu"), get_activation("tanh"), 1, alpha=0.5, placement="post")
    maps = token_maps(net, K)
    last = maps.kernels[-1]
    assert np.allclose(np.diag(last), 1.0, atol=1e-14)
    off = last[~np.eye(5, dtype=bool)]
    assert np.ptp(off) < 1e-12 and maps.rho[-1] == pytest.approx(off[0], abs=1e-12)


def test_pure_attention_collapses_and_residual_attention_does_not():
    """Pure softmax attention: 1 − ρ falls from 0.5 below 1e-3 within two layers (cubic law); with a skip
    (x + 0.3 Attn(LN x)) the tokens' correlation stays below 0.9 after four blocks."""
    soft = get_normalizer("softmax")
    pure = token_maps(transformer(soft, None, 2, alpha=None, norm=None, mlp=False), tokens=4, rho0=0.5)
    assert 1 - pure.rho[-1] < 1e-3
    skip = token_maps(transformer(soft, None, 4, alpha=0.3, norm="layer", mlp=False), tokens=4, rho0=0.5)
    assert np.all(skip.rho < 0.9)


def test_bad_input():
    with pytest.raises(ValueError, match="correlation rho0 must lie in"):
        exchangeable_kernel(4, 1.0, -0.5)
    with pytest.raises(ValueError, match=">= 2 tokens"):
        exchangeable_kernel(1)
    with pytest.raises(ValueError, match="takes no norm"):
        attention_block(get_normalizer("softmax"), alpha=None, norm="layer")
    from signalprop import input_state, propagate

    state = input_state(np.ones((2, 3)), np.ones((1, 3)))
    with pytest.raises(UnsupportedLayerError, match="mixes the tokens"):
        propagate(Serial(Attention(get_normalizer("softmax"))), state)
    with pytest.raises(ValueError, match="3-D inputs"):
        input_state(np.ones((2, 3, 4)), np.ones((2, 3, 4)))


def test_cli_token_maps(capsys):
    """`acttheory attention softmax --blocks 2 --tokens 4 --norm none --json`: the API's pure-attention token maps."""
    import json

    from theory.cli import main

    assert main(["attention", "softmax", "--blocks", "2", "--tokens", "4", "--norm", "none", "--rho0", "0.3",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    maps = token_maps(transformer(get_normalizer("softmax"), None, 2, alpha=None, norm=None, mlp=False), tokens=4,
                      rho0=0.3)
    assert np.allclose(doc["rho"], maps.rho, rtol=0, atol=1e-15) and np.allclose(doc["p"], maps.p, rtol=1e-15)
    assert main(["attention", "softmax", "--blocks", "2", "--tokens", "1"]) == 2
    assert "--tokens T >= 2" in capsys.readouterr().err
