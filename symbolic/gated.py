"""Gated units g(u, v) = φ(u)·ψ(v): a gate φ and a value ψ, each a registered (or user) activation, applied to two
independent pre-activations of the same unit (u = W_a x + b_a, v = W_b x + b_b). The GLU family of today's language
models (Dauphin et al. 2017; Shazeer 2020, "GLU Variants Improve Transformer", arXiv:2002.05202), dReLU and the
sigmoid output gate of gated attention are such units. At infinite width u and v are independent with the same
variance, so every second-moment quantity factorizes into the components' (``signalprop.laws``).

Named units (rows 17, 82, 83 of shared/activation_zoo.md):
  glu           sigmoid(u)·v   Dauphin et al. 2017, arXiv:1612.08083
  bilinear      u·v            Shazeer 2020
  reglu         relu(u)·v      Shazeer 2020
  geglu         gelu(u)·v      Shazeer 2020
  swiglu        swish(u)·v     Shazeer 2020 (swish with β = 1: SiLU)
  drelu         relu(u)·relu(v)  Song et al. 2024, "Turbo Sparse", arXiv:2406.05955
  sigmoid_gate  v·sigmoid(u)   Qiu et al. 2025, "Gated Attention for Large Language Models", arXiv:2505.06708
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

from .activation import Activation
from .parameters import ParameterError


@dataclass(frozen=True)
class GatedUnit:
    """g(u, v) = gate(u)·value(v) with u, v independent pre-activations of one unit. ``name`` is the registered
    name (or "gated" for a user pair), ``source`` where the unit comes from."""

    gate: Activation
    value: Activation
    name: str = "gated"
    source: str = ""

    @property
    def components(self) -> tuple[Activation, Activation]:
        return self.gate, self.value

    @property
    def label(self) -> str:
        inner = f"{_term(self.gate, 'u')}*{_term(self.value, 'v')}"
        return inner if self.name == "gated" else f"{self.name} = {inner}"

    @property
    def formula(self) -> str:
        return f"{_term(self.gate, 'u')} * {_term(self.value, 'v')}"

    @cached_property
    def breakpoints(self) -> tuple[list[float], list[float]]:
        return self.gate.breakpoints, self.value.breakpoints

    def numpy(self):
        """g as a numpy callable of (u, v)."""
        f, h = self.gate.numpy(0), self.value.numpy(0)
        return lambda u, v: f(u) * h(v)

    def derive(self):
        """The components' derivations and what follows for g (``symbolic.gated_derive.GatedDerivation``)."""
        from .gated_derive import derive_gated

        return derive_gated(self)


def _term(act: Activation, var: str) -> str:
    """A component applied to ``var``: name(var) for a registered activation, the formula in ``var`` for a user one."""
    if act.spec.family == "user-defined":
        import sympy as sp

        from .functions import X

        return f"({sp.sstr(act.expr.subs(X, sp.Symbol(var)))})"
    return f"{act.label}({var})"


@dataclass(frozen=True)
class _Named:
    gate: str
    value: str
    source: str
    zoo_id: int


_DAUPHIN = "Dauphin, Fan, Auli & Grangier 2017, Language Modeling with Gated Convolutional Networks, arXiv:1612.08083"
_SHAZEER = "Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202"
NAMED: dict[str, _Named] = {
    "glu": _Named("sigmoid", "identity", _DAUPHIN, 82),
    "bilinear": _Named("identity", "identity", _SHAZEER, 82),
    "reglu": _Named("relu", "identity", _SHAZEER, 82),
    "geglu": _Named("gelu", "identity", _SHAZEER, 82),
    "swiglu": _Named("swish", "identity", _SHAZEER, 82),
    "drelu": _Named("relu", "relu", "Song et al. 2024, Turbo Sparse: Achieving LLM SOTA Performance with Minimal "
                                    "Activated Parameters, arXiv:2406.05955", 17),
    "sigmoid_gate": _Named("sigmoid", "identity", "Qiu et al. 2025, Gated Attention for Large Language Models, "
                                                  "arXiv:2505.06708 (the output gate Y * sigmoid(X W_theta))", 83),
}


def gated_names() -> list[str]:
    """Names of the registered gated units."""
    return list(NAMED)


def gated_zoo_ids() -> set[int]:
    """The rows of shared/activation_zoo.md the registered gated units cover."""
    return {entry.zoo_id for entry in NAMED.values()}


def split_params(gate: Activation, value: Activation, params: Mapping[str, object]) -> tuple[dict, dict]:
    """Route each parameter to the component that declares it: ``gate.k``/``value.k`` explicitly, or a plain ``k``
    declared by exactly one component."""
    names = {"gate": {p.name for p in gate.spec.params}, "value": {p.name for p in value.spec.params}}
    out: dict[str, dict] = {"gate": {}, "value": {}}
    for key, val in params.items():
        side, _, bare = key.rpartition(".")
        if side:
            if side not in out or bare not in names[side]:
                raise ParameterError(f"{key!r}: no such parameter; valid: {_valid(names)}")
            out[side][bare] = val
            continue
        owners = [s for s in ("gate", "value") if key in names[s]]
        if not owners:
            raise ParameterError(f"neither the gate {gate.name} nor the value {value.name} has a parameter {key!r}; "
                                 f"valid: {_valid(names)}")
        if len(owners) == 2:
            raise ParameterError(f"both the gate and the value have a parameter {key!r}: write gate.{key} or value.{key}")
        out[owners[0]][key] = val
    return out["gate"], out["value"]


def _valid(names: dict[str, set[str]]) -> str:
    listed = [f"{side}.{n}" for side in ("gate", "value") for n in sorted(names[side])]
    return ", ".join(listed) if listed else "none (neither component takes parameters)"


def gated(gate: Activation, value: Activation, name: str = "gated", source: str = "") -> GatedUnit:
    """The gated unit gate(u)·value(v) of two activations (registered, or ``custom_activation`` formulas)."""
    for role, act in (("gate", gate), ("value", value)):
        if not isinstance(act, Activation):
            raise TypeError(f"the {role} of a gated unit must be an element-wise Activation, got {type(act).__name__}")
    return GatedUnit(gate, value, name, source)


def get_gated(name: str, params: Mapping[str, object] | None = None) -> GatedUnit:
    """The registered gated unit ``name`` (see the module docstring), its parameters routed to the components."""
    from .registry import get_activation, normalize

    key = normalize(name)
    if key not in NAMED:
        close = difflib.get_close_matches(key, list(NAMED), n=3, cutoff=0.6)
        raise KeyError(f"unknown gated unit {name!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    entry = NAMED[key]
    gate, value = get_activation(entry.gate), get_activation(entry.value)
    g_params, v_params = split_params(gate, value, dict(params or {}))
    return GatedUnit(get_activation(entry.gate, **g_params), get_activation(entry.value, **v_params), key, entry.source)
