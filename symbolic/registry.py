"""The activation registry: names, aliases, lookup with suggestions."""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Mapping

from .activation import Activation, ActivationSpec
from .gated import NAMED, GatedUnit, get_gated
from .group import NAMES as GROUP_NAMES
from .group import GroupUnit, get_group

_SPECS: dict[str, ActivationSpec] = {}
_ALIASES: dict[str, str] = {}
_LOADED = False


class UnknownActivationError(KeyError):
    """No activation of that name; the message lists the closest registered names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def register(spec: ActivationSpec) -> ActivationSpec:
    """Add ``spec`` to the registry; its name and aliases must be new."""
    for key in (spec.name, *spec.aliases):
        k = normalize(key)
        if k in _ALIASES:
            raise ValueError(f"activation name {key!r} is already registered for {_ALIASES[k]!r}")
        _ALIASES[k] = spec.name
    _SPECS[spec.name] = spec
    return spec


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from . import zoo  # noqa: F401  (registers every entry on import)


def registered_names() -> list[str]:
    """Canonical names of every registered activation, in registration order."""
    _ensure_loaded()
    return list(_SPECS)


def get_spec(name: str) -> ActivationSpec:
    _ensure_loaded()
    key = normalize(name)
    if key in _ALIASES:
        return _SPECS[_ALIASES[key]]
    known = {**_ALIASES, **{g: g for g in [*NAMED, *GROUP_NAMES]}}
    close = difflib.get_close_matches(key, list(known), n=5, cutoff=0.5)
    close = list(dict.fromkeys(known[c] for c in close))
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownActivationError(
        f"unknown activation {name!r}{hint} (`acttheory zoo` lists all {len(_SPECS)}, the {len(NAMED)} gated units and the {len(GROUP_NAMES)} group activations)"
    )


@lru_cache(maxsize=2048)
def _cached(name: str, items: tuple) -> Activation:
    spec = _SPECS[name]
    return Activation(spec, spec.bind(dict(items)))


def get_activation(name: str, params: Mapping[str, object] | None = None, **kw) -> Activation | GatedUnit | GroupUnit:
    """The registered activation ``name`` with parameters (defaults for those not given), or the registered gated
    unit of that name (``symbolic.gated``: parameters go to the component that declares them), or the group activation
    of that name (``symbolic.group``: maxmin, groupsort, householder, maxout).

    >>> get_activation("elu", alpha="0.5").label
    'elu(alpha=1/2)'
    """
    values = dict(params or {})
    values.update(kw)
    if normalize(name) in NAMED:
        return get_gated(name, values)
    if normalize(name) in GROUP_NAMES:
        return get_group(name, values)
    spec = get_spec(name)
    bound = spec.bind(values)
    return _cached(spec.name, tuple(sorted((k, v) for k, v in bound.items())))


def all_activations() -> list[Activation]:
    """Every registered activation at its default parameters."""
    return [get_activation(n) for n in registered_names()]
