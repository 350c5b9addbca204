"""Group activations: functions of a group of k pre-activations of one layer rather than of one.

* ``groupsort`` (group size k ≥ 2): each group of k consecutive pre-activations is sorted (descending here: the
  first output of a group is its max); ``maxmin`` is k = 2, (z1, z2) → (max, min). Width unchanged. Anil, Lucas &
  Grosse 2019, "Sorting out Lipschitz function approximation", arXiv:1811.05381 (zoo row 84).
* ``householder`` (pairs, angle θ): z ↦ z if vᵀz > 0 else (I − 2vvᵀ) z, v = (sin(θ/2), −cos(θ/2)); θ = π/2 is MaxMin.
  Singla, Singla & Feizi 2022, "Improved deterministic l2 robustness on CIFAR-10 and CIFAR-100", arXiv:2108.04062
  (zoo row 85; the abstract's branch convention, also that of the paper's figure; the authors' code swaps the two
  branches, which at θ = π/2 gives (min, max): the same law at infinite width).
* ``maxout`` (k ≥ 2 pieces): the max of k pre-activations (k independent weight rows per output unit). Goodfellow
  et al. 2013, "Maxout Networks", arXiv:1302.4389.

Each is continuous, piecewise linear, positively homogeneous of degree 1 and 1-Lipschitz in ℓ2 (groupsort and
householder are moreover norm- and gradient-norm-preserving: their Jacobian is a permutation or a reflection).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from .parameters import ParameterError

KINDS = ("groupsort", "householder", "maxout")


@dataclass(frozen=True)
class GroupUnit:
    """A group activation (module docstring): ``kind``, group size / pieces ``k``, householder angle ``theta``."""

    kind: str
    k: int = 2
    theta: float = math.pi / 2
    name: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ParameterError(f"group activation kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 2:
            what = "pieces" if self.kind == "maxout" else "group size"
            raise ParameterError(f"{self.kind}: the {what} k must be an integer >= 2, got {self.k!r}")
        if self.kind == "householder" and self.k != 2:
            raise ParameterError(f"householder acts on pairs (k = 2), got k = {self.k}")
        if not math.isfinite(self.theta):
            raise ParameterError(f"householder: theta must be a finite angle, got {self.theta!r}")
        if not self.name:
            object.__setattr__(self, "name", "maxmin" if self.kind == "groupsort" and self.k == 2 else self.kind)

    @property
    def label(self) -> str:
        if self.kind == "householder":
            return f"householder(theta={self.theta:g})"
        return self.name if self.name == "maxmin" else f"{self.kind}(k={self.k})"

    @property
    def inputs_per_output(self) -> int:
        """Pre-activations per output unit: k for maxout, 1 for the width-preserving groupsort and householder."""
        return self.k if self.kind == "maxout" else 1

    @property
    def group(self) -> int:
        """Pre-activations a group acts on jointly: the width of a groupsort/householder layer must be a multiple."""
        return 1 if self.kind == "maxout" else self.k

    @property
    def source(self) -> str:
        return SOURCES[self.kind]

    def derive(self):
        from .group_derive import GroupDerivation

        return GroupDerivation(self)


SOURCES = {
    "groupsort": "Anil, Lucas & Grosse 2019, Sorting out Lipschitz function approximation, arXiv:1811.05381",
    "householder": "Singla, Singla & Feizi 2022, Improved deterministic l2 robustness on CIFAR-10 and CIFAR-100, "
                   "arXiv:2108.04062",
    "maxout": "Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013, Maxout Networks, arXiv:1302.4389",
}
NAMES = {"maxmin": ("groupsort", 2), "groupsort": ("groupsort", 4), "householder": ("householder", 2),
         "maxout": ("maxout", 2)}
ZOO_IDS = {"maxmin": 84, "groupsort": 84, "householder": 85}


def group_names() -> list[str]:
    return list(NAMES)


def group_zoo_ids() -> set[int]:
    """The rows of shared/activation_zoo.md the group activations cover (maxout is not a zoo row)."""
    return set(ZOO_IDS.values())


def get_group(name: str, params: dict | None = None) -> GroupUnit:
    """The registered group activation ``name`` (maxmin, groupsort with k = 4 by default, householder with θ = π/2,
    maxout with k = 2 by default) with parameters k (an integer) or theta (householder)."""
    from .registry import normalize

    key = normalize(name)
    if key not in NAMES:
        close = difflib.get_close_matches(key, list(NAMES), n=3, cutoff=0.6)
        raise KeyError(f"unknown group activation {name!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    kind, k = NAMES[key]
    values = dict(params or {})
    allowed = {"maxmin": set(), "groupsort": {"k"}, "maxout": {"k"}, "householder": {"theta"}}[key]
    unknown = set(values) - allowed
    if unknown:
        raise ParameterError(f"{key} has no parameter {', '.join(sorted(unknown))}; "
                             + (f"its parameters are: {', '.join(sorted(allowed))}" if allowed else "it takes no parameters"))
    if "k" in values:
        k = _integer(values["k"], key)
    theta = _angle(values["theta"]) if "theta" in values else math.pi / 2
    return GroupUnit(kind, k, theta, name=key if key != "groupsort" or k != 2 else "maxmin")


def _integer(value, name: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}: k must be an integer >= 2, got {value!r}") from None
    if not number.is_integer():
        raise ParameterError(f"{name}: k must be an integer >= 2, got {value!r}")
    return int(number)


def _angle(value) -> float:
    try:
        theta = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"householder: theta must be a number (an angle in radians), got {value!r}") from None
    if not math.isfinite(theta):
        raise ParameterError(f"householder: theta must be a finite angle, got {value!r}")
    return theta
