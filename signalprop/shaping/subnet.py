"""Network-level targets of kernel shaping, turned into per-layer (local) targets.

DKS and TAT state their conditions for the whole network f through its *subnetwork maximizing function*
M_f(x, r) (Zhang et al. 2022, appendix "Additional details and pseudocode"): the largest value, over the
subnetworks of f that end at its output, of the map obtained by composing the per-layer map r along their
paths (a normalized sum w² a + (1 − w²) b of two branches combines their values). For a chain of L nonlinear
layers M(x, r) = r^{∘L}(x); for a network described with ``signalprop.architecture`` (``from_architecture``) it is the
largest value at any layer's output of the network up to there. From it (Martens et al. 2021, "Summary of our method"; Zhang et al. 2022):

* DKS:  the maximal slope ζ = M(1, y ↦ ξ·y) fixes each layer's C'(1) = ξ   (chain: ξ = ζ^{1/L});
* TAT (smooth φ): the maximal curvature τ = M(0, y ↦ κ + y) fixes C''(1) = κ   (chain: κ = τ/L);
* TAT (Leaky ReLU): η = M(0, C_s) with C_s the Leaky ReLU C map fixes the negative slope s.

Each maximizing function is increasing in its argument, so the local target is its unique root (brentq,
|error| ≤ 1e-15 relative, where the ``dks`` package bisects to |M − target| < 1e-8).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

SubnetMax = Callable[[float, Callable[[float], float]], float]


class ShapingTargetError(ValueError):
    """A kernel-shaping target that this network cannot meet (the message says why and what would work)."""


def chain(depth: int) -> SubnetMax:
    """M(x, r) = r^{∘depth}(x): the subnetwork maximizing function of a chain of ``depth`` nonlinear layers."""
    if not (isinstance(depth, (int, np.integer)) and depth >= 1):
        raise ValueError(f"depth (the number of nonlinear layers) must be an integer >= 1, got {depth!r}")

    def subnet_max(x: float, r: Callable[[float], float]) -> float:
        for _ in range(depth):
            x = r(x)
        return x

    subnet_max.depth = int(depth)
    return subnet_max


def from_architecture(net) -> SubnetMax:
    """M(x, r) of a ``signalprop.architecture`` network of the form DKS and TAT assume: Dense(1, 0) layers (which keep
    the length q = 1 of their inputs and pass the C map unchanged), Nonlinear layers (each one r; their units only mark
    where φ̂ goes), normalized sums x ← w x + √(1 − w²) F(x) (``normalized_sum``: the value w² x + (1 − w²) M_F(x)) and
    nested Serial blocks. The value is the largest, over every layer's output (inside the branches too), of the map
    composed from the inputs up to that output: the maximal slope, curvature or C(0) over the subnetworks."""
    from symbolic import Activation

    from ..architecture import Dense, Nonlinear, Norm, Product, Residual, Serial
    from ..attention_kernel import Attention

    if not isinstance(net, Serial):
        raise TypeError(f"give a network built with signalprop.architecture (Serial, normalized_sum, …), got "
                        f"{type(net).__name__}")

    def check(layers: tuple) -> int:
        found = 0
        for layer in layers:
            if isinstance(layer, Dense) and (layer.sigma_w2 != 1.0 or layer.sigma_b2 != 0.0):
                raise ShapingTargetError(f"kernel shaping assumes Dense(1, 0) layers (weights of variance 1/fan-in, no "
                                         f"bias: q = 1 into every nonlinear layer), got Dense({layer.sigma_w2:g}, "
                                         f"{layer.sigma_b2:g})")
            if isinstance(layer, Nonlinear) and not isinstance(layer.unit, Activation):
                raise ShapingTargetError(f"kernel shaping transforms element-wise activations: the template's "
                                         f"{getattr(layer.unit, 'label', layer.unit)} (gated, group or mixture) would be "
                                         "replaced; use Nonlinear(an activation) as the placeholder")
            if isinstance(layer, Norm):
                raise ShapingTargetError("kernel shaping is for networks without normalization layers (DKS, TAT): "
                                         "remove the Norm")
            if isinstance(layer, (Product, Attention)):
                raise ShapingTargetError(f"kernel shaping is for chains and normalized residual sums of element-wise "
                                         f"units (DKS, TAT): a {type(layer).__name__} layer has no local C map here")
            if isinstance(layer, Residual):
                if abs(layer.shortcut**2 + layer.alpha**2 - 1.0) > 1e-12:
                    raise ShapingTargetError(f"kernel shaping keeps q = 1 only through normalized sums w x + √(1 − w²) "
                                             f"F(x) (normalized_sum); got shortcut {layer.shortcut:g}, branch scale "
                                             f"{layer.alpha:g} (w² + α² = {layer.shortcut**2 + layer.alpha**2:.6g})")
                found += check(layer.branch)
            elif isinstance(layer, Serial):
                found += check(layer.layers)
            found += isinstance(layer, Nonlinear)
        return found

    if not check(net.layers):
        raise ShapingTargetError("the network has no Nonlinear layer to shape")

    def walk(layers: tuple, x: float, r: Callable[[float], float]) -> tuple[float, float]:
        best = -math.inf
        for layer in layers:
            if isinstance(layer, Nonlinear):
                x = r(x)
            elif isinstance(layer, Residual):
                inner, inner_best = walk(layer.branch, x, r)
                best = max(best, inner_best)
                x = layer.shortcut**2 * x + layer.alpha**2 * inner
            elif isinstance(layer, Serial):
                x, inner_best = walk(layer.layers, x, r)
                best = max(best, inner_best)
            best = max(best, x)
        return x, best

    def subnet_max(x: float, r: Callable[[float], float]) -> float:
        return walk(net.layers, x, r)[1]

    return subnet_max


def leaky_relu_cmap(c, negative_slope: float):
    """C map of √(2/(1+s²))·LeakyReLU_s at q = 1 (Zhang et al. 2022, eq. for TReLU; arc-cosine kernel of Cho & Saul):

    C(c) = c + (1 − s)²/(π(1 + s²)) · (√(1 − c²) − c·arccos c).
    """
    c = np.clip(c, -1.0, 1.0)
    return c + (1.0 - negative_slope) ** 2 / (math.pi * (1.0 + negative_slope ** 2)) * (
        np.sqrt(1.0 - c * c) - c * np.arccos(c))


def _increasing_root(fn: Callable[[float], float], target: float, lo: float, hi: float | None, what: str) -> float:
    """x with fn(x) = target for an increasing fn on [lo, hi] (hi = None: doubled until it brackets)."""
    from scipy.optimize import brentq

    if not math.isfinite(fn(lo)):
        raise ShapingTargetError(f"{what}: the network's maximizing function is not finite at {lo}")
    if hi is None:
        hi = lo + 1.0
        while fn(hi) < target:
            if not math.isfinite(fn(hi)):
                raise ShapingTargetError(f"{what}: the network's maximizing function is not finite at {hi}")
            hi = lo + 2.0 * (hi - lo)
            if hi > 1e6:
                raise ShapingTargetError(f"{what}: no local value up to 1e6 reaches the target {target}")
    return brentq(lambda x: fn(x) - target, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)


def local_c_slope(subnet_max: SubnetMax, zeta: float) -> float:
    """DKS: ξ > 1 with M(1, y ↦ ξ y) = ζ (the whole network's C'(1) is ζ along its steepest path)."""
    if not zeta > 1.0:
        raise ShapingTargetError(f"zeta (the network's C'(1) target, DKS) must be > 1, got {zeta}; the paper uses 1.5")
    return _increasing_root(lambda x: subnet_max(1.0, lambda y: x * y), zeta, 1.0, None, "DKS slope target")


def local_c_curvature(subnet_max: SubnetMax, tau: float) -> float:
    """TAT (smooth φ): κ > 0 with M(0, y ↦ κ + y) = τ (the network's C''(1) along its most curved path)."""
    if not tau > 0.0:
        raise ShapingTargetError(f"tau (the network's C''(1) target, TAT) must be > 0, got {tau}; the paper uses 0.3")
    return _increasing_root(lambda x: subnet_max(0.0, lambda y: x + y), tau, 0.0, None, "TAT curvature target")


def leaky_relu_slope(subnet_max: SubnetMax, eta: float) -> float:
    """TAT (Leaky ReLU): s ∈ [0, 1] with M(0, C_s) = η; C_s(0) falls from the ReLU value to 0 as s → 1."""
    from scipy.optimize import brentq

    if not 0.0 < eta < 1.0:
        raise ShapingTargetError(f"eta (the network's C(0) target, TAT) must lie in (0, 1), got {eta}; the paper uses 0.9")
    reach = subnet_max(0.0, lambda c: leaky_relu_cmap(c, 0.0))
    if reach < eta:
        depth = getattr(subnet_max, "depth", None)
        where = f"a chain of {depth} Leaky ReLU layers" if depth else "this network"
        raise ShapingTargetError(
            f"eta = {eta} cannot be met: {where} reaches C(0) = {reach:.6g} at most (negative slope 0, ReLU); "
            "use a smaller eta (a more linear network) or a deeper one")
    return brentq(lambda s: eta - subnet_max(0.0, lambda c: leaky_relu_cmap(c, s)), 0.0, 1.0,
                  xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
