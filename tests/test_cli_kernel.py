"""``acttheory kernel``: JSON keys (public interface), files, figure, errors."""

import json

import numpy as np
import pytest

from ntk import kernel_layers
from symbolic import get_activation
from theory.cli import main


def test_kernel_json_matches_the_library(capsys, tmp_path):
    X = np.random.default_rng(0).normal(size=(5, 3))
    path = tmp_path / "x.npy"
    np.save(path, X)
    assert main(["kernel", "relu", "--depth", "3", "--inputs", str(path), "--ntk", "--sigma-w2", "2", "--sigma-b2", "0.1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"nngp", "ntk", "depth", "sigma_w2", "sigma_b2", "parameterization"} <= doc.keys()
    assert doc["depth"] == 3 and doc["parameterization"] == "ntk" and doc["method"] == "arc-cosine"
    ref = kernel_layers(get_activation("relu"), X, depth=3, sigma_w2=2.0, sigma_b2=0.1)
    assert np.array(doc["nngp"]) == pytest.approx(ref.nngp[-1], rel=1e-15)
    assert np.array(doc["ntk"]) == pytest.approx(ref.ntk[-1], rel=1e-15)
    # the NTK diagonal of ReLU at sigma_w2 = 2, sigma_b2 = 0: (L + 1) Σ^0
    assert main(["kernel", "relu", "--depth", "2", "--inputs", str(path), "--ntk", "--sigma-w2", "2", "--json"]) == 0
    ntk = np.array(json.loads(capsys.readouterr().out)["ntk"])
    assert np.diag(ntk) == pytest.approx(3 * 2 * np.sum(X * X, axis=1) / 3, rel=1e-14)


def test_kernel_files_table_and_figure(capsys, tmp_path):
    out, fig = tmp_path / "k.npz", tmp_path / "k.png"
    assert main(["kernel", "tanh", "--depth", "2", "--random", "6,3", "--sphere", "--ntk", "-o", str(out), "--plot", str(fig)]) == 0
    text = capsys.readouterr().out
    assert "condition" in text and "ntk[:4, :4]" in text
    saved = np.load(out)
    assert saved["nngp"].shape == saved["ntk"].shape == (6, 6)
    assert fig.stat().st_size > 1000
    assert main(["kernel", "--mix", "relu=0.5", "--mix", "tanh=0.5", "--depth", "1", "--random", "4,3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["nngp"]) == 4


@pytest.mark.parametrize("argv,message", [
    (["kernel", "relu", "--depth", "2"], "exactly one of"),
    (["kernel", "relu", "--depth", "2", "--random", "4"], "N,D"),
    (["kernel", "sign", "--depth", "2", "--random", "4,3", "--ntk"], "does not exist"),
    (["kernel", "relu", "--depth", "2", "--random", "4,3", "--ntk", "--parameterization", "standard"], "--width"),
    (["kernel", "relu", "--depth", "-1", "--random", "4,3"], "depth"),
    (["kernel", "relu", "--depth", "1", "--random", "4,3", "--sigma-w2", "0"], "--sigma-w2 must be > 0"),
    (["kernel", "relu", "--depth", "1", "--inputs", "/nonexistent.npy"], "cannot read"),
])
def test_kernel_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_spectrum_json_table_and_plot(capsys, tmp_path):
    assert main(["spectrum", "relu", "--dim", "3", "--depth", "1", "--sigma-w2", "2", "--k-max", "6", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["nngp"][0] == pytest.approx(0.75, rel=1e-12) and abs(doc["nngp"][3]) < 1e-14
    assert doc["multiplicity"] == [1, 3, 5, 7, 9, 11, 13]
    fig = tmp_path / "s.png"
    assert main(["spectrum", "tanh", "--dim", "4", "--depth", "2", "-o", str(fig)]) == 0
    assert "multiplicity" in capsys.readouterr().out and fig.stat().st_size > 1000
    assert main(["spectrum", "relu", "--dim", "1", "--depth", "1"]) == 2
