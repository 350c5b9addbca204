"""Quenched mixtures of activations as a drop-in for one activation: each neuron draws φ_i with
probability p_i once, at initialization. At infinite width every layer map self-averages, so every
quantity linear in the single-neuron law — E[φ(u)²], E[φ'(u)²], E[φ(u1)φ(u2)], E[φ'(u1)φ'(u2)], the
Hermite powers a_n² — is the p-weighted average of the components' (never the map of the averaged
function). Functions of ``signalprop`` decorated with ``averaged`` accept a ``Mixture`` wherever they
accept an activation, so length and correlation maps, fixed points, χ_1, c*, ξ_c, ``propagation``
and phase diagrams work for mixtures unchanged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mixture:
    """Activations with per-neuron probabilities (weights sum to 1)."""

    activations: tuple
    weights: tuple[float, ...]

    @property
    def name(self) -> str:
        return "mixture(" + ",".join(f"{a.name}={w:g}" for a, w in zip(self.activations, self.weights)) + ")"

    @property
    def label(self) -> str:
        return " + ".join(f"{w:g}*{a.label}" for a, w in zip(self.activations, self.weights))

    def components(self):
        """(activation, weight) pairs with weight > 0."""
        return [(a, w) for a, w in zip(self.activations, self.weights) if w > 0]


def mixture(activations, weights) -> Mixture:
    """A quenched mixture; ``weights`` are probabilities (≥ 0, summing to 1 within 1e-12)."""
    acts, ws = tuple(activations), tuple(float(w) for w in weights)
    if len(acts) != len(ws) or not acts:
        raise ValueError(f"give one weight per activation (got {len(acts)} activations, {len(ws)} weights)")
    if any(not 0 <= w <= 1 for w in ws) or abs(sum(ws) - 1) > 1e-12:
        raise ValueError(f"mixture weights must be probabilities in [0, 1] summing to 1, got {ws}")
    return Mixture(acts, ws)


def components(act) -> list:
    """(activation, weight) pairs: a Mixture's components, or [(act, 1.0)] for one activation."""
    return act.components() if isinstance(act, Mixture) else [(act, 1.0)]


def averaged(func):
    """Make ``func(act, …)``, linear in the single-neuron law, accept a Mixture: Σ_i p_i func(φ_i, …)."""

    @functools.wraps(func)
    def wrapper(act, *args, **kwargs):
        if isinstance(act, Mixture):
            return sum(w * np.asarray(func(a, *args, **kwargs)) for a, w in act.components())
        return func(act, *args, **kwargs)

    return wrapper
