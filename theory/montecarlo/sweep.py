"""Finite-width corrections over a sweep of widths: per layer, the excess kurtosis of the pre-
activations and the shift of their variance from the infinite-width q^l, each fitted as
y(N) = s/N + t/N² (both vanish at infinite width; weighted least squares on the measured standard
errors), the slope s with its error against the leading-order theory (``measure.vertex``: the
four-point vertex of Roberts, Yaida & Hanin; Antognini 2019's Edgeworth term is of the same 1/N order)."""

from __future__ import annotations

import numpy as np

from .compare import Comparison, mean_and_error
from .ensemble import forward
from .measure import kurtosis_theory, layer_variances, mean_shift_theory, measure_kurtosis
from .spec import NetworkSpec


def fit_slope(widths: np.ndarray, values: np.ndarray, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(s, its standard error) per column for values[w] ≈ s/N_w + t/N_w² (rows: widths)."""
    x = 1.0 / np.asarray(widths, dtype=np.float64)
    A = np.column_stack([x, x * x])
    slopes, errs = [], []
    for y, e in zip(values.T, errors.T):
        w = 1.0 / np.maximum(e, 1e-300) ** 2
        cov = np.linalg.inv(A.T @ (A * w[:, None]))
        slopes.append((cov @ (A.T @ (w * y)))[0])
        errs.append(np.sqrt(cov[0, 0]))
    return np.array(slopes), np.array(errs)


def width_sweep(act, widths, depth: int, sigma_w2: float, sigma_b2: float, X: np.ndarray, ensemble: int = 1000,
                seed: int = 0, fast: bool = True, progress: bool = True) -> dict[str, Comparison]:
    """{"kurtosis_slope", "q_shift_slope"}: per layer, N × (excess kurtosis) and N × (E[q^l] − q^l) as
    fitted slopes in 1/N over ``widths`` (≥ 3), against the leading-order theory (Gaussian weights)."""
    widths = sorted({int(n) for n in widths})
    if len(widths) < 3:
        raise ValueError(f"a width sweep needs at least 3 distinct widths (the fit has two parameters), got {widths}")
    kurt, kurt_err, shift, shift_err = [], [], [], []
    for i, n in enumerate(widths):
        spec = NetworkSpec(act, n, depth, sigma_w2, sigma_b2, ensemble=ensemble, seed=seed + i, outputs=n)
        fwd = forward(spec, X, progress=progress, fast=fast)
        k = measure_kurtosis(spec, X, fwd)
        kurt.append(k.measured)
        kurt_err.append(k.stderr)
        mean, err = mean_and_error(fwd.gram[:, :, 0, 0])
        shift.append(mean - layer_variances(spec, X)[0])
        shift_err.append(err)
    ref = NetworkSpec(act, widths[0], depth, sigma_w2, sigma_b2, ensemble=ensemble)
    q = layer_variances(ref, X)[0]
    layers = np.arange(depth + 1)
    out = {}
    for name, label, values, errors, theory in (
            ("kurtosis_slope", "N x excess kurtosis (slope in 1/N)", kurt, kurt_err, widths[0] * kurtosis_theory(ref, q)),
            ("q_shift_slope", "N x (E[q] - q_infinite) (slope in 1/N)", shift, shift_err, widths[0] * mean_shift_theory(ref, q))):
        slope, err = fit_slope(np.array(widths), np.array(values), np.array(errors))
        out[name] = Comparison(label, layers, slope, err, theory, notes={"widths": widths, "per_width": np.array(values).tolist(),
                                                                        "per_width_stderr": np.array(errors).tolist()})
    return out


def fit_power(widths: np.ndarray, values: np.ndarray, errors: np.ndarray) -> tuple[float, float]:
    """(exponent p, its standard error) of values ≈ A N^p, by weighted least squares on logarithms."""
    x, y = np.log(np.asarray(widths, dtype=np.float64)), np.log(values)
    w = (values / np.maximum(errors, 1e-300)) ** 2  # Var(log v) ≈ (err/v)²
    A = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    return float((cov @ (A.T @ (w * y)))[1]), float(np.sqrt(cov[1, 1]))


def kernel_deviation_sweep(act, widths, depth: int, sigma_w2: float, sigma_b2: float, X: np.ndarray, ensemble: int = 50,
                           seed: int = 0, parameterization: str = "ntk", progress: bool = True) -> dict[str, Comparison]:
    """{"nngp_deviation", "ntk_deviation"}: per width, the mean over networks of ‖K_e − K‖_F/‖K‖_F for each
    network's readout covariance (over its N readout units; exact fast path) and its empirical NTK
    (explicit weights), K from ``ntk``; and their exponents in N fitted as A N^p, against p = −1/2 (each
    is an average over N neurons: fluctuations of order 1/√N at fixed depth)."""
    from ntk import nngp, ntk

    from .backward import gradients

    widths = sorted({int(n) for n in widths})
    if len(widths) < 3:
        raise ValueError(f"a width sweep needs at least 3 distinct widths, got {widths}")
    K = nngp(act, X, depth=depth, sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    rows: dict[str, list] = {"nngp": [], "ntk": []}
    for i, n in enumerate(widths):
        spec = NetworkSpec(act, n, depth, sigma_w2, sigma_b2, ensemble=ensemble, seed=seed + i, outputs=n,
                           parameterization=parameterization)
        fwd = forward(spec, X, progress=progress, fast=True)
        theta = ntk(act, X, depth=depth, sigma_w2=sigma_w2, sigma_b2=sigma_b2, parameterization=parameterization, width=n)
        grads = gradients(spec, X, progress=progress)
        for name, per_net, ref in (("nngp", fwd.gram[:, depth], K), ("ntk", grads.ntk, theta)):
            rows[name].append(mean_and_error(np.linalg.norm(per_net - ref, axis=(1, 2)) / np.linalg.norm(ref)))
    out = {}
    for name, values in rows.items():
        mean, err = (np.array(v) for v in zip(*values))
        p, p_err = fit_power(np.array(widths), mean, err)
        out[f"{name}_deviation"] = Comparison(f"{name.upper()}: mean relative deviation of one network's kernel", np.array(widths),
                                              mean, err, np.full(len(widths), np.nan), index_name="width",
                                              notes={"exponent": p, "exponent_stderr": p_err})
        out[f"{name}_exponent"] = Comparison(f"{name.upper()} deviation ~ N^p: exponent p", np.array([0]), np.array([p]),
                                             np.array([p_err]), np.array([-0.5]), index_name="fit")
    return out
