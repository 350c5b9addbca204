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


def pair_expectation(f, q1, q2, c, rule: tuple[np.ndarray, np.ndarray] | None = None, g=None):
    """E[f(u1) g(u2)] (g defaults to f) for u1 = √q1 z1, u2 = √q2 (c z1 + √(1 − c²) z2), z1, z2 iid N(0, 1), by the
    tensor product of a 1-D rule (nodes z, weights w summing to 1; default ``hermite_rule()``), vectorized over
    q1, q2, c (broadcast together; a scalar for scalars). Accurate where f and g are analytic in a strip around
    the real axis, as tanh and sech² are (width π/(2√q)); never the toolkit's engines."""
    z, w = hermite_rule() if rule is None else rule
    g = f if g is None else g
    q1, q2, c = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (q1, q2, c)))
    shape = q1.shape
    q1, q2, c = (a.reshape(-1, 1, 1) for a in (q1, q2, c))
    u = f(np.sqrt(q1) * z[:, None])
    v = g(np.sqrt(q2) * (c * z[:, None] + np.sqrt(np.maximum(1 - c * c, 0.0)) * z[None, :]))
    out = np.einsum("i,mij,j->m", w, u * v, w).reshape(shape)
    return float(out) if not shape else out


def shaped_local_maps(phi, dphi, d2phi, params: dict) -> dict:
    """Local maps at q = 1 of φ̂(x) = γ(φ(αx + β) + δ) (Martens et al. 2021; parameters under the dks package's names)
    by ``gauss_quad`` of numpy φ, φ', φ'' written out by the caller: Q(1) = E[φ̂²], Q'(1) = ½E[(z² − 1)φ̂²] (Stein's
    lemma), C(0) = E[φ̂]²/Q(1), C'(1) = E[φ̂'²]/Q(1), C''(1) = E[φ̂''²]/Q(1)."""
    import warnings

    from scipy.integrate import IntegrationWarning

    a, b, d, g = (params[k] for k in ("input_scale", "input_shift", "output_shift", "output_scale"))
    hat = lambda z: g * (phi(a * z + b) + d)  # noqa: E731
    q1 = gauss_quad(lambda z: hat(z) ** 2)
    with warnings.catch_warnings():  # C(0) = E[φ̂]² ≈ 0: quad reports roundoff at the 1e-16 level it cannot beat
        warnings.simplefilter("ignore", IntegrationWarning)
        mean = gauss_quad(hat)
    return {"q_value": q1, "q_slope": gauss_quad(lambda z: 0.5 * (z * z - 1) * hat(z) ** 2),
            "c_value_0": mean ** 2 / q1, "c_slope_1": gauss_quad(lambda z: (g * a * dphi(a * z + b)) ** 2) / q1,
            "c_curv_1": gauss_quad(lambda z: (g * a * a * d2phi(a * z + b)) ** 2) / q1}


def stream_inputs(width: int, length: float, seed: int, correlation: float | None = None) -> np.ndarray:
    """Two inputs of the stream's width with |x|²/width = ``length`` from one fixed draw (``default_rng(seed)``, a
    2 × width normal array): normalized as drawn, or (``correlation`` given) with cosine exactly ``correlation`` by
    Gram–Schmidt — for residual networks whose blocks act on the inputs directly (no embedding)."""
    u, v = np.random.default_rng(seed).standard_normal((2, width))
    if correlation is not None:
        v = v - (v @ u) / (u @ u) * u
    u, v = (w * np.sqrt(width * length) / np.linalg.norm(w) for w in (u, v))
    return np.stack([u, v] if correlation is None else [u, correlation * u + np.sqrt(1 - correlation**2) * v])
