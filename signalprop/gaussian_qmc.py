"""Expectations over an n-dimensional Gaussian by randomized quasi-Monte Carlo, with an honest error bar.

E[f(z)], z ~ N(μ, Σ), is estimated from R independent scramblings of a Sobol sequence (Owen scrambling, scipy.stats.qmc)
mapped through Φ⁻¹ and a square root of Σ (from its eigendecomposition, so a singular PSD Σ works). The R estimates
are i.i.d. and unbiased; their mean is the estimate and t_{R−1, 0.995} · sd/√R its 99 % half-width (L'Ecuyer & Lemieux
2002, "Recent advances in randomized quasi-Monte Carlo methods"). The tests check the coverage over seeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

COVERAGE = 0.99


class CovarianceError(ValueError):
    """A matrix that is not a covariance (not square, symmetric, finite and positive semidefinite), or bad QMC sizes."""


@dataclass(frozen=True)
class QMCEstimate:
    """``value``: the estimates (one per output of f); ``error``: their 99 % half-widths; ``points`` per scrambling,
    ``scrambles`` R."""

    value: np.ndarray
    error: np.ndarray
    points: int
    scrambles: int


def covariance_root(cov, what: str = "covariance") -> np.ndarray:
    """A matrix L with L Lᵀ = cov for a symmetric positive semidefinite cov; anything else is refused by name."""
    cov = np.asarray(cov, dtype=np.float64)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.size == 0:
        raise CovarianceError(f"the {what} must be a square n x n matrix (n >= 1), got shape {cov.shape}")
    if not np.all(np.isfinite(cov)):
        raise CovarianceError(f"the {what} holds NaN or inf entries")
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.max(np.abs(cov))))):
        raise CovarianceError(f"the {what} must be symmetric (largest asymmetry {float(np.max(np.abs(cov - cov.T))):.3g})")
    lam, vec = np.linalg.eigh((cov + cov.T) / 2)
    scale = max(float(np.max(np.abs(lam))), 1e-300)
    if lam[0] < -1e-10 * scale:
        raise CovarianceError(f"the {what} is not positive semidefinite: its smallest eigenvalue is {lam[0]:.4g} "
                         f"(largest {lam[-1]:.4g}); a covariance has eigenvalues >= 0")
    return vec * np.sqrt(np.clip(lam, 0, None))


def qmc_expectation(f: Callable[[np.ndarray], np.ndarray], cov, mean=None, points: int = 4096, scrambles: int = 16,
                    seed: int = 0, chunk: int = 1 << 20) -> QMCEstimate:
    """E[f(z)] for z ~ N(mean, cov) (module docstring). ``f`` maps an (N, n) array of rows to (N, k) values;
    ``points`` (rounded up to a power of 2) per scrambling, ``scrambles`` >= 2."""
    from scipy.stats import norm, qmc, t

    root = covariance_root(cov)
    n = root.shape[0]
    if n > 21201:
        raise CovarianceError(f"randomized QMC covers up to 21201 dimensions (Sobol direction numbers), got n = {n}")
    if not (isinstance(scrambles, int) and scrambles >= 2):
        raise CovarianceError(f"scrambles must be an integer >= 2 (the error bar needs them), got {scrambles!r}")
    if not (isinstance(points, int) and points >= 2):
        raise CovarianceError(f"points must be an integer >= 2, got {points!r}")
    mu = np.zeros(n) if mean is None else np.broadcast_to(np.asarray(mean, dtype=np.float64), (n,))
    m = math.ceil(math.log2(points))
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(scrambles):
        sobol = qmc.Sobol(n, scramble=True, seed=rng)
        u = sobol.random_base2(m)
        total = None
        for start in range(0, u.shape[0], max(1, chunk // n)):
            z = mu + norm.ppf(np.clip(u[start:start + max(1, chunk // n)], 1e-300, 1 - 1e-16)) @ root.T
            vals = np.asarray(f(z), dtype=np.float64)
            part = vals.sum(axis=0)
            total = part if total is None else total + part
        estimates.append(total / u.shape[0])
    est = np.array(estimates)
    half = t.ppf(0.5 + COVERAGE / 2, scrambles - 1) * est.std(axis=0, ddof=1) / math.sqrt(scrambles)
    return QMCEstimate(est.mean(axis=0), half, 1 << m, scrambles)
