"""Activation parameters: defaults, allowed ranges and exact conversion of user values."""

from __future__ import annotations

import math
import sys
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^[+-]?\d+/\d+$")


class ParameterError(ValueError):
    """A parameter is unknown, not a number, or outside its valid range."""


def _from_numpy(value: object, name: str) -> object:
    """A numpy scalar or 0-d array as the equivalent Python bool/int/float (other values unchanged).

    numpy 2 writes ``repr(np.float64(0.5))`` as "np.float64(0.5)", so numpy floats (which subclass
    float) must be turned into Python floats before their repr is parsed; np.float32/np.int64 etc.
    do not subclass float/int at all."""
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise ParameterError(f"{name}: expected a single number, got an array of shape {value.shape}")
        value = value[()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def to_exact(value: object, name: str = "value") -> sp.Expr:
    """Convert a number or a numeric string ("0.01", "1e-3", "3/2") to an exact sympy number.

    Decimal strings become exact rationals, so "0.01" is 1/100, not the nearest binary float.
    Only plain numeric literals are accepted: the text is never evaluated. numpy integer/floating
    scalars and 0-d arrays count as the Python int/float of the same value (a float becomes the exact
    rational of its shortest repr, e.g. np.float64(0.1) -> 1/10); NaN and inf are rejected.
    """
    exact = _exact(_from_numpy(value, name), name)
    if exact.has(sp.nan, sp.oo, -sp.oo, sp.zoo) or (exact.is_real and abs(float(exact)) > _FLOAT64_MAX):
        raise ParameterError(f"{name}: must be a finite number within float64 range (|value| <= 1.8e308: the "
                             f"numerics run in float64); {value} is infinite, undefined or beyond float64")
    return exact


_FLOAT64_MAX = sys.float_info.max


def _exact(value: object, name: str) -> sp.Expr:
    if isinstance(value, bool):
        raise ParameterError(f"{name}: expected a number, got a boolean")
    if isinstance(value, sp.Basic):
        if not value.is_number:
            raise ParameterError(f"{name}: expected a number, got the expression {value}")
        return value
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterError(f"{name}: must be finite, got {value}")
        return sp.Rational(repr(value)) if abs(value) < 1e15 else sp.Float(value, 30)
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.match(text) or _FRACTION.match(text):
            return sp.Rational(text)
        raise ParameterError(
            f"{name}: {value!r} is not a number (write it as 0.5, 1e-3 or 3/2)"
        )
    raise ParameterError(f"{name}: expected a number, got {type(value).__name__}")


@dataclass(frozen=True)
class Parameter:
    """One parameter of an activation family.

    ``lower``/``upper`` bound the valid range (None = unbounded); ``*_open`` makes that end strict.
    ``integer`` requires a whole number.
    """

    name: str
    default: object
    description: str = ""
    lower: float | None = None
    upper: float | None = None
    lower_open: bool = False
    upper_open: bool = False
    integer: bool = False

    def range_text(self) -> str:
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        left = "(" if self.lower is None or self.lower_open else "["
        right = ")" if self.upper is None or self.upper_open else "]"
        kind = "an integer" if self.integer else "a number"
        return f"{kind} in {left}{lo}, {hi}{right}"

    def validate(self, value: object) -> sp.Expr:
        """Return ``value`` as an exact sympy number, or raise ParameterError naming the range."""
        exact = to_exact(value, self.name)
        if not exact.is_real:
            raise ParameterError(f"parameter {self.name}={value}: must be real")
        v = float(exact)
        bad = (
            (self.integer and not exact.is_integer)
            or (self.lower is not None and (v < self.lower or (self.lower_open and v == self.lower)))
            or (self.upper is not None and (v > self.upper or (self.upper_open and v == self.upper)))
        )
        if bad:
            raise ParameterError(
                f"parameter {self.name}={value} is invalid: {self.name} must be {self.range_text()}"
            )
        return exact

    @property
    def default_exact(self) -> sp.Expr:
        return self.validate(self.default)
