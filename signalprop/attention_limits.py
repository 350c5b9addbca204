"""The large-n limits the papers state for attention weights at initialization (logits i.i.d. N(μ, q)); the tests
and claims hold ``attention_stats`` against them.

* Softmax of n i.i.d. N(0, σ²) logits (σ² = q/τ²) is the random energy model at inverse temperature 1 (Derrida 1981,
  "Random-energy model: an exactly solvable model of disordered systems"): the weights freeze onto O(1) tokens when
  σ² > 2 log n (``freezing_variance``). To leading order in log n the entropy is log n − σ²/2 below it and O(1)
  above (``rem_entropy``: entropy collapse at q ≈ 2 τ² log n), and E[Σ p²] → 1 − √(2 log n)/σ above it
  (``rem_sum_sq``, the participation ratio of the frozen phase, Derrida & Toulouse 1985) while it vanishes below.
* Sigmoid attention with b = −log n: n σ(z − log n) = e^z/(1 + e^z/n) ↑ e^z, so the row sum tends to E[e^z] =
  e^{μ + q/2} (Ramapuram et al. 2024), with a leading correction −E[e^{2z}]/n = −e^{2μ + 2q}/n (``sigmoid_row_sum``).
"""

from __future__ import annotations

import math

from symbolic.normalizers import AttentionError


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
