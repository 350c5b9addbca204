"""StableMax: softmax with the exponential replaced by a function that grows linearly, not exponentially.

p_i = s(z_i) / Σ_j s(z_j) with s(x) = x + 1 for x >= 0 and 1/(1 − x) for x < 0 (Prieto, Barsbey, Mediano & Birdal
2025, "Grokking at the edge of numerical stability", ICLR 2025, arXiv:2501.04697; the authors' ``utils.s``). s is
positive, increasing, C¹ (s(0) = s'(0) = 1 from both sides) but not C² (s'' jumps from 2 to 0 at 0). A logit Δ above
n − 1 zeros gets (Δ + 1)/(Δ + n): 1 − p falls as (n − 1)/Δ, not as (n − 1)e^{−Δ}, so float32 rounds the top weight to
exactly 1 (Softmax Collapse: the correct class's gradient p − 1 vanishes exactly) only at Δ ~ (n − 1) 2^24 instead of
Δ ~ log((n − 1) 2^24). Not shift-invariant: adding a constant to every logit changes the weights.

Jacobian ∂p_i/∂z_k = (δ_ik s'(z_i) − p_i s'(z_k))/S, S = Σ s: with 0 < s' <= s, ‖J‖₂ <= max s'/S + ‖p‖ ‖s'‖/S <= 2
(derived here); equal zero logits give 1/2 on rows of two.
"""

from __future__ import annotations

import numpy as np

from .base import Lipschitz, Normalizer, RatioForm, check_tokens, one_row, safe_log


def _s(z: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(z >= 0, z + 1, 1 / (1 - np.minimum(z, 0)))


def _ds(z: np.ndarray) -> np.ndarray:
    return np.where(z >= 0, 1.0, 1 / (1 - np.minimum(z, 0)) ** 2)


class StableMax(Normalizer):
    """s(z_i)/Σ s(z_j) (module docstring)."""

    name = "stablemax"
    formula = "p_i = s(z_i) / sum_j s(z_j), s(x) = x + 1 (x >= 0), 1/(1 - x) (x < 0)"
    source = "Prieto et al. 2025, Grokking at the edge of numerical stability, arXiv:2501.04697"
    normalized = True

    def _rows(self, z: np.ndarray) -> np.ndarray:
        s = _s(z).astype(z.dtype)  # a masked position (−∞) has s = 0
        return s / np.sum(s, axis=1, keepdims=True)

    def jacobian(self, z) -> np.ndarray:
        z = one_row(z)
        s, ds = _s(z), _ds(z)
        p = s / s.sum()
        return (np.diag(ds) - np.outer(p, ds)) / s.sum()

    def jacobian_text(self) -> str:
        return "(diag(s'(z)) - p s'(z)^T) / sum_j s(z_j), s' = 1 (z >= 0), 1/(1 - z)^2 (z < 0)"

    def lipschitz(self, n: int) -> Lipschitz:
        if check_tokens(n) == 1:
            return Lipschitz(0.0, 0.0, True, "one token: p = 1 whatever the logit")
        return Lipschitz(2.0, 0.5, False, "‖J‖ <= max s'/S + ‖p‖‖s'‖/S <= 2 as 0 < s' <= s (derived here); equal zero "
                         "logits on two tokens give 1/2")

    def jax(self):
        import jax.numpy as jnp

        def rows(z, mask=None):
            s = jnp.where(z >= 0, z + 1, 1 / (1 - jnp.minimum(z, 0)))
            if mask is not None:
                s = jnp.where(mask, s, 0)
            return s / jnp.sum(s, axis=-1, keepdims=True)

        return rows

    def ratio_form(self, n: int) -> RatioForm:
        check_tokens(n)

        def log_w(z):
            return safe_log(_s(np.asarray(z, dtype=np.float64)))

        return RatioForm(log_w, log_w, 0.0, None, "", 1.0)
