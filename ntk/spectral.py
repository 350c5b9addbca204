"""Spectra of dot-product kernels on the sphere, and what depth does to them.

For inputs with ‖x‖² = d (so x·x'/d = t = cos θ), the depth-L NNGP and NTK are functions κ(t) of t
alone (``sphere_kernel``). Funk–Hecke: on L²(S^{d−1}) with the uniform probability measure, every
degree-k spherical harmonic is an eigenfunction with eigenvalue

  μ_k = ∫_0^π κ(cos θ) P_k^{(d)}(cos θ) sin^{d−2}θ dθ / ∫_0^π sin^{d−2}θ dθ,

P_k^{(d)} = C_k^{((d−2)/2)}/C_k^{((d−2)/2)}(1) (Gegenbauer; Chebyshev T_k for d = 2), with multiplicity
N(d, k) = (2k + d − 2)/k · binom(k + d − 3, k − 1) (N(d, 0) = 1), and Σ_k N(d, k) μ_k = κ(1) (Mercer).
The integral is taken in θ by Gauss–Legendre for d ≤ 64: κ(cos θ) is analytic in θ even for kinked φ (the
arc-cosine kernels are), where it is not in t; for larger d the measure concentrates at |t| ≲ 1/√d and
Gauss–Gegenbauer in t takes it as its weight (``funk_hecke_rule``). Eigenvalues below ~1e-15 κ(1) are at
rounding level.
(Spectral bias: Bach 2017, Bietti & Mairal 2019; positive definiteness: Jacot et al. 2018.)

``depth_profile`` gives the condition number and smallest eigenvalue of the kernel matrix per layer, and
``infinite_depth_limit`` the fate of the normalized kernel as L → ∞ from the correlation map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from signalprop import hermite_coefficients, propagation
from signalprop.mixing import averaged

from .dual import dual
from .kernels import kernel_layers


def sphere_kernel(act, t, depth: int, sigma_w2=1.0, sigma_b2=0.0, ntk: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """(Σ^L(t), Θ^L(t)) for two inputs on the sphere ‖x‖² = d at t = x·x'/d ∈ [−1, 1] (vectorized),
    NTK parameterization (Θ None unless ``ntk``)."""
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if np.any(np.abs(t) > 1):
        raise ValueError("t = x·x'/d must lie in [-1, 1] for inputs on the sphere |x|^2 = d")
    # the pairs (x, x') as 2-D unit-speed inputs: x = (1, 0)√2, x' = (t, √(1 − t²))√2 with d = 2
    X = np.array([[math.sqrt(2.0), 0.0]])
    Y = math.sqrt(2.0) * np.column_stack([t, np.sqrt(1 - t * t)])
    layers = kernel_layers(act, X, Y, depth, sigma_w2, sigma_b2, ntk=ntk)
    return layers.nngp[-1][0], (layers.ntk[-1][0] if ntk else None)


@averaged
def dual_coefficients(act, q: float, n_terms: int = 32, derivative: bool = False) -> np.ndarray:
    """b_n = a_n(q)² (n < n_terms): the power series of the dual in the correlation at variance q,
    E[φ(u)φ(v)] = Σ_n b_n cⁿ (Mehler; a_n(q) = E[φ(√q z) He_n(z)]/√n!, ``derivative``: of φ'). All
    b_n ≥ 0, which is why dual kernels are positive definite; Σ_n b_n = E[φ(√q z)²]. For a mixture,
    the p-weighted average."""
    if not q > 0:
        raise ValueError(f"the variance q must be > 0, got {q}")
    return hermite_coefficients(act, float(q), n_terms, k=1 if derivative else 0) ** 2


def multiplicity(d: int, k: int) -> int:
    """Number of independent degree-k spherical harmonics on S^{d−1}, N(d, k) = (2k + d − 2)/k · C(k + d − 3, k − 1)
    (exact integer arithmetic: for large d it exceeds float64)."""
    from scipy.special import comb

    if k == 0:
        return 1
    if d == 2:
        return 2
    return (2 * k + d - 2) * comb(k + d - 3, k - 1, exact=True) // k


def legendre_d(k_max: int, d: int, t: np.ndarray) -> np.ndarray:
    """P_k^{(d)}(t) for k = 0 … k_max (rows), normalized to 1 at t = 1, by the three-term recurrence
    (k + d − 2) P_{k+1} = (2k + d − 2) t P_k − k P_{k−1} (Chebyshev T_k for d = 2): no Gegenbauer
    normalization C_k^{(d−2)/2}(1), which overflows for large d."""
    t = np.asarray(t, dtype=np.float64)
    rows = [np.ones_like(t), t.copy()][: k_max + 1]
    for k in range(1, k_max):
        rows.append(((2 * k + d - 2) * t * rows[k] - k * rows[k - 1]) / (k + d - 2))
    return np.array(rows)


THETA_RULE_MAX_D = 64  # up to this d the θ rule resolves sin^{d−2}θ (width ~1/√d) with its 256+ nodes


def funk_hecke_rule(d: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes t and normalized weights of ∫ f(t) (1 − t²)^{(d−3)/2} dt / ∫ (1 − t²)^{(d−3)/2} dt: Gauss–Legendre
    in θ (t = cos θ, weight sin^{d−2}θ) for d ≤ THETA_RULE_MAX_D, where κ(cos θ) is analytic although κ(t)
    is not at t = ±1 (kinked φ); beyond, Gauss–Gegenbauer in t (parameter (d − 2)/2, nodes and weights by
    Golub–Welsch with scipy.linalg.eigh_tridiagonal), whose weight is the measure itself, concentrated at |t| ≲ 1/√d, where κ is analytic and the
    (1 − t²)^{1/2} singularities of kinked kernels are damped by (1 − t²)^{(d−3)/2}."""
    from scipy.linalg import eigh_tridiagonal

    if d <= THETA_RULE_MAX_D:
        x, w = np.polynomial.legendre.leggauss(n)
        theta = (x + 1) * np.pi / 2
        weight = w * np.sin(theta) ** (d - 2)
        return np.cos(theta), weight / weight.sum()
    lam = (d - 2) / 2
    k = np.arange(1, n, dtype=np.float64)
    # Golub–Welsch: the Jacobi matrix of the Gegenbauer weight (1 − t²)^{λ − 1/2} (zero diagonal), well
    # conditioned for any λ, where scipy's roots_gegenbauer returns NaN (λ ≳ 1e4)
    off = np.sqrt(k * (k + 2 * lam - 1) / (4 * (k + lam) * (k + lam - 1)))
    t, vectors = eigh_tridiagonal(np.zeros(n), off)
    weight = vectors[0] ** 2
    return t, weight / weight.sum()


@dataclass(frozen=True)
class SphereSpectrum:
    """Funk–Hecke eigenvalues μ_k (k = 0 … k_max) of the NNGP (and NTK) on S^{d−1}, with multiplicities."""

    d: int
    depth: int
    k: np.ndarray
    multiplicity: np.ndarray
    nngp: np.ndarray
    ntk: np.ndarray | None
    trace_nngp: float  # κ(1): Σ_k N(d, k) μ_k converges to it
    trace_ntk: float | None

    def as_dict(self) -> dict:
        out = {"d": self.d, "depth": self.depth, "k": self.k.tolist(), "multiplicity": self.multiplicity.tolist(),
               "nngp": self.nngp.tolist(), "trace_nngp": self.trace_nngp}
        if self.ntk is not None:
            out.update({"ntk": self.ntk.tolist(), "trace_ntk": self.trace_ntk})
        return out


def sphere_spectrum(act, d: int, depth: int, sigma_w2=1.0, sigma_b2=0.0, k_max: int = 20, ntk: bool = True,
                    nodes: int | None = None) -> SphereSpectrum:
    """μ_k for k = 0 … k_max by Funk–Hecke (module docstring) on ``funk_hecke_rule`` with ``nodes`` points
    (default max(256, 4 k_max + 64)); multiplicities are exact Python integers."""
    if not isinstance(d, (int, np.integer)) or d < 2:
        raise ValueError(f"the input dimension d must be an integer >= 2, got {d!r}")
    if not isinstance(k_max, (int, np.integer)) or not 0 <= k_max <= 500:
        raise ValueError(f"k_max must be an integer in [0, 500], got {k_max!r}")
    n = nodes or max(256, 4 * k_max + 64)
    t, weight = funk_hecke_rule(int(d), n)
    s, th = sphere_kernel(act, np.concatenate([t, [1.0]]), depth, sigma_w2, sigma_b2, ntk)
    basis = legendre_d(k_max, int(d), t)
    mu = basis @ (weight * s[:-1])
    mu_ntk = basis @ (weight * th[:-1]) if ntk else None
    ks = np.arange(k_max + 1)
    counts = np.array([multiplicity(int(d), int(k)) for k in ks], dtype=object)
    return SphereSpectrum(d, depth, ks, counts, mu, mu_ntk, float(s[-1]), float(th[-1]) if ntk else None)


@dataclass(frozen=True)
class DepthProfile:
    """Per layer l = 0 … L: smallest and largest eigenvalue and condition number of the kernel matrix."""

    min_eig_nngp: np.ndarray
    max_eig_nngp: np.ndarray
    min_eig_ntk: np.ndarray
    max_eig_ntk: np.ndarray

    @property
    def condition_nngp(self) -> np.ndarray:
        return np.where(self.min_eig_nngp > 0, self.max_eig_nngp / np.where(self.min_eig_nngp > 0, self.min_eig_nngp, 1), np.inf)

    @property
    def condition_ntk(self) -> np.ndarray:
        return np.where(self.min_eig_ntk > 0, self.max_eig_ntk / np.where(self.min_eig_ntk > 0, self.min_eig_ntk, 1), np.inf)


def depth_profile(act, X, depth: int, sigma_w2=1.0, sigma_b2=0.0) -> DepthProfile:
    """Extreme eigenvalues of Σ^l(X, X) and Θ^l(X, X) for l = 0 … depth (positive definiteness and
    conditioning vs depth; for non-polynomial φ and distinct inputs on the sphere the smallest stays > 0)."""
    layers = kernel_layers(act, X, depth=depth, sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    eig = [[np.linalg.eigvalsh(m)[[0, -1]] for m in mats] for mats in (layers.nngp, layers.ntk)]
    (s_lo, s_hi), (t_lo, t_hi) = (np.array(e).T for e in eig)
    return DepthProfile(s_lo, s_hi, t_lo, t_hi)


REGIMES = {
    "constant": "ordered phase: every correlation tends to 1, the normalized kernel to the all-ones matrix (exponentially, depth scale xi_c)",
    "constant (critical)": "edge of chaos: correlations tend to 1 only polynomially; the limit is still the all-ones matrix",
    "identity plus constant": "chaotic phase: off-diagonal correlations tend to c* < 1 while the diagonal stays 1 — after removing the constant c*, a multiple of the identity",
    "keeps structure": "the correlation map is the identity (linear activation with sigma_b2 = 0): the normalized kernel never changes",
}


@dataclass(frozen=True)
class DepthLimit:
    regime: str
    c_star: float
    chi1: float
    xi_c: float
    description: str


def infinite_depth_limit(act, sigma_w2: float, sigma_b2: float) -> DepthLimit:
    """The L → ∞ limit of the normalized NNGP Σ^L_ij/√(Σ^L_ii Σ^L_jj) for inputs at a fixed point q*
    of the length map: read off the correlation map C(c) (its stable fixed point c* and χ_1 = C'(1))."""
    p = propagation(act, sigma_w2, sigma_b2)
    if p.phase == "unbounded" or p.q_star is None:
        raise ValueError(f"{act.label} at sigma_w2 = {sigma_w2:g}, sigma_b2 = {sigma_b2:g}: no stable fixed point q* attracts the "
                         "variance (it grows without bound), so the normalized kernel has no infinite-depth limit here")
    if p.q_star == 0:
        raise ValueError(f"{act.label} at sigma_w2 = {sigma_w2:g}, sigma_b2 = {sigma_b2:g}: the variance tends to q* = 0, where the "
                         "normalized kernel follows the linearized network; choose sigma_b2 > 0 for a finite q*")
    c = np.linspace(-0.9, 0.9, 7)
    q = p.q_star
    if np.allclose((sigma_w2 * dual(act, q, q, c * q) + sigma_b2) / q, c, rtol=0, atol=1e-12):
        regime = "keeps structure"
    elif p.phase == "chaotic":
        regime = "identity plus constant"
    elif p.phase == "critical":
        regime = "constant (critical)"
    else:
        regime = "constant"
    return DepthLimit(regime, float(p.c_star), float(p.chi1), float(p.xi_c), REGIMES[regime])
