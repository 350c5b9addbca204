"""symbolic: every activation as an exact sympy expression, with its derivation and callables.

Public API: ``get_activation``, ``registered_names``, ``all_activations``, ``custom_activation``,
``parse_formula``, ``Activation``, ``ActivationSpec``, ``Parameter``, ``Derivation``, ``X``; ``disk_cache``
(the persistent cache of per-activation tables). Each name is imported on first use (``symbolic.lazy``):
``import symbolic`` does not import sympy.
"""

from .lazy import lazy_package

__all__ = lazy_package(__name__, {
    "disk_cache": "disk_cache:",
    **dict.fromkeys(["KINDS", "Activation", "ActivationSpec"], "activation"),
    "custom_activation": "custom",
    **dict.fromkeys(["Derivation", "Jump", "derive", "moments_limit", "tails", "value_jumps"], "derive"),
    "Extremum": "extrema",
    **dict.fromkeys(["GatedUnit", "gated", "gated_names"], "gated"),
    **dict.fromkeys(["GroupUnit", "group_names"], "group"),
    **dict.fromkeys(["X", "gauss_cdf", "sigmoid", "softplus"], "functions"),
    "Growth": "growth",
    **dict.fromkeys(["Parameter", "ParameterError"], "parameters"),
    **dict.fromkeys(["FormulaError", "parse_formula"], "parser"),
    **dict.fromkeys(["DecompositionError", "PiecewiseForm", "decompose"], "pieces"),
    **dict.fromkeys(["UnknownActivationError", "all_activations", "get_activation", "get_spec", "register",
                     "registered_names"], "registry"),
})
