"""The large-n limits the papers state for attention weights at initialization (logits i.i.d. N(μ, q)); the tests
and claims hold ``attention_stats`` against them.

* Softmax of n i.i.d. N(0, σ²) logits (σ² = q/τ²) is the random energy model at inverse temperature 1 (Derrida 1981,
  "Random-energy model: an exactly solvable model of disordered systems"): the weights freeze onto O(1) tokens when
  σ² > 2 log n (``freezing_variance``). To leading order in log n the entropy is log n − σ²/2 below it and O(1)
  above (``rem_entropy``: entropy collapse at q ≈ 2 τ² log n), and E[Σ p²] → 1 − √(2 log n)/σ above it
  (``rem_sum_sq``, the participation ratio of the frozen phase, Derrida & Toulouse 1985) while it vanishes below.
* Long sequences (``long_sequence_block``, the attention layer's ``scaling="long"``): softmax attention whose logit
  variance grows as log T, Cov(s_ij, s_i'j') = σ_QK² log T K(i, i') K(j, j') (query and key weights of std
  √β (log T)^{1/4}/√d_k: σ_QK² = β²), as T → ∞ (Giorlandino & Goldt 2025, "Two failure modes of deep transformers
  and how to avoid them", arXiv:2505.24333). On exchangeable tokens K = a I + b 11ᵀ (a = q − p, b = p) a row's logits
  are a common part (cancels) plus i.i.d. N(0, σ_QK² log T q a/τ²), a REM with ``rem_sum_sq`` → Y² = max(0, 1 −
  β_c/β), β_c = τ√(2/(q a)), and H/log T → max(0, 1 − (β/β_c)²): entropy collapse for β > β_c. Two distinct queries' rows are REMs whose disorder is
  correlated by p/q < 1; their overlap Σ_j p_ij p_i'j vanishes as T → ∞ (no replica overlap across correlated REMs),
  so the output kernel is σ_OV² (b + a Y²) on the diagonal and σ_OV² b off it; distinct sequences (K_ab = c 11ᵀ)
  give σ_OV² c at every T. Centred softmax (p − 1/T) drops b and c: σ_OV² a Y² and 0.
* Sigmoid attention with b = −log n: n σ(z − log n) = e^z/(1 + e^z/n) ↑ e^z, so the row sum tends to E[e^z] =
  e^{μ + q/2} (Ramapuram et al. 2024), with a leading correction −E[e^{2z}]/n = −e^{2μ + 2q}/n (``sigmoid_row_sum``).
"""

from __future__ import annotations

import math

import numpy as np

from symbolic.normalizers import AttentionError, Centred, Softmax


def _check(n: int, q: float) -> None:
    if not (isinstance(n, int) and n >= 2):
        raise AttentionError(f"the limits need rows of n >= 2 tokens, got {n!r}")
    if not (math.isfinite(q) and q > 0):
        raise AttentionError(f"the logits' variance q must be a finite number > 0, got {q}")


def freezing_variance(n: int, temperature: float = 1.0) -> float:
    """q_c = 2 τ² log n: softmax's weights freeze above this logit variance (entropy collapse)."""
    _check(n, 1.0)
    return 2 * temperature**2 * math.log(n)


def rem_entropy(n: int, q: float, temperature: float = 1.0) -> float:
    """Leading order of softmax's mean entropy: log n · max(0, 1 − q/q_c)."""
    _check(n, q)
    return math.log(n) * max(0.0, 1 - q / freezing_variance(n, temperature))


def rem_sum_sq(n: int, q: float, temperature: float = 1.0) -> float:
    """Leading order of softmax's E[Σ p²]: 1 − √(q_c/q) in the frozen phase q > q_c, 0 below."""
    _check(n, q)
    return max(0.0, 1 - math.sqrt(freezing_variance(n, temperature) / q))


def sigmoid_row_sum(n: int, q: float, mean: float = 0.0) -> tuple[float, float]:
    """(the limit e^{μ + q/2} of sigmoid attention's row sum with b = −log n, its leading correction −e^{2μ+2q}/n)."""
    _check(n, q)
    return math.exp(mean + q / 2), -math.exp(2 * mean + 2 * q) / n


def long_sequence_y2(beta2: float, q: float, a: float, temperature: float = 1.0) -> float:
    """Y² = lim E[Σ_j p_j²] = max(0, 1 − β_c/β), β_c = τ√(2/(q a)), for softmax rows of T → ∞ logits of variance
    β² log T q a (module docstring; a = 0: collapsed tokens, uniform attention, Y² = 0)."""
    if a <= 0 or beta2 == 0:
        return 0.0
    return max(0.0, 1 - math.sqrt(2 * temperature**2 / (beta2 * q * a)))


def long_sequence_entropy(beta2: float, q: float, a: float, temperature: float = 1.0) -> float:
    """lim H/log T = max(0, 1 − β² q a/(2τ²)) for the same rows (``rem_entropy``): 0 from β_c on."""
    return max(0.0, 1 - beta2 * q * max(a, 0.0) / (2 * temperature**2))


def _exchangeable_parts(K: np.ndarray, what: str) -> tuple[float, float]:
    a, b = K[0, 0] - K[0, 1], K[0, 1]
    if not np.allclose(K, a * np.eye(K.shape[0]) + b, rtol=1e-12, atol=1e-14 * abs(K[0, 0])):
        raise AttentionError(f"the long-sequence limit (scaling='long') is derived for exchangeable tokens: {what} must "
                             "be a I + b 11^T (equal lengths, equal correlations)")
    return a, b


def long_sequence_block(mechanism, beta2: float, sigma_ov2: float, kaa: np.ndarray, kbb: np.ndarray,
                        kab: np.ndarray, same: bool) -> np.ndarray:
    """Σ'_ab (T × T, T any representative length) of softmax or centred-softmax attention in the long-sequence limit
    (module docstring) between sequences a and b (``same``: a = b)."""
    base = mechanism.base if isinstance(mechanism, Centred) else mechanism
    if type(base) is not Softmax:
        raise AttentionError("the long-sequence limit (scaling='long') is derived for softmax and centred softmax "
                             f"(a random energy model), got {mechanism.label}")
    centred = isinstance(mechanism, Centred)
    t = kaa.shape[0]
    if same:
        a, b = _exchangeable_parts(kaa, "the token kernel")
        y2 = long_sequence_y2(beta2, kaa[0, 0], a, base.temperature)
        return sigma_ov2 * (a * y2 * np.eye(t) + (0.0 if centred else b) * np.ones((t, t)))
    for k in (kaa, kbb):
        _exchangeable_parts(k, "each sequence's token kernel")
    if not np.allclose(kab, kab[0, 0], rtol=1e-12, atol=1e-14 * abs(kaa[0, 0])):
        raise AttentionError("the long-sequence limit (scaling='long') needs a constant kernel c 11^T between distinct "
                             "sequences")
    return np.full((t, t), 0.0 if centred else sigma_ov2 * kab[0, 0])
