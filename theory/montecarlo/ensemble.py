"""Ensembles of random networks in JAX (explicit weights): the forward pass layer by layer, vmapped
over networks, with per-layer statistics collected on the way (and, for backward measurements, the
activations kept). Network e of the ensemble draws every weight from fold_in(seed, e) and the layer
index, so the numbers do not depend on how the ensemble is chunked; chunks are sized to the memory
limit (``spec.chunk_size``). Ctrl-C stops after the current chunk's layer: the networks completed
so far are returned, marked ``interrupted``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..progress import progress as progress_bar
from .backend import ensemble_sharding, jax_modules, padded_keys, precision
from .spec import NetworkSpec, branches, chunk_size
from .units import layer_units


@dataclass
class Forward:
    """Per-network statistics of the pre-activations h^1 … h^L and the readout f (index l = 0 … L):
    ``gram`` (E, L+1, B, B) = (1/N_l) Σ_i h_i(x_a) h_i(x_b); ``fourth`` (E, L+1, B) = (1/N_l) Σ_i h_i(x_a)⁴ (N_l
    pre-activations: twice the width for gated units, whose u and v are pooled);
    ``outputs`` (E, B, outputs) = f; ``networks`` completed; ``interrupted`` by Ctrl-C."""

    gram: np.ndarray
    fourth: np.ndarray
    outputs: np.ndarray
    networks: int
    interrupted: bool


def _branch_keys(kw, units: int) -> list:
    """The keys of a layer's ``units`` weight matrices: kw itself for a plain layer, kw split in ``units`` otherwise."""
    jax, _ = jax_modules()
    return [kw] if units == 1 else list(jax.random.split(kw, units))


def _layer_weights(kw, n_out: int, n_in: int, orthogonal: bool, dtype, units: int):
    """The unit-scale weights of a layer with ``units`` pre-activations per unit (``_weights``), stacked branch by
    branch (``_branch_keys``: the forward and backward passes draw the same matrices)."""
    _, jnp = jax_modules()
    return jnp.concatenate([_weights(k, n_out, n_in, orthogonal, dtype) for k in _branch_keys(kw, units)], axis=0)


def _weights(key, n_out: int, n_in: int, orthogonal: bool, dtype):
    """W with E[(W v)_i²] = ‖v‖²/n_in (module docstring of spec: Gaussian or scaled Haar)."""
    jax, jnp = jax_modules()
    if orthogonal:
        m = max(n_out, n_in)
        return jax.random.orthogonal(key, m, dtype=dtype)[:n_out, :n_in] * jnp.sqrt(jnp.asarray(m / n_in, dtype))
    return jax.random.normal(key, (n_out, n_in), dtype=dtype) / jnp.sqrt(jnp.asarray(n_in, dtype))


def _gaussian_given_gram(key, g, n_out: int, sigma_w, sigma_b, dtype):
    """The exact law of h = W g + b for Gaussian W, b given the layer's inputs g (B × n_in): every
    neuron's B pre-activations are N(0, K), independent across neurons, with K = σ_w² g gᵀ/n_in + σ_b²
    (a PSD square root of the B × B matrix K: O(N B²) instead of O(N² B))."""
    jax, jnp = jax_modules()
    K = sigma_w**2 * g @ g.T / g.shape[-1] + sigma_b**2
    w, U = jnp.linalg.eigh(K)
    root = U * jnp.sqrt(jnp.maximum(w, 0.0))
    return (jax.random.normal(key, (n_out, g.shape[0]), dtype=dtype) @ root.T).T


def _orthogonal_given_inputs(key, g, n_out: int, sigma_w, dtype):
    """The exact law of σ_w W gᵀ for scaled Haar W (``_weights``: W = √(m/n_in) H[:n_out, :n_in], H Haar
    on O(m), m = max(n_out, n_in)) given the layer's inputs g (B × n_in), without the m × m matrix. With
    gᵀ = U R (QR, U: n_in × k orthonormal, k = min(n_in, B)), W gᵀ = √(m/n_in) (H [U; 0])[:n_out] R, and H [U; 0]
    is a uniformly random m × k orthonormal frame whatever U is (Haar invariance; U depends on g only), drawn
    as the sign-fixed Q of a Gaussian m × k matrix (Mezzadri 2007). O(N B²) instead of O(N³) per layer; the
    returned (B × n_out) pre-activations have the law of the explicit route's (not its numbers)."""
    jax, jnp = jax_modules()
    n_in = g.shape[-1]
    m = max(n_out, n_in)
    _, R = jnp.linalg.qr(g.T)
    Q, S = jnp.linalg.qr(jax.random.normal(key, (m, R.shape[0]), dtype=dtype))
    frame = Q * jnp.where(jnp.diagonal(S) < 0, -1.0, 1.0).astype(dtype)
    return (sigma_w * jnp.sqrt(jnp.asarray(m / n_in, dtype)) * frame[:n_out] @ R).T


@lru_cache(maxsize=64)
def _layer_fn(act, n_out: int, n_in: int, orthogonal: bool, first: bool, dtype_name: str, fast: bool, units: int = 1):
    """Jitted, vmapped over networks: (keys, inputs of the layer, σ_w, σ_b) → (h, gram, fourth); the
    inputs are x (first layer) or h^{l−1}, to which φ is applied here. ``fast``: no weight matrices, the
    pre-activations drawn from their exact conditional law given the layer's inputs (Gaussian or orthogonal).
    ``units`` > 1 (``spec.branches``: 2 for a gated layer, k for maxout): units·n_out pre-activations (branch 1 | …)
    from independent weight matrices (the keys split once more, ``_branch_keys``; with units = 1 the numbers are those
    of a plain layer), gram and fourth pooled over all."""
    jax, jnp = jax_modules()
    dtype = jnp.dtype(dtype_name)
    units_map = layer_units(act)
    apply, probs = units_map.apply, units_map.probs
    pre = units * n_out

    def one(key, prev, prev_types, sigma_w, sigma_b):
        kw, kb, kt = jax.random.split(key, 3)
        g = prev if first else apply(prev, prev_types)
        if fast and orthogonal:
            h = jnp.concatenate([_orthogonal_given_inputs(k, g, n_out, sigma_w, dtype) for k in _branch_keys(kw, units)],
                                axis=-1)
            h = h + sigma_b * jax.random.normal(kb, (pre,), dtype=dtype)
        elif fast:
            h = _gaussian_given_gram(kw, g, pre, sigma_w, sigma_b, dtype)
        else:
            W = _layer_weights(kw, n_out, n_in, orthogonal, dtype, units)
            h = sigma_w * g @ W.T + sigma_b * jax.random.normal(kb, (pre,), dtype=dtype)
        types = (jax.random.choice(kt, len(probs), (n_out,), p=jnp.asarray(probs, dtype)) if probs is not None
                 else jnp.zeros((n_out,), jnp.int32))  # each unit's kind in a mixture (``units``)
        gram = h @ h.T / pre
        fourth = jnp.mean(h**4, axis=-1)
        return h, types, gram, fourth

    return jax.jit(jax.vmap(one, in_axes=(0, 0, 0, None, None)))


def check_inputs(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise ValueError(f"inputs must be a finite 2-D array (B inputs × d features), got shape {X.shape}")
    return X


def run_ensemble(spec: NetworkSpec, X: np.ndarray, work, steps: int, progress: bool, chunk: int | None,
                 keep_layers: bool = False, fast: bool = False) -> tuple[dict[str, np.ndarray], int, bool]:
    """The ensemble chunk by chunk: ``work(keys, tick)`` gets the chunk's per-network keys (inside the
    run's precision) and returns a dict of arrays with one row per network; ``tick()`` advances the
    progress bar (``steps`` per chunk). Returns (the rows of every completed network, their number,
    whether Ctrl-C interrupted the run)."""
    jax, _ = jax_modules()
    fits = chunk_size(spec, X.shape[0], X.shape[1], keep_layers=keep_layers, fast=fast)
    chunk = fits if chunk is None else max(1, min(int(chunk), fits))
    parts: list[dict[str, np.ndarray]] = []
    interrupted = False
    with precision(spec.dtype):
        base = jax.random.key(spec.seed)
        shard = ensemble_sharding()  # every local device: each takes whole networks (bit for bit the one-device run)
        bar = progress_bar(None, desc=f"{getattr(spec.act, 'name', 'network')}: {spec.ensemble} networks", disable=not progress,
                           total=math.ceil(spec.ensemble / chunk) * steps)
        try:
            for start in range(0, spec.ensemble, chunk):
                stop = min(start + chunk, spec.ensemble)
                rows = work(padded_keys(base, start, stop, shard, min(2, fits)), lambda: bar.update(1))
                parts.append({k: v[:stop - start] for k, v in rows.items()})
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bar.close()
    done = sum(len(next(iter(p.values()))) for p in parts)
    if done < 2:
        raise KeyboardInterrupt("interrupted before two networks were complete: no result") if interrupted else RuntimeError("no networks ran")
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}, done, interrupted


def layers(spec: NetworkSpec, X: np.ndarray, keys, fast: bool, tick):
    """Yield, layer by layer (loop index l = 0 … L: h^{l+1}, the readout last), (h, types, gram, fourth)
    for the chunk of networks with these keys."""
    jax, jnp = jax_modules()
    B, d = X.shape
    dims = (d,) + spec.widths + (spec.outputs,)
    sigma_w, sigma_b = math.sqrt(spec.sigma_w2), math.sqrt(spec.sigma_b2)
    h = jnp.broadcast_to(jnp.asarray(X, jnp.dtype(spec.dtype)), (keys.shape[0], B, d))
    types = jnp.zeros((keys.shape[0], d), jnp.int32)
    for l in range(spec.depth + 1):
        units = branches(spec.act) if l < spec.depth else 1  # the readout is plain
        step = _layer_fn(spec.act, dims[l + 1], dims[l], spec.weights == "orthogonal", l == 0, spec.dtype, fast, units)
        h, types, gram, fourth = step(layer_keys(keys, l), h, types, sigma_w, sigma_b)
        tick()
        yield h, types, gram, fourth


def layer_keys(keys, l: int):
    """The keys of loop index l (``layers``) for each network."""
    jax, _ = jax_modules()
    return jax.vmap(lambda k: jax.random.fold_in(k, l))(keys)


def forward(spec: NetworkSpec, X: np.ndarray, progress: bool = True, chunk: int | None = None, fast: bool = False) -> Forward:
    """Run the ensemble on the inputs X (B × d), ``chunk`` networks at a time (default: as many as
    the memory limit allows); see ``Forward``. ``fast``: draw each layer's pre-activations from their exact
    law given the previous layer (``_gaussian_given_gram``, ``_orthogonal_given_inputs``) instead of drawing
    weight matrices; the forward statistics have the same distribution (not the same numbers)."""
    X = check_inputs(X)

    def work(keys, tick):
        grams, fourths, h = [], [], None
        for h, _, gram, fourth in layers(spec, X, keys, fast, tick):
            grams.append(np.asarray(gram, np.float64))
            fourths.append(np.asarray(fourth, np.float64))
        return {"gram": np.stack(grams, axis=1), "fourth": np.stack(fourths, axis=1), "outputs": np.asarray(h, np.float64)}

    rows, done, interrupted = run_ensemble(spec, X, work, spec.depth + 1, progress, chunk, fast=fast)
    return Forward(rows["gram"], rows["fourth"], rows["outputs"], done, interrupted)
