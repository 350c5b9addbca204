"""symbolic: every activation as an exact sympy expression, with its derivation and callables.

Public API: ``get_activation``, ``registered_names``, ``all_activations``, ``custom_activation``,
``parse_formula``, ``Activation``, ``ActivationSpec``, ``Parameter``, ``Derivation``, ``X``; ``disk_cache``
(the persistent cache of per-activation tables).
"""

from . import disk_cache
from .activation import KINDS, Activation, ActivationSpec
from .custom import custom_activation
from .derive import Derivation, Jump, derive, moments_limit, tails, value_jumps
from .extrema import Extremum
from .gated import GatedUnit, gated, gated_names
from .group import GroupUnit, group_names
from .functions import X, gauss_cdf, sigmoid, softplus
from .growth import Growth
from .parameters import Parameter, ParameterError
from .parser import FormulaError, parse_formula
from .pieces import DecompositionError, PiecewiseForm, decompose
from .registry import (
    UnknownActivationError,
    all_activations,
    get_activation,
    get_spec,
    register,
    registered_names,
)

__all__ = [
    "KINDS", "Activation", "ActivationSpec", "custom_activation", "Derivation", "Jump", "derive", "moments_limit", "tails", "value_jumps",
    "Extremum", "GatedUnit", "gated", "gated_names", "GroupUnit", "group_names", "X", "gauss_cdf", "sigmoid", "softplus", "Growth", "Parameter", "ParameterError",
    "FormulaError", "parse_formula", "DecompositionError", "PiecewiseForm", "decompose",
    "UnknownActivationError", "all_activations", "get_activation", "get_spec", "register",
    "registered_names", "disk_cache",
]
