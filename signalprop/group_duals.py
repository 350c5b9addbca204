"""Dual kernels of group activations with groups of any size: maxout with k pieces, groupsort with groups of k.

Unit variances suffice: both are positively homogeneous of degree 1, so K(q1, q2, c) = √(q1 q2) κ(c) and
K̇(q1, q2, c) = κ̇(c). Write the k pre-activation pairs (u_i, u'_i) of a group at two inputs: i.i.d. standard
bivariate normal with correlation c = cos θ. Per output unit,

  maxout     κ̇(c) = P(argmax u = argmax u') = k ∫∫ φ₂(a, b; c) Φ₂(a, b; c)^{k−1} da db
             (the gradient of max is the indicator of the argmax; condition on the winning pair (a, b): every
             other pair lies below it at both inputs, with probability Φ₂(a, b; c) each);
  groupsort  κ̇(c) = P(rank_u(1) = rank_u'(1)) = ∫∫ φ₂ Σ_m (k−1)!/(m!² (k−1−2m)!) (p₊₋ p₋₊)^m (p₋₋ + p₊₊)^{k−1−2m}
             (the Jacobian is a permutation; averaged over the k outputs this is the chance that one input keeps
             its rank; given (u₁, u'₁) = (a, b) each other pair falls in the quadrants p₋₋ = Φ₂(a, b), p₋₊ = Φ(a) − Φ₂,
             p₊₋ = Φ(b) − Φ₂, p₊₊ = 1 − Φ(a) − Φ(b) + Φ₂, and the ranks agree iff as many pairs lie in p₊₋ as in p₋₊);

  κ(c) = κ(1) − ∫_c^1 κ̇(t) dt   (Price's theorem: d/dc E[F(u) G(u')] = Σ_i E[∂_i F(u) ∂_i G(u')] for Lipschitz F,
                                  G; κ(1) = m₂, 1 for groupsort and E[(max of k)²] for maxout).

Computation. The substitution b = c a + sin(θ) t turns φ₂(a, b) da db into φ(a) φ(t) da dt, after which the
integrand is smooth uniformly in θ (no layer forms as c → ±1); a composite Gauss–Legendre rule on [−9, 9]² (24
panels of 12 nodes each way: converged to ~1e-16 for k ≤ 128, where the largest of k normals still lies well inside)
with Φ₂ from Owen's T function (scipy.special.owens_t, exact to rounding). κ̇ is analytic in θ ∈ [0, π]: a Chebyshev
interpolant in θ: fitted at degree 2n and cut to n once the upper half of its coefficients is below 1e-13 (they
level off at the rule's rounding noise, ~3e-15; n = 32 in practice, doubled when needed); κ(θ) = κ(0) −
∫₀^θ κ̇(t) sin t dt is that interpolant's integral. Built once per (kind, k) and cached (~1–3 s).
For k = 2 the construction reproduces the pair closed forms to rounding (tests), which the law uses instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial import Chebyshev
from numpy.polynomial.legendre import leggauss

MAX_K = {"maxout": 128, "groupsort": 32}  # the rule is converged there (tests check both); groupsort's rank sum
                                          # grows with k (k = 32 builds in ~10 s)
_SPAN, _PANELS, _NODES = 9.0, 24, 12
_TAIL, _MAX_DEGREE = 1e-13, 512  # the rule's rounding noise floor is ~3e-15 per coefficient


def bivariate_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k), corr(X, Y) = ρ, |ρ| < 1, through Owen's T (Owen 1956):
    Φ₂ = (Φ(h) + Φ(k))/2 − T(h, a_h) − T(k, a_k) − β, a_h = (k − ρh)/(h√(1−ρ²)), a_k = (h − ρk)/(k√(1−ρ²)),
    β = 1/2 when hk < 0 or (hk = 0 and h + k < 0), else 0; T(0, ·) terms are dropped (they cancel in the limit)."""
    from scipy.special import ndtr, owens_t

    s = math.sqrt(1.0 - rho * rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_h = np.where(h == 0, 0.0, owens_t(h, (k - rho * h) / (h * s)))
        t_k = np.where(k == 0, 0.0, owens_t(k, (h - rho * k) / (k * s)))
    beta = np.where((h * k < 0) | ((h * k == 0) & (h + k < 0)), 0.5, 0.0)
    return 0.5 * (ndtr(h) + ndtr(k)) - t_h - t_k - beta


@lru_cache(maxsize=1)
def _rule() -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre nodes on [−9, 9] with the standard normal density folded into the weights."""
    x, w = leggauss(_NODES)
    edges = np.linspace(-_SPAN, _SPAN, _PANELS + 1)
    half, mid = np.diff(edges) / 2, (edges[1:] + edges[:-1]) / 2
    nodes = (mid[:, None] + half[:, None] * x[None, :]).ravel()
    weights = (half[:, None] * w[None, :]).ravel() * np.exp(-nodes**2 / 2) / math.sqrt(2 * math.pi)
    return nodes, weights


def _quadrant_weight(kind: str, k: int, a: np.ndarray, b: np.ndarray, low: np.ndarray) -> np.ndarray:
    """The integrand after φ₂: maxout k Φ₂^{k−1}; groupsort the multinomial rank-coincidence sum (module docstring)."""
    if kind == "maxout":
        return k * low ** (k - 1)
    from scipy.special import ndtr

    below_a, below_b = ndtr(a), ndtr(b)
    cross = (below_a - low) * (below_b - low)            # p₋₊ p₊₋
    same = 1.0 - below_a - below_b + 2.0 * low           # p₋₋ + p₊₊
    n = k - 1
    return sum(math.factorial(n) / (math.factorial(m) ** 2 * math.factorial(n - 2 * m)) * cross**m * same ** (n - 2 * m)
               for m in range(n // 2 + 1))


def derivative_kernel_at(kind: str, k: int, theta: float) -> float:
    """κ̇ at one angle 0 < θ < π by the 2-D rule (module docstring)."""
    c, s = math.cos(theta), math.sin(theta)
    x, w = _rule()
    a = np.broadcast_to(x[:, None], (x.size, x.size))
    b = c * x[:, None] + s * x[None, :]
    low = bivariate_cdf(a, b, c)
    return float(w @ _quadrant_weight(kind, k, a, b, low) @ w)


@dataclass(frozen=True)
class GroupDual:
    """κ(θ) and κ̇(θ) of one (kind, k) as Chebyshev series in θ ∈ [0, π] (module docstring)."""

    kappa_dot: Chebyshev
    kappa: Chebyshev

    def value(self, c: np.ndarray) -> np.ndarray:
        return self.kappa(np.arccos(np.clip(c, -1.0, 1.0)))

    def derivative(self, c: np.ndarray) -> np.ndarray:
        return self.kappa_dot(np.arccos(np.clip(c, -1.0, 1.0)))


@lru_cache(maxsize=32)
def group_dual(kind: str, k: int, m2: float) -> GroupDual:
    """The cached κ, κ̇ of maxout or groupsort with group size 2 ≤ k ≤ MAX_K; ``m2`` = κ(1) = E[g²] at q = 1."""
    if kind not in MAX_K:
        raise ValueError(f"group duals cover maxout and groupsort, got {kind!r}")
    if not 2 <= k <= MAX_K[kind]:
        raise ValueError(f"{kind}: dual kernels are computed for group sizes 2 <= k <= {MAX_K[kind]}, got k = {k}")
    degree = 32
    while True:  # interpolate at 2n, keep n terms once the upper half is at the rule's rounding noise
        fine = Chebyshev.interpolate(np.vectorize(lambda t: derivative_kernel_at(kind, k, t)), 2 * degree,
                                     domain=[0.0, math.pi])
        if np.max(np.abs(fine.coef[degree:])) < _TAIL:
            break
        if 2 * degree >= _MAX_DEGREE:
            raise ArithmeticError(f"{kind}(k={k}): the Chebyshev series of the derivative kernel did not converge "
                                  f"(tail {np.max(np.abs(fine.coef[degree:])):.1e} at degree {2 * degree})")
        degree *= 2
    kappa_dot = fine.truncate(degree + 1)
    slope = Chebyshev.interpolate(lambda t: kappa_dot(t) * np.sin(t), degree + 16, domain=[0.0, math.pi])
    return GroupDual(kappa_dot, m2 - slope.integ(lbnd=0.0))
