"""Lazy re-exports for a package's ``__init__`` (PEP 562): each public name is imported from its submodule on
first use, so importing the package costs nothing and a caller that needs only numerics (a warm phase diagram
read from the disk cache) never imports sympy (0.3 s).

Some public functions share their submodule's name (``signalprop.maps`` is ``architecture.maps``,
``signalprop.propagation`` the function in ``propagation.py``). The import system binds every imported
submodule as an attribute of its package, which would replace such a function by the module once anything
imports that submodule; the package's module class refuses that binding, so the name keeps meaning the
function, as it did when the ``__init__`` imported everything eagerly. The submodule itself stays in
``sys.modules`` (``from signalprop.maps import length_map`` is unaffected).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Mapping


class _LazyPackage(types.ModuleType):
    """A package whose public names (``_exports``: name → (submodule, attribute; None for the submodule
    itself)) load on first access."""

    _exports: Mapping[str, tuple[str, str | None]]

    def __getattr__(self, name: str):
        try:
            module, attribute = self._exports[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None
        loaded = importlib.import_module(f"{self.__name__}.{module}")
        value = loaded if attribute is None else getattr(loaded, attribute)
        types.ModuleType.__setattr__(self, name, value)
        return value

    def __setattr__(self, name: str, value) -> None:
        exported = self.__dict__.get("_exports", {}).get(name)
        if isinstance(value, types.ModuleType) and exported is not None and exported[1] is not None:
            return  # a submodule named like a public function: the function keeps the name (module docstring)
        types.ModuleType.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted({*self.__dict__, *self._exports})


def lazy_package(name: str, exports: Mapping[str, str]) -> list[str]:
    """Make package ``name``'s public names load on first use; ``exports`` maps each to ``"submodule"`` (the
    attribute of that name in it), ``"submodule:attribute"`` (renamed), or ``"submodule:"`` (the submodule
    itself). Returns the names, for ``__all__``."""
    table: dict[str, tuple[str, str | None]] = {}
    for public, where in exports.items():
        module, _, attribute = where.partition(":")
        table[public] = (module, attribute or None) if ":" in where else (module, public)
    package = sys.modules[name]
    package.__class__ = _LazyPackage
    types.ModuleType.__setattr__(package, "_exports", table)
    return list(table)
