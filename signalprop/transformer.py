"""Transformer blocks as architecture descriptions, and the token maps: how the lengths and the correlations of one
sequence's tokens evolve through attention and MLP blocks at infinite width.

* ``attention_block``: x + α Attn(Norm x) ("pre") or Norm(x + α Attn x) ("post"), or x + α Attn(x) / Attn(x)
  alone without a norm or a skip (``alpha=None``: pure attention, Dong et al. 2021).
* ``mlp_block``: the same placements around Dense(σ_w², σ_b²) → φ → Dense(σ_v², σ_a²).
* ``transformer``: depth × (attention block, MLP block); ``mlp=False`` keeps the attention blocks only.

``token_maps(net, K0)``: the token kernel after every top-level layer for one sequence whose token kernel is K0
(by default exchangeable tokens of length q0 and pairwise correlation ρ0: K0 = q0((1 − ρ0) I + ρ0 11ᵀ)), with the
mean token length and the mean correlation between distinct tokens — rank collapse is ρ → 1 (Dong, Cordonnier &
Loukas 2021; Noci et al. 2022).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .architecture import Dense, KernelState, Nonlinear, Norm, Residual, Serial, Trace, _check_depth, propagate
from .attention_kernel import Attention, check_token_kernel


def _place(inner: tuple, alpha: float | None, norm: str | None, placement: str):
    if alpha is None:
        if norm is not None:
            raise ValueError("a block without a skip (alpha=None) takes no norm here: put a Norm layer yourself")
        return Serial(*inner)
    if norm is None:
        return Residual(inner, alpha)
    if placement == "pre":
        return Residual((Norm(norm), *inner), alpha)
    if placement == "post":
        return Serial(Residual(inner, alpha), Norm(norm))
    raise ValueError(f"placement must be 'pre' or 'post', got {placement!r}")


def attention_block(mechanism, sigma_qk2: float = 1.0, sigma_ov2: float = 1.0, alpha: float | None = 1.0,
                    norm: str | None = "layer", placement: str = "pre", scaling: str = "sqrt",
                    causal: bool = False):
    """x + α Attn(Norm x) (pre), Norm(x + α Attn x) (post), x + α Attn x (norm None) or Attn x (alpha None)."""
    return _place((Attention(mechanism, sigma_qk2, sigma_ov2, scaling, causal),), alpha, norm, placement)


def mlp_block(unit, alpha: float | None = 1.0, norm: str | None = "layer", placement: str = "pre",
              sigma_w2: float = 1.0, sigma_b2: float = 0.0, sigma_v2: float = 1.0, sigma_a2: float = 0.0):
    """The MLP sub-block Dense(σ_w², σ_b²) → φ → Dense(σ_v², σ_a²) with the placements of ``attention_block``."""
    return _place((Dense(sigma_w2, sigma_b2), Nonlinear(unit), Dense(sigma_v2, sigma_a2)), alpha, norm, placement)


def transformer(mechanism, unit, depth: int, alpha: float | None = 1.0, norm: str | None = "layer",
                placement: str = "pre", sigma_qk2: float = 1.0, sigma_ov2: float = 1.0, sigma_w2: float = 1.0,
                sigma_v2: float = 1.0, scaling: str = "sqrt", causal: bool = False, mlp: bool = True) -> Serial:
    """``depth`` blocks, each an attention block and (``mlp``) an MLP block of the same placement and α."""
    _check_depth(depth)
    att = attention_block(mechanism, sigma_qk2, sigma_ov2, alpha, norm, placement, scaling, causal)
    blocks = [att, mlp_block(unit, alpha, norm, placement, sigma_w2, 0.0, sigma_v2, 0.0)] if mlp else [att]
    return Serial(*(blocks * depth))


@dataclass(frozen=True)
class TokenMaps:
    """After every top-level layer: ``kernels`` (T × T token kernels), ``p`` (mean token length) and ``rho`` (mean
    correlation between distinct tokens)."""

    kernels: np.ndarray
    p: np.ndarray
    rho: np.ndarray


def exchangeable_kernel(tokens: int, q0: float = 1.0, rho0: float = 0.5) -> np.ndarray:
    """q0((1 − ρ0) I + ρ0 11ᵀ): T tokens of length q0 and pairwise correlation ρ0 (PSD for −1/(T−1) <= ρ0 <= 1)."""
    if not (isinstance(tokens, int) and tokens >= 2):
        raise ValueError(f"token maps need a sequence of >= 2 tokens, got {tokens!r}")
    if not (math.isfinite(q0) and q0 > 0):
        raise ValueError(f"the tokens' length q0 must be a finite number > 0, got {q0}")
    if not -1 / (tokens - 1) <= rho0 <= 1:
        raise ValueError(f"the tokens' correlation rho0 must lie in [-1/(T-1), 1] = [{-1 / (tokens - 1):.4g}, 1] for a "
                         f"covariance, got {rho0}")
    return q0 * ((1 - rho0) * np.eye(tokens) + rho0)


def mean_correlation(K: np.ndarray) -> float:
    """The mean of K(i, j)/√(K(i, i) K(j, j)) over i ≠ j."""
    d = np.sqrt(np.diag(K))
    c = K / np.outer(d, d)
    t = K.shape[0]
    return float((c.sum() - np.trace(c)) / (t * (t - 1)))


def token_maps(net: Serial, K0=None, tokens: int = 4, q0: float = 1.0, rho0: float = 0.5) -> TokenMaps:
    """The token kernels of one sequence through ``net`` (module docstring); K0 (T × T) or an exchangeable one."""
    K0 = exchangeable_kernel(tokens, q0, rho0) if K0 is None else check_token_kernel(K0)[0]
    t = K0.shape[0]
    trace = Trace()
    q = np.diag(K0).copy()
    propagate(net, KernelState(K0, q, q, None, math.nan, True, True, t), trace=trace)
    kernels = np.array([st.sigma for st in trace.states])
    return TokenMaps(kernels, np.array([float(np.mean(np.diag(k))) for k in kernels]),
                     np.array([mean_correlation(k) for k in kernels]))
