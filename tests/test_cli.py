"""The acttheory command line: tables, JSON keys (public interface), errors, lazy imports."""

import json
import subprocess
import sys

import pytest

from symbolic import registered_names
from theory.cli import main

KEYS = {"name", "smoothness", "lipschitz", "bounded", "monotone", "phi0", "dphi0", "breakpoints", "growth"}


def test_help_imports_nothing_heavy():
    code = ("import sys; import theory.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('jax', 'matplotlib', 'sympy', 'scipy', 'mpmath') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_show_json(capsys):
    assert main(["show", "elu", "--param", "alpha=0.5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert KEYS <= doc.keys()
    assert doc["smoothness"] == "C0" and doc["lipschitz"] == 1.0 and doc["breakpoints"] == [0.0]
    assert doc["bounded"] is False and doc["monotone"] is True and doc["phi0"] == 0.0 and doc["dphi0"] is None


def test_show_expr_and_table(capsys):
    assert main(["show", "--expr", "x*sigmoid(b*x)", "--param", "b=2"]) == 0
    out = capsys.readouterr().out
    assert "Lipschitz" in out and "Cinf" in out


def test_zoo_json_lists_every_activation(capsys):
    assert main(["zoo", "--json", "--no-progress"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in docs] == registered_names()
    assert all(KEYS <= d.keys() for d in docs)
    assert all(d["smoothness"] == "Cinf" or d["smoothness"] == "discontinuous" or d["smoothness"][1:].isdigit() for d in docs)


def test_zoo_table(capsys):
    assert main(["zoo", "--no-progress", "--family", "sigmoidal"]) == 0
    out = capsys.readouterr().out
    assert "tanh" in out and "Cinf" in out and "not registered as pointwise" in out


@pytest.mark.parametrize("argv,message", [
    (["show", "rellu"], "did you mean"),
    (["show", "elu", "--param", "alpha=-1"], "alpha must be"),
    (["show", "--expr", "__import__('os')"], "dunder"),
    (["show"], "NAME"),
    (["show", "relu", "--param", "oops"], "k=v"),
])
def test_errors_exit_2_with_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_critical_json(capsys):
    assert main(["critical", "tanh", "--sigma-b2", "0.05", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"sigma_w2", "sigma_b2", "q_star", "chi1", "xi_q", "xi_c", "convention"} <= doc.keys()
    assert doc["sigma_w2"] == pytest.approx(1.7609546, rel=1e-6) and doc["xi_c"] is None
    assert main(["critical", "swish", "--sigma-b2", "0.04", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["xi_q"] is None and "unstable" in doc["note"]
    assert main(["critical", "relu", "--sigma-b2", "0.1"]) == 2
    assert "single point" in capsys.readouterr().err
    assert main(["critical", "tanh", "--sigma-b2", "-1"]) == 2


def test_eoc_json_and_figure(capsys, tmp_path):
    out = tmp_path / "eoc.png"
    assert main(["eoc", "tanh", "--json", "--points", "30", "-o", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["sigma_b2"]) == len(doc["sigma_w2"]) == len(doc["q_star"]) == 30
    assert doc["sigma_w2"][0] == pytest.approx(1.0, abs=0.01)  # q* -> 0: sigma_w2 -> 1/phi'(0)^2
    assert out.stat().st_size > 10_000 and out.read_bytes()[:4] == b"\x89PNG"
    assert main(["eoc", "relu", "--json", "--points", "5"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["single_point"] and "single point" in doc["note"]
    assert main(["eoc", "swish", "--json", "--points", "12", "--q-max", "100"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stable"][0] is False and doc["stable"][-1] is True and "repels" in doc["note"]
    assert all((v < 1) == st for v, st in zip(doc["length_map_slope"], doc["stable"]))
