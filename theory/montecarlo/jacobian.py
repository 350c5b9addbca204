"""The input–output Jacobian of square networks (all widths equal to the input dimension N; explicit
weights, Gaussian or orthogonal): J_l = ∂g(h^l)/∂x = D_l σ_w W̃_l J_{l−1}, J_0 = I, D_l = ∂g/∂h^l (diag φ'(h^l) for
an element-wise φ; N × B·N for B pre-activations per unit, W̃_l then stacking the B branches' matrices: ``units``),
at the input x = (1, …, 1) (‖x‖²/N = 1). Per network: tr(J_l J_lᵀ)/N after every layer and the squared
singular values of J_L (Pennington, Schoenholz & Ganguli 2017: dynamical isometry)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .backend import jax_modules
from .ensemble import _layer_weights, layer_keys, layers, run_ensemble
from .spec import NetworkSpec, branches
from .units import layer_units


@dataclass
class Jacobians:
    """``mean_sq`` (E, L): tr(J_l J_lᵀ)/N, l = 1 … L (index l − 1); ``singular_sq`` (E, N): squared
    singular values of J_L; ``networks`` completed; ``interrupted`` by Ctrl-C."""

    mean_sq: np.ndarray
    singular_sq: np.ndarray
    networks: int
    interrupted: bool


def square_input(spec: NetworkSpec) -> np.ndarray:
    """The input x = (1, …, 1) of dimension N, for networks whose widths all equal N."""
    if len(set(spec.widths)) != 1:
        raise ValueError(f"the input-output Jacobian is measured on square networks (equal widths), got widths {spec.widths}")
    return np.ones((1, spec.widths[0]))


@lru_cache(maxsize=16)
def _update_fn(act, n: int, orthogonal: bool, dtype_name: str):
    """Jitted, vmapped over networks: (keys of the layer, J (N × N), the layer's pre-activations (1 × N)
    and neuron types, σ_w) → D σ_w W̃ J, with W̃ regenerated as in the forward pass."""
    jax, jnp = jax_modules()
    dtype = jnp.dtype(dtype_name)
    jvp, units = layer_units(act).jvp, branches(act)

    def one(key, J, h, types, sigma_w):
        kw, _, _ = jax.random.split(key, 3)
        tangents = sigma_w * _layer_weights(kw, n, n, orthogonal, dtype, units) @ J  # (B·N) × N: one column per input
        return jax.vmap(lambda t: jvp(h[0], types, t), in_axes=1, out_axes=1)(tangents)

    return jax.jit(jax.vmap(one, in_axes=(0, 0, 0, 0, None)))


def jacobians(spec: NetworkSpec, progress: bool = True, chunk: int | None = None) -> Jacobians:
    """See ``Jacobians`` (the readout is not part of J)."""
    jax, jnp = jax_modules()
    X = square_input(spec)
    n = spec.widths[0]
    sigma_w = math.sqrt(spec.sigma_w2)

    def work(keys, tick):
        J = jnp.broadcast_to(jnp.eye(n, dtype=jnp.dtype(spec.dtype)), (keys.shape[0], n, n))
        means = []
        for l, (h, types, _, _) in enumerate(layers(spec, X, keys, False, tick)):
            if l == spec.depth:  # the readout
                break
            J = _update_fn(spec.act, n, spec.weights == "orthogonal", spec.dtype)(layer_keys(keys, l), J, h, types, sigma_w)
            means.append(np.asarray(jnp.sum(J * J, axis=(1, 2)) / n, np.float64))
        singular = np.asarray(jnp.linalg.svd(J, compute_uv=False), np.float64) ** 2
        return {"mean_sq": np.stack(means, axis=1), "singular_sq": singular}

    rows, done, interrupted = run_ensemble(spec, X, work, spec.depth + 1, progress, chunk, keep_layers=True)
    return Jacobians(rows["mean_sq"], rows["singular_sq"], done, interrupted)
