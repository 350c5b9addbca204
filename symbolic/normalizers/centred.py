"""Centred attention: a normalized mechanism minus uniform attention, p_i − 1/n (n the row's unmasked positions).

A row of centred weights sums to 0, so the attention output loses the part every token shares: for token kernels
K = a I + b 11ᵀ the common b drops out of Σ_jj' p_j p'_j' K(j, j'). It is the centring of the shaped transformer
(Noci, Li, Li, He, Hofmann, Maddison & Roy 2023, "The shaped transformer", arXiv:2306.17759: A = I + softmax(·) −
11ᵀ/T, whose identity part is the residual skip) and the gain-controlled attention of Giorlandino & Goldt 2025
("Two failure modes of deep transformers and how to avoid them", arXiv:2505.24333). Subtracting a constant changes
neither the Jacobian nor the Lipschitz constant: both are the base mechanism's.
"""

from __future__ import annotations

import numpy as np

from .base import AttentionError, Lipschitz, Normalizer


class Centred(Normalizer):
    """``base``(z) − 1/n over the unmasked positions (module docstring); ``base`` a normalized mechanism."""

    normalized = False  # rows sum to 0

    def __init__(self, base: Normalizer):
        if not isinstance(base, Normalizer) or not base.normalized:
            raise AttentionError("centring subtracts uniform attention 1/n: it needs a normalized mechanism (softmax, "
                                 f"scalable_softmax, sparsemax), got {getattr(base, 'label', base)!r}")
        self.base = base
        self.name = f"centred_{base.name}"
        self.formula = f"p_i = {base.name}(z)_i - 1/n"
        self.source = ("Noci et al. 2023, The shaped transformer, arXiv:2306.17759; Giorlandino & Goldt 2025, "
                       "arXiv:2505.24333 (gain-controlled attention)")

    @property
    def label(self) -> str:
        return f"centred({self.base.label})"

    def _rows(self, z: np.ndarray) -> np.ndarray:
        live = ~np.isneginf(z)
        return np.where(live, self.base._rows(z) - 1 / live.sum(axis=1, keepdims=True).astype(z.dtype), 0).astype(z.dtype)

    def jacobian(self, z) -> np.ndarray:
        return self.base.jacobian(z)

    def lipschitz(self, n: int) -> Lipschitz:
        inner = self.base.lipschitz(n)
        return Lipschitz(inner.value, inner.lower, inner.exact, f"that of {self.base.name} (a constant shift): {inner.how}")

    def jacobian_text(self) -> str:
        return f"that of {self.base.name}: {self.base.jacobian_text()}"

    def jax(self):
        import jax.numpy as jnp

        rows = self.base.jax()

        def centred(z, mask=None):
            live = jnp.ones(z.shape, dtype=z.dtype) if mask is None else jnp.broadcast_to(mask, z.shape).astype(z.dtype)
            return (rows(z, mask) - 1 / jnp.sum(live, axis=-1, keepdims=True)) * live

        return centred
