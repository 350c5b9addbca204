"""What every attention normalizer is: a map of a row of n logits z ∈ R^n to n attention weights p(z), with its
exact Jacobian ∂p/∂z, its ℓ2 → ℓ2 Lipschitz constant sup_z ‖∂p/∂z‖₂ and, for the Gaussian statistics of
``signalprop.attention``, its ratio form p_j = w(z_j) / (ε + Σ_k v(z_k)) (or p_j = w(z_j) for element-wise ones).

Rows run along the last axis. Logits must be finite or −∞ (a masked position, weight 0); NaN and +∞ are refused.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..parameters import ParameterError


class AttentionError(ValueError):
    """Bad input to an attention normalizer or its statistics: the message names the problem and what is valid."""


@dataclass(frozen=True)
class Lipschitz:
    """sup_z ‖∂p/∂z‖₂ over R^n: ``value`` is a valid constant; ``exact`` when ``value`` is the supremum itself, else
    ``lower`` is a value the norm reaches (or approaches), so the supremum lies in [lower, value]; ``how`` says why.
    ``value`` = inf: not Lipschitz (null in ``as_dict``)."""

    value: float
    lower: float
    exact: bool
    how: str

    def as_dict(self) -> dict:
        finite = lambda v: v if math.isfinite(v) else None  # noqa: E731  JSON has no infinity
        return {"value": finite(self.value), "lower": finite(self.lower), "exact": self.exact, "how": self.how}


@dataclass(frozen=True)
class RatioForm:
    """p_j = w(z_j) / (eps + Σ_k v(z_k)) with w, v >= 0 (``log_v`` None: p_j = w(z_j), no normalization), given by
    ``log_w`` and ``log_v`` (−∞ where zero; logs so that e^{κz} never overflows). ``zero``: a logit where w or v
    vanish (the statistics resolve it on a logarithmic scale), with ``left`` saying what lies below it: "atom" (w = v
    = 0 there), "nodes" (w = 0 < v) or "mirror" (w and v even about ``zero``). ``slope`` bounds |d log v/dz| (of w
    without a denominator) away from ``zero``: the logit scale the quadrature must resolve. Away from ``zero`` the
    weights w increase with z (with |z − zero| for "mirror"): the order of the max weight."""

    log_w: Callable[[np.ndarray], np.ndarray]
    log_v: Callable[[np.ndarray], np.ndarray] | None
    eps: float = 0.0
    zero: float | None = None
    left: str = ""
    slope: float = 1.0


def safe_log(x: np.ndarray) -> np.ndarray:
    """log x with log 0 = −∞ and no warning."""
    with np.errstate(divide="ignore"):
        return np.log(x)


class Normalizer(ABC):
    """An attention normalizer (module docstring). Subclasses give ``_rows`` (evaluation on a 2-D array of rows),
    ``jacobian`` (one row), ``lipschitz`` (for rows of n) and, when the statistics apply, ``ratio_form``."""

    name: str = ""
    formula: str = ""
    source: str = ""
    normalized: bool = True  # every row sums to 1
    shift_invariant: bool = False  # p(z + c 1) = p(z): a part common to a row's logits cancels

    @property
    def label(self) -> str:
        return self.name

    def __call__(self, z, axis: int = -1) -> np.ndarray:
        """The weights of every row of ``z`` along ``axis`` (the numerically stable evaluation)."""
        z = check_logits(z)
        moved = np.moveaxis(z, axis, -1)
        out = self._rows(moved.reshape(-1, moved.shape[-1])).reshape(moved.shape)
        return np.moveaxis(out, -1, axis)

    @abstractmethod
    def _rows(self, z: np.ndarray) -> np.ndarray:
        """Weights of each row of a 2-D array (rows along axis 1), in its dtype."""

    @abstractmethod
    def jacobian(self, z) -> np.ndarray:
        """∂p_i/∂z_k of one row (n × n)."""

    @abstractmethod
    def lipschitz(self, n: int) -> Lipschitz:
        """The ℓ2 → ℓ2 Lipschitz constant on rows of n logits."""

    @abstractmethod
    def jacobian_text(self) -> str:
        """The Jacobian as a formula."""

    @abstractmethod
    def jax(self) -> Callable:
        """(z, mask) ↦ weights on JAX arrays (rows along the last axis; ``mask`` None or a boolean array broadcasting
        against z, False where a position is masked: weight 0). Needs the ``mc`` extra."""

    def ratio_form(self, n: int) -> RatioForm | None:
        """The ratio form on rows of n (None: no such form; the statistics then integrate over the whole row)."""
        return None

    def describe(self, n: int = 2) -> dict:
        """What ``acttheory show`` prints: formula, Jacobian, Lipschitz constant on rows of n, source."""
        return {"name": self.name, "label": self.label, "formula": self.formula, "normalized": self.normalized,
                "jacobian": self.jacobian_text(), "tokens": n, "lipschitz": self.lipschitz(n).as_dict(),
                "source": self.source}


def check_logits(z) -> np.ndarray:
    """``z`` as a float array (float32 kept, anything else float64) of at least one dimension with non-empty rows;
    NaN and +∞ are refused (−∞ is a masked position)."""
    arr = np.asarray(z)
    if arr.dtype.kind not in "fiu" or arr.dtype == np.float16:
        arr = arr.astype(np.float64)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise AttentionError(f"logits must be rows of at least one token (n >= 1), got shape {arr.shape}")
    if np.isnan(arr).any():
        raise AttentionError("logits hold NaN")
    if np.isposinf(arr).any():
        raise AttentionError("logits hold +inf: give finite logits (-inf marks a masked position)")
    return arr


def check_tokens(n) -> int:
    """The row length n as an int >= 1."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) and not (isinstance(n, float) and n.is_integer()):
        raise AttentionError(f"the number of tokens n must be an integer >= 1, got {n!r}")
    if n < 1:
        raise AttentionError(f"the number of tokens n must be an integer >= 1, got {n!r}")
    return int(n)


def positive_parameter(value, name: str, owner: str) -> float:
    """A parameter that must be a finite number > 0."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{owner}: {name} must be a finite number > 0, got {value!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise ParameterError(f"{owner}: {name} must be a finite number > 0, got {value!r}")
    return x


def one_row(z) -> np.ndarray:
    """One row of logits as float64 (for Jacobians)."""
    arr = check_logits(np.asarray(z, dtype=np.float64))
    if arr.ndim != 1:
        raise AttentionError(f"the Jacobian is of one row: give a 1-D array of logits, got shape {arr.shape}")
    return arr
