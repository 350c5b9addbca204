"""Element-wise attention: p_j = φ(z_j + b), no normalization over the row.

* sigmoid attention, φ = σ with b = −log n by default (Ramapuram et al. 2024, "Theory, analysis, and best practices
  for sigmoid self-attention", arXiv:2409.04431): n σ(z − log n) = e^z/(1 + e^z/n) → e^z, so with N(0, q) logits the
  row sums n E[σ(z − log n)] → E[e^z] = e^{q/2} as n grows, where softmax's sum is 1;
* ReLU attention φ = max(0, ·) (Shen et al. 2023, ReLA: Zhang, Titov & Sennrich 2021) and |·| attention;
* any user formula φ(x) (``symbolic.custom_activation``, safe parser).

Jacobian diag(φ'(z + b)); ℓ2 Lipschitz constant sup |φ'| (exactly that of φ, from ``symbolic.derive``).
"""

from __future__ import annotations

import math

import numpy as np

from ..activation import Activation
from .base import AttentionError, Lipschitz, Normalizer, RatioForm, check_tokens, one_row, safe_log


class ElementwiseAttention(Normalizer):
    """p_j = φ(z_j + b) (module docstring). ``bias`` None means the default: −log n when ``log_n_bias`` else 0.
    ``zero``/``left``: where φ vanishes and what lies below it (``RatioForm``), for the statistics' quadrature."""

    normalized = False

    def __init__(self, activation: Activation, name: str, bias: float | None = None, log_n_bias: bool = False,
                 zero: float | None = None, left: str = "", source: str = ""):
        if bias is not None:
            bias = float(bias)
            if not math.isfinite(bias):
                raise AttentionError(f"{name}: the bias b must be a finite number, got {bias}")
        self.activation, self.name, self.bias, self.log_n_bias = activation, name, bias, log_n_bias
        self.zero, self.left = zero, left
        self.source = source or "user formula"
        self.formula = f"p_j = phi(z_j + b), phi(x) = {activation.expr}, b = " + (
            "-log(n)" if bias is None and log_n_bias else f"{bias if bias is not None else 0:g}")

    @property
    def label(self) -> str:
        return self.name if self.bias is None else f"{self.name}(bias={self.bias:g})"

    def shift(self, n: int) -> float:
        """The bias b on rows of n tokens."""
        if self.bias is not None:
            return self.bias
        return -math.log(check_tokens(n)) if self.log_n_bias else 0.0

    def _rows(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.asarray(self.activation.numpy()(z.astype(np.float64) + self.shift(z.shape[-1])), dtype=np.float64)
        masked = np.isneginf(z)
        out = np.where(masked, 0.0, out)
        if not np.all(np.isfinite(out)):
            raise AttentionError(f"{self.label}: weights overflow float64 at logits up to {float(np.max(z)):.4g}")
        return out.astype(z.dtype)

    def jax(self):
        import jax.numpy as jnp

        f = self.activation.jax()

        def rows(z, mask=None):
            w = f(z + self.shift(z.shape[-1]))
            return w if mask is None else jnp.where(mask, w, 0.0)

        return rows

    def jacobian(self, z) -> np.ndarray:
        z = one_row(z)
        return np.diag(np.asarray(self.activation.numpy(1)(z + self.shift(z.size)), dtype=np.float64) * np.ones(z.size))

    def jacobian_text(self) -> str:
        return "diag(phi'(z + b))"

    def lipschitz(self, n: int) -> Lipschitz:
        check_tokens(n)
        d = self.activation.derive()
        if d.lipschitz is None:
            return Lipschitz(math.inf, math.inf, True, f"phi' is unbounded ({d.lipschitz_method})")
        value = float(d.lipschitz)
        return Lipschitz(value, value, True, f"sup |phi'| of phi = {self.activation.label}: {d.lipschitz_method}")

    def ratio_form(self, n: int) -> RatioForm:
        b = self.shift(n)
        f = self.activation.numpy()

        def log_w(z):
            with np.errstate(over="ignore", invalid="ignore"):
                return safe_log(np.asarray(f(z + b), dtype=np.float64) * np.ones(np.shape(z)))

        return RatioForm(log_w, None, 0.0, None if self.zero is None else self.zero - b, self.left, 1.0)
