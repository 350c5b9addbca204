"""Softmax with a temperature, Scalable-Softmax, and the three algorithms that evaluate softmax without overflow.

* ``Softmax(τ)``: p = softmax(z/τ), p_i = e^{z_i/τ} / Σ_j e^{z_j/τ}. Jacobian (diag p − p pᵀ)/τ, symmetric positive
  semidefinite; vᵀ J v = Var_p(v)/τ ≤ (max v − min v)²/(4τ) ≤ ‖v‖²/(2τ) (Popoviciu), and n = 2, z_1 = z_2 attains it:
  the ℓ2 Lipschitz constant is exactly 1/(2τ) for n ≥ 2 (0 for n = 1).
* ``ScalableSoftmax(s)``: softmax((s log n) z) (Nakanishi 2025, "Scalable-Softmax is superior for attention",
  arXiv:2501.19399): a temperature 1/(s log n) that falls with the row length, so the top weight survives long rows
  (a logit Δ above n − 1 equal ones gets n^{sΔ}/(n^{sΔ} + n − 1) → 1 when sΔ > 1). Lipschitz s log n / 2.

Algorithms (all give softmax(z); they differ in passes over memory and in rounding):

* ``three_pass``: m = max z, d = Σ e^{z−m}, p = e^{z−m}/d — the safe softmax.
* ``online``: one pass keeps the running max m and the running sum d ← d e^{m_old − m} + e^{z_j − m} (Milakov &
  Gimelshein 2018, "Online normalizer calculation for softmax", arXiv:1805.02867), a second pass normalizes.
* ``two_pass``: each e^{z_j} is held as m_j 2^{e_j} (e_j = round(z_j/ln 2), m_j = e^{z_j − e_j ln 2} with a
  Cody–Waite split of ln 2), summed as a (mantissa, exponent) pair with no max pass (Dukhan & Ablavatski 2020, "The
  two-pass softmax algorithm", arXiv:2001.04438). Its range reduction is exact only while e_j ln2_hi is: |z| up to
  about 355 in float32 and 1.4e6 in float64; beyond, its rounding error grows with |z| (measured in the tests).
"""

from __future__ import annotations

import math

import numpy as np

from .base import AttentionError, Lipschitz, Normalizer, RatioForm, check_logits, check_tokens, one_row, positive_parameter

# Cody–Waite splits of ln 2: the high part has trailing zero bits, so e · LN2_HI is exact for small integers e.
_LN2 = {np.dtype(np.float32): (np.float32(0.693145751953125), np.float32(1.428606765330187e-06)),
        np.dtype(np.float64): (6.93147180369123816490e-01, 1.90821492927058770002e-10)}


def three_pass(z: np.ndarray) -> np.ndarray:
    """softmax of each row (last axis): max, sum of e^{z − max}, normalize."""
    z = check_logits(z)
    m = np.max(z, axis=-1, keepdims=True)
    _check_unmasked(m)
    with np.errstate(over="ignore"):  # z − m overflows to −inf only where e^{z−m} is 0 anyway
        e = np.exp(z - m)
    return e / np.sum(e, axis=-1, keepdims=True)


def online(z: np.ndarray) -> np.ndarray:
    """softmax of each row by the online normalizer (module docstring): one pass for (max, sum), one to normalize."""
    z = check_logits(z)
    rows = z.reshape(-1, z.shape[-1])
    m = np.full(rows.shape[0], -np.inf, dtype=z.dtype)
    d = np.zeros(rows.shape[0], dtype=z.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        for j in range(rows.shape[1]):
            x = rows[:, j]
            new = np.maximum(m, x)
            live = np.isfinite(new)  # rows whose logits so far are all masked keep d = 0
            d = np.where(live, d * np.exp(m - new) + np.exp(x - new), d)
            m = new
    _check_unmasked(m)
    with np.errstate(over="ignore"):
        return (np.exp(rows - m[:, None]) / d[:, None]).reshape(z.shape)


def two_pass(z: np.ndarray) -> np.ndarray:
    """softmax of each row by the two-pass algorithm (module docstring): (mantissa, exponent) pairs, no max pass."""
    z = check_logits(z)
    dtype = z.dtype
    hi, lo = _LN2[dtype]
    limit = np.finfo(dtype).max * dtype.type(0.5)
    finite = z[np.isfinite(z)]
    if finite.size and np.max(np.abs(finite)) >= limit:
        raise AttentionError(f"two_pass: logits must be below {float(limit):.3g} in magnitude in {dtype} (z/ln 2 overflows), "
                         f"got {float(np.max(np.abs(finite))):.3g}; use three_pass or online")
    rows = z.reshape(-1, z.shape[-1])
    with np.errstate(invalid="ignore", over="ignore"):
        masked = np.isneginf(rows)
        expo = np.where(masked, -np.inf, np.rint(rows / (hi + lo)))
        mant = np.where(masked, 0, np.exp((rows - expo * hi) - expo * lo)).astype(dtype)
        big_m = np.zeros(rows.shape[0], dtype=dtype)
        big_e = np.full(rows.shape[0], -np.inf, dtype=dtype)
        for j in range(rows.shape[1]):  # pass 1: accumulate Σ m_j 2^{e_j} as (M, E)
            new = np.maximum(big_e, expo[:, j])
            live = np.isfinite(new)
            big_m = np.where(live, big_m * np.exp2(big_e - new) + mant[:, j] * np.exp2(expo[:, j] - new), big_m)
            big_e = new
        _check_unmasked(big_e)
        out = mant / big_m[:, None] * np.exp2(expo - big_e[:, None])  # pass 2
    return out.astype(dtype).reshape(z.shape)


ALGORITHMS = {"three_pass": three_pass, "online": online, "two_pass": two_pass}


def _check_unmasked(m: np.ndarray) -> None:
    if np.isneginf(m).any():
        raise AttentionError("a row has every position masked (all logits -inf): softmax of it is undefined")


def softmax_jacobian(p: np.ndarray, scale: float) -> np.ndarray:
    """scale · (diag p − p pᵀ): the Jacobian of softmax(scale · z) at weights p."""
    return scale * (np.diag(p) - np.outer(p, p))


class _ScaledSoftmax(Normalizer):
    """softmax(κ z) with a logit scale κ that may depend on the row length n."""

    normalized = True
    shift_invariant = True

    def scale(self, n: int) -> float:
        raise NotImplementedError

    def _rows(self, z: np.ndarray) -> np.ndarray:
        return three_pass(z * z.dtype.type(self.scale(z.shape[-1])))

    def jacobian(self, z) -> np.ndarray:
        z = one_row(z)
        kappa = self.scale(z.size)
        return softmax_jacobian(three_pass(kappa * z), kappa)

    def jax(self):
        import jax
        import jax.numpy as jnp

        def rows(z, mask=None):
            z = self.scale(z.shape[-1]) * z
            return jax.nn.softmax(z if mask is None else jnp.where(mask, z, -jnp.inf), axis=-1)

        return rows

    def lipschitz(self, n: int) -> Lipschitz:
        n = check_tokens(n)
        if n == 1:
            return Lipschitz(0.0, 0.0, True, "one token: p = 1 whatever the logit")
        half = self.scale(n) / 2
        return Lipschitz(half, half, True, "κ(diag p − p pᵀ) is PSD with vᵀJv = κ Var_p(v) <= κ‖v‖²/2 (Popoviciu); "
                         "n = 2 with equal logits attains it (n > 2: approached as two weights -> 1/2)")

    def ratio_form(self, n: int) -> RatioForm:
        kappa = self.scale(check_tokens(n))

        def log_w(z):
            return kappa * np.asarray(z, dtype=np.float64)

        return RatioForm(log_w, log_w, 0.0, None, "", max(kappa, 1e-300))


class Softmax(_ScaledSoftmax):
    """softmax(z/τ) (module docstring)."""

    name = "softmax"
    formula = "p_i = exp(z_i/tau) / sum_j exp(z_j/tau)"
    source = "Bridle 1990; temperature: Hinton et al. 2015"

    def __init__(self, temperature: float = 1.0):
        self.temperature = positive_parameter(temperature, "the temperature tau", "softmax")

    @property
    def label(self) -> str:
        return "softmax" if self.temperature == 1 else f"softmax(temperature={self.temperature:g})"

    def scale(self, n: int) -> float:
        return 1.0 / self.temperature

    def jacobian_text(self) -> str:
        return "(diag(p) - p p^T) / tau"


class ScalableSoftmax(_ScaledSoftmax):
    """softmax((s log n) z) (module docstring)."""

    name = "scalable_softmax"
    formula = "p_i = exp(s log(n) z_i) / sum_j exp(s log(n) z_j)"
    source = "Nakanishi 2025, Scalable-Softmax is superior for attention, arXiv:2501.19399"

    def __init__(self, s: float = 1.0):
        self.s = positive_parameter(s, "the scale s", "scalable_softmax")

    @property
    def label(self) -> str:
        return f"scalable_softmax(s={self.s:g})"

    def scale(self, n: int) -> float:
        return self.s * math.log(n)

    def jacobian_text(self) -> str:
        return "s log(n) (diag(p) - p p^T)"


def top_weight(normalizer: Normalizer, n: int, gap: float) -> float:
    """The weight of one logit ``gap`` above n − 1 equal others (Nakanishi 2025's fading: softmax's e^Δ/(e^Δ + n − 1)
    → 0 as 1/n; Scalable-Softmax's n^{sΔ}/(n^{sΔ} + n − 1) → 1 when sΔ > 1)."""
    n = check_tokens(n)
    if not math.isfinite(gap):
        raise AttentionError(f"the gap must be a finite number, got {gap}")
    row = np.zeros(n)
    row[0] = gap
    return float(normalizer(row)[0])
