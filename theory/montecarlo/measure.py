"""Measurements on an ensemble's forward pass, each against its theory (index l = 0 … L: the
pre-activations h^{l+1} of hidden layer l + 1, and at l = L the readout f):

- ``q``: E[h_i(x)²] per layer, against the length map iterated from q^0 = σ_w²‖x‖²/d + σ_b²
  (Poole et al. 2016);
- ``c``: the correlation of two inputs' pre-activations per layer, against the correlation map
  (Poole et al. 2016; Schoenholz et al. 2017);
- ``grad``: E‖∂f/∂h^l‖² for the first readout unit f and hidden layers l = 1 … L (index l − 1), against
  Π_{k=l}^{L} χ(q^k) with χ(q) = σ_w² E[φ'(√q z)²]: each layer back multiplies the gradient's second
  moment by χ (Schoenholz et al. 2017, gradient independence; χ = χ_1 at the fixed point);
- ``nngp``: the readout's covariance E[f(x_a) f(x_b)] for every pair of inputs, against Σ^L of ``ntk.nngp``
  (Neal; Lee et al. 2018);
- ``ntk``: the mean over networks of the empirical NTK of the first readout unit, against Θ^L of
  ``ntk.ntk`` in the same parameterization (Jacot et al. 2018; the standard one at the hidden width);
- ``qvar``: the relative variance of q^l across networks, Var_e(q̂_e)/E[q̂]² with q̂_e = (1/N)Σ_i h_i², against
  (Var(s²) + 2 q²/N)/q² for Gaussian weights (the layer's random variance plus the sampling of N neurons
  given it); orthogonal weights keep q from fluctuating through the layer's own weights (an orthogonal
  W preserves ‖g‖ exactly), the effect studied by Day, Kahn & Roberts: measured, no theory here;
- ``jacobian``: tr(J_l J_lᵀ)/N of the input–output Jacobian of a square network after each layer, against
  Π_{k≤l} χ(q^k), its infinite-width value (every layer law: ``units``). At width N the unit's Jacobian selects on the
  part of W̃ along the layer's input, which biases the mean by O(1/N) per layer: at depth 1 with σ_b = 0 exactly
  σ_w²[G + (E[(Σ_b P_b z_b)²] − G)/N] (maxout: σ_w²(1 + (M_k − 1)/N); tests/test_mc_units.py); and ``jacobian_spread``: the relative variance of J_L's squared singular values (mean
  over networks), measured only — the width of the spectrum that orthogonal weights and small q* keep
  narrow for tanh and that ReLU cannot (Pennington, Schoenholz & Ganguli 2017);
- ``kurtosis``: the excess kurtosis E[h⁴]/E[h²]² − 3 of a pre-activation over networks and neurons,
  against the leading 1/N term for Gaussian weights. Given layer l, h^{l+1}_i is Gaussian with the random
  variance s² = σ_w²‖φ(h^l)‖²/N_l + σ_b², so its excess kurtosis is 3 Var(s²)/E[s²]², and
  Var(s²_{l+1}) = σ_w⁴ Var_z[φ(√q_l z)²]/N_l + V'(q_l)² Var(s²_l) (Var(s²_1) = 0 for a fixed input; a gated unit:
  Var[g²] = E[φ⁴]E[ψ⁴] − M², N_l units, each of the layer's u and v having variance s²; statistics pool both):
  the single-input four-point vertex of Roberts, Yaida & Hanin (2022, ch. 4), to O(1/N). For ReLU
  with σ_b = 0 it is exactly (1 + 5/N)^l − 1 (Hanin & Nica 2019).

Standard errors come from the spread over networks (independent), neurons of one network being
correlated through their shared inputs.
"""

from __future__ import annotations

import numpy as np

from signalprop import iterate_length_map, iterate_maps
from signalprop.laws import UnsupportedLayerError, layer_law
from signalprop.maps import chi1, length_map_slope

from .compare import Comparison, delta_method, mean_error_skew
from .backward import Gradients
from .jacobian import Jacobians, square_input
from .ensemble import Forward
from .spec import NetworkSpec, branches


def layer_variances(spec: NetworkSpec, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean-field q^l of the first two inputs and their correlation c^l, l = 0 … L (``iterate_maps``); where the
    layer law has no dual (groups beyond ``group_duals.MAX_K``) the lengths alone, with c^l NaN (no theory to compare)."""
    d = X.shape[1]
    q0 = [spec.sigma_w2 * float(x @ x) / d + spec.sigma_b2 for x in X[:2]]
    c0 = (spec.sigma_w2 * float(X[0] @ X[1]) / d + spec.sigma_b2) / np.sqrt(q0[0] * q0[1]) if len(X) > 1 else 1.0
    try:
        return iterate_maps(spec.act, q0[0], float(np.clip(c0, -1, 1)), spec.sigma_w2, spec.sigma_b2, spec.depth,
                            q0_other=q0[-1])
    except UnsupportedLayerError:
        q1, q2 = (iterate_length_map(spec.act, q, spec.sigma_w2, spec.sigma_b2, spec.depth) for q in (q0[0], q0[-1]))
        return q1, q2, np.full(spec.depth + 1, np.nan)


def _layers(spec: NetworkSpec) -> np.ndarray:
    return np.arange(spec.depth + 1)


def measure_q(spec: NetworkSpec, X: np.ndarray, fwd: Forward) -> Comparison:
    """q^l of the first input (see the module docstring)."""
    measured, stderr, skew = mean_error_skew(fwd.gram[:, :, 0, 0])
    return Comparison("q (pre-activation variance)", _layers(spec), measured, stderr, layer_variances(spec, X)[0], skew=skew)


def measure_c(spec: NetworkSpec, X: np.ndarray, fwd: Forward) -> Comparison:
    """c^l between the first two inputs: E[h(x1)h(x2)]/√(E[h(x1)²] E[h(x2)²]) over networks and
    neurons (a ratio of pooled moments, as the theory defines it; a per-network ratio would carry an
    extra O(1/N) bias and be meaningless for one readout unit); error by the delta method."""
    if X.shape[0] < 2:
        raise ValueError("the correlation needs two inputs")
    g = fwd.gram
    samples = np.stack([g[:, :, 0, 1], g[:, :, 0, 0], g[:, :, 1, 1]], axis=1)  # (E, 3, layers)
    m12, m11, m22 = samples.mean(axis=0)
    measured = m12 / np.sqrt(m11 * m22)
    gradient = np.stack([1 / np.sqrt(m11 * m22), -measured / (2 * m11), -measured / (2 * m22)])
    stderr, skew = delta_method(samples, gradient)
    return Comparison("c (correlation of two inputs)", _layers(spec), measured, stderr, layer_variances(spec, X)[2], skew=skew)


def vertex(spec: NetworkSpec, q: np.ndarray) -> np.ndarray:
    """Var(s²) of h^{l+1}, l = 0 … L, to leading order in 1/N for Gaussian weights (the module
    docstring's recursion; q indexed as ``layer_variances``)."""
    w2, law = spec.sigma_w2, layer_law(spec.act)
    var = np.zeros(spec.depth + 1)
    for l in range(1, spec.depth + 1):
        spread = float(law.fourth_moment(q[l - 1])) - float(law.second_moment(q[l - 1])) ** 2
        var[l] = w2 * w2 * spread / spec.widths[l - 1] + float(length_map_slope(spec.act, q[l - 1], w2)) ** 2 * var[l - 1]
    return var


def kurtosis_theory(spec: NetworkSpec, q: np.ndarray) -> np.ndarray:
    """Excess kurtosis of h^{l+1}, l = 0 … L, to leading order in 1/N for Gaussian weights: 3 Var(s²)/q²."""
    return 3 * vertex(spec, q) / q**2


def mean_shift_theory(spec: NetworkSpec, q: np.ndarray) -> np.ndarray:
    """E[q^l] − q^l (finite width minus infinite width) to leading order in 1/N for Gaussian weights:
    δ_{l+1} = V'(q_l) δ_l + (σ_w²/2) M''(q_l) Var(s²_l), δ_1 = 0, with M(q) = E[φ(√q z)²] (a second-order
    expansion of E[M(s²)] around the mean; the O(1/N) kernel correction of Roberts, Yaida & Hanin,
    single input). M'' by central differences (step 1e-3 q; the moments are good to ~1e-14)."""
    var = vertex(spec, q)
    shift = np.zeros(spec.depth + 1)
    for l in range(1, spec.depth + 1):
        x, h = q[l - 1], 1e-3 * q[l - 1]
        m = [float(layer_law(spec.act).second_moment(v)) for v in (x - h, x, x + h)]
        curvature = (m[0] - 2 * m[1] + m[2]) / (h * h)
        shift[l] = float(length_map_slope(spec.act, x, spec.sigma_w2)) * shift[l - 1] + spec.sigma_w2 / 2 * curvature * var[l - 1]
    return shift


def measure_kurtosis(spec: NetworkSpec, X: np.ndarray, fwd: Forward) -> Comparison:
    """Excess kurtosis of the first input's pre-activations per layer, pooled over networks and
    neurons; its error by the delta method on the per-network second and fourth moments."""
    m2, m4 = fwd.gram[:, :, 0, 0], fwd.fourth[:, :, 0]
    a2, a4 = m2.mean(axis=0), m4.mean(axis=0)
    measured = a4 / a2**2 - 3
    stderr, skew = delta_method(np.stack([m2, m4], axis=1), np.stack([-2 * a4 / a2**3, 1 / a2**2]))
    theory = kurtosis_theory(spec, layer_variances(spec, X)[0]) if spec.weights == "gaussian" else np.full(spec.depth + 1, np.nan)
    return Comparison("excess kurtosis of h", _layers(spec), measured, stderr, theory, skew=skew,
                      notes={} if spec.weights == "gaussian" else {"theory": "Gaussian weights only"})


def gradient_theory(spec: NetworkSpec, q: np.ndarray) -> np.ndarray:
    """E‖δ^l‖² = Π_{k=l}^{L} χ(q^k), l = 1 … L (q indexed as ``layer_variances``: q[k − 1] is h^k's)."""
    chis = np.array([float(chi1(spec.act, q[k], spec.sigma_w2)) for k in range(spec.depth)])
    return np.cumprod(chis[::-1])[::-1]


def measure_grad(spec: NetworkSpec, X: np.ndarray, grads: Gradients) -> Comparison:
    """E‖∂f/∂h^l(x_1)‖² per hidden layer over networks (see the module docstring)."""
    measured, stderr, skew = mean_error_skew(grads.norms[:, :, 0])
    return Comparison("gradient second moment |df/dh|^2", np.arange(spec.depth), measured, stderr,
                      gradient_theory(spec, layer_variances(spec, X)[0]), skew=skew)


def _pairs(B: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(B)


def measure_nngp(spec: NetworkSpec, X: np.ndarray, fwd: Forward) -> Comparison:
    """Readout covariance per pair of inputs (a ≤ b) over networks and readout units, against ``ntk.nngp``."""
    from ntk import nngp

    a, b = _pairs(X.shape[0])
    measured, stderr, skew = mean_error_skew(fwd.gram[:, spec.depth][:, a, b])
    theory = nngp(spec.act, X, depth=spec.depth, sigma_w2=spec.sigma_w2, sigma_b2=spec.sigma_b2)[a, b]
    return Comparison("NNGP: readout covariance per input pair", np.arange(len(a)), measured, stderr, theory, skew=skew,
                      index_name="pair", notes={"pairs": np.column_stack([a, b]).tolist()})


def measure_ntk(spec: NetworkSpec, X: np.ndarray, grads: Gradients) -> Comparison:
    """Mean empirical NTK per pair of inputs (a ≤ b), against ``ntk.ntk`` (same parameterization; the
    standard one needs equal hidden widths, its width)."""
    from ntk import ntk

    a, b = _pairs(X.shape[0])
    measured, stderr, skew = mean_error_skew(grads.ntk[:, a, b])
    if spec.parameterization == "standard" and len(set(spec.widths)) > 1:
        theory, notes = np.full(len(a), np.nan), {"theory": "standard parameterization: equal hidden widths only"}
    else:
        theory = ntk(spec.act, X, depth=spec.depth, sigma_w2=spec.sigma_w2, sigma_b2=spec.sigma_b2,
                     parameterization=spec.parameterization, width=spec.widths[0])[a, b]
        notes = {}
    return Comparison(f"NTK ({spec.parameterization} parameterization) per input pair", np.arange(len(a)), measured, stderr,
                      theory, index_name="pair", notes={"pairs": np.column_stack([a, b]).tolist(), **notes}, skew=skew)


def measure_qvar(spec: NetworkSpec, X: np.ndarray, fwd: Forward) -> Comparison:
    """Relative variance of the first input's q̂^l across networks (unbiased), delta-method error."""
    q = fwd.gram[:, :, 0, 0]
    e = q.shape[0]
    m1, m2 = q.mean(axis=0), (q * q).mean(axis=0)
    scale = e / (e - 1)
    measured = scale * (m2 - m1 * m1) / (m1 * m1)
    gradient = np.stack([scale * (-2 * m2 / m1**3), scale / (m1 * m1)])
    stderr, skew = delta_method(np.stack([q, q * q], axis=1), gradient)
    if spec.weights == "gaussian":
        mf = layer_variances(spec, X)[0]
        units = np.array([branches(spec.act) * n for n in spec.widths] + [spec.outputs], dtype=np.float64)  # pooled in q̂
        theory, notes = (vertex(spec, mf) + 2 * mf**2 / units) / mf**2, {}
    else:
        theory, notes = np.full(spec.depth + 1, np.nan), {"theory": "Gaussian weights only"}
    return Comparison("relative variance of q across networks", _layers(spec), measured, stderr, theory, notes=notes, skew=skew)


def measure_jacobian(spec: NetworkSpec, X: np.ndarray, jac: Jacobians) -> Comparison:
    """Mean squared singular value per layer against Π χ (the input is ``square_input``; X is unused)."""
    measured, stderr, skew = mean_error_skew(jac.mean_sq)
    q = layer_variances(spec, square_input(spec))[0]
    chis = np.array([float(chi1(spec.act, q[k], spec.sigma_w2)) for k in range(spec.depth)])
    return Comparison("mean squared singular value of the Jacobian", np.arange(spec.depth), measured, stderr, np.cumprod(chis),
                      skew=skew)


def measure_jacobian_spread(spec: NetworkSpec, X: np.ndarray, jac: Jacobians) -> Comparison:
    """Var/mean² of J_L's squared singular values, averaged over networks (measured only)."""
    s = jac.singular_sq
    spread = s.var(axis=1) / s.mean(axis=1) ** 2
    measured, stderr, skew = mean_error_skew(spread)
    return Comparison("spread of the squared singular values (var/mean^2, last layer)", np.array([spec.depth - 1]),
                      np.atleast_1d(measured), np.atleast_1d(stderr), np.array([np.nan]), notes={"theory": "measured only"},
                      skew=np.atleast_1d(skew))
