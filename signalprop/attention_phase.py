"""Rank collapse against entropy collapse: a phase diagram of deep attention stacks in (σ_QK², α) at infinite width.

Each grid point runs ``blocks`` transformer blocks (``signalprop.transformer``: post-norm Norm(x + α Attn x) by
default, optionally with an MLP sub-block) on one sequence of T exchangeable tokens of length 1 and correlation ρ0,
and records, after the last block,

* the tokens' correlation deficit 1 − ρ_L (rank collapse: → 0, Dong et al. 2021; Noci et al. 2022), and
* the normalized entropy H/log T of the attention rows the next layer would form on the normalized tokens (entropy
  collapse: → 0, the frozen phase of the random energy model, Giorlandino & Goldt 2025). For exchangeable tokens of
  length 1 a row's logits are a common part plus i.i.d. N(0, σ_QK² (1 − ρ)), so H is the statistics engine's exact
  entropy (``attention_stats``).

``phase``: "rank collapse" where 1 − ρ_L < 0.01, "entropy collapse" where H/log T < 0.25 (the frozen phase keeps O(1) nats: 0.17 log T at T = 16), else "signal" (both
thresholds are conventions of this diagram, stated in its JSON). Giorlandino & Goldt's LN(α' x + Attn x) is this
family with α = 1/α' (LayerNorm ignores the overall scale), and their β² log T is σ_QK².

``scaling="long"``: their limit T → ∞ itself (``attention_limits.long_sequence_block``; softmax or centred softmax,
the σ_QK² axis is β²): H/log T is its leading order max(0, 1 − β² (1 − ρ)/(2τ²)), exactly 0 in the frozen phase.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace

import numpy as np

from symbolic.normalizers import AttentionError

from .architecture import Product, Residual, Serial
from .attention_limits import long_sequence_entropy
from .attention_kernel import Attention
from .block_phase import finite_or_none, named_phases
from .transformer import exchangeable_kernel, mean_correlation, token_maps, transformer

PHASE_NAMES = ("signal", "rank collapse", "entropy collapse")
RANK_TOL, ENTROPY_TOL = 0.01, 0.25


@dataclass(frozen=True)
class AttentionPhaseDiagram:
    """Rows: α (``alpha``), columns: σ_QK² (``sigma_qk2``); ``deficit`` 1 − ρ_L, ``entropy`` H/log T, ``phase``
    indices into PHASE_NAMES (−1: not computed, after Ctrl-C)."""

    mechanism: str
    tokens: int
    blocks: int
    sigma_qk2: np.ndarray
    alpha: np.ndarray
    deficit: np.ndarray
    entropy: np.ndarray
    phase: np.ndarray
    interrupted: bool = False
    scaling: str = "sqrt"

    def as_dict(self) -> dict:
        return {"mechanism": self.mechanism, "tokens": None if self.scaling == "long" else self.tokens,
                "scaling": self.scaling, "blocks": self.blocks,
                "sigma_qk2": self.sigma_qk2.tolist(), "alpha": self.alpha.tolist(),
                "deficit": finite_or_none(self.deficit), "entropy": finite_or_none(self.entropy),
                "phase": named_phases(self.phase, PHASE_NAMES),
                "convention": f"rows: alpha, columns: sigma_qk2; deficit = 1 - rho after the last block; entropy = H/log T "
                              f"of the next attention rows; rank collapse: deficit < {RANK_TOL}; entropy collapse: "
                              f"entropy < {ENTROPY_TOL}", "interrupted": self.interrupted}


def attention_phase_diagram(mechanism, tokens: int, blocks: int, sigma_qk2, alpha, rho0: float = 0.5,
                            placement: str = "post", unit=None, progress: bool = False, points: int = 1024,
                            scrambles: int = 8, scaling: str = "sqrt") -> AttentionPhaseDiagram:
    """The diagram (module docstring) on the grid σ_QK² × α; a progress bar with ``progress``; Ctrl-C stops after the
    point in flight and returns the points done (``interrupted``)."""
    from tqdm import tqdm

    from .attention_stats import row_statistics

    if not (mechanism.normalized and mechanism.shift_invariant or scaling == "long"):
        raise AttentionError(f"the entropy-collapse axis needs a normalized mechanism that ignores a row's common logit "
                             f"part (softmax, scalable_softmax, sparsemax), got {mechanism.label}")
    s_grid, a_grid = np.asarray(sigma_qk2, dtype=np.float64), np.asarray(alpha, dtype=np.float64)
    deficit, entropy = np.full((a_grid.size, s_grid.size), np.nan), np.full((a_grid.size, s_grid.size), np.nan)
    phase = np.full(deficit.shape, -1, dtype=int)
    K0 = exchangeable_kernel(tokens, 1.0, rho0)
    interrupted = False
    bar = tqdm(total=deficit.size, desc=f"{mechanism.label}: attention phases", disable=not progress, file=sys.stderr,
               leave=False)
    try:
        for i, a in enumerate(a_grid):
            for j, s2 in enumerate(s_grid):
                net = transformer(mechanism, unit, blocks, float(a), "layer", placement, float(s2), scaling=scaling,
                                  mlp=unit is not None)
                net = _with_qmc(net, points, scrambles)
                K = token_maps(net, K0).kernels[-1]
                deficit[i, j] = 1 - mean_correlation(K)
                spread = max(deficit[i, j], 0.0)  # LayerNorm precedes the next attention: its tokens have length 1
                entropy[i, j] = (long_sequence_entropy(float(s2), 1.0, spread, getattr(mechanism, "base", mechanism).temperature)
                                 if scaling == "long" else
                                 row_statistics(mechanism, tokens, float(s2) * spread).entropy / math.log(tokens))
                phase[i, j] = 1 if deficit[i, j] < RANK_TOL else 2 if entropy[i, j] < ENTROPY_TOL else 0
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    return AttentionPhaseDiagram(mechanism.label, tokens, blocks, s_grid, a_grid, deficit, entropy, phase, interrupted,
                                 scaling)


def _with_qmc(net: Serial, points: int, scrambles: int) -> Serial:
    """``net`` with every attention layer's QMC sizes set."""

    def swap(layer):
        if isinstance(layer, Attention):
            return replace(layer, points=points, scrambles=scrambles)
        if isinstance(layer, Residual):
            return replace(layer, branch=tuple(swap(x) for x in layer.branch))
        if isinstance(layer, Product):
            return Product(*[tuple(swap(x) for x in b) for b in layer.branches])
        if isinstance(layer, Serial):
            return Serial(*[swap(x) for x in layer.layers])
        return layer

    return swap(net)
