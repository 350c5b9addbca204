"""Architectures of fully connected networks, small and composable, and the one recursion of their kernels at
infinite width that the maps, the NNGP/NTK and the Monte-Carlo networks share.

A network is a sequence of layers applied to the inputs x ∈ R^d (``Serial``); each layer maps the kernel state of the
stream it receives — the per-unit covariance Σ(x, x') of the stream between inputs, the variances on its diagonal
and, for the NTK, Θ(x, x') — to that of its output (``KernelState``; inputs: Σ = x·x'/d, Θ = 0):

* ``Dense(σ_w², σ_b²)``: h = W g + b, W ~ N(0, σ_w²/N_in), b ~ N(0, σ_b²):
  Σ' = σ_w² Σ + σ_b²;  Θ' = σ_w² Θ + Σ' (NTK parameterization) or σ_w² Θ + N_in Σ + 1 (standard: the weights'
  gradient sums over the N_in input units, the bias is trained; Sohl-Dickstein et al. 2020, as ``ntk.kernels``).
* ``Nonlinear(unit)``: g = φ(h) for any layer law (element-wise, mixture, gated, group; ``laws``):
  Σ' = K(Σ), Θ' = K̇(Σ) ⊙ Θ (Lee et al. 2018; Jacot et al. 2018). The width of the stream becomes the hidden width N.
* ``Residual(branch, α)``: x ← x + α F(x) with F a sequence of layers (Yang & Schoenholz 2017, "full" residual
  network: F = Dense(σ_w², σ_b²) → φ → Dense(σ_v², σ_a²); Hayou et al. 2021: α = 1/√L). F's last Dense has zero-
  mean weights independent of x, so the cross-covariance of x and F(x) vanishes: Σ' = Σ + α² Σ_F, Θ' = Θ + α² Θ_F
  (the skip passes Θ through; the branch's parameters enter scaled by α²). With F as above and p = Σ(x, x),
  q = σ_w² p + σ_b²: p' = p + α² (σ_v² E[φ(√q z)²] + σ_a²). ``Residual(branch, α, shortcut=w)`` weighs the skip
  too, x ← w x + α F(x): Σ' = w² Σ + α² Σ_F, Θ' = w² Θ + α² Θ_F; w² + α² = 1 is the normalized sum of Deep Kernel
  Shaping (Martens et al. 2021), which keeps a length of 1 (``normalized_sum``).
* ``Norm("layer" | "rms", γ², β²)``: divides each input's stream by its root mean square over the units, which is
  deterministic at infinite width: Σ' = γ² Σ(x, x')/√(Σ(x, x) Σ(x', x')) + β², Θ' = γ² Θ(x, x')/√(Σ(x, x) Σ(x', x'))
  (the norm's own dependence on the parameters moves one direction out of N: O(1/N)). LayerNorm also subtracts the
  mean over units, which vanishes at infinite width on a centred stream: the inputs, a Dense output or a sum of them
  (the residual stream); after a nonlinearity the features have a nonzero mean, so LayerNorm is refused there (use
  RMSNorm, or normalize the stream as pre-/post-norm blocks do). γ² and β² are fixed at initialization (not trained),
  as in neural-tangents' parameter-free ``LayerNorm`` when γ² = 1, β² = 0.

* ``Attention(mechanism, σ_QK², σ_OV², scaling)`` (``attention_kernel``): mixes the tokens of each sequence. Inputs
  are then sequences: X of shape (S, T, d) gives the kernel over all S·T tokens (``KernelState.tokens`` = T); the
  other layers act token by token (LayerNorm normalizes each token). Σ' = σ_OV² E[P Σ Pᵀ] per pair of sequences,
  Θ' as in ``attention_kernel`` (NTK parameterization only).

* ``Product(F_1, F_2, …)``: x ↦ F_1(x) ⊙ F_2(x) ⊙ …, parallel branches with independent weights multiplied unit by
  unit (neural-tangents' FanOut → parallel → FanInProd). Given the inputs the branches' outputs are independent at
  infinite width, so Σ' = Π_k Σ_k and, by the product rule, Θ' = Σ_k Θ_k ⊙ Π_{l≠k} Σ_l; centred when one branch is.
  The sigmoid output gate of gated attention (Qiu et al. 2025, arXiv:2505.06708) is
  Product((Dense(σ_g², σ_gb²), Nonlinear(sigmoid)), (Attention(…),)); a GLU is Product((Dense, Nonlinear(φ)), (Dense,)).

``pre_norm_block`` (x + α F(Norm(x))) and ``post_norm_block`` (Norm(x + α F(x))) build the two transformer
placements; ``mlp`` the plain chain Dense → (φ → Dense) × L of ``ntk.kernels``; ``resnet`` a stack of residual blocks
with an optional readout.

``propagate(net, state, dual)`` runs the recursion with a ``dual(unit, qa, qb, Σ, derivative) → (K, K̇ or None)``;
``law_dual`` evaluates it entry by entry from the layer law (exact, for the small matrices of the maps), ``ntk``
passes its blocked matrix route. ``maps`` gives the per-layer lengths and correlation of two inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

import numpy as np

from .attention_kernel import Attention, attention_kernel
from .laws import UnsupportedLayerError, layer_law

PARAMETERIZATIONS = ("ntk", "standard")
NORMS = ("layer", "rms")


@dataclass(frozen=True)
class Dense:
    """h = W g + b (module docstring)."""

    sigma_w2: float = 1.0
    sigma_b2: float = 0.0

    def __post_init__(self):
        if not (math.isfinite(self.sigma_w2) and self.sigma_w2 > 0):
            raise ValueError(f"Dense: sigma_w2 must be a finite variance > 0, got {self.sigma_w2}")
        if not (math.isfinite(self.sigma_b2) and self.sigma_b2 >= 0):
            raise ValueError(f"Dense: sigma_b2 must be a finite variance >= 0, got {self.sigma_b2}")


@dataclass(frozen=True)
class Nonlinear:
    """g = φ(h) for an activation, a mixture, a gated unit or a group activation."""

    unit: object

    def __post_init__(self):
        layer_law(self.unit)  # refuses what has no layer law, at construction


@dataclass(frozen=True)
class Residual:
    """x ← w x + α F(x) (w = ``shortcut``, 1 by default); ``branch`` a sequence of layers."""

    branch: tuple
    alpha: float = 1.0
    shortcut: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "branch", tuple(self.branch))
        if not (math.isfinite(self.alpha) and self.alpha > 0):
            raise ValueError(f"Residual: the branch scale alpha must be a finite number > 0, got {self.alpha}")
        if not (math.isfinite(self.shortcut) and self.shortcut >= 0):
            raise ValueError(f"Residual: the shortcut weight must be a finite number >= 0, got {self.shortcut}")
        if not self.branch:
            raise ValueError("Residual: the branch needs at least one layer")


@dataclass(frozen=True)
class Product:
    """F_1(x) ⊙ F_2(x) ⊙ …: ``branches``, each a sequence of layers with its own weights (module docstring)."""

    branches: tuple

    def __init__(self, *branches):
        flat = tuple(tuple(b) if isinstance(b, (list, tuple)) else (b,) for b in branches)
        if len(flat) < 2 or any(not b for b in flat):
            raise ValueError("Product: give two or more branches, each a non-empty sequence of layers")
        object.__setattr__(self, "branches", flat)


@dataclass(frozen=True)
class Norm:
    """LayerNorm ("layer") or RMSNorm ("rms") with fixed gain γ² and bias β² variances."""

    kind: str = "layer"
    gain2: float = 1.0
    bias2: float = 0.0

    def __post_init__(self):
        if self.kind not in NORMS:
            raise ValueError(f"Norm: kind must be one of {', '.join(NORMS)} (LayerNorm, RMSNorm), got {self.kind!r}")
        if not (math.isfinite(self.gain2) and self.gain2 > 0) or not (math.isfinite(self.bias2) and self.bias2 >= 0):
            raise ValueError(f"Norm: gain2 must be > 0 and bias2 >= 0 (variances), got {self.gain2}, {self.bias2}")




@dataclass(frozen=True)
class Serial:
    """A network, or a block of one: its layers in order."""

    layers: tuple

    def __init__(self, *layers):
        flat: list = []
        for layer in layers:  # lists and tuples are spliced in; a nested Serial stays one block (one step of ``maps``)
            flat.extend(layer if isinstance(layer, (list, tuple)) else [layer])
        for layer in flat:
            if not isinstance(layer, (Dense, Nonlinear, Residual, Norm, Serial, Attention, Product)):
                raise TypeError("a network holds Dense, Nonlinear, Residual, Norm, Attention, Product and Serial layers, "
                                f"got {type(layer).__name__}")
        object.__setattr__(self, "layers", tuple(flat))


def units(net) -> list:
    """The units of every Nonlinear in ``net`` (a Serial, a Residual's branch and a Product's branches included), in
    order."""
    out = []
    for layer in net.layers if isinstance(net, Serial) else net.branch:
        if isinstance(layer, Nonlinear):
            out.append(layer.unit)
        elif isinstance(layer, (Serial, Residual)):
            out.extend(units(layer))
        elif isinstance(layer, Product):
            for branch in layer.branches:
                out.extend(units(Serial(*branch)))
    return out


def has_attention(net) -> bool:
    """Whether ``net`` (a Serial, a Residual's branch and a Product's branches included) holds an attention layer."""
    for layer in net.layers if isinstance(net, Serial) else net.branch:
        if isinstance(layer, Attention) or isinstance(layer, (Serial, Residual)) and has_attention(layer):
            return True
        if isinstance(layer, Product) and any(has_attention(Serial(*b)) for b in layer.branches):
            return True
    return False


def mlp(unit, depth: int, sigma_w2: float = 1.0, sigma_b2: float = 0.0) -> Serial:
    """The plain chain Dense → (φ → Dense) × depth (``ntk.kernels``' network, its readout included)."""
    _check_depth(depth)
    return Serial(Dense(sigma_w2, sigma_b2), *[(Nonlinear(unit), Dense(sigma_w2, sigma_b2)) for _ in range(depth)])


def branch(unit, sigma_w2: float = 1.0, sigma_b2: float = 0.0, sigma_v2: float = 1.0, sigma_a2: float = 0.0) -> tuple:
    """The residual branch of Yang & Schoenholz 2017: Dense(σ_w², σ_b²) → φ → Dense(σ_v², σ_a²)."""
    return (Dense(sigma_w2, sigma_b2), Nonlinear(unit), Dense(sigma_v2, sigma_a2))


def normalized_sum(inner: Sequence, shortcut_weight: float) -> Residual:
    """x ← w x + √(1 − w²) F(x), 0 ≤ w < 1: the shortcut sum of Deep Kernel Shaping (Martens et al. 2021), whose
    kernel is w² Σ + (1 − w²) Σ_F, so a stream of length 1 keeps length 1 when F does."""
    if not (math.isfinite(shortcut_weight) and 0 <= shortcut_weight < 1):
        raise ValueError(f"normalized_sum: the shortcut weight w must lie in [0, 1), got {shortcut_weight}")
    return Residual(tuple(inner), math.sqrt(1 - shortcut_weight**2), shortcut_weight)


def pre_norm_block(inner: Sequence, alpha: float = 1.0, norm: str = "layer") -> Residual:
    """x + α F(Norm(x))."""
    return Residual((Norm(norm), *inner), alpha)


def post_norm_block(inner: Sequence, alpha: float = 1.0, norm: str = "layer") -> Serial:
    """Norm(x + α F(x))."""
    return Serial(Residual(tuple(inner), alpha), Norm(norm))


def resnet(unit, depth: int, alpha: float = 1.0, sigma_w2: float = 1.0, sigma_b2: float = 0.0, sigma_v2: float = 1.0,
           sigma_a2: float = 0.0, norm: str | None = None, placement: str = "pre", readout: Dense | None = None) -> Serial:
    """``depth`` residual blocks x ← x + α F(x) (F = ``branch``) on the inputs' stream, with ``norm`` ("layer", "rms"
    or None) placed "pre" (x + α F(Norm x)) or "post" (Norm(x + α F x)), and an optional readout Dense."""
    _check_depth(depth)
    inner = branch(unit, sigma_w2, sigma_b2, sigma_v2, sigma_a2)
    if norm is None:
        blocks = [Residual(inner, alpha)] * depth
    elif placement == "pre":
        blocks = [pre_norm_block(inner, alpha, norm)] * depth
    elif placement == "post":
        blocks = [post_norm_block(inner, alpha, norm)] * depth
    else:
        raise ValueError(f"placement must be 'pre' or 'post', got {placement!r}")
    return Serial(*blocks, *([readout] if readout is not None else []))


def _check_depth(depth) -> None:
    if not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ValueError(f"depth must be an integer >= 0, got {depth!r}")


@dataclass(frozen=True)
class KernelState:
    """The stream's per-unit covariance ``sigma`` between inputs a (rows) and b (columns), their variances ``qa``, ``qb``
    (Σ's diagonal for a = b), the NTK ``theta`` (None when not asked for), the stream's ``width`` (d for the inputs,
    the hidden width N after a Dense or a nonlinearity; a residual or normalized stream keeps its width),
    whether it is ``centred`` (zero mean over units: LayerNorm needs it), whether a = b (``symmetric``) and the
    number of ``tokens`` per sequence (rows are sequence-major: sequence s, token t at row s·T + t; 1 for vectors)."""

    sigma: np.ndarray
    qa: np.ndarray
    qb: np.ndarray
    theta: np.ndarray | None
    width: float
    centred: bool = True
    symmetric: bool = False
    tokens: int = 1


def input_state(X, X2=None, ntk: bool = False) -> KernelState:
    """Σ = x·x'/d of the inputs (rows of X against rows of X2, default X), Θ = 0. Sequences: X of shape (S, T, d)
    (S sequences of T tokens) is flattened to S·T rows with ``tokens`` = T."""
    X = np.asarray(X, dtype=np.float64)
    tokens = 1
    if X.ndim == 3:
        if X2 is not None:
            raise ValueError("sequences (3-D inputs) take one set of inputs: attention needs every sequence's own "
                             "tokens, so give X alone")
        tokens = X.shape[1]
        X = X.reshape(-1, X.shape[2])
    Y = X if X2 is None else np.asarray(X2, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1] or X.size == 0 or Y.size == 0:
        raise ValueError(f"inputs must be 2-D arrays with the same number of features, got shapes {X.shape}, {Y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("inputs hold NaN or inf entries")
    d = X.shape[1]
    sigma = X @ Y.T / d
    qa = np.diag(sigma).copy() if X2 is None else np.einsum("ij,ij->i", X, X) / d
    qb = qa if X2 is None else np.einsum("ij,ij->i", Y, Y) / d
    return KernelState(sigma, qa, qb, np.zeros_like(sigma) if ntk else None, float(d), True, X2 is None, tokens)


Dual = Callable[[object, np.ndarray, np.ndarray, np.ndarray, bool], tuple]


def law_dual(unit, qa: np.ndarray, qb: np.ndarray, sigma: np.ndarray, derivative: bool) -> tuple:
    """(K, K̇ or None) entry by entry from the unit's layer law (exact; for the small matrices of the maps)."""
    law = layer_law(unit)
    qa2, qb2 = np.broadcast_arrays(qa[:, None], qb[None, :])
    c = np.clip(sigma / np.sqrt(qa2 * qb2), -1.0, 1.0)
    value = np.asarray(law.dual(qa2, qb2, c), dtype=np.float64)
    return value, (np.asarray(law.dual_derivative(qa2, qb2, c), dtype=np.float64) if derivative else None)


@dataclass
class Trace:
    """What ``propagate`` records: the state after every top-level layer (``states``) and the variances entering each
    Nonlinear, in order (``preactivations``: (qa, qb) pairs)."""

    states: list = field(default_factory=list)
    preactivations: list = field(default_factory=list)


def propagate(net: Serial, state: KernelState, dual: Dual = law_dual, parameterization: str = "ntk",
              width: float | None = None, trace: Trace | None = None) -> KernelState:
    """The kernel state after the network (module docstring); ``width`` (the hidden width N) is needed by the
    standard parameterization's NTK. ``trace`` collects the intermediate states."""
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}, got {parameterization!r}")
    if state.theta is not None and parameterization == "standard" and not (width is not None and width > 0):
        raise ValueError("the standard-parameterization NTK depends on the hidden width: give width=N (> 0)")
    for layer in net.layers:
        state = _step(layer, state, dual, parameterization, width, trace)
        if trace is not None:
            trace.states.append(state)
    return state


def _step(layer, s: KernelState, dual: Dual, parameterization: str, width, trace: Trace | None) -> KernelState:
    if isinstance(layer, Dense):
        sigma = layer.sigma_w2 * s.sigma + layer.sigma_b2
        theta = None
        if s.theta is not None:
            theta = layer.sigma_w2 * s.theta + (sigma if parameterization == "ntk" else s.width * s.sigma + 1.0)
        return KernelState(sigma, layer.sigma_w2 * s.qa + layer.sigma_b2, layer.sigma_w2 * s.qb + layer.sigma_b2, theta,
                           _hidden(width), True, s.symmetric, s.tokens)
    if isinstance(layer, Nonlinear):
        _check_positive(s, "a nonlinearity")
        if trace is not None:
            trace.preactivations.append((s.qa, s.qb))
        k, kdot = dual(layer.unit, s.qa, s.qb, s.sigma, s.theta is not None)
        if not np.all(np.isfinite(k)):
            raise OverflowError(f"the kernel of {getattr(layer.unit, 'label', layer.unit)} overflows float64 at variances up "
                                f"to {float(max(s.qa.max(), s.qb.max())):.4g}")
        law = layer_law(layer.unit)
        qa = np.asarray(law.second_moment(s.qa), dtype=np.float64)
        qb = qa if s.symmetric else np.asarray(law.second_moment(s.qb), dtype=np.float64)
        if s.symmetric:  # keep the diagonal exactly the variances (θ = 0 on it)
            np.fill_diagonal(k, qa)
        return KernelState(k, qa, qb, None if s.theta is None else kdot * s.theta, _hidden(width), False, s.symmetric,
                           s.tokens)
    if isinstance(layer, Residual):
        inner = _step(Serial(*layer.branch), s, dual, parameterization, width, trace)
        if inner.sigma.shape != s.sigma.shape:
            raise ValueError("Residual: the branch must return a stream of the same inputs")
        a2, w2 = layer.alpha**2, layer.shortcut**2
        theta = None if s.theta is None else w2 * s.theta + a2 * inner.theta
        return KernelState(w2 * s.sigma + a2 * inner.sigma, w2 * s.qa + a2 * inner.qa, w2 * s.qb + a2 * inner.qb, theta,
                           s.width, s.centred and inner.centred, s.symmetric, s.tokens)
    if isinstance(layer, Norm):
        if layer.kind == "layer" and not s.centred:
            raise UnsupportedLayerError(
                "LayerNorm after a nonlinearity: the features' mean over units is not zero there, and subtracting it needs "
                "their first moment; normalize a centred stream (the inputs, a Dense output, the residual stream: pre- or "
                "post-norm blocks) or use RMSNorm (Norm('rms'))")
        _check_positive(s, "a normalization")
        scale = layer.gain2 / np.sqrt(s.qa[:, None] * s.qb[None, :])
        sigma = scale * s.sigma + layer.bias2
        if s.symmetric:
            np.fill_diagonal(sigma, layer.gain2 + layer.bias2)
        full = np.full_like(s.qa, layer.gain2 + layer.bias2), np.full_like(s.qb, layer.gain2 + layer.bias2)
        return KernelState(sigma, *full, None if s.theta is None else scale * s.theta, s.width, True, s.symmetric,
                           s.tokens)
    if isinstance(layer, Attention):
        return _attention_step(layer, s, parameterization)
    if isinstance(layer, Product):
        outs = [_step(Serial(*branch), s, dual, parameterization, width, trace) for branch in layer.branches]
        if any(o.sigma.shape != s.sigma.shape for o in outs):
            raise ValueError("Product: every branch must return a stream of the same inputs")
        sigmas = [o.sigma for o in outs]
        theta = None if s.theta is None else sum(
            o.theta * np.prod([m for j, m in enumerate(sigmas) if j != k], axis=0) for k, o in enumerate(outs))
        return KernelState(np.prod(sigmas, axis=0), np.prod([o.qa for o in outs], axis=0),
                           np.prod([o.qb for o in outs], axis=0), theta, outs[0].width, any(o.centred for o in outs),
                           s.symmetric, s.tokens)
    if isinstance(layer, Serial):
        for sub in layer.layers:
            s = _step(sub, s, dual, parameterization, width, trace)
        return s
    raise TypeError(f"unknown layer {layer!r}")


def _attention_step(layer: Attention, s: KernelState, parameterization: str) -> KernelState:
    """Σ', Θ' of an attention layer over the tokens of each sequence (``attention_kernel``)."""
    if not s.symmetric:
        raise UnsupportedLayerError("attention mixes the tokens of each sequence: give one set of inputs (no X2), "
                                    "whose kernel holds every sequence's own tokens")
    if s.theta is not None and parameterization != "ntk":
        raise UnsupportedLayerError("the attention NTK is derived in the NTK parameterization only")
    _check_positive(s, "attention")
    r = attention_kernel(layer, s.sigma, s.theta, s.tokens, s.theta is not None, layer.points, layer.scrambles)
    q = np.diag(r.nngp).copy()
    return KernelState(r.nngp, q, q, r.ntk, s.width, True, True, s.tokens)


def _hidden(width) -> float:
    """The width of a stream a Dense or a nonlinearity puts out: the hidden width N (NaN when not given: only the
    standard parameterization's NTK reads it)."""
    return float(width) if width is not None else math.nan


def _check_positive(s: KernelState, what: str) -> None:
    for name, q in (("an input", s.qa), ("an input of X2", s.qb)):
        if np.any(~(q > 0)):
            raise ValueError(f"{what} receives a stream of zero length for {name} (row {int(np.argmin(q))}): its "
                             "normalization or correlation is undefined; give a bias variance > 0 or drop that input")


@dataclass(frozen=True)
class ArchitectureMaps:
    """Two inputs through a network, after every top-level layer l = 1 … L: ``p`` (the stream's length E[x(a)²] of
    the first input), ``c`` (the correlation of the two inputs' streams) and ``q`` (the variance entering each
    nonlinearity, in order, for the first input)."""

    p: np.ndarray
    c: np.ndarray
    q: np.ndarray


def _theta_multiplier(layer, state: KernelState) -> tuple[np.ndarray, KernelState]:
    """(the layer's multiplier of the incoming Θ, entry by entry; the state after the layer). The NTK recursion is affine
    in Θ and acts entry by entry (Dense: σ_w² Θ + …, nonlinearity: K̇ ⊙ Θ, norm: scale ⊙ Θ, residual: Θ + α² …), so two
    steps, with Θ = s and Θ = 0, give it; s of the stream's size makes the affine part cancel to ~1e-16 relative. The
    multiplier of entry (a, b) is ∂Σ'_ab/∂Σ_ab with the diagonal held: the slope of the layer's covariance map."""
    scale = max(1.0, float(np.max(np.abs(state.sigma))))
    one = _step(layer, replace(state, theta=np.full(state.sigma.shape, scale)), law_dual, "ntk", None, None)
    out = _step(layer, replace(state, theta=np.zeros(state.sigma.shape)), law_dual, "ntk", None, None)
    return (one.theta - out.theta) / scale, out


def block_chis(net: Serial, p0: float) -> np.ndarray:
    """χ of every top-level layer for one input of length p0: the factor by which the layer multiplies the squared length
    of a gradient flowing back through it at infinite width (Schoenholz et al. 2017's χ_1 for Dense → φ: σ_w² E[φ'²];
    a full residual block: w² + α²σ_v²σ_w² E[φ'(√q z)²] (w the shortcut weight, 1 by default), Yang & Schoenholz 2017; a normalization: γ²/p). It is the
    layer's derivative of the NTK recursion with respect to the incoming Θ (which enters linearly), read on the diagonal;
    the product over layers is the whole network's gradient growth."""
    _check_length(p0, "p0")
    state = KernelState(np.array([[p0]]), np.array([p0]), np.array([p0]), np.zeros((1, 1)), math.nan, True, True)
    out = []
    for layer in net.layers:
        multiplier, state = _theta_multiplier(layer, state)
        out.append(float(multiplier[0, 0]))
    return np.array(out)


def covariance_slope(net: Serial, p: float, c: float) -> float:
    """∂Σ'₁₂/∂Σ₁₂ of the whole of ``net`` for two inputs of length p and correlation c, their lengths held: the slope
    of the network's correlation map c ↦ c' = Σ'₁₂/p' times p'/p (so the slope itself where the length map is at a
    fixed point, p' = p: χ_c of Schoenholz et al. 2017, and χ_1 at c = 1). Read off the NTK recursion as in
    ``block_chis``, by the chain rule over the layers (the diagonal does not depend on Σ₁₂)."""
    _check_length(p)
    if not -1.0 <= c <= 1.0:
        raise ValueError(f"the correlation c must lie in [-1, 1], got {c}")
    sigma = p * np.array([[1.0, c], [c, 1.0]])
    state = KernelState(sigma, np.full(2, p), np.full(2, p), np.zeros((2, 2)), math.nan, True, True)
    return float(_theta_multiplier(net, state)[0][0, 1])


def _check_length(p: float, name: str = "p") -> None:
    if not (math.isfinite(p) and p > 0):
        raise ValueError(f"the inputs' length {name} must be a finite number > 0, got {p}")


def maps(net: Serial, p0: float, c0: float = 1.0) -> ArchitectureMaps:
    """Lengths and correlation of two inputs of length p0 and correlation c0 through ``net`` (the 2 × 2 case of
    ``propagate``, exact layer laws)."""
    _check_length(p0, "p0")
    if not -1.0 <= c0 <= 1.0:
        raise ValueError(f"the inputs' correlation c0 must lie in [-1, 1], got {c0}")
    sigma = p0 * np.array([[1.0, c0], [c0, 1.0]])
    trace = Trace()
    propagate(net, KernelState(sigma, np.full(2, p0), np.full(2, p0), None, math.nan, True, True), trace=trace)
    p = np.array([st.sigma[0, 0] for st in trace.states])
    c = np.array([st.sigma[0, 1] / math.sqrt(st.sigma[0, 0] * st.sigma[1, 1]) for st in trace.states])
    return ArchitectureMaps(p, c, np.array([float(qa[0]) for qa, _ in trace.preactivations]))
