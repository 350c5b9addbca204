"""Backward passes through the ensemble (explicit weights, regenerated from the same keys as the
forward pass) for the first readout unit f:

- gradients with respect to every hidden layer's pre-activations,
  δ^l = ∂f/∂h^l = (∂g/∂h^l)ᵀ (σ_w W̃^{l+1}ᵀ δ^{l+1}) (W̃: the unit-scale weights, E[(W̃v)_i²] = ‖v‖²/N), i.e.
  φ'(h^l) ⊙ … for an element-wise φ; for a gated unit h = (u | v) and δ^l = (φ'(u)ψ(v) ⊙ δ_g | φ(u)ψ'(v) ⊙ δ_g)
  with δ_g = σ_w W̃ᵀ δ^{l+1} (every kind: ``units``);
- the empirical NTK Θ(x_a, x_b) = Σ_θ ∂f(x_a)/∂θ ∂f(x_b)/∂θ, summed layer by layer from δ^l and the
  layer's inputs g^{l−1} (x for the first layer, φ(h^{l−1}) after):
  standard parameterization (the parameters are W and b themselves): (δ_a·δ_b)(g_a·g_b + 1);
  NTK parameterization (the parameters U, β have unit-variance entries, W = σ_w U/√N_{l−1}, b = σ_b β):
  (δ_a·δ_b)(σ_w² g_a·g_b/N_{l−1} + σ_b²) (Jacot et al. 2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .backend import jax_modules
from .ensemble import _layer_weights, check_inputs, layer_keys, layers, run_ensemble
from .spec import NetworkSpec, branches
from .units import layer_units


@dataclass
class Gradients:
    """``norms`` (E, L, B): ‖δ^l(x_b)‖² for hidden layers l = 1 … L (index l − 1); ``ntk`` (E, B, B):
    each network's empirical NTK of f; ``networks`` completed; ``interrupted`` by Ctrl-C."""

    norms: np.ndarray
    ntk: np.ndarray
    networks: int
    interrupted: bool


@lru_cache(maxsize=64)
def _backward_fn(act, n_out: int, n_in: int, orthogonal: bool, dtype_name: str, first: bool, ntk_param: bool, units: int = 1):
    """Jitted, vmapped over networks: (keys of the layer, δ of its output's pre-activations (B × units·n_out), its
    input's pre-activations h (x for the first layer) and their neuron types, σ_w, σ_b) → (δ of h, the layer's NTK
    term (B × B)). ``units`` > 1 (gated: 2, maxout: k): the layer's weight matrices of every branch (all feed the NTK
    term through δ)."""
    jax, jnp = jax_modules()
    dtype = jnp.dtype(dtype_name)
    units_map = layer_units(act)
    apply, vjp = units_map.apply, units_map.vjp

    def one(key, delta, h, types, sigma_w, sigma_b):
        kw, _, _ = jax.random.split(key, 3)  # the forward pass's split: the same weights
        g = h if first else apply(h, types)
        dd = delta @ delta.T
        gg = g @ g.T
        term = dd * (sigma_w**2 * gg / n_in + sigma_b**2) if ntk_param else dd * (gg + 1.0)
        if first:
            back = jnp.zeros_like(h)
        else:
            back = vjp(h, types, sigma_w * delta @ _layer_weights(kw, n_out, n_in, orthogonal, dtype, units))
        return back, term

    return jax.jit(jax.vmap(one, in_axes=(0, 0, 0, 0, None, None)))


def gradients(spec: NetworkSpec, X: np.ndarray, progress: bool = True, chunk: int | None = None) -> Gradients:
    """‖∂f/∂h^l‖² per network, layer and input, and each network's empirical NTK (``Gradients``)."""
    jax, jnp = jax_modules()
    X = check_inputs(X)
    dims = (X.shape[1],) + spec.widths + (spec.outputs,)
    sigma_w, sigma_b = math.sqrt(spec.sigma_w2), math.sqrt(spec.sigma_b2)

    def work(keys, tick):
        hs, ts = [jnp.broadcast_to(jnp.asarray(X, jnp.dtype(spec.dtype)), (keys.shape[0],) + X.shape)], [jnp.zeros((keys.shape[0], X.shape[1]), jnp.int32)]
        for h, types, _, _ in layers(spec, X, keys, False, tick):
            hs.append(h)
            ts.append(types)
        delta = jnp.zeros(hs[-1].shape, hs[-1].dtype).at[:, :, 0].set(1.0)
        norms, ntk = [], 0.0
        for l in range(spec.depth, -1, -1):  # loop index l maps hs[l] (x, or h^l) to hs[l + 1]
            units = branches(spec.act) if l < spec.depth else 1  # the readout is plain
            step = _backward_fn(spec.act, dims[l + 1], dims[l], spec.weights == "orthogonal", spec.dtype, l == 0,
                                spec.parameterization == "ntk", units)
            delta, term = step(layer_keys(keys, l), delta, hs[l], ts[l], sigma_w, sigma_b)
            ntk = ntk + term
            if l > 0:
                norms.append(np.asarray(jnp.sum(delta * delta, axis=-1), np.float64))
            tick()
        return {"norms": np.stack(norms[::-1], axis=1), "ntk": np.asarray(ntk, np.float64)}

    rows, done, interrupted = run_ensemble(spec, X, work, 2 * spec.depth + 2, progress, chunk, keep_layers=True)
    return Gradients(rows["norms"], rows["ntk"], done, interrupted)
