"""The ``Activation`` value: an exactly known activation function with bound parameters."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Callable, Mapping

import numpy as np
import sympy as sp

from .functions import X, stabilize
from .parameters import Parameter, ParameterError
from .pieces import PiecewiseForm, decompose

if TYPE_CHECKING:
    from .derive import Derivation

KINDS = {
    "pointwise": "an element-wise function of one pre-activation",
    "inference-form": "stateful or trained-differently activation; its inference-time pointwise form",
    "mean-field-form": "non-local activation (layer statistics); its infinite-width pointwise limit",
    "diagonal": "multi-input activation; registered on the diagonal (all inputs equal)",
    "representative": "a class or searched family; one representative member",
}


@dataclass(frozen=True)
class ActivationSpec:
    """A registry entry: a family of activations and where it comes from.

    ``build(**params)`` returns the sympy expression in ``x`` for concrete parameter values.
    ``confirmed`` is False where the formula is a reconstruction that could not be checked
    against the paper. ``kind`` is one of KINDS.
    """

    name: str
    build: Callable[..., sp.Expr]
    family: str
    source: str
    params: tuple[Parameter, ...] = ()
    aliases: tuple[str, ...] = ()
    notes: str = ""
    confirmed: bool = True
    kind: str = "pointwise"
    zoo_id: int | None = None
    formula: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {sorted(KINDS)}, got {self.kind!r}")

    def bind(self, values: Mapping[str, object] | None = None) -> dict[str, sp.Expr]:
        """Validate user values against the parameters; fill in defaults."""
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            valid = ", ".join(f"{p.name} ({p.range_text()}, default {p.default})" for p in self.params)
            raise ParameterError(
                f"{self.name} has no parameter {', '.join(unknown)}; "
                + (f"its parameters are: {valid}" if valid else "it takes no parameters")
            )
        return {p.name: p.validate(values[p.name]) if p.name in values else p.default_exact for p in self.params}


class Activation:
    """An activation φ(x) with fixed parameter values, known exactly.

    ``expr`` is the sympy expression, ``form`` its analytic pieces between breakpoints,
    ``numpy(k)``/``jax(k)``/``mpmath(k)`` callables for φ^(k), and ``derive()`` the derivation
    (smoothness, jumps, Lipschitz constant, range, growth, Taylor data).
    """

    def __init__(self, spec: ActivationSpec, params: Mapping[str, sp.Expr]):
        self.spec = spec
        self.params = dict(params)

    # identity -----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        """Name with non-default parameters, e.g. ``elu(alpha=1/2)``."""
        if not self.params:
            return self.name
        inside = ", ".join(f"{k}={sp.sstr(v)}" for k, v in self.params.items())
        return f"{self.name}({inside})"

    @cached_property
    def _key(self) -> tuple:
        """What identifies the activation (its spec and parameters; both fixed once made), with its hash: every cached
        table lookup hashes the activation, and printing the parameters each time cost 9 µs a lookup."""
        key = (self.spec.name, self.spec.build, tuple(sorted((k, sp.srepr(v)) for k, v in self.params.items())))
        return key, hash(key)

    def __getstate__(self) -> dict:
        """Pickled without the cached key: its hash involves the build function's identity, which another process
        (a Dask worker) gives a different value; there it is computed anew."""
        state = self.__dict__.copy()
        state.pop("_key", None)
        return state

    def __eq__(self, other):
        return isinstance(other, Activation) and self._key[0] == other._key[0]

    def __hash__(self):
        return self._key[1]

    def __repr__(self):
        return f"Activation({self.label}: {sp.sstr(self.expr)})"

    # symbolic ----------------------------------------------------------------------------------
    @cached_property
    def expr(self) -> sp.Expr:
        e = self.spec.build(**self.params)
        if not isinstance(e, sp.Expr):
            raise TypeError(f"{self.name}: build() must return a sympy expression, got {type(e).__name__}")
        if e.free_symbols - {X}:
            raise ParameterError(
                f"{self.name}: expression depends on {sorted(map(str, e.free_symbols - {X}))} besides x"
            )
        return stabilize(e)

    @cached_property
    def form(self) -> PiecewiseForm:
        return decompose(self.expr)

    @property
    def breakpoints(self) -> list[float]:
        return [float(b) for b in self.form.breakpoint_floats]

    def derivative(self, k: int = 1) -> sp.Expr:
        """φ^(k) away from breakpoints, as a sympy Piecewise over the intervals."""
        pieces = self.form.derivative_pieces(k)
        if not self.form.breakpoints:
            return pieces[0]
        args = [(p, X < b) for p, b in zip(pieces[:-1], self.form.breakpoints)]
        return sp.Piecewise(*args, (pieces[-1], True))

    # numerics ----------------------------------------------------------------------------------
    def numpy(self, k: int = 0) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorized float64 φ^(k) (see symbolic.callables for breakpoint conventions)."""
        return _numpy_fn(self, k)

    def mpmath(self, k: int = 0) -> Callable:
        """φ^(k) on mpmath numbers at the current mpmath precision."""
        return _mpmath_fn(self, k)

    def jax(self, k: int = 0) -> Callable:
        """φ^(k) on JAX arrays; needs the ``mc`` extra (JAX)."""
        try:
            import jax  # noqa: F401
        except ImportError as err:  # pragma: no cover - exercised only without JAX
            raise ImportError(
                "JAX is not installed: pip install 'activation-theory[mc]'"
            ) from err
        return _jax_fn(self, k)

    def __call__(self, x):
        return self.numpy(0)(x)

    def derive(self) -> "Derivation":
        """The full derivation (cached): see symbolic.derive.Derivation."""
        from .derive import derive

        return derive(self)

    def with_params(self, **values) -> "Activation":
        merged = {k: v for k, v in self.params.items()}
        merged.update(values)
        return Activation(self.spec, self.spec.bind(merged))


@lru_cache(maxsize=4096)
def _numpy_fn(act: Activation, k: int):
    from .callables import NumpyFunction

    return NumpyFunction(act.form, k)


@lru_cache(maxsize=4096)
def _mpmath_fn(act: Activation, k: int):
    from .callables import MpmathFunction

    return MpmathFunction(act.form, k)


@lru_cache(maxsize=1024)
def _jax_fn(act: Activation, k: int):
    from .callables import JaxFunction

    return JaxFunction(act.form, k)
