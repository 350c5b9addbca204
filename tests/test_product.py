"""``Product`` layers (F_1(x) ⊙ F_2(x) ⊙ …, independent branches): the product rule against the gated units' route
(a GLU two ways), against neural-tangents' FanInProd, against explicit finite networks (JAX) with standard errors,
inside the χ recursion, and bad input."""

import warnings

import numpy as np
import pytest

from signalprop import (Attention, Dense, Nonlinear, Norm, Product, Residual, Serial, block_chis, input_state,
                        propagate, units)
from symbolic import get_activation
from symbolic.gated import get_gated
from symbolic.normalizers import get_normalizer

X = np.random.default_rng(0).normal(size=(4, 6))


@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
def test_glu_as_a_product_equals_the_gated_unit(parameterization):
    """Dense → swiglu → Dense (two pre-activations per unit) and Product((Dense, swish), (Dense,)) → Dense are one
    network: NNGP and NTK agree to rounding in both parameterizations."""
    glu = Serial(Dense(1.3, 0.1), Nonlinear(get_gated("swiglu")), Dense(0.9, 0.05))
    prod = Serial(Product((Dense(1.3, 0.1), Nonlinear(get_activation("swish"))), (Dense(1.3, 0.1),)), Dense(0.9, 0.05))
    a = propagate(glu, input_state(X, ntk=True), parameterization=parameterization, width=64)
    b = propagate(prod, input_state(X, ntk=True), parameterization=parameterization, width=64)
    assert np.allclose(a.sigma, b.sigma, rtol=1e-14, atol=0) and np.allclose(a.theta, b.theta, rtol=1e-13, atol=0)
    assert [u.name for u in units(prod)] == ["swish"]


def test_product_against_neural_tangents():
    """Three branches (ReLU, erf and a plain Dense) and a gated tied-softmax attention layer: NNGP and NTK within 1e-10
    of neural-tangents' FanOut → parallel → FanInProd."""
    pytest.importorskip("neural_tangents")
    from ntk.bridge import nt_network_kernels

    three = Serial(Product((Dense(1.2, 0.1), Nonlinear(get_activation("relu"))),
                           (Dense(0.8, 0.2), Nonlinear(get_activation("erf"))), (Dense(1.1, 0.0),)), Dense(0.9, 0.05))
    S = np.random.default_rng(1).normal(size=(2, 3, 6))
    att = Attention(get_normalizer("softmax"), 0.8, 1.1, "linear")
    gated = Serial(Dense(1.0, 0.0), Norm("layer"), Product((Dense(1.5, 0.2), Nonlinear(get_activation("erf"))), (att,)),
                   Dense(0.7, 0.02))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for net, x in ((three, X), (gated, S)):
            ours = propagate(net, input_state(x, ntk=True))
            nngp, ntk = nt_network_kernels(net, x)
            assert np.allclose(nngp, ours.sigma, rtol=1e-10, atol=1e-12)
            assert np.allclose(ntk, ours.theta, rtol=1e-10, atol=1e-12)
        assert nt_network_kernels(Serial(Dense(1.0, 0.0), Residual((Product((Dense(1.0, 0.0),), (att,)),), 0.7)), S) \
            is None  # stax's FanInSum needs Gaussian branches: the product is not


def test_gated_attention_block_against_finite_networks():
    """Dense → x + 0.8 · (sigmoid gate ⊙ softmax attention)(LN x) → Dense on two sequences of 3 tokens, 100 networks of
    width 128: stream lengths, covariances and the NTK within 4.5 standard errors."""
    pytest.importorskip("jax")
    from theory.montecarlo.networks import AttentionShape, compare_network

    S = np.random.default_rng(2).normal(size=(2, 3, 8))
    gate = (Dense(1.5, 0.2), Nonlinear(get_activation("sigmoid")))
    net = Serial(Dense(1.0, 0.0), Residual((Norm("layer"), Product(gate, (Attention(get_normalizer("softmax"), 0.8,
                                                                                     1.0),))), 0.8), Dense(1.0, 0.0))
    for name, c in compare_network(net, S, 128, ensemble=100, attention=AttentionShape(heads=16, key_dim=128,
                                                                                          value_dim=8)).items():
        z = (c.measured - c.theory) / np.where(c.stderr > 0, c.stderr, np.inf)
        assert np.all(np.abs(z) < 4.5), (name, z)


def test_product_in_the_chi_recursion():
    """χ of a GLU block read off the NTK recursion equals the gated unit's (the product rule is affine in Θ)."""
    glu = Serial(Serial(Dense(1.3, 0.0), Nonlinear(get_gated("reglu"))), Dense(1.0, 0.0))
    prod = Serial(Product((Dense(1.3, 0.0), Nonlinear(get_activation("relu"))), (Dense(1.3, 0.0),)), Dense(1.0, 0.0))
    assert np.prod(block_chis(glu, 0.7)) == pytest.approx(np.prod(block_chis(prod, 0.7)), rel=1e-13)


def test_bad_input():
    with pytest.raises(ValueError, match="two or more branches"):
        Product((Dense(1.0, 0.0),))
    with pytest.raises(ValueError, match="two or more branches"):
        Product((Dense(1.0, 0.0),), ())
    pytest.importorskip("jax")
    from theory.montecarlo.networks import run_networks

    with pytest.raises(ValueError, match="same width"):
        run_networks(Serial(Product((Dense(1.0, 0.0),), (Norm("rms"),))), X, 8, 2)
    from signalprop.shaping import ShapingTargetError, dks

    with pytest.raises(ShapingTargetError, match="Product"):
        dks(get_activation("tanh"), net=Serial(Product((Dense(1.0, 0.0), Nonlinear(get_activation("tanh"))),
                                                          (Dense(1.0, 0.0),))))
