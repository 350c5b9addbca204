"""What a Monte-Carlo run simulates: an ensemble of random fully connected networks (FORMULAS.md,
"Random network"), validated, with its memory footprint estimated before anything runs.

A network maps x ∈ R^d to h^1 = W^1 x + b^1, then h^l = W^l φ(h^{l−1}) + b^l for l = 2 … L (hidden
widths N_1 … N_L), and a readout f = W^{L+1} φ(h^L) + b^{L+1} with ``outputs`` units. Standard
parameterization: W^l_ij ~ N(0, σ_w²/N_{l−1}), b ~ N(0, σ_b²); NTK parameterization: W, b ~ N(0, 1)
scaled by σ_w/√N_{l−1} and σ_b in the forward pass (same forward law, other gradients). Orthogonal
weights: σ_w √(max(N_l, N_{l−1})/N_{l−1}) times a Haar-random matrix with orthonormal rows or columns,
so that E[(W v)_i²] = σ_w² ‖v‖²/N_{l−1} as for Gaussian weights (Pennington et al. 2017 use σ_w O).
A mixture gives each neuron of each network one of its activations, drawn with its probability. A gated unit
g = φ(u)·ψ(v) has two pre-activations per unit, u = W_a g' + b_a and v = W_b g' + b_b with independent weights and
biases of the same law (``branches``); maxout with k pieces has k (the max of k independent weight rows); groupsort
and householder act on groups of k consecutive units of a layer (widths multiples of k); a mixture holding gated or
maxout units gives every unit its components' largest number of pre-activations (``units``); the readout is plain.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

WEIGHTS = ("gaussian", "orthogonal")


def branches(act) -> int:
    """Pre-activations per unit of a hidden layer: 2 for a gated unit g = φ(u)·ψ(v) (u and v, from two independent
    weight matrices and biases), k for maxout with k pieces, else 1; a mixture: its components' largest."""
    from signalprop.mixing import Mixture, components
    from symbolic import GatedUnit, GroupUnit

    if isinstance(act, Mixture):
        return max(branches(a) for a, _ in components(act))
    if isinstance(act, GatedUnit):
        return 2
    return act.inputs_per_output if isinstance(act, GroupUnit) else 1
PARAMETERIZATIONS = ("standard", "ntk")
DTYPES = {"float32": 4, "float64": 8}
MAX_WIDTH = 1 << 16
MAX_DEPTH = 10_000


@dataclass(frozen=True)
class NetworkSpec:
    """An ensemble of ``ensemble`` independent networks (see the module docstring); ``width`` is one
    hidden width or one per hidden layer; ``seed`` fixes every random number (network e of the
    ensemble draws from the seed and e alone, so results do not depend on chunking)."""

    act: object
    width: int | tuple[int, ...]
    depth: int
    sigma_w2: float
    sigma_b2: float
    ensemble: int = 100
    weights: str = "gaussian"
    parameterization: str = "standard"
    dtype: str = "float32"
    seed: int = 0
    outputs: int = 1
    widths: tuple[int, ...] = field(init=False)

    def __post_init__(self):
        if not isinstance(self.depth, int) or not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"depth (hidden layers) must be an integer in [1, {MAX_DEPTH}], got {self.depth!r}")
        widths = (self.width,) * self.depth if isinstance(self.width, int) else tuple(self.width)
        if len(widths) != self.depth:
            raise ValueError(f"give one width or one per hidden layer ({self.depth}), got {len(widths)}")
        if any(not isinstance(n, int) or not 1 <= n <= MAX_WIDTH for n in widths):
            raise ValueError(f"widths must be integers in [1, {MAX_WIDTH}], got {widths}")
        object.__setattr__(self, "widths", widths)
        group = getattr(self.act, "group", 1)  # groupsort/householder act on groups of k consecutive units
        if any(n % group for n in widths):
            raise ValueError(f"{self.act.label} acts on groups of {group} units: every hidden width must be a multiple "
                             f"of {group}, got {widths}")
        if not isinstance(self.ensemble, int) or self.ensemble < 2:
            raise ValueError(f"ensemble (number of networks) must be an integer >= 2 (error bars need two), got {self.ensemble!r}")
        if not (self.sigma_w2 > 0) or not (self.sigma_b2 >= 0):
            raise ValueError(f"sigma_w2 must be > 0 and sigma_b2 >= 0, got {self.sigma_w2}, {self.sigma_b2}")
        if self.weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {WEIGHTS}, got {self.weights!r}")
        if self.parameterization not in PARAMETERIZATIONS:
            raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}, got {self.parameterization!r}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {tuple(DTYPES)}, got {self.dtype!r}")
        if not isinstance(self.outputs, int) or self.outputs < 1:
            raise ValueError(f"outputs must be an integer >= 1, got {self.outputs!r}")

    def config(self) -> dict:
        """The full configuration, for saved results."""
        return {"activation": getattr(self.act, "name", str(self.act)), "widths": list(self.widths), "depth": self.depth,
                "sigma_w2": self.sigma_w2, "sigma_b2": self.sigma_b2, "ensemble": self.ensemble, "weights": self.weights,
                "parameterization": self.parameterization, "dtype": self.dtype, "seed": self.seed, "outputs": self.outputs}


def memory_bytes(spec: NetworkSpec, inputs: int, d: int, chunk: int, keep_layers: bool, fast: bool = False) -> int:
    """Peak bytes of one chunk of ``chunk`` networks on ``inputs`` inputs of dimension d: the largest
    weight matrix (twice: drawn and used; orthogonal draws square matrices; none on the fast path),
    the activations of one layer, or of every layer when ``keep_layers`` (backward passes), with a
    factor 2 of headroom."""
    size = DTYPES[spec.dtype]
    dims = (d,) + spec.widths
    largest = 0 if fast else max(max(a, b) ** 2 if spec.weights == "orthogonal" else a * b for a, b in zip(dims, dims[1:]))
    acts = inputs * (sum(spec.widths) if keep_layers else 2 * max(spec.widths))
    largest, acts = largest * branches(spec.act), acts * branches(spec.act)
    return 2 * chunk * size * (2 * largest + acts)


def memory_limit() -> int:
    """Bytes a run may use: ACTTHEORY_MC_MEMORY (bytes) if set, else half of the physical memory."""
    if "ACTTHEORY_MC_MEMORY" in os.environ:
        return int(float(os.environ["ACTTHEORY_MC_MEMORY"]))
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def chunk_size(spec: NetworkSpec, inputs: int, d: int, keep_layers: bool, limit: int | None = None, fast: bool = False) -> int:
    """The most networks per chunk that fit the memory limit (at most the ensemble); a clear error with
    the estimate when even one network does not fit."""
    limit = memory_limit() if limit is None else limit
    one = memory_bytes(spec, inputs, d, 1, keep_layers, fast)
    if one > limit:
        raise MemoryError(f"one network needs about {one / 2**30:.2f} GiB (widths up to {max(spec.widths)}, {inputs} inputs, "
                          f"{spec.dtype}); the limit is {limit / 2**30:.2f} GiB (set ACTTHEORY_MC_MEMORY to change it)")
    return max(1, min(spec.ensemble, limit // one))
