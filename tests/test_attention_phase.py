"""The rank-collapse / entropy-collapse diagram (``signalprop.attention_phase``): its entries against the token maps
and the statistics engine computed directly, its two collapses where they must be, the CLI, bad input."""

import json
import math

import numpy as np
import pytest

from signalprop import exchangeable_kernel, mean_correlation, row_statistics, token_maps, transformer
from signalprop.attention_phase import attention_phase_diagram
from symbolic.normalizers import get_normalizer
from theory.cli import main


def test_entries_and_collapses():
    """Post-norm softmax blocks on 6 tokens: each entry is 1 − ρ of ``token_maps`` and H/log T of ``row_statistics``
    at logit variance σ_QK²(1 − ρ) (within the QMC error of the maps: 1e-3); a large branch scale (α = 4, 4 blocks)
    collapses the rank, a large σ_QK² (200) the entropy."""
    soft = get_normalizer("softmax")
    d = attention_phase_diagram(soft, 6, 4, [0.5, 200.0], [0.2, 4.0])
    net = transformer(soft, None, 4, 4.0, "layer", "post", 0.5, mlp=False)
    rho = mean_correlation(token_maps(net, exchangeable_kernel(6, 1.0, 0.5)).kernels[-1])
    assert d.deficit[1, 0] == pytest.approx(1 - rho, abs=1e-3)
    ent = row_statistics(soft, 6, 200.0 * d.deficit[0, 1]).entropy / math.log(6)
    assert d.entropy[0, 1] == pytest.approx(ent, rel=1e-12)
    assert d.phase[1, 0] == 1 and d.phase[0, 1] == 2 and d.phase[0, 0] == 0
    assert d.deficit[1, 0] < 0.01 < d.deficit[0, 0] and d.entropy[0, 1] < 0.25 < d.entropy[0, 0]


def test_cli_phase(capsys, tmp_path):
    out = tmp_path / "phase.png"
    assert main(["attention", "softmax", "--phase", "--tokens", "4", "--blocks", "2", "--grid", "2", "--no-progress",
                 "--placement", "post", "--json", "-o", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert np.array(doc["deficit"]).shape == (2, 2) and set(sum(doc["phase"], [])) <= {"signal", "rank collapse",
                                                                                         "entropy collapse"}
    assert out.stat().st_size > 1000
    assert main(["attention", "relu", "--phase", "--tokens", "4", "--grid", "2", "--no-progress"]) == 2
    assert "normalized mechanism" in capsys.readouterr().err
