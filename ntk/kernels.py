"""NNGP and NTK kernels of deep fully connected networks at infinite width (Lee et al. 2018; Jacot
et al. 2018; conventions of FORMULAS.md).

The network is Dense → (φ → Dense) × L: ``depth`` L counts the nonlinear layers, and the kernels
returned are those of the readout layer's outputs,

  Σ^0(x, x') = σ_w0² x·x'/d + σ_b0²,
  Σ^l = σ_wl² K(Σ^{l−1}) + σ_bl²,   Σ̇^l = σ_wl² K̇(Σ^{l−1})            (l = 1 … L),

with K, K̇ the dual activations (``dual``) of the Gaussian with covariance Σ^{l−1}. The NTK:

- NTK parameterization (default; W, b ~ N(0, 1), h = σ_w W φ/√N + σ_b b):
  Θ^0 = Σ^0,  Θ^l = Σ^l + Σ̇^l Θ^{l−1};
- standard parameterization (W ~ N(0, σ_w²/N), b ~ N(0, σ_b²), plain gradient descent; Sohl-Dickstein
  et al. 2020, as neural-tangents computes it): the weights' gradient scales with the width of their
  input, so Θ depends on the hidden width N:  Θ^0 = x·x' + 1,  Θ^l = N K(Σ^{l−1}) + 1 + Σ̇^l Θ^{l−1}
  (the 1: biases are trained, even when σ_b = 0).

σ_w², σ_b² are scalars or sequences of L + 1 values (layers 0 … L). Kernels are float64; blocks of
``block`` rows bound the memory of the intermediate arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dual import check_derivative, dual, dual_matrices

PARAMETERIZATIONS = ("ntk", "standard")


@dataclass(frozen=True)
class KernelLayers:
    """Per-layer kernels for inputs X (rows) against X2 (columns): ``nngp[l]`` = Σ^l, ``dnngp[l]`` = Σ̇^l
    (l ≥ 1; entry 0 is None), ``ntk[l]`` = Θ^l (None when not asked for)."""

    nngp: list[np.ndarray]
    dnngp: list[np.ndarray | None]
    ntk: list[np.ndarray] | None
    parameterization: str


def _per_layer(value, depth: int, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if arr.size == 1:
        arr = np.full(depth + 1, arr[0])
    if arr.shape != (depth + 1,):
        raise ValueError(f"{name} must be a scalar or one value per layer 0 … depth ({depth + 1} values), got {arr.size}")
    return arr


def _check_inputs(X, X2) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"inputs X must be a 2-D array (n inputs × d features), got shape {X.shape}")
    if X2 is not None:
        X2 = np.asarray(X2, dtype=np.float64)
        if X2.ndim != 2 or X2.shape[1] != X.shape[1]:
            raise ValueError(f"X2 must be 2-D with the same number of features as X ({X.shape[1]}), got shape {X2.shape}")
    for name, arr in (("X", X), ("X2", X2)):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} holds NaN or inf entries (first at row {np.argwhere(~np.isfinite(arr))[0][0]})")
    return X, X2


def kernel_layers(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, ntk: bool = True,
                  parameterization: str = "ntk", width: float | None = None, block: int = 1024,
                  progress: bool = False) -> KernelLayers:
    """Σ^l, Σ̇^l and (``ntk``) Θ^l for l = 0 … ``depth`` (see the module docstring); X is n × d,
    X2 (default X) m × d. ``width`` (hidden width N) is required by the standard parameterization."""
    X, X2 = _check_inputs(X, X2)
    if not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ValueError(f"depth (number of nonlinear layers) must be an integer >= 0, got {depth!r}")
    w2, b2 = _per_layer(sigma_w2, depth, "sigma_w2"), _per_layer(sigma_b2, depth, "sigma_b2")
    if np.any(~(w2 > 0)) or np.any(~(b2 >= 0)):
        raise ValueError("sigma_w2 must be > 0 and sigma_b2 >= 0 (variances) in every layer")
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}, got {parameterization!r}")
    if ntk and parameterization == "standard" and not (width is not None and width > 0):
        raise ValueError("the standard-parameterization NTK depends on the hidden width: give width=N (> 0; --width N on the command line)")
    if ntk and depth > 0:
        check_derivative(act)
    symmetric = X2 is None
    Y = X if symmetric else X2
    d = X.shape[1]
    gram = X @ Y.T
    # variances from the same arithmetic as the Gram matrix: for X2 = X its diagonal is then exactly
    # (q, q, q), θ = 0 exactly, and kernels whose K̇ is linear in θ near 0 (ReLU) lose no digits
    norms_a = np.diag(gram).copy() if symmetric else np.einsum("ij,ij->i", X, X)
    norms_b = norms_a if symmetric else np.einsum("ij,ij->i", Y, Y)
    qa, qb = w2[0] * norms_a / d + b2[0], w2[0] * norms_b / d + b2[0]
    for name, q in (("X", qa), ("X2", qb)):
        if np.any(q <= 0):
            raise ValueError(f"{name} has a zero-norm input (row {int(np.argmin(q))}) and sigma_b2 = 0: its correlation "
                             "with other inputs is undefined; give sigma_b2 > 0 or drop that input")
    sigma = [w2[0] * gram / d + b2[0]]
    dsigma: list[np.ndarray | None] = [None]
    theta = None
    if ntk:
        theta = [sigma[0].copy() if parameterization == "ntk" else gram + 1.0]
    for layer in range(1, depth + 1):
        prev = sigma[-1]
        k_phi, k_dphi = dual_matrices(act, qa, qb, prev, symmetric, ntk, block, progress)
        sigma.append(w2[layer] * k_phi + b2[layer])
        if not np.all(np.isfinite(sigma[-1])):
            raise OverflowError(f"the NNGP kernel of {act.label} overflows float64 at layer {layer} (largest previous variance "
                                f"{float(np.max(qa)):.4g}): E[φ²] grows too fast with the variance for this depth; "
                                "use smaller sigma_w2 or fewer layers")
        if ntk:
            dsig = w2[layer] * k_dphi
            dsigma.append(dsig)
            head = sigma[-1] if parameterization == "ntk" else width * k_phi + 1.0
            theta.append(head + dsig * theta[-1])
        else:
            dsigma.append(None)
        if symmetric:
            qa = qb = np.diag(sigma[-1]).copy()
        else:
            qa, qb = (w2[layer] * dual(act, q, q, q) + b2[layer] for q in (qa, qb))
    return KernelLayers(sigma, dsigma, theta, parameterization)


def nngp(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, progress: bool = False) -> np.ndarray:
    """Σ^L(X, X2): the NNGP kernel of the readout layer after ``depth`` nonlinear layers."""
    return kernel_layers(act, X, X2, depth, sigma_w2, sigma_b2, ntk=False, progress=progress).nngp[-1]


def ntk(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, parameterization: str = "ntk",
        width: float | None = None, progress: bool = False) -> np.ndarray:
    """Θ^L(X, X2): the neural tangent kernel after ``depth`` nonlinear layers (NTK parameterization by
    default; ``parameterization="standard"`` needs the hidden ``width``)."""
    return kernel_layers(act, X, X2, depth, sigma_w2, sigma_b2, True, parameterization, width, progress=progress).ntk[-1]
