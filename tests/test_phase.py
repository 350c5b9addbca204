"""Phase diagrams against the point-by-point route (``propagation``: direct quadrature, Brent roots,
the 2-D engine for c*), the tanh edge of chaos of Schoenholz et al. (σ_w² = 1.7610 at σ_b² = 0.05),
and the CLI's JSON."""

import json
import math

import numpy as np
import pytest

from signalprop import critical_sigma_w2, phase_diagram, propagation
from signalprop.phase import PHASES
from symbolic import get_activation
from theory.cli import main

W = np.linspace(0.1, 5.0, 60)
B = np.linspace(0.0, 0.4, 41)


@pytest.mark.parametrize("name", ["tanh", "relu", "swish"])
def test_grid_matches_pointwise_route(name):
    act = get_activation(name)
    d = phase_diagram(act, W, B)
    rng = np.random.default_rng(7)
    for i, j in zip(rng.integers(0, len(B), 8), rng.integers(0, len(W), 8)):
        p = propagation(act, W[j], B[i])
        assert PHASES[d.phase[i, j]] == p.phase, (name, W[j], B[i])
        if p.phase == "unbounded":
            assert math.isnan(d.q_star[i, j])
            continue
        assert d.q_star[i, j] == pytest.approx(p.q_star, rel=1e-9, abs=1e-12)
        assert d.chi1[i, j] == pytest.approx(p.chi1, rel=1e-9)
        if math.isfinite(p.xi_q):
            assert d.xi_q[i, j] == pytest.approx(p.xi_q, rel=1e-7)
        # Mehler series where its tail bound allows, the (ln q, θ) table next to the edge of chaos
        assert d.c_star[i, j] == pytest.approx(p.c_star, abs=1e-9)
        assert d.xi_c[i, j] == pytest.approx(p.xi_c, rel=1e-7)


def test_tanh_edge_of_chaos_on_the_grid():
    tanh = get_activation("tanh")
    w = np.linspace(1.5, 2.0, 501)
    d = phase_diagram(tanh, w, np.array([0.05]))
    j = int(np.argmax(d.chi1[0] > 1.0))  # first chaotic column
    crossing = w[j - 1] + (w[j] - w[j - 1]) * (1 - d.chi1[0, j - 1]) / (d.chi1[0, j] - d.chi1[0, j - 1])
    assert crossing == pytest.approx(critical_sigma_w2(tanh, 0.05)[0], rel=1e-6)
    assert crossing == pytest.approx(1.76, abs=0.005)  # Schoenholz et al. 2017, Fig. 1
    assert np.all(d.xi_c[0, j - 3:j + 3] > 100)  # ξ_c diverges at the edge of chaos


def test_phase_cli_json_and_figure(tmp_path, capsys):
    out = tmp_path / "phase.png"
    assert main(["phase", "tanh", "--grid", "6", "--json", "-o", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("sigma_w2", "sigma_b2", "q_star", "chi1", "xi_c"):
        assert key in doc
    assert len(doc["sigma_w2"]) == 6 and len(doc["q_star"]) == 6 and len(doc["q_star"][0]) == 6
    assert out.stat().st_size > 10_000
    assert main(["phase", "tanh", "--grid", "1"]) == 2
    assert "--grid must be" in capsys.readouterr().err


def test_sign_grid_against_the_arcsin_closed_form():
    """sign: q* = σ_w² + σ_b² and C(c) = (σ_w² (2/π) arcsin c + σ_b²)/q*, so c* is the root of a closed
    form (Brent here). Every chaotic point of the grid, c* up to 0.97 included (those beyond the Mehler
    tail bound go through the (ln q, θ) table of E[φφ], with χ_c = −σ_w² ∂_θ/sin θ), to 1e-13; and
    χ_c(c*) = σ_w² (2/π)/(q* √(1 − c*²))."""
    from scipy.optimize import brentq

    sign = get_activation("sign")
    d = phase_diagram(sign, W, B)
    assert np.all(d.phase == PHASES.index("chaotic"))
    np.testing.assert_allclose(d.q_star, W[None, :] + B[:, None], rtol=1e-13)
    for i in range(0, len(B), 4):
        for j in range(0, len(W), 5):
            w2, b2 = W[j], B[i]
            q = w2 + b2
            c = brentq(lambda x: (w2 * 2 / math.pi * math.asin(x) + b2) / q - x, 0.0, 1 - 1e-12, xtol=1e-16, rtol=1e-15) if b2 > 0 else 0.0
            assert d.c_star[i, j] == pytest.approx(c, abs=1e-13), (w2, b2)
            assert d.chi_c[i, j] == pytest.approx(w2 * 2 / math.pi / (q * math.sqrt(1 - c * c)), rel=1e-11), (w2, b2)


def test_shifted_relu_phase_diagram_against_closed_forms():
    """ReLU(x − τ): E[φ²] and E[φ'²] ~ e^{−τ²/2q} underflow at small q, so the table starts higher and
    q* below it are solved point by point. Reference: V(q) = σ_w²[(q + τ²)Φ(−τ/√q) − τ√q φ(τ/√q)] + σ_b²
    (closed form), its fixed point reached from q0 = 1 by brentq, χ_1 = σ_w² Φ(−τ/√q*) (scipy.stats)."""
    import math

    from scipy.optimize import brentq
    from scipy.stats import norm

    from signalprop import phase_diagram
    from symbolic import get_activation

    def V(q, w2, b2):
        s = math.sqrt(q)
        return w2 * ((q + 1) * norm.sf(1 / s) - s * norm.pdf(1 / s)) + b2

    w2s, b2s = np.array([0.5, 2.5, 5.0]), np.array([0.0, 0.001, 0.1, 0.4])
    pd = phase_diagram(get_activation("shifted_relu"), w2s, b2s)
    for i, b2 in enumerate(b2s):
        for j, w2 in enumerate(w2s):
            if b2 == 0:
                assert pd.q_star[i, j] == 0.0 and pd.chi1[i, j] == 0.0  # V(q) < q for all small q: q* = 0
                continue
            q_ref = brentq(lambda q: V(q, w2, b2) - q, b2 * (1 - 1e-9), 1.0, xtol=1e-15, rtol=1e-14)
            assert pd.q_star[i, j] == pytest.approx(q_ref, rel=1e-9), (w2, b2)
            assert pd.chi1[i, j] == pytest.approx(w2 * norm.sf(1 / math.sqrt(q_ref)), rel=1e-7, abs=1e-300), (w2, b2)
            assert pd.phase[i, j] == 0  # ordered


@pytest.mark.parametrize("name", ["identity", "abs"])
def test_unit_slope_activations_tabulate(name):
    """|φ'| = 1: ln E[φ'²] ≡ 0 and ln E[φ²]/q ≡ 0, rows of rounding noise that count as converged. Then
    V(q) = σ_w² q + σ_b²: q* = σ_b²/(1 − σ_w²) for σ_w² < 1 (closed form), χ_1 = σ_w²."""
    from signalprop import phase_diagram
    from symbolic import get_activation

    w2s, b2s = np.array([0.3, 0.8]), np.array([0.1, 0.5])
    pd = phase_diagram(get_activation(name), w2s, b2s)
    np.testing.assert_allclose(pd.q_star, b2s[:, None] / (1 - w2s[None, :]), rtol=1e-12)
    np.testing.assert_allclose(pd.chi1, np.broadcast_to(w2s, pd.chi1.shape), rtol=1e-13)


def test_periodic_breakpoints_are_refused_at_once():
    """BiPer lists its jumps only in |x| ≤ 15.9: its tables cannot reach q ~ 1e4, so it is refused before any
    work (it used to run for minutes, take gigabytes, then fail inside the quadrature)."""
    from signalprop import QuadratureError, phase_diagram
    from symbolic import get_activation

    with pytest.raises(QuadratureError, match="periodic breakpoints are listed only for"):
        phase_diagram(get_activation("biper"), np.array([1.0, 2.0]), np.array([0.0, 0.1]))


def test_bad_axes_are_refused_with_their_shapes():
    tanh = get_activation("tanh")
    for w2s, b2s in ((np.array([]), B), (W, np.array([])), (W[None, :], B), (2.0, B)):
        with pytest.raises(ValueError, match="1-D arrays of at least one value"):
            phase_diagram(tanh, w2s, b2s)
    with pytest.raises(ValueError, match="must be > 0"):
        phase_diagram(tanh, np.array([0.0, 1.0]), B)
