"""Zoo entries not registered as pointwise functions or gated units (classes, multi-input, stochastic, or not found),
with reasons. The gated units of rows 17, 82, 83 are in ``symbolic.gated``, the group activations of rows 84, 85 in
``symbolic.group``."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NotPointwise:
    zoo_id: int
    name: str
    reason: str
    handled: str


NOT_POINTWISE: tuple[NotPointwise, ...] = (
    NotPointwise(12, "semi-algebraic gates", "a class (ReLU, max, indicator, piecewise polynomials), no single formula",
                 "its members are registered: relu, step, rectified_monomial, polyrelu"),
    NotPointwise(45, "SE-GEM", "definition not found: the shape of its non-zero negative branch could not be read",
                 "gem and e_gem are registered"),
    NotPointwise(49, "Randomized Smooth-Leaky", "stochastic: a negative slope drawn at random in training (bounds not found)",
                 "its inference form is smooth_leaky at the mean slope (alpha = (l+u)/2)"),
    NotPointwise(51, "VeLU", "non-local (scaled by the layer's input spread) and defined through asin(beta2 x), "
                 "which is real only for |beta2 x| <= 1; no defaults found", "a user formula can register a chosen form"),
    NotPointwise(80, "probabilistic activation", "definition not found (arXiv:2407.18320)", "-"),
    NotPointwise(74, "AF-KAN / S-KAN combos", "learnable combinations of standard activations on KAN edges",
                 "any combination can be written as a user formula (custom_activation)"),
    NotPointwise(75, "SL2A-INR", "a learnable polynomial-basis first layer followed by a ReLU MLP",
                 "polynomial and relu entries; architecture-level, not an activation"),
    NotPointwise(76, "tanh/Swish statistical mixture", "quenched per-neuron mixture: maps average, functions do not",
                 "signalprop mixtures (each neuron draws tanh or swish)"),
    NotPointwise(77, "SmartMixed", "per-neuron choice among relu, sigmoid, tanh, leaky_relu, elu, selu",
                 "signalprop mixtures of the registered members"),
    NotPointwise(78, "SAFS", "searched per-layer activation (operator search + HPO)", "any result is a user formula"),
    NotPointwise(79, "evolving multi-channel confidence-aware AFs", "searched, multi-channel", "any result is a user formula"),
    NotPointwise(81, "matrix exponential", "acts on a d x d matrix (W3 exp(W2 exp(W1 X)))", "out of scope (not element-wise)"),
)
