"""Normalizers whose weights can be exactly zero.

* ``Sparsemax``: the Euclidean projection of z onto the probability simplex, p = max(z − τ(z), 0) with τ fixed by
  Σ p = 1 (Martins & Astudillo 2016, "From softmax to sparsemax", arXiv:1602.02068): sort z descending, k(z) the
  largest k with 1 + k z_(k) > Σ_{j<=k} z_(j), τ = (Σ_{j<=k(z)} z_(j) − 1)/k(z). Jacobian diag(s) − s sᵀ/|S| (s the
  support's indicator): an orthogonal projector, so the ℓ2 Lipschitz constant is exactly 1 for n >= 2 (a projection
  onto a convex set is non-expansive, and any support of two or more attains it).
* ``Softpick(ε)``: p_i = ReLU(e^{z_i} − 1)/(Σ_j |e^{z_j} − 1| + ε) (Zuhri, Fuadi & Aji 2025, "Softpick: no attention
  sink, no massive activations with rectified softmax", arXiv:2504.20966): rows sum to less than 1, negative logits
  get weight 0 yet enter the denominator. Evaluated with numerator and denominator multiplied by e^{−m}, m =
  max(max z, 0), so nothing overflows; a masked position (−∞) is left out of the denominator too, as the authors'
  attention masks do. Jacobian J = D − p gᵀ with D = diag(1[z_i > 0] e^{z_i}/A), g_k = sign(z_k) e^{z_k}/A, A the
  denominator. Lipschitz: n = 1 gives exactly 1/ε (at z → 0+); for n >= 2 the norm approaches 1/ε as all z → 0+ (J →
  I/ε) and is at most ‖D‖ + ‖p‖‖g‖ <= 1/ε + 1 + n/(4ε) (derived here; ε <= 1).
"""

from __future__ import annotations

import numpy as np

from ..parameters import ParameterError
from .base import AttentionError, Lipschitz, Normalizer, RatioForm, check_tokens, one_row, positive_parameter


class Sparsemax(Normalizer):
    """Euclidean projection onto the simplex (module docstring)."""

    name = "sparsemax"
    formula = "p = argmin_{p in simplex} ||p - z||^2 = max(z - tau(z), 0)"
    source = "Martins & Astudillo 2016, From softmax to sparsemax, arXiv:1602.02068"
    normalized = True
    shift_invariant = True

    def _rows(self, z: np.ndarray) -> np.ndarray:
        m = np.max(z, axis=1, keepdims=True)
        if np.isneginf(m).any():
            raise AttentionError("a row has every position masked (all logits -inf): sparsemax of it is undefined")
        k = np.arange(1, z.shape[1] + 1, dtype=z.dtype)
        with np.errstate(invalid="ignore", over="ignore"):
            shifted = z - m  # shift invariance: the sums stay finite (or −∞, outside the support)
            desc = -np.sort(-shifted, axis=1)
            csum = np.cumsum(desc, axis=1)
            support = 1 + k * desc > csum
        size = np.sum(support, axis=1)  # the support is a prefix of the sorted row
        tau = (np.take_along_axis(csum, size[:, None] - 1, axis=1) - 1) / size[:, None].astype(z.dtype)
        return np.maximum(shifted - tau, 0).astype(z.dtype)

    def jax(self):
        import jax.numpy as jnp

        def rows(z, mask=None):
            if mask is not None:
                z = jnp.where(mask, z, -jnp.inf)
            shifted = z - jnp.max(z, axis=-1, keepdims=True)
            desc = -jnp.sort(-shifted, axis=-1)
            k = jnp.arange(1, z.shape[-1] + 1, dtype=z.dtype)
            csum = jnp.cumsum(desc, axis=-1)
            size = jnp.sum(1 + k * desc > csum, axis=-1, keepdims=True)
            tau = (jnp.take_along_axis(csum, size - 1, axis=-1) - 1) / size.astype(z.dtype)
            return jnp.maximum(shifted - tau, 0)

        return rows

    def jacobian(self, z) -> np.ndarray:
        p = self(one_row(z))
        s = (p > 0).astype(np.float64)
        return np.diag(s) - np.outer(s, s) / s.sum()

    def jacobian_text(self) -> str:
        return "diag(s) - s s^T / |S|, s = 1[p > 0]"

    def lipschitz(self, n: int) -> Lipschitz:
        if check_tokens(n) == 1:
            return Lipschitz(0.0, 0.0, True, "one token: p = 1 whatever the logit")
        return Lipschitz(1.0, 1.0, True, "projection onto a convex set (non-expansive); its Jacobian is an orthogonal "
                         "projector of norm 1 on any support of >= 2 tokens")


class Softpick(Normalizer):
    """ReLU(e^z − 1)/(Σ|e^z − 1| + ε) (module docstring)."""

    name = "softpick"
    formula = "p_i = relu(exp(z_i) - 1) / (sum_j |exp(z_j) - 1| + eps)"
    source = "Zuhri, Fuadi & Aji 2025, Softpick: rectified softmax, arXiv:2504.20966"
    normalized = False

    def __init__(self, eps: float = 1e-6):
        self.eps = positive_parameter(eps, "eps", "softpick")
        if self.eps > 1:
            raise ParameterError(f"softpick: eps must lie in (0, 1] (a small guard of the denominator), got {eps!r}")

    @property
    def label(self) -> str:
        return f"softpick(eps={self.eps:g})"

    def _scaled(self, z: np.ndarray):
        """(e^{z−m}, e^{−m}, numerator, denominator) with m = max(max z, 0) per row, masked positions dropped."""
        m = np.maximum(np.max(z, axis=-1, keepdims=True), 0)
        a = np.exp(z - m)
        c = np.exp(-m)
        live = ~np.isneginf(z)
        small = np.abs(z) < 1  # e^{−m}(e^z − 1) by expm1 where a − c would cancel
        with np.errstate(over="ignore", invalid="ignore"):
            diff = np.where(small, c * np.expm1(np.where(small, z, 0)), a - c)
        num = np.maximum(diff, 0)
        den = np.sum(np.where(live, np.abs(diff), 0), axis=-1, keepdims=True) + z.dtype.type(self.eps) * c
        return a, num, den, live

    def _rows(self, z: np.ndarray) -> np.ndarray:
        _, num, den, _ = self._scaled(z)
        return (num / den).astype(z.dtype)

    def jax(self):
        import jax.numpy as jnp

        def rows(z, mask=None):
            live = jnp.ones(z.shape, bool) if mask is None else jnp.broadcast_to(mask, z.shape)
            z = jnp.where(live, z, 0.0)
            m = jnp.maximum(jnp.max(jnp.where(live, z, -jnp.inf), axis=-1, keepdims=True), 0)
            diff = jnp.where(jnp.abs(z) < 1, jnp.exp(-m) * jnp.expm1(jnp.where(jnp.abs(z) < 1, z, 0.0)),
                             jnp.exp(z - m) - jnp.exp(-m))
            diff = jnp.where(live, diff, 0.0)
            den = jnp.sum(jnp.abs(diff), axis=-1, keepdims=True) + self.eps * jnp.exp(-m)
            return jnp.maximum(diff, 0) / den

        return rows

    def jacobian(self, z) -> np.ndarray:
        z = one_row(z)
        a, num, den, live = self._scaled(z)
        p = num / den
        d = np.where(z > 0, a / den, 0.0)
        g = np.where(live, np.sign(z) * a / den, 0.0)
        return np.diag(d) - np.outer(p, g)

    def jacobian_text(self) -> str:
        return "diag(1[z>0] e^z / A) - p (sign(z) e^z / A)^T, A = sum_j |e^{z_j} - 1| + eps"

    def lipschitz(self, n: int) -> Lipschitz:
        n = check_tokens(n)
        inv = 1.0 / self.eps
        if n == 1:
            return Lipschitz(inv, inv, True, "d/dz (e^z - 1)/(e^z - 1 + eps) = eps e^z/(e^z - 1 + eps)^2 is largest, "
                             "1/eps, at z -> 0+")
        return Lipschitz(inv + 1 + n * inv / 4, inv, False,
                         "approaches 1/eps as every z -> 0+ (J -> I/eps); at most ||D|| + ||p|| ||g|| <= 1/eps + 1 + "
                         "n/(4 eps) (derived bound)")

    def ratio_form(self, n: int) -> RatioForm:
        check_tokens(n)
        return RatioForm(lambda z: np.where(z > 0, _log_abs_expm1(z), -np.inf), _log_abs_expm1, self.eps, 0.0, "nodes",
                         1.0)


def _log_abs_expm1(z: np.ndarray) -> np.ndarray:
    """log |e^z − 1| without overflow (z + log1p(−e^{−z}) for large z), −∞ at 0."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", divide="ignore"):
        return np.where(z > 30, z + np.log1p(-np.exp(-np.abs(z))), np.log(np.abs(np.expm1(np.minimum(z, 30)))))
