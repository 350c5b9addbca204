"""What a hidden layer's units do to their pre-activations, in JAX: the forward map g(h), its transpose (the
backward pass, δ_h = (∂g/∂h)ᵀ δ_g) and its tangent map (the Jacobian, ∂g/∂h · t), one object per layer law.

Layout: a layer of n units with B pre-activations per unit (``spec.branches``) holds h = (slot 1 | … | slot B), each
slot n wide. Per-unit kinds read only their own unit's slots, so their Jacobian is diagonal slot by slot,
∂g_i/∂h_{b,j} = δ_ij P_b(i):

  element-wise φ:   g = φ(h₁),          P = (φ'(h₁))
  gated φ·ψ:        g = φ(h₁) ψ(h₂),    P = (φ'(h₁) ψ(h₂), φ(h₁) ψ'(h₂))
  maxout, k pieces: g = max_b h_b,      P = one-hot of the argmax

(symbolic derivatives for φ, ψ: the a.e. derivative, as in the theory's G and K̇). A quenched mixture of per-unit kinds
draws each unit's kind once (``types``, n per layer); B is its components' largest, and a unit reads the first slots
it needs (the rest are draws of the same law that feed nothing). Groupsort and householder mix the units of a group
within one slot: their backward and tangent maps come from jax.vjp / jax.jvp of the map (piecewise linear: the
permutation or reflection in force).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from signalprop.mixing import Mixture, components
from symbolic import GatedUnit, GroupUnit

from .backend import jax_modules


@dataclass(frozen=True)
class Units:
    """``apply(h, types) → g``; ``vjp(h, types, δ_g) → δ_h``; ``jvp(h, types, t) → ∂g/∂h · t`` for one tangent
    t (the pre-activations' shape); ``probs``: a mixture's probabilities (None for one kind); ``branches``: B."""

    apply: Callable
    vjp: Callable
    jvp: Callable
    probs: np.ndarray | None
    branches: int


def group_map(unit: GroupUnit) -> Callable:
    """Groupsort (each run of k consecutive units sorted in descending order) or householder (each pair z ↦ z if
    vᵀz > 0 else z − 2(vᵀz)v, v = (sin θ/2, −cos θ/2)) on pre-activations (…, n), as apply(h, types)."""
    _, jnp = jax_modules()
    if unit.kind == "groupsort":
        return lambda h, types: -jnp.sort(-h.reshape(h.shape[:-1] + (-1, unit.k)), axis=-1).reshape(h.shape)
    if unit.kind != "householder":
        raise ValueError(f"{unit.label} is a per-unit kind (``_piece``), not a map of groups of units")
    v = np.array([math.sin(unit.theta / 2), -math.cos(unit.theta / 2)])

    def householder(h, types):
        z = h.reshape(h.shape[:-1] + (-1, 2))
        s = z @ jnp.asarray(v, h.dtype)
        return jnp.where(s[..., None] > 0, z, z - 2 * s[..., None] * jnp.asarray(v, h.dtype)).reshape(h.shape)

    return householder


def _piece(unit) -> tuple[int, Callable, Callable]:
    """(B, f, P) of a per-unit kind (module docstring): f(S) and P(S) on slots S (…, B, n) → (…, n) and (…, B, n)."""
    _, jnp = jax_modules()
    if isinstance(unit, GatedUnit):
        f, df, g, dg = unit.gate.jax(0), unit.gate.jax(1), unit.value.jax(0), unit.value.jax(1)
        return (2, lambda S: f(S[..., 0, :]) * g(S[..., 1, :]),
                lambda S: jnp.stack([df(S[..., 0, :]) * g(S[..., 1, :]), f(S[..., 0, :]) * dg(S[..., 1, :])], axis=-2))
    if isinstance(unit, GroupUnit):  # maxout (the caller sends groupsort and householder to ``group_map``)
        k = unit.k
        return (k, lambda S: jnp.max(S, axis=-2),
                lambda S: (jnp.arange(k)[:, None] == jnp.argmax(S, axis=-2)[..., None, :]).astype(S.dtype))
    f, df = unit.jax(0), unit.jax(1)
    return 1, lambda S: f(S[..., 0, :]), lambda S: df(S[..., 0, :])[..., None, :]


def _slots(h, b: int):
    return h.reshape(h.shape[:-1] + (b, h.shape[-1] // b))


@lru_cache(maxsize=64)
def layer_units(act) -> Units:
    """The ``Units`` of an activation, a gated unit, a group activation or a quenched mixture of per-unit kinds."""
    jax, jnp = jax_modules()
    if isinstance(act, GroupUnit) and act.group > 1:
        apply = group_map(act)
        return Units(apply, lambda h, types, delta: jax.vjp(lambda x: apply(x, types), h)[1](delta)[0],
                     lambda h, types, t: jax.jvp(lambda x: apply(x, types), (h,), (t,))[1], None, 1)
    parts = components(act) if isinstance(act, Mixture) else [(act, 1.0)]
    if any(getattr(a, "group", 1) > 1 for a, _ in parts):
        raise ValueError(f"{act.label}: groupsort and householder act on groups of units, so a mixture cannot hold them")
    pieces = [_piece(a) for a, _ in parts]
    width = max(b for b, _, _ in pieces)
    probs = np.array([w for _, w in parts]) if len(parts) > 1 else None

    def select(values, types):
        """Each unit's value from its kind's entry of ``values`` (one kind: the value itself)."""
        out = values[0]
        for m, v in enumerate(values[1:], start=1):
            out = jnp.where(types == m, v, out)
        return out

    def apply(h, types):
        S = _slots(h, width)
        return select([f(S[..., :b, :]) for b, f, _ in pieces], types)

    def partials(h, types):
        S = _slots(h, width)
        pad = [(0, 0)] * (S.ndim - 2)
        return select([jnp.pad(P(S[..., :b, :]), pad + [(0, width - b), (0, 0)]) for b, _, P in pieces], types)

    def vjp(h, types, delta):
        return (partials(h, types) * delta[..., None, :]).reshape(h.shape)

    def jvp(h, types, t):
        return jnp.sum(partials(h, types) * _slots(t, width), axis=-2)

    return Units(apply, vjp, jvp, probs, width)
