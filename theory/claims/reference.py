"""Independent references shared by the paper modules: Gaussian expectations computed without the
toolkit's engines (scipy adaptive quadrature, numpy's Gauss–Hermite rule), so a claim's published side
never goes through the code under test."""

from __future__ import annotations

from functools import cache

import numpy as np


def gauss_quad(f) -> float:
    """∫Dz f(z), z ~ N(0, 1), by scipy ``quad`` on [−14, 14] split at 0 (where kinks and near-steps such
    as tanh(√q z) at large q sit); the mass beyond ±14 is below 1e-44."""
    from scipy.integrate import quad

    pdf = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    return quad(lambda z: pdf(z) * f(z), -14, 14, points=[0.0], epsabs=1e-15, epsrel=1e-13, limit=400)[0]


@cache
def hermite_rule(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights w (Σw = 1) of the n-point Gauss–Hermite rule for the standard normal."""
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / w.sum()
