"""Names of the attention normalizers, their parameters, lookup with suggestions, and user formulas."""

from __future__ import annotations

import difflib
from typing import Callable, Mapping

from ..parameters import ParameterError
from .base import Normalizer
from .centred import Centred
from .elementwise import ElementwiseAttention
from .softmax import ScalableSoftmax, Softmax
from .sparse import Softpick, Sparsemax
from .self_adjust import SelfAdjustSoftmax
from .stablemax import StableMax


class UnknownNormalizerError(KeyError):
    """No normalizer of that name; the message lists the closest ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def _elementwise(zoo_name: str, name: str, log_n_bias: bool, zero, left: str, source: str) -> Callable[..., Normalizer]:
    def build(bias=None):
        from ..registry import get_activation

        return ElementwiseAttention(get_activation(zoo_name), name, None if bias is None else _number(bias, "bias", name),
                                    log_n_bias, zero, left, source)

    return build


def _number(value, what: str, owner: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{owner}: {what} must be a number, got {value!r}") from None


# name → (factory, parameters, aliases)
NORMALIZERS: dict[str, tuple[Callable[..., Normalizer], tuple[str, ...], tuple[str, ...]]] = {
    "softmax": (Softmax, ("temperature",), ("softargmax",)),
    "centred_softmax": (lambda temperature=1.0: Centred(Softmax(temperature)), ("temperature",),
                        ("centered_softmax", "shaped_softmax")),
    "scalable_softmax": (ScalableSoftmax, ("s",), ("ssmax",)),
    "sparsemax": (Sparsemax, (), ()),
    "softpick": (Softpick, ("eps",), ()),
    "stablemax": (StableMax, (), ("stable_max",)),
    "sa_softmax": (SelfAdjustSoftmax, (), ("self_adjust_softmax",)),
    "sigmoid_attention": (_elementwise("sigmoid", "sigmoid_attention", True, None, "",
                                       "Ramapuram et al. 2024, sigmoid self-attention, arXiv:2409.04431"),
                          ("bias",), ("sigmoid",)),
    "relu_attention": (_elementwise("relu", "relu_attention", False, 0.0, "atom",
                                    "Zhang, Titov & Sennrich 2021 (ReLA); Shen et al. 2023"), ("bias",), ("relu",)),
    "abs_attention": (_elementwise("abs", "abs_attention", False, 0.0, "mirror", "|.| attention"), ("bias",), ("abs",)),
    "identity_attention": (_elementwise("identity", "identity_attention", False, None, "",
                                        "linear attention: p = z (neural-tangents' IDENTITY mechanism)"), ("bias",),
                           ("identity", "linear_attention")),
}
_ALIASES = {alias: name for name, (_, _, aliases) in NORMALIZERS.items() for alias in (name, *aliases)}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def normalizer_names() -> list[str]:
    return list(NORMALIZERS)


def is_normalizer(name: str) -> bool:
    return _key(name) in _ALIASES


def get_normalizer(name: str, params: Mapping[str, object] | None = None, **kw) -> Normalizer:
    """The normalizer ``name`` (or an alias: ssmax, sigmoid, relu, abs) with its parameters (softmax and
    centred_softmax: temperature; scalable_softmax: s; softpick: eps; element-wise ones: bias, default −log n for
    sigmoid and 0 otherwise)."""
    key = _key(name)
    if key not in _ALIASES:
        close = difflib.get_close_matches(key, list(_ALIASES), n=4, cutoff=0.5)
        close = list(dict.fromkeys(_ALIASES[c] for c in close))
        raise UnknownNormalizerError(f"unknown attention normalizer {name!r}" + (
            f"; did you mean {', '.join(close)}?" if close else "") + f" (known: {', '.join(NORMALIZERS)}; or a formula "
            "in x for element-wise attention)")
    factory, allowed, _ = NORMALIZERS[_ALIASES[key]]
    values = {**dict(params or {}), **kw}
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ParameterError(f"{_ALIASES[key]} has no parameter {', '.join(unknown)}; "
                             + (f"its parameters are: {', '.join(allowed)}" if allowed else "it takes no parameters"))
    return factory(**values)


def elementwise_attention(formula: str, bias: float | None = None, params: Mapping[str, object] | None = None) -> ElementwiseAttention:
    """Element-wise attention p_j = φ(z_j + b) with φ a user formula in x (safe parser; ``params`` its constants)."""
    from ..custom import custom_activation

    act = custom_activation(formula, name="custom", params=dict(params or {}))
    return ElementwiseAttention(act, f"elementwise({formula})", None if bias is None else _number(bias, "bias", formula))
