"""Kernel shaping for networks described with signalprop.architecture (``dks(..., net=)``, ``tat(..., net=)``): the
subnetwork maximizing function read off the description against hand-written ones, and the shaped network checked by
the architecture engine itself (another route than the solver's local conditions): its C'(1) is ζ, its C(0) is η, and
every layer keeps q = 1; Monte Carlo of the shaped residual network; bad templates refused."""

import math

import numpy as np
import pytest

from signalprop import (Dense, Nonlinear, Norm, Residual, Serial, covariance_slope, maps, normalized_sum, resnet,
                        shaping)
from signalprop.shaping import ShapingTargetError, from_architecture
from symbolic import get_activation

TANH = get_activation("tanh")
BLOCK = (Dense(1.0, 0.0), Nonlinear(TANH), Dense(1.0, 0.0), Nonlinear(TANH), Dense(1.0, 0.0))
W, BLOCKS = 0.6, 8


def _template():
    """Dense → 8 normalized sums w x + √(1 − w²) F(x) (F: two nonlinear layers) → φ → Dense."""
    return Serial(Dense(1.0, 0.0), *[normalized_sum(BLOCK, W) for _ in range(BLOCKS)], Nonlinear(TANH), Dense(1.0, 0.0))


def _by_hand(x, r):
    """The same network's M(x, r): the largest value at any layer output, inside the branches too."""
    best = -math.inf
    for _ in range(BLOCKS):
        one, two = r(x), r(r(x))
        x = W**2 * x + (1 - W**2) * two
        best = max(best, one, two, x)
    return max(best, r(x))


def test_chain_template_is_the_depth_route():
    chain = Serial(*[(Dense(1.0, 0.0), Nonlinear(TANH)) for _ in range(6)])
    assert shaping.dks("tanh", net=chain, zeta=1.5).params() == shaping.dks("tanh", depth=6, zeta=1.5).params()


@pytest.mark.parametrize("x,r", [(1.0, lambda y: 1.07 * y), (0.0, lambda y: 0.01 + y), (0.2, math.sqrt)])
def test_subnet_max_of_a_description_is_the_hand_written_one(x, r):
    assert from_architecture(_template())(x, r) == pytest.approx(_by_hand(x, r), rel=1e-15)


def test_dks_shaped_residual_network_meets_its_targets():
    """ζ = 1.5: the parameters equal those from the hand-written function, and the shaped network's C'(1), computed by
    ``covariance_slope`` through the whole description, is ζ (the full network is the steepest subnetwork here)."""
    shaped = shaping.dks("tanh", net=_template(), zeta=1.5)
    by_hand = shaping.dks("tanh", subnet_max=_by_hand, zeta=1.5)
    assert shaped.params() == pytest.approx(by_hand.params(), rel=1e-13)
    net = shaped.network(_template())
    assert covariance_slope(net, 1.0, 1.0) == pytest.approx(1.5, rel=1e-10)
    m = maps(net, 1.0, 0.3)
    assert np.max(np.abs(m.p - 1.0)) < 1e-9  # Q(1) = 1 through every layer and every normalized sum


def test_tat_shaped_residual_networks_meet_their_targets():
    tmpl = _template()
    lrelu = shaping.tat("leaky_relu", net=tmpl, eta=0.7)
    assert maps(lrelu.network(tmpl), 1.0, 0.0).c[-1] == pytest.approx(0.7, abs=1e-10)
    smooth = shaping.tat("tanh", net=tmpl, tau=0.3)
    net = smooth.network(tmpl)
    assert covariance_slope(net, 1.0, 1.0) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ShapingTargetError, match="reaches C\\(0\\) = 0.87"):
        shaping.tat("leaky_relu", net=tmpl, eta=0.9)


def test_monte_carlo_of_the_shaped_residual_network():
    """100 networks of width 256 (Gram fast path, which draws the shortcut-weighted sums as the explicit networks do)
    on inputs of length 1: the stream against the shaped network's theory."""
    from theory.montecarlo.networks import compare_network

    X = np.array([[1.0, 0.3, -0.5, 0.8], [0.2, -1.0, 0.6, 0.4]])
    X = X * np.sqrt(X.shape[1]) / np.linalg.norm(X, axis=1, keepdims=True)
    net = shaping.dks("tanh", net=_template(), zeta=1.5).network(_template())
    comps = compare_network(net, X, 256, ensemble=100, seed=11, ntk=False, fast=True)
    for comp in comps.values():
        assert comp.passed, (comp.label, comp.z_corrected)
    assert np.max(np.abs(comps["stream_length"].theory - 1.0)) < 1e-9


@pytest.mark.parametrize("template,message", [
    (Serial(Dense(2.0, 0.0), Nonlinear(TANH)), "assumes Dense\\(1, 0\\)"),
    (Serial(Dense(1.0, 0.0), Residual(BLOCK, 1.0)), "normalized sums"),
    (Serial(Dense(1.0, 0.0), Norm("rms"), Nonlinear(TANH)), "without normalization layers"),
    (Serial(Dense(1.0, 0.0)), "no Nonlinear layer"),
    (Serial(Dense(1.0, 0.0), Nonlinear(get_activation("swiglu"))), "element-wise activations"),
])
def test_templates_kernel_shaping_cannot_use(template, message):
    with pytest.raises(ShapingTargetError, match=message):
        shaping.dks("tanh", net=template)


def test_bad_calls():
    with pytest.raises(ValueError, match="exactly one of depth"):
        shaping.dks("tanh", depth=4, net=_template())
    with pytest.raises(TypeError, match="signalprop.architecture"):
        from_architecture([Dense(1.0, 0.0)])
    with pytest.raises(ValueError, match="shortcut weight w must lie in \\[0, 1\\)"):
        normalized_sum(BLOCK, 1.0)
    with pytest.raises(ValueError, match="shortcut weight must be a finite number >= 0"):
        Residual(BLOCK, 1.0, -0.5)
    assert resnet(TANH, 1).layers[0].shortcut == 1.0


def test_shortcut_weight_in_the_recursions():
    """w x + α F(x) with F = Dense(1, 0) → tanh → Dense(1, 0) on a stream of length p: p' = w² p + α² E[tanh²(√p z)],
    block χ = w² + α² E[sech⁴(√p z)] (scipy quad, written out)."""
    from scipy.integrate import quad

    from signalprop import block_chis

    p, w, a = 1.7, 0.8, 0.45
    net = Serial(Residual(BLOCK[:3], a, w))
    gauss = lambda f: quad(lambda z: f(math.sqrt(p) * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -12, 12,  # noqa: E731
                           epsabs=1e-15, epsrel=1e-13)[0]
    assert maps(net, p).p[-1] == pytest.approx(w**2 * p + a**2 * gauss(lambda x: math.tanh(x) ** 2), rel=1e-12)
    assert block_chis(net, p)[0] == pytest.approx(w**2 + a**2 * gauss(lambda x: 1 / math.cosh(x) ** 4), rel=1e-12)
