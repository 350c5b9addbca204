"""Self-Adjust Softmax: p_i = z_i · softmax(z)_i (Zheng et al. 2025, "Self-Adjust Softmax", arXiv:2502.18277).

Rows do not sum to 1 and the weights change sign with the logits. Jacobian ∂p_i/∂z_k = δ_ik s_i (1 + z_i) − z_i s_i s_k
(s = softmax z): where softmax saturates (s_i → 1 for a logit t far above the others) its own diagonal s_i(1 − s_i)
vanishes like (n − 1) t⁰ e^{−t}, while Self-Adjust Softmax's s_i (1 + t(1 − s_i)) → 1 — the "enhanced gradient" the
paper states. It is not Lipschitz on R^n: at z = t 1 the Jacobian is ((1 + t) I − t 11ᵀ/n)/n, of norm (1 + t)/n.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Lipschitz, Normalizer, check_tokens, one_row
from .softmax import softmax_jacobian, three_pass


class SelfAdjustSoftmax(Normalizer):
    """z ⊙ softmax(z) (module docstring)."""

    name = "sa_softmax"
    formula = "p_i = z_i exp(z_i) / sum_j exp(z_j)"
    source = "Zheng et al. 2025, Self-Adjust Softmax, arXiv:2502.18277"
    normalized = False

    def _rows(self, z: np.ndarray) -> np.ndarray:
        s = three_pass(z)
        return np.where(s > 0, z * s, 0).astype(z.dtype)  # a masked position (−∞) has weight 0, not −∞ · 0

    def jacobian(self, z) -> np.ndarray:
        z = one_row(z)
        s = three_pass(z)
        return np.diag(s) + z[:, None] * softmax_jacobian(s, 1.0)

    def jacobian_text(self) -> str:
        return "diag(s) + diag(z) (diag(s) - s s^T), s = softmax(z)"

    def lipschitz(self, n: int) -> Lipschitz:
        if check_tokens(n) == 1:
            return Lipschitz(math.inf, math.inf, True, "one token: p = z")
        return Lipschitz(math.inf, math.inf, True, "not Lipschitz: at z = t 1 the Jacobian norm is (1 + t)/n")

    def jax(self):
        import jax
        import jax.numpy as jnp

        def rows(z, mask=None):
            s = jax.nn.softmax(z if mask is None else jnp.where(mask, z, -jnp.inf), axis=-1)
            return jnp.where(s > 0, z * s, 0)

        return rows
