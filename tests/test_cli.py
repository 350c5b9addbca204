"""The acttheory command line: tables, JSON keys (public interface), errors, lazy imports."""

import json
import subprocess
import sys

import pytest

from symbolic import registered_names
from theory.cli import build_parser, main

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


# every numeric option of every command, with a value out of its range (NaN, ±inf and non-numbers are
# tried for each too): (the command line before the option, {option: out-of-range value})
NUMERIC_OPTIONS = [
    (["zoo"], {"--jobs": "0"}),
    (["critical", "tanh"], {"--sigma-b2": "-0.1"}),
    (["critical", "tanh"], {"--q-star": "0"}),
    (["eoc", "tanh"], {"--q-min": "0", "--q-max": "-1", "--points": "0"}),
    (["maps", "tanh", "--sigma-w2", "1", "--sigma-b2", "0"],
     {"--sigma-w2": "0", "--sigma-b2": "-1e-3", "--depth": "10001", "--q0": "0", "--c0": "1.5"}),
    (["phase", "tanh"], {"--grid": "1", "--sigma-w2-min": "0", "--sigma-w2-max": "-1", "--sigma-b2-min": "-1",
                         "--sigma-b2-max": "-0.5"}),
    (["kernel", "relu", "--depth", "1", "--random", "3,2"],
     {"--depth": "-1", "--seed": "-1", "--width": "0", "--sigma-w2": "0", "--sigma-b2": "-1"}),
    (["spectrum", "relu", "--dim", "3", "--depth", "1"],
     {"--dim": "1", "--depth": "-1", "--k-max": "501", "--sigma-w2": "-2", "--sigma-b2": "-1"}),
    (["mc", "relu", "--width", "2", "--depth", "1"],
     {"--width": "0", "--depth": "0", "--ensemble": "1", "--sigma-w2": "0", "--sigma-b2": "-1",
      "--input-correlation": "-1.01", "--seed": "-3"}),
]
BAD_VALUES = [(base, flag, value) for base, options in NUMERIC_OPTIONS for flag, bad in options.items()
              for value in ("nan", "inf", "-inf", "1e400", "two", bad)]


@pytest.mark.parametrize("base,flag,value", BAD_VALUES, ids=lambda v: v if isinstance(v, str) else v[0])
def test_numeric_options_refuse_nan_inf_and_out_of_range(base, flag, value, capsys):
    assert main([*base, f"{flag}={value}"]) == 2  # parsing refuses it: nothing runs
    err = capsys.readouterr().err
    assert f"error: {flag} must be " in err and f"got {value!r}" in err


@pytest.mark.parametrize("argv,expected", [
    (["maps", "tanh", "--sigma-w2", "1e-300", "--sigma-b2", "0", "--c0=-1", "--depth", "0"],
     {"sigma_w2": 1e-300, "sigma_b2": 0.0, "c0": -1.0, "depth": 0}),
    (["phase", "tanh", "--grid", "2", "--sigma-b2-min", "0"], {"grid": 2, "b_min": 0.0}),
    (["mc", "relu", "--width", "1", "--depth", "1", "--ensemble", "2", "--input-correlation", "1", "--seed", str(2**63 - 1)],
     {"width": 1, "depth": 1, "ensemble": 2, "input_correlation": 1.0, "seed": 2**63 - 1}),
])
def test_numeric_options_accept_their_limits(argv, expected):
    args = build_parser().parse_args(argv)
    assert {k: getattr(args, k) for k in expected} == expected
    assert all(type(getattr(args, k)) is type(v) for k, v in expected.items())  # integers stay integers


@pytest.mark.parametrize("argv,message", [
    (["show", "elu", "--param", "alpha=nan"], "not a number"),
    (["show", "elu", "--param", "alpha=1e400"], "beyond float64"),
    (["show", "--expr", "b*x", "--param", "b=inf"], "not a number"),
    (["maps", "--mix", "tanh=nan", "--mix", "relu=0.5", "--sigma-w2", "1", "--sigma-b2", "0"], "probabilities"),
    (["kernel", "relu", "--random", "3,2", "--depth", "1" + "0" * 400], "--depth must be an integer in [0, 10000]"),
    (["eoc", "tanh", "--q-min", "2", "--q-max", "1"], "--q-min <= --q-max"),
    (["phase", "tanh", "--sigma-w2-min", "3", "--sigma-w2-max", "1"], "--sigma-w2-min < --sigma-w2-max"),
])
def test_parameters_mixtures_and_ranges_refused(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_nan_exits_2_from_the_console():
    out = subprocess.run([sys.executable, "-m", "theory", "critical", "relu", "--sigma-b2", "nan"], capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == "error: --sigma-b2 must be >= 0 and finite (a bias variance), got 'nan'"


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
    assert main(["eoc", "shifted_relu", "--json", "--points", "3"]) == 0  # Price et al.: V'(q*) = 1 along the curve
    doc = json.loads(capsys.readouterr().out)
    assert doc["tangent"] == [True] * 3 and not any(doc["stable"])
    assert "is tangent (V'(q*) = 1: it attracts from one side only) at 3 of 3 points" in doc["note"] and "repels" not in doc["note"]


def test_json_is_strict():
    from theory.cli import json_text

    assert json_text({"xi": None, "q": [1.0, 2]}) == '{"xi": null, "q": [1.0, 2]}'
    with pytest.raises(RuntimeError, match="NaN or an infinity"):
        json_text({"q": [1.0, float("nan")]})


def test_mc_json_gives_null_where_there_is_no_theory(capsys):
    status = main(["mc", "tanh", "--width", "2", "--depth", "1", "--ensemble", "2", "--measure", "jacobian", "--json"])
    assert status in (0, 1)  # 1: a measurement disagrees with the theory (two networks: not the point here)
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda token: pytest.fail(f"--json printed {token}"))
    assert doc["jacobian_spread"]["theory"] == "measured only" and doc["jacobian_spread"]["z"] == [None]
    assert all(v is not None for v in doc["jacobian"]["z"])
