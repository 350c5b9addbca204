"""Finite networks of any ``signalprop.architecture`` description (dense layers, every layer law, residual blocks,
LayerNorm/RMSNorm), drawn at random and run in JAX, so that a check of the infinite-width theory against simulation
is one call (``compare_network``).

Each Dense of width N (the hidden width; a Dense that feeds a unit with B pre-activations — gated 2, maxout k — puts
out B·N) holds W, b: standard parameterization W ~ N(0, σ_w²/N_in), b ~ N(0, σ_b²), h = W g + b; NTK
parameterization W, b ~ N(0, 1), h = σ_w W g/√N_in + σ_b b (FORMULAS.md). A residual block gives w x + α F(x); a norm divides
each input's stream by its root mean square over the units (LayerNorm after subtracting the mean over units), times
γ, plus a fixed bias of variance β² (drawn, not trained). Network e draws its parameters from fold_in(seed, e).

A quenched mixture of unit kinds draws each unit's kind once per network (a fixed buffer of its Nonlinear layer).

Attention (sequences: X of shape (S, T, d), rows = the S·T tokens, sequence-major): ``heads`` heads with queries and
keys of ``key_dim`` and values of ``value_dim`` (``AttentionShape``), NTK parameterization: q = √σ_QK x W_Q/√N,
k = x W_K/√N (W_K = W_Q, k = q under the tied "linear" scaling), v = x W_V/√N, logits q·k/√d_k or /d_k,
y = √σ_OV (heads' P v concatenated) W_O/√(H d_v), all weights N(0, 1). The infinite-width kernel is approached as
the widths, d_k (the logits' Gaussian limit, O(1/d_k)) and, for the 1/√d_k scaling, the number of heads (each head
draws its own attention matrix) grow.

Per network: the stream's Gram matrix (1/N) Σ_i x_i(a) x_i(b) after every top-level layer, and the empirical NTK
of the first output unit, Σ_θ ∂f(x_a)/∂θ ∂f(x_b)/∂θ over every trained parameter (JAX autodiff), whose means over
networks the theory (``signalprop.architecture.propagate``, ``ntk.network_kernels``) predicts.

Gram fast path (``fast``, forward statistics only): every Dense draws fresh weights, so given its input g (B × n_in)
its outputs are, unit by unit, independent N(0, σ_w² g gᵀ/n_in + σ_b²) vectors over the B inputs; a residual
block adds α times such an output, independent of the stream; norms and units act unit by unit. Drawing each Dense's
outputs from that law (``ensemble._gaussian_given_gram``, O(N B²)) instead of multiplying by an N × N matrix
(O(N² B)) gives the grams the same joint law as explicit weights — not the same numbers — and cannot give an NTK.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from signalprop.architecture import (Dense, Nonlinear, Norm, Product, Residual, Serial, Trace, block_chis, has_attention,
                                     units)
from signalprop.attention_kernel import Attention

from .backend import ensemble_sharding, jax_modules, padded_keys, precision
from .compare import Comparison, mean_error_skew
from .ensemble import _gaussian_given_gram
from .spec import branches
from .units import layer_units


@dataclass(frozen=True)
class AttentionShape:
    """The finite attention layers' sizes (module docstring) and the sequences' length ``tokens``."""

    tokens: int = 1
    heads: int = 8
    key_dim: int = 64
    value_dim: int = 16


@dataclass
class NetworkRun:
    """``grams`` (E, layers, B, B): the stream's Gram matrix after every top-level layer; ``ntk`` (E, B, B) or None;
    ``gradients`` (E, layers − 1, B) or None: Σ_i (∂f(x_b)/∂x_i)² with respect to the stream after top-level layer l
    (index l − 1, l = 1 … layers − 1), f the first output unit."""

    grams: np.ndarray
    ntk: np.ndarray | None
    networks: int
    gradients: np.ndarray | None = None


def _fan_out(layers: tuple, i: int) -> int:
    """Pre-activations per unit of the Dense at position i: those of the Nonlinear right after it, else 1."""
    nxt = layers[i + 1] if i + 1 < len(layers) else None
    return branches(nxt.unit) if isinstance(nxt, Nonlinear) else 1


def init_params(net: Serial, key, d: int, width: int, dtype, parameterization: str,
                fast: bool = False, shape: AttentionShape = AttentionShape()) -> tuple[list, list]:
    """(trained parameters, fixed buffers) of one network, nested like ``net``: a Dense gets (W, b) — unit normals in
    the NTK parameterization, the weights and biases themselves (scaled by σ_w/√N_in, σ_b) in the standard one; with
    ``fast`` no parameters but (key, outputs) (buffer) for the draw given the Gram —, a Nonlinear of a quenched mixture its
    units' kinds, a Norm its fixed bias, a Residual the list of its branch's, a Serial the list of its layers'."""
    jax, jnp = jax_modules()
    counter = iter(range(1 << 30))

    def build(layers: tuple, n_in: int) -> tuple[list, list, int]:
        params, buffers = [], []
        for i, layer in enumerate(layers):
            k = jax.random.fold_in(key, next(counter))
            if isinstance(layer, Dense):
                out = _fan_out(layers, i) * width
                if fast:
                    params.append(None)
                    buffers.append((k, out))
                    n_in = out
                    continue
                kw, kb = jax.random.split(k)
                W, b = jax.random.normal(kw, (out, n_in), dtype), jax.random.normal(kb, (out,), dtype)
                if parameterization == "standard":
                    W, b = math.sqrt(layer.sigma_w2 / n_in) * W, math.sqrt(layer.sigma_b2) * b
                params.append((W, b))
                buffers.append(None)
                n_in = out
            elif isinstance(layer, Nonlinear):
                probs = layer_units(layer.unit).probs
                params.append(None)
                buffers.append(None if probs is None else
                               jax.random.choice(k, len(probs), (width,), p=jnp.asarray(probs, dtype)))
                n_in = width
            elif isinstance(layer, Norm):
                params.append(None)
                buffers.append(math.sqrt(layer.bias2) * jax.random.normal(k, (n_in,), dtype))
            elif isinstance(layer, Attention):
                if layer.scaling == "long":
                    raise ValueError("the long-sequence limit (scaling='long', T -> infinity) has no finite network: "
                                     "simulate scaling='sqrt' with sigma_qk2 = beta^2 log T at the sequences' T")
                kq, kk, kv, ko = jax.random.split(k, 4)
                h, dk, dv = shape.heads, shape.key_dim, shape.value_dim
                wq = jax.random.normal(kq, (h, n_in, dk), dtype)
                wk = None if layer.scaling == "linear" else jax.random.normal(kk, (h, n_in, dk), dtype)
                params.append((wq, wk, jax.random.normal(kv, (h, n_in, dv), dtype),
                               jax.random.normal(ko, (n_in, h * dv), dtype)))
                buffers.append(None)
            elif isinstance(layer, Product):
                ps, bs, outs = zip(*(build(branch, n_in) for branch in layer.branches))
                if len(set(outs)) != 1:
                    raise ValueError(f"a product's branches must put out the same width, got {list(outs)}: end each "
                                     "branch with a Dense of the hidden width (or an attention layer)")
                params.append(list(ps))
                buffers.append(list(bs))
                n_in = outs[0]
            else:
                inner = layer.branch if isinstance(layer, Residual) else layer.layers
                p, b, out = build(inner, n_in)
                if isinstance(layer, Residual) and out != n_in:
                    raise ValueError(f"a residual branch must return the stream's width {n_in}, its last layer gives {out}: "
                                     "start the network with a Dense of the hidden width (the inputs' dimension is d)")
                params.append(p)
                buffers.append(b)
                n_in = out
        return params, buffers, n_in

    params, buffers, _ = build(net.layers, d)
    return params, buffers


def apply(net: Serial, params: list, buffers: list, X, parameterization: str, record: list | None = None,
          fast: bool = False, shifts: list | None = None, tokens: int = 1):
    """The network on the rows of X; ``record`` collects the stream after every top-level layer; ``fast``: the
    Dense outputs drawn from their law given the Gram (module docstring; ``init_params(..., fast=True)``); ``shifts``
    (one per top-level layer but the last, zeros) are added to the stream after each top-level layer, so that
    ∂f/∂shift_l is the gradient of f with respect to that stream."""
    _, jnp = jax_modules()

    def run(layers: tuple, ps: list, bs: list, x, top: bool):
        for i, (layer, p, b) in enumerate(zip(layers, ps, bs)):
            if fast and isinstance(layer, Dense):
                x = _gaussian_given_gram(b[0], x, b[1], math.sqrt(layer.sigma_w2), math.sqrt(layer.sigma_b2), x.dtype)
            elif isinstance(layer, Dense):
                W, bias = p
                if parameterization == "ntk":
                    x = math.sqrt(layer.sigma_w2) * x @ W.T / math.sqrt(x.shape[-1]) + math.sqrt(layer.sigma_b2) * bias
                else:
                    x = x @ W.T + bias
            elif isinstance(layer, Nonlinear):
                x = layer_units(layer.unit).apply(x, b)
            elif isinstance(layer, Norm):
                centred = x - jnp.mean(x, axis=-1, keepdims=True) if layer.kind == "layer" else x
                rms = jnp.sqrt(jnp.mean(centred * centred, axis=-1, keepdims=True))
                x = math.sqrt(layer.gain2) * centred / rms + b
            elif isinstance(layer, Residual):
                x = layer.shortcut * x + layer.alpha * run(layer.branch, p, b, x, False)
            elif isinstance(layer, Attention):
                x = _attention(layer, p, x, tokens)
            elif isinstance(layer, Product):
                outs = [run(branch, pk, bk, x, False) for branch, pk, bk in zip(layer.branches, p, b)]
                x = outs[0]
                for other in outs[1:]:
                    x = x * other
            else:
                x = run(layer.layers, p, b, x, False)
            if top and shifts is not None and i < len(shifts):
                x = x + shifts[i]
            if top and record is not None:
                record.append(x)
        return x

    return run(net.layers, params, buffers, X, True)


def _attention(layer: Attention, p: tuple, x, tokens: int):
    """One multi-head attention layer on the stream x (S·T rows, module docstring)."""
    _, jnp = jax_modules()
    wq, wk, wv, wo = p
    n = x.shape[-1]
    xs = x.reshape(-1, tokens, n)
    q = jnp.einsum("ste,hec->shtc", xs, wq) * math.sqrt(layer.sigma_qk2 / n)
    k = q if wk is None else jnp.einsum("ste,hec->shtc", xs, wk) / math.sqrt(n)
    logits = jnp.einsum("shtc,shuc->shtu", q, k) / (math.sqrt(wq.shape[-1]) if wk is not None else wq.shape[-1])
    mask = jnp.tril(jnp.ones((tokens, tokens), bool)) if layer.causal else None
    weights = layer.mechanism.jax()(logits, mask)
    v = jnp.einsum("ste,hec->shtc", xs, wv) / math.sqrt(n)
    heads = jnp.einsum("shtu,shuc->sthc", weights, v).reshape(xs.shape[0] * tokens, -1)
    return math.sqrt(layer.sigma_ov2) * heads @ wo.T / math.sqrt(heads.shape[-1])


@lru_cache(maxsize=16)
def _batched(net: Serial, d: int, width: int, dtype: str, parameterization: str, ntk: bool, fast: bool,
             gradients: bool = False, shape: AttentionShape = AttentionShape()):
    """Jitted, vmapped over networks: (keys, X) → (grams, NTK, gradient norms) of ``run_networks`` (cached: repeated
    runs of one network — seeds, chunks — compile once)."""
    jax, jnp = jax_modules()
    dt = jnp.dtype(dtype)

    def one(key, X):
        params, buffers = init_params(net, key, d, width, dt, parameterization, fast, shape)
        record: list = []
        apply(net, params, buffers, X, parameterization, record, fast, tokens=shape.tokens)
        B = X.shape[0]
        grams = jnp.stack([r @ r.T / r.shape[-1] for r in record])
        theta, norms = jnp.zeros((B, B), dt), jnp.zeros((len(record) - 1, B), dt)
        if ntk:
            jac = jax.jacrev(lambda p: apply(net, p, buffers, X, parameterization, tokens=shape.tokens)[:, 0])(params)
            leaves = [leaf.reshape(B, -1) for leaf in jax.tree_util.tree_leaves(jac)]
            theta = sum(leaf @ leaf.T for leaf in leaves)
        if gradients:  # rows are independent: the gradient of Σ_b f(x_b) at each row is that row's own
            zeros = [jnp.zeros_like(r) for r in record[:-1]]
            grads = jax.grad(lambda sh: jnp.sum(apply(net, params, buffers, X, parameterization, shifts=sh,
                                                      tokens=shape.tokens)[:, 0]))(zeros)
            norms = jnp.stack([jnp.sum(g * g, axis=-1) for g in grads])
        return grams, theta, norms

    return jax.jit(jax.vmap(one, in_axes=(0, None)))


def run_networks(net: Serial, X, width: int, ensemble: int = 100, seed: int = 0, parameterization: str = "ntk",
                 ntk: bool = True, dtype: str = "float64", chunk: int = 25, fast: bool = False,
                 gradients: bool = False, attention: AttentionShape = AttentionShape()) -> NetworkRun:
    """``ensemble`` random networks on the inputs X (B × d, or S sequences × T tokens × d: B = S·T rows): per network
    the grams after every top-level layer, (``ntk``) the empirical NTK of the first output unit and (``gradients``) the
    squared length of its gradient with respect to the stream after every top-level layer but the last; ``fast``: the
    Gram fast path (module docstring; no NTK and no gradients: it draws no weights); ``attention``: the attention
    layers' heads and dimensions (its ``tokens`` is set from a 3-D X)."""
    jax, jnp = jax_modules()
    if not (isinstance(width, int) and width >= 1) or not (isinstance(ensemble, int) and ensemble >= 2):
        raise ValueError(f"width must be an integer >= 1 and ensemble >= 2, got {width!r}, {ensemble!r}")
    found = units(net)
    if any(getattr(u, "group", 1) > 1 and width % u.group for u in found):
        raise ValueError(f"the width {width} must be a multiple of every groupsort/householder group size")
    if fast and (ntk or gradients):
        raise ValueError("the Gram fast path draws no weights, so it has no NTK and no gradients: pass ntk=False and "
                         "gradients=False, or fast=False for explicit weights")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 3:
        attention = replace(attention, tokens=X.shape[1])
        X = X.reshape(-1, X.shape[2])
    if has_attention(net) and gradients:
        raise ValueError("gradient lengths are measured row by row, but attention mixes a sequence's tokens: "
                         "gradients=False with attention layers")
    if has_attention(net) and (fast or parameterization != "ntk"):
        raise ValueError("attention layers are drawn with explicit weights in the NTK parameterization: pass fast=False "
                         "and parameterization='ntk'")
    with precision(dtype):
        Xj = jnp.asarray(X, jnp.dtype(dtype))
        batched = _batched(net, X.shape[1], width, dtype, parameterization, ntk, fast, gradients, attention)
        base = jax.random.key(seed)
        shard = ensemble_sharding()
        if shard is not None:
            Xj = jax.device_put(Xj, shard[2])  # replicated on every device, once
        parts: list = []
        for start in range(0, ensemble, chunk):
            stop = min(start + chunk, ensemble)
            parts.append([np.asarray(v, np.float64)[:stop - start]
                          for v in batched(padded_keys(base, start, stop, shard, min(2, chunk)), Xj)])
    grams, kernels, norms = (np.concatenate(v) for v in zip(*parts))
    return NetworkRun(grams, kernels if ntk else None, ensemble, norms if gradients else None)


def compare_network(net: Serial, X, width: int, ensemble: int = 100, seed: int = 0, parameterization: str = "ntk",
                    ntk: bool = True, dtype: str = "float64", fast: bool = False,
                    gradients: bool = False, attention: AttentionShape = AttentionShape()) -> dict[str, Comparison]:
    """The theory against ``ensemble`` finite networks: ``stream_length`` (the first input's) and ``stream_covariance``
    (the first two inputs') after every top-level layer, and ``ntk``, the mean empirical NTK of the output per input
    pair (one recursion, ``ntk.network_kernels`` with its trace, gives all three), and (``gradients``) ``gradient``: the
    first input's ‖∂f/∂x^l‖² for the stream after every top-level layer l but the last, against Π_{k > l} χ_k
    (``block_chis``: the readout's own χ = σ_w² included; gradient independence, Yang & Schoenholz 2017). The inputs'
    own gradient is left out: the first Dense sees them in both passes, an O(1/d) correction for d input features.
    ``fast``: the Gram fast path (``run_networks``; ntk and gradients must be False)."""
    from ntk import network_kernels

    X = np.asarray(X, dtype=np.float64)
    run = run_networks(net, X, width, ensemble, seed, parameterization, ntk, dtype, fast=fast, gradients=gradients,
                       attention=attention)
    trace = Trace()
    theta = network_kernels(net, X, ntk=ntk, parameterization=parameterization, width=width, trace=trace)[1]
    X = X.reshape(-1, X.shape[-1])  # sequences: their tokens are the rows
    theory = np.stack([st.sigma for st in trace.states])
    layers = np.arange(1, len(trace.states) + 1)
    out = {}
    for name, label, (a, b) in (("stream_length", "stream length E[x(a)^2]", (0, 0)),
                                ("stream_covariance", "stream covariance E[x(a) x(b)]", (0, 1))):
        if b < X.shape[0]:
            m, se, sk = mean_error_skew(run.grams[:, :, a, b])
            out[name] = Comparison(label, layers, m, se, theory[:, a, b], skew=sk)
    if ntk:
        a, b = np.triu_indices(X.shape[0])
        m, se, sk = mean_error_skew(run.ntk[:, a, b])
        out["ntk"] = Comparison(f"NTK ({parameterization} parameterization) per input pair", np.arange(len(a)), m, se,
                                theta[a, b], index_name="pair", skew=sk, notes={"pairs": np.column_stack([a, b]).tolist()})
    if gradients:
        chis = block_chis(net, float(X[0] @ X[0]) / X.shape[1])
        m, se, sk = mean_error_skew(run.gradients[:, :, 0])
        out["gradient"] = Comparison("squared gradient length |df/dx^l|^2 after top-level layer l", layers[:-1], m, se,
                                     np.array([np.prod(chis[l:]) for l in range(1, len(chis))]), skew=sk)
    return out
