"""Self-normalizing networks (Klambauer et al. 2017): the mean/variance map, its Jacobian, and the
SELU constants.

With inputs of mean μ and variance ν, weights with ω = Σ w_i, τ = Σ w_i², the pre-activation is
N(μω, ντ); write m = μω, s = √(ντ):
  g(μ, ν) = (μ̃, ν̃),  μ̃ = E[φ(m + s z)],  ν̃ = E[φ(m + s z)²] − μ̃².
Its Jacobian uses only integrals of φ against polynomials in z (Stein), so it is exact for kinked φ:
  ∂μ̃/∂μ = (ω/s) E[z φ],  ∂μ̃/∂ν = (τ/(2s²)) E[(z² − 1) φ],
  ∂ν̃/∂μ = (ω/s)(E[z φ²] − 2μ̃ E[z φ]),  ∂ν̃/∂ν = (τ/(2s²))(E[(z² − 1) φ²] − 2μ̃ E[(z² − 1) φ]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .gaussian import growth_rates, integrate_gaussian


def _moments(act, mu: float, nu: float, omega: float, tau: float) -> dict[str, float]:
    if not nu > 0 or not tau > 0:
        raise ValueError(f"nu and tau must be > 0, got nu={nu}, tau={tau}")
    m, s2 = mu * omega, nu * tau
    f = act.numpy(0)
    rn, rp = growth_rates(act, 2)
    bps = act.breakpoints
    polys = {"1": None, "z": lambda z: z, "z2m1": lambda z: z * z - 1.0}
    out = {}
    for key, poly in polys.items():
        out[key] = integrate_gaussian(f, s2, m, bps, rn / 2, rp / 2, z_poly=poly)
        out[key + "^2"] = integrate_gaussian(lambda x: f(x) ** 2, s2, m, bps, rn, rp, z_poly=poly)
    return out


def mean_variance_map(act, mu: float, nu: float, omega: float = 0.0, tau: float = 1.0) -> tuple[float, float]:
    """(μ̃, ν̃) = g(μ, ν) for weights with sum ω and squared sum τ."""
    e = _moments(act, mu, nu, omega, tau)
    return e["1"], e["1^2"] - e["1"] ** 2


def mean_variance_jacobian(act, mu: float = 0.0, nu: float = 1.0, omega: float = 0.0, tau: float = 1.0) -> np.ndarray:
    """The 2×2 Jacobian ∂(μ̃, ν̃)/∂(μ, ν) (formulas in the module docstring)."""
    e = _moments(act, mu, nu, omega, tau)
    s = math.sqrt(nu * tau)
    mean = e["1"]
    return np.array([
        [omega / s * e["z"], tau / (2 * s * s) * e["z2m1"]],
        [omega / s * (e["z^2"] - 2 * mean * e["z"]), tau / (2 * s * s) * (e["z2m1^2"] - 2 * mean * e["z2m1"])],
    ])


@dataclass(frozen=True)
class SeluConstants:
    """λ, α making (0, 1) a fixed point of g for ω = 0, τ = 1, with the Jacobian there."""

    lam: float
    alpha: float
    jacobian: np.ndarray
    spectral_norm: float

    def as_dict(self) -> dict:
        return {"lambda": self.lam, "alpha": self.alpha, "jacobian": self.jacobian.tolist(),
                "spectral_norm": self.spectral_norm}


def solve_selu() -> SeluConstants:
    """Solve E[λ elu_α(z)] = 0 and E[(λ elu_α(z))²] = 1 for z ~ N(0, 1): α from the mean (λ drops
    out), then λ = 1/√E[elu_α(z)²]. Both integrals are exact for the kink at 0, so the constants come
    out to ~1e-15."""
    from scipy.optimize import brentq
    from symbolic import get_activation  # the symbolic layer sits below; imported lazily

    def elu(alpha: float):
        return get_activation("elu", alpha=alpha).numpy(0)

    alpha = brentq(lambda a: integrate_gaussian(elu(a), 1.0, 0.0, (0.0,)), 0.5, 5.0, xtol=1e-15, rtol=1e-15)
    f = elu(alpha)
    lam = 1.0 / math.sqrt(integrate_gaussian(lambda x: f(x) ** 2, 1.0, 0.0, (0.0,)))
    selu = get_activation("selu", lam=lam, alpha=alpha)
    jac = mean_variance_jacobian(selu)
    return SeluConstants(lam, alpha, jac, float(np.linalg.norm(jac, 2)))
