"""Ensembles of random networks in JAX (explicit weights): the forward pass layer by layer, vmapped
over networks, with per-layer statistics collected on the way (and, for backward measurements, the
activations kept). Network e of the ensemble draws every weight from fold_in(seed, e) and the layer
index, so the numbers do not depend on how the ensemble is chunked; chunks are sized to the memory
limit (``spec.chunk_size``). Ctrl-C stops after the current chunk's layer: the networks completed
so far are returned, marked ``interrupted``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from signalprop.laws import UnsupportedLayerError, require_elementwise
from signalprop.mixing import Mixture, components
from symbolic import GatedUnit, GroupUnit

from ..progress import progress as progress_bar
from .backend import jax_modules, precision
from .spec import NetworkSpec, branches, chunk_size


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


def _activation(act, k: int = 0):
    """φ^(k) on JAX arrays of pre-activations (…, N) as apply(h, types) (``types``: each neuron's
    component of a mixture), and the mixture's probabilities (None for one activation). A gated unit (k = 0):
    the pre-activations are (u | v), N = 2n, and apply gives φ(u)·ψ(v) (n units)."""
    _, jnp = jax_modules()
    if isinstance(act, GroupUnit):
        if k:
            raise UnsupportedLayerError(f"the input-output Jacobian spectrum is not available for group units yet ({act.label})")
        return _group_apply(act), None
    if isinstance(act, GatedUnit):
        if k:
            raise UnsupportedLayerError(f"the input-output Jacobian spectrum is not available for gated units yet ({act.label})")
        gate, value = act.gate.jax(0), act.value.jax(0)
        return (lambda h, types: gate(h[..., : h.shape[-1] // 2]) * value(h[..., h.shape[-1] // 2:])), None
    if isinstance(act, Mixture):
        require_elementwise(act, "Monte Carlo of a mixture")
    parts = components(act)
    funcs = [a.jax(k) for a, _ in parts]
    if len(funcs) == 1:
        return (lambda h, types: funcs[0](h)), None
    probs = np.array([w for _, w in parts])

    def apply(h, types):
        out = funcs[0](h)
        for m, f in enumerate(funcs[1:], start=1):
            out = jnp.where(types == m, f(h), out)
        return out

    return apply, probs


def _group_apply(unit: GroupUnit):
    """A group activation on pre-activations (…, N) as apply(h, types): groupsort sorts each run of k consecutive
    units in descending order; householder maps each pair z to z if vᵀz > 0 else z − 2(vᵀz)v, v = (sin θ/2, −cos θ/2);
    maxout takes the max over its k branches (h = (branch 1 | … | branch k), N = k n)."""
    _, jnp = jax_modules()
    k = unit.k
    if unit.kind == "maxout":
        return lambda h, types: jnp.max(h.reshape(h.shape[:-1] + (k, h.shape[-1] // k)), axis=-2)
    if unit.kind == "groupsort":
        return lambda h, types: -jnp.sort(-h.reshape(h.shape[:-1] + (-1, k)), axis=-1).reshape(h.shape)
    v = np.array([math.sin(unit.theta / 2), -math.cos(unit.theta / 2)])

    def householder(h, types):
        z = h.reshape(h.shape[:-1] + (-1, 2))
        s = z @ jnp.asarray(v, h.dtype)
        return jnp.where(s[..., None] > 0, z, z - 2 * s[..., None] * jnp.asarray(v, h.dtype)).reshape(h.shape)

    return householder


def _activation_derivative(act):
    """φ' as apply(h, types) (``_activation`` with k = 1; element-wise activations and mixtures)."""
    return _activation(act, 1)[0]


def _activation_vjp(act):
    """The backward step through the activation: vjp(h, types, δ_g) = ∂g/∂h ᵀ δ_g, i.e. φ'(h) ⊙ δ_g, and for a gated
    unit (h = (u | v)) the pair (φ'(u)ψ(v) ⊙ δ_g | φ(u)ψ'(v) ⊙ δ_g)."""
    jax, jnp = jax_modules()
    if isinstance(act, GroupUnit):  # piecewise linear: the derivative of the branch in force (jax.vjp)
        apply = _group_apply(act)
        return lambda h, types, delta: jax.vjp(lambda x: apply(x, types), h)[1](delta)[0]
    if isinstance(act, GatedUnit):
        f, df, g, dg = act.gate.jax(0), act.gate.jax(1), act.value.jax(0), act.value.jax(1)

        def vjp(h, types, delta):
            n = h.shape[-1] // 2
            u, v = h[..., :n], h[..., n:]
            return jnp.concatenate([df(u) * g(v) * delta, f(u) * dg(v) * delta], axis=-1)

        return vjp
    dapply = _activation_derivative(act)
    return lambda h, types, delta: dapply(h, types) * delta


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
    apply, probs = _activation(act)
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
        types = (jax.random.choice(kt, len(probs), (pre,), p=jnp.asarray(probs, dtype)) if probs is not None
                 else jnp.zeros((pre,), jnp.int32))
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
    jax, jnp = jax_modules()
    fits = chunk_size(spec, X.shape[0], X.shape[1], keep_layers=keep_layers, fast=fast)
    chunk = fits if chunk is None else max(1, min(int(chunk), fits))
    parts: list[dict[str, np.ndarray]] = []
    interrupted = False
    with precision(spec.dtype):
        base = jax.random.key(spec.seed)
        bar = progress_bar(None, desc=f"{getattr(spec.act, 'name', 'network')}: {spec.ensemble} networks", disable=not progress,
                           total=math.ceil(spec.ensemble / chunk) * steps)
        try:
            for start in range(0, spec.ensemble, chunk):
                idx = np.arange(start, min(start + chunk, spec.ensemble))
                parts.append(work(jax.vmap(partial(jax.random.fold_in, base))(jnp.asarray(idx)), lambda: bar.update(1)))
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
