"""Backward passes through the ensemble (explicit weights, regenerated from the same keys as the
forward pass): gradients of the first readout unit with respect to every hidden layer's
pre-activations, δ^l = ∂f/∂h^l = φ'(h^l) ⊙ (σ_w W̃^{l+1}ᵀ δ^{l+1}) (W̃ = W/σ_w: unit-scale weights)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .backend import jax_modules
from .ensemble import _activation_derivative, _weights, check_inputs, layer_keys, layers, run_ensemble
from .spec import NetworkSpec


@dataclass
class Gradients:
    """``norms`` (E, L, B): ‖δ^l(x_b)‖² for hidden layers l = 1 … L (index l − 1); ``networks``
    completed; ``interrupted`` by Ctrl-C."""

    norms: np.ndarray
    networks: int
    interrupted: bool


@lru_cache(maxsize=64)
def _backward_fn(act, n_out: int, n_in: int, orthogonal: bool, dtype_name: str):
    """Jitted, vmapped over networks: (keys of the layer, δ of its output (B × n_out), its input's
    pre-activations h (B × n_in) and their neuron types, σ_w) → δ of h."""
    jax, jnp = jax_modules()
    dtype = jnp.dtype(dtype_name)
    dapply = _activation_derivative(act)

    def one(key, delta, h, types, sigma_w):
        kw, _, _ = jax.random.split(key, 3)  # the forward pass's split: the same weights
        return dapply(h, types) * (sigma_w * delta @ _weights(kw, n_out, n_in, orthogonal, dtype))

    return jax.jit(jax.vmap(one, in_axes=(0, 0, 0, 0, None)))


def gradient_norms(spec: NetworkSpec, X: np.ndarray, progress: bool = True, chunk: int | None = None) -> Gradients:
    """‖∂f/∂h^l‖² per network, layer and input (``Gradients``), f the first readout unit."""
    jax, jnp = jax_modules()
    X = check_inputs(X)
    dims = (X.shape[1],) + spec.widths + (spec.outputs,)
    sigma_w = math.sqrt(spec.sigma_w2)

    def work(keys, tick):
        hs, ts = [], []
        for h, types, _, _ in layers(spec, X, keys, False, tick):
            hs.append(h)
            ts.append(types)
        delta = jnp.zeros(hs[-1].shape, hs[-1].dtype).at[:, :, 0].set(1.0)
        norms = []
        for l in range(spec.depth, 0, -1):  # loop index l maps h^l (hs[l − 1]) to hs[l]
            step = _backward_fn(spec.act, dims[l + 1], dims[l], spec.weights == "orthogonal", spec.dtype)
            delta = step(layer_keys(keys, l), delta, hs[l - 1], ts[l - 1], sigma_w)
            norms.append(np.asarray(jnp.sum(delta * delta, axis=-1), np.float64))
            tick()
        return {"norms": np.stack(norms[::-1], axis=1)}

    rows, done, interrupted = run_ensemble(spec, X, work, 2 * spec.depth + 1, progress, chunk, keep_layers=True)
    return Gradients(rows["norms"], done, interrupted)
