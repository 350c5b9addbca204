"""The packages' lazy re-exports (symbolic.lazy): importing symbolic or signalprop imports no sympy, every public
name resolves, and a public function named like a submodule stays the function once that submodule is imported."""

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

import signalprop
import symbolic


def test_importing_the_packages_imports_no_sympy():
    script = "import sys, symbolic, signalprop; print('sympy' in sys.modules, 'scipy' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("package", [symbolic, signalprop])
def test_every_public_name_resolves_and_functions_keep_their_names(package):
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):  # every submodule imported
        importlib.import_module(info.name)
    shadowed = 0
    for name in package.__all__:
        value = getattr(package, name)
        where, attribute = package._exports[name]
        module = importlib.import_module(f"{package.__name__}.{where}")
        assert value is (module if attribute is None else getattr(module, attribute)), name
        if attribute is not None and isinstance(sys.modules.get(f"{package.__name__}.{name}"), types.ModuleType):
            shadowed += 1
            assert not isinstance(value, types.ModuleType), name
    assert shadowed >= 2  # symbolic: derive, gated; signalprop: maps, propagation, transformer, ...
    assert set(package.__all__) <= set(dir(package))


def test_the_function_wins_over_its_module():
    import signalprop.architecture
    import signalprop.maps  # noqa: F401  (the module of the length maps)
    from signalprop import maps, propagation

    assert maps is signalprop.architecture.maps and callable(propagation)
    assert sys.modules["signalprop.maps"].length_map is signalprop.length_map


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        signalprop.no_such_name  # noqa: B018
    with pytest.raises(ImportError):
        from symbolic import no_such_name  # noqa: F401
