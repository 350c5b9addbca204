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

from signalprop.dual_table import chebyshev_coefficients, extrema, trailing

from .closed_forms import angle
from .dual import check_derivative, common_variance, dual_matrices, evaluate_series, mirror_upper, second_moment

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


@dataclass(frozen=True)
class _Setup:
    """Validated inputs of a kernel computation: layer-0 variances, covariance and NTK."""

    w2: np.ndarray
    b2: np.ndarray
    qa: np.ndarray
    qb: np.ndarray
    sigma0: np.ndarray
    theta0: np.ndarray | None
    symmetric: bool


def _setup(act, X, X2, depth, sigma_w2, sigma_b2, ntk, parameterization, width) -> _Setup:
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
    sigma0 = w2[0] * gram / d + b2[0]
    theta0 = None if not ntk else (sigma0.copy() if parameterization == "ntk" else gram + 1.0)
    return _Setup(w2, b2, qa, qb, sigma0, theta0, symmetric)


STEP_ENTRIES = 1 << 17  # entries per row block of the layer step (their arrays stay in cache)


def _layer_step(k_phi: np.ndarray, k_dphi: np.ndarray | None, theta_prev: np.ndarray | None, w2: float, b2: float,
                width: float | None, in_place: bool, upper: bool) -> tuple[np.ndarray | None, bool]:
    """One layer from the dual kernels K (``k_phi``) and K̇ (``k_dphi``, None without the NTK), in place:
    Σ^l = σ_w² K + σ_b² into k_phi, Σ̇^l = σ_w² K̇ into k_dphi, and Θ^l = Σ^l (standard parameterization:
    N K + 1, ``width`` N) + Σ̇^l Θ^{l−1} (into Θ^{l−1} itself when ``in_place``), row block by row block so that each
    block's arrays stay in cache; ``upper``: only the upper triangle (with the diagonal) of square matrices.
    Returns (Θ^l or None, whether Σ^l is finite there: if not, the step stops at the first block that is not)."""
    theta = None if k_dphi is None else (theta_prev if in_place else np.empty_like(theta_prev))
    n, m = k_phi.shape
    step = max(1, STEP_ENTRIES // max(1, m))
    for r in range(0, n, step):
        rows, cols = slice(r, r + step), slice(r if upper else 0, None)
        sig = k_phi[rows, cols]
        head = None if width is None else width * sig + 1.0
        sig *= w2
        sig += b2
        if not np.isfinite(sig).all():
            return theta, False
        if k_dphi is not None:
            dsig, th = k_dphi[rows, cols], theta[rows, cols]
            dsig *= w2
            np.multiply(dsig, theta_prev[rows, cols], out=th)
            th += sig if head is None else head
    return theta, True


def _recurse(act, s: _Setup, depth: int, ntk: bool, parameterization: str, width, block: int, progress: bool,
             keep: bool = True) -> KernelLayers:
    """The layer recursion from layer 0 (module docstring) on the covariance block s.sigma0 (``keep``:
    every layer's matrices, else only the last layer's, in lists of one)."""
    qa, qb, w2, b2, symmetric = s.qa, s.qb, s.w2, s.b2, s.symmetric
    sigma = [s.sigma0]
    dsigma: list[np.ndarray | None] = [None]
    theta = [s.theta0] if ntk else None
    for layer in range(1, depth + 1):
        # X2 = X and only the last layer wanted: every layer on the upper triangle (the maps are
        # entrywise given the diagonal), mirrored once at the end; the previous layer's Θ then takes Θ^l in place
        k_phi, k_dphi = dual_matrices(act, qa, qb, sigma[-1], symmetric, ntk, block, progress, mirror=keep)
        theta_l, finite = _layer_step(k_phi, k_dphi, theta[-1] if ntk else None, w2[layer], b2[layer],
                                      width if ntk and parameterization == "standard" else None, not keep, symmetric and not keep)
        if not finite:
            raise OverflowError(f"the NNGP kernel of {act.label} overflows float64 at layer {layer} (largest previous variance "
                                f"{float(np.max(qa)):.4g}): E[φ²] grows too fast with the variance for this depth; "
                                "use smaller sigma_w2 or fewer layers")
        sigma.append(k_phi)
        dsigma.append(k_dphi)
        if ntk:
            theta.append(theta_l)
        if not keep:
            sigma, dsigma, theta = sigma[-1:], dsigma[-1:], (theta[-1:] if ntk else None)
        if symmetric:
            qa = qb = np.diag(sigma[-1]).copy()
        else:
            qa, qb = (w2[layer] * second_moment(act, q) + b2[layer] for q in (qa, qb))
    if symmetric and not keep and depth > 0:
        for mat in (sigma[-1],) + ((theta[-1],) if ntk else ()):
            mirror_upper(mat)
    return KernelLayers(sigma, dsigma, theta, parameterization)


def kernel_layers(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, ntk: bool = True,
                  parameterization: str = "ntk", width: float | None = None, block: int = 1024,
                  progress: bool = False) -> KernelLayers:
    """Σ^l, Σ̇^l and (``ntk``) Θ^l for l = 0 … ``depth`` (see the module docstring); X is n × d,
    X2 (default X) m × d. ``width`` (hidden width N) is required by the standard parameterization."""
    s = _setup(act, X, X2, depth, sigma_w2, sigma_b2, ntk, parameterization, width)
    return _recurse(act, s, depth, ntk, parameterization, width, block, progress)


SPHERE_DEGREE = 1024  # Chebyshev degree in the input angle of the depth-L kernels on a sphere
SPHERE_MIN_ENTRIES = 50_000  # from here the composed series beats the layer-by-layer matrices
SPHERE_TOL = 1e-13  # trailing coefficients of the composed series, relative to the largest


def final_kernels(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, ntk: bool = True,
                  parameterization: str = "ntk", width: float | None = None, block: int = 1024,
                  progress: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """(Σ^L, Θ^L or None) only, as ``kernel_layers`` but faster for many inputs on one sphere: there
    every layer keeps one variance, so Σ^L and Θ^L are functions of the input angle θ_0 alone. The
    recursion then runs once on the Chebyshev extreme points in θ_0 (degree SPHERE_DEGREE), and the
    series (accepted when its trailing coefficients are below SPHERE_TOL of the largest, else the layer-
    by-layer route is used) is evaluated on all entries through its checked cubic table."""
    s = _setup(act, X, X2, depth, sigma_w2, sigma_b2, ntk, parameterization, width)
    q0 = float(s.qa[0])
    shared = common_variance(s.qa, s.qb)  # as the layer-wise θ-series route
    th0 = angle(s.qa[:, None], s.qb[None, :], s.sigma0) if shared else None  # per-entry variances: the diagonal is θ = 0
    if not shared:  # inputs sorted by variance: Mehler's row bands are then homogeneous in q (fewer terms)
        oa, ob = np.argsort(s.qa, kind="stable"), np.argsort(s.qb, kind="stable")
        grid = np.ix_(oa, ob)
        layers = _recurse(act, _Setup(s.w2, s.b2, s.qa[oa], s.qb[ob], s.sigma0[grid], None if s.theta0 is None else s.theta0[grid],
                                      s.symmetric), depth, ntk, parameterization, width, block, progress, keep=False)
        back = np.ix_(np.argsort(oa), np.argsort(ob))
        return layers.nngp[-1][back], (layers.ntk[-1][back] if ntk else None)
    lo, hi = _angle_range(th0, s.symmetric)
    if depth == 0 or s.sigma0.size < SPHERE_MIN_ENTRIES or hi - lo < 1e-9:
        layers = _recurse(act, s, depth, ntk, parameterization, width, block, progress, keep=False)
        return layers.nngp[-1], (layers.ntk[-1] if ntk else None)
    nodes = lo + (hi - lo) * (extrema(SPHERE_DEGREE) + 1) / 2
    k_nodes = q0 * np.cos(np.append(nodes, 0.0))  # the last: θ_0 = 0, the diagonal
    # Θ^0 at the nodes: Σ^0 itself (NTK parameterization) or x·x' + 1 = (Σ^0 − σ_b0²) d/σ_w0² + 1
    d = np.asarray(X).shape[1]
    theta_nodes = None if not ntk else (k_nodes.copy() if parameterization == "ntk" else (k_nodes - s.b2[0]) * d / s.w2[0] + 1.0)
    node_setup = _Setup(s.w2, s.b2, np.array([q0]), np.full(len(k_nodes), q0), k_nodes[None, :],
                        None if theta_nodes is None else theta_nodes[None, :], False)
    layers = _recurse(act, node_setup, depth, ntk, parameterization, width, block, progress, keep=False)
    out = []
    for mats in (layers.nngp, layers.ntk) if ntk else (layers.nngp,):
        values = mats[-1][0]
        coefs = chebyshev_coefficients(values[:-1])
        if trailing(coefs[:, None], 0) > SPHERE_TOL:
            full = _recurse(act, s, depth, ntk, parameterization, width, block, progress, keep=False)
            return full.nngp[-1], (full.ntk[-1] if ntk else None)
        mat = evaluate_series(coefs, (lo, hi), th0)
        if s.symmetric:
            np.fill_diagonal(mat, values[-1])
            mirror_upper(mat)
        out.append(mat)
    return out[0], (out[1] if ntk else None)


def _angle_range(th0: np.ndarray, symmetric: bool) -> tuple[float, float]:
    """The input angles the composed series must span: for X2 = X the off-diagonal ones (the diagonal,
    θ_0 = 0, is one extra node; leaving it out keeps the nodes away from θ_0 → 0, where angles recovered
    from covariances carry rounding ~ε/θ_0)."""
    if not symmetric:
        return float(th0.min()), float(th0.max())
    if th0.shape[0] < 2:  # one input: no off-diagonal angle
        return 0.0, 0.0
    diagonal = np.diag(th0).copy()
    np.fill_diagonal(th0, np.nan)
    lo, hi = float(np.nanmin(th0)), float(np.nanmax(th0))
    np.fill_diagonal(th0, diagonal)
    return lo, hi


def nngp(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, progress: bool = False) -> np.ndarray:
    """Σ^L(X, X2): the NNGP kernel of the readout layer after ``depth`` nonlinear layers."""
    return final_kernels(act, X, X2, depth, sigma_w2, sigma_b2, ntk=False, progress=progress)[0]


def ntk(act, X, X2=None, depth: int = 1, sigma_w2=1.0, sigma_b2=0.0, parameterization: str = "ntk",
        width: float | None = None, progress: bool = False) -> np.ndarray:
    """Θ^L(X, X2): the neural tangent kernel after ``depth`` nonlinear layers (NTK parameterization by
    default; ``parameterization="standard"`` needs the hidden ``width``)."""
    return final_kernels(act, X, X2, depth, sigma_w2, sigma_b2, True, parameterization, width, progress=progress)[1]
