"""``acttheory zoo --critical``: rows equal the single-activation ``critical`` command, the critical points
satisfy q* = σ_w² E[φ(√q* z)²] + σ_b² and σ_w² E[φ'(√q* z)²] = 1 by independent quadrature, the statuses
say why there is no critical point, CSV equals JSON, and the figure is written."""

import csv
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.integrate import quad


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "theory", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def zoo_json():
    """The table for the 'sigmoid' family (tanh, erf, ...) and relu/step via their families, 2 processes."""
    out = _cli("zoo", "--critical", "--family", "sigmoid", "--sigma-b2", "0,0.05,0.3", "--json", "--no-progress",
               "--jobs", "2")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _entries(doc, name):
    (row,) = [r for r in doc["activations"] if r["name"] == name]
    return {e["sigma_b2"]: e for e in row["entries"]}


@pytest.mark.parametrize("name", ["tanh", "erf"])
def test_rows_equal_the_critical_command(zoo_json, name):
    for b2 in (0.05, 0.3):
        single = json.loads(_cli("critical", name, "--sigma-b2", str(b2), "--json").stdout)
        entry = _entries(zoo_json, name)[b2]
        assert entry["status"] == "critical"
        for key in ("sigma_w2", "q_star", "chi1", "length_map_slope", "xi_q"):
            assert entry[key] == single[key], (name, b2, key)


def test_critical_points_by_independent_quadrature(zoo_json):
    """tanh: q* = σ_w² E[tanh(√q* z)²] + σ_b², σ_w² E[sech⁴(√q* z)] = 1 (scipy.integrate.quad, 1e-10)."""
    gauss = lambda f: quad(lambda z: f(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -np.inf, np.inf,  # noqa: E731
                           epsabs=1e-13, epsrel=1e-13)[0]
    for b2, e in _entries(zoo_json, "tanh").items():
        if b2 == 0:
            assert e["status"] == "marginal" and e["q_star"] == 0.0 and e["sigma_w2"] == pytest.approx(1.0, rel=1e-12)
            continue
        s = math.sqrt(e["q_star"])
        assert e["sigma_w2"] * gauss(lambda z: math.tanh(s * z) ** 2) + b2 == pytest.approx(e["q_star"], rel=1e-10)
        assert e["sigma_w2"] * gauss(lambda z: (1 - math.tanh(s * z) ** 2) ** 2) == pytest.approx(1.0, rel=1e-10)


def test_statuses_say_why():
    """ReLU: a continuum at σ_b² = 0 and none beyond; step: none (χ_1 = ∞); swish at σ_b² = 0.05: q* repels,
    with the ordered limit (Roberts, Yaida & Hanin 2022 §5.3.4); exponential: found although its moments leave float64
    in the search (E[e^{2√q z}] = e^{2q}: χ_1 = σ_w² e^{2q*} = 1 and q* = σ_w² e^{2q*} + σ_b² give q* = 1 + σ_b²,
    σ_w² = e^{−2q*}, V'(q*) = 2σ_w² e^{2q*} = 2: unstable)."""
    from signalprop import critical_row
    from symbolic import get_activation

    relu = critical_row(get_activation("relu"), (0.0, 0.05))
    assert [e["status"] for e in relu] == ["continuum", "none"]
    assert relu[0]["sigma_w2"] == 2.0 and "single point" in relu[1]["reason"]
    step = critical_row(get_activation("step"), (0.05,))[0]
    assert step["status"] == "none" and step["sigma_w2"] is None and step["reason"]
    swish = critical_row(get_activation("swish"), (0.05,))[0]
    assert swish["status"] == "unstable" and swish["length_map_slope"] > 1 and swish["xi_q"] is None
    assert swish["ordered_limit_sigma_w2"] is None or swish["ordered_limit_sigma_w2"] > 0
    for b2, exp in zip((0.0, 0.05), critical_row(get_activation("exponential"), (0.0, 0.05))):
        assert exp["status"] == "unstable", exp
        assert exp["q_star"] == pytest.approx(1 + b2, rel=1e-12) and exp["chi1"] == pytest.approx(1.0, rel=1e-12)
        assert exp["sigma_w2"] == pytest.approx(math.exp(-2 * (1 + b2)), rel=1e-12)
        assert exp["length_map_slope"] == pytest.approx(2.0, rel=1e-10)


def test_csv_equals_json_and_table_prints(zoo_json):
    out = _cli("zoo", "--critical", "--family", "sigmoid", "--sigma-b2", "0,0.05,0.3", "--csv", "--no-progress", "--jobs", "1")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    flat = [(r["name"], e) for r in zoo_json["activations"] for e in r["entries"]]
    assert len(rows) == len(flat)
    for row, (name, e) in zip(rows, flat):
        assert row["name"] == name and row["status"] == e["status"]
        assert (row["sigma_w2"] == "" and e["sigma_w2"] is None) or float(row["sigma_w2"]) == e["sigma_w2"]
    table = _cli("zoo", "--critical", "--family", "sigmoid", "--sigma-b2", "0.05", "--no-progress", "--jobs", "1").stdout
    assert "tanh" in table and "critical" in table and "1.7609546" in table  # σ_w² of tanh at σ_b² = 0.05 (above)


def test_figure_and_bad_input(tmp_path):
    png = tmp_path / "eoc.png"
    out = _cli("zoo", "--critical", "--family", "hard", "--sigma-b2", "0.1", "--plot", str(png), "--eoc", "tanh,relu,gelu",
               "--no-progress", "--jobs", "1")
    assert out.returncode == 0, out.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for values in ("0,-1", "nan", "0,inf"):  # a negative, a NaN and an infinite variance are refused by name
        bad = _cli("zoo", "--critical", "--sigma-b2", values)
        assert bad.returncode == 2 and "bias variances" in bad.stderr, (values, bad.stderr)
    both = _cli("zoo", "--critical", "--json", "--csv")
    assert both.returncode == 2 and "not both" in both.stderr
    unknown = _cli("zoo", "--critical", "--plot", str(png), "--eoc", "tanhh")
    assert unknown.returncode == 2 and "tanh" in unknown.stderr
