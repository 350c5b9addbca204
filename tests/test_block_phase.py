"""Phases of repeated blocks (signalprop.block_phase): a plain Dense → φ block against the chain's own phase analysis
(``propagation``, another engine), post-norm residual blocks against their correlation map written out with scipy quad
and a Gauss–Hermite rule (derived: χ₁ = (1 + α²σ_v²σ_w² E[φ'²]) / (1 + α²(σ_v² E[φ²] + σ_a²)), an edge of chaos and
a c* that do not depend on α), the unbounded and collapsing cases, the diagram and the CLI."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from signalprop import (Dense, Nonlinear, Serial, block_chis, block_phase, block_phase_diagram, branch, covariance_slope,
                        maps, post_norm_block, pre_norm_block, propagation, resnet)
from symbolic import get_activation
from theory.claims.reference import hermite_rule, pair_expectation

TANH = get_activation("tanh")


def _gauss(f, q):
    """E[f(√q z)] by scipy quad over |z| ≤ 12 (an independent 1-D route; the tail beyond is below 1e-31)."""
    return quad(lambda z: f(math.sqrt(q) * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -12.0, 12.0,
                epsabs=1e-15, epsrel=1e-13, limit=200)[0]


@pytest.mark.parametrize("name,w2,b2", [("tanh", 0.8, 0.05), ("tanh", 3.0, 0.05), ("erf", 2.5, 0.2), ("tanh", 0.5, 0.0),
                                        ("relu", 1.5, 0.1)])
def test_plain_block_is_the_chain(name, w2, b2):
    """Dense → φ as a block: the stream is the post-activation, so p* = E[φ²] at q* and q* = σ_w² p* + σ_b²; χ₁, χ_c and
    ξ_c are the chain's (Chebyshev-free fixed-point route of ``propagation``), c* its pre-activation c* mapped back."""
    act = get_activation(name)
    bp = block_phase(Serial(Dense(w2, b2), Nonlinear(act)))
    ch = propagation(act, w2, b2)
    assert bp.phase == ch.phase
    assert w2 * bp.p_star + b2 == pytest.approx(ch.q_star, rel=1e-9, abs=1e-12)
    for mine, theirs in ((bp.chi1, ch.chi1), (bp.chi_c, ch.chi_c), (bp.xi_c, ch.xi_c)):
        assert mine == pytest.approx(theirs, rel=1e-8)
    if bp.phase == "chaotic":
        c_pre = (w2 * bp.p_star * bp.c_star + b2) / ch.q_star
        assert c_pre == pytest.approx(ch.c_star, abs=1e-9)


W2, B2, V2, A2 = 2.0, 0.1, 1.0, 0.05


def _post_norm(alpha, w2=W2, b2=B2, act=TANH):
    return Serial(post_norm_block(branch(act, w2, b2, V2, A2), alpha))


def _chi1_written_out(alpha, w2=W2):
    q = w2 + B2  # the stream after the norm has length 1
    m2 = _gauss(lambda x: math.tanh(x) ** 2, q)
    d2 = _gauss(lambda x: 1 / math.cosh(x) ** 4, q)
    return (1 + alpha**2 * V2 * w2 * d2) / (1 + alpha**2 * (V2 * m2 + A2))


@pytest.mark.parametrize("alpha", [0.3, 1.0, 2.5])
def test_post_norm_block_against_its_written_out_maps(alpha):
    bp = block_phase(_post_norm(alpha))
    assert bp.p_star == pytest.approx(1.0, abs=1e-14)
    assert bp.chi1 == pytest.approx(_chi1_written_out(alpha), rel=1e-10)
    assert bp.phase == "chaotic"
    rule = hermite_rule(200)  # tanh is analytic: the rule is exact to rounding
    q = W2 + B2

    def cmap(c):
        k = float(pair_expectation(np.tanh, q, q, (W2 * c + B2) / q, rule))
        k1 = float(pair_expectation(np.tanh, q, q, 1.0, rule))
        return (c + alpha**2 * (V2 * k + A2)) / (1 + alpha**2 * (V2 * k1 + A2))

    c_star = brentq(lambda c: cmap(c) - c, 0.0, 1 - 1e-6, xtol=1e-15)
    assert bp.c_star == pytest.approx(c_star, abs=1e-10)
    h = 1e-5
    assert bp.chi_c == pytest.approx((cmap(c_star + h) - cmap(c_star - h)) / (2 * h), rel=1e-7)


def test_post_norm_edge_of_chaos_does_not_depend_on_alpha():
    """χ₁ − 1 has the sign of σ_w² E[φ'²] − E[φ²] − σ_a²/σ_v², so the critical σ_w² is the same for every α (derived),
    while ξ_c grows as α shrinks."""
    def critical(alpha):
        return brentq(lambda w2: block_phase(_post_norm(alpha, w2)).chi1 - 1, 0.3, 3.0, xtol=1e-13)

    q = lambda w2: w2 + B2  # noqa: E731
    written = brentq(lambda w2: w2 * _gauss(lambda x: 1 / math.cosh(x) ** 4, q(w2))
                     - _gauss(lambda x: math.tanh(x) ** 2, q(w2)) - A2 / V2, 0.3, 3.0, xtol=1e-13)
    assert critical(0.5) == pytest.approx(written, abs=1e-9)
    assert critical(2.0) == pytest.approx(written, abs=1e-9)
    slow, fast = block_phase(_post_norm(0.5, 1.5)), block_phase(_post_norm(2.0, 1.5))
    assert slow.xi_c > 2 * fast.xi_c


def test_unbounded_and_collapsing_streams():
    assert block_phase(resnet(TANH, 1, 1.0, 1.5, 0.1)).phase == "unbounded"
    pre = block_phase(Serial(pre_norm_block(branch(TANH, 1.5, 0.1), 1.0)))
    assert pre.phase == "unbounded" and math.isinf(pre.p_star) and math.isnan(pre.chi1)
    low = block_phase(Serial(Dense(0.5, 0.0), Nonlinear(TANH)))
    assert low.p_star == 0.0 and low.phase == "ordered" and low.chi1 == pytest.approx(0.5, rel=1e-9)


def test_covariance_slope_is_the_derivative_of_the_covariance_map():
    net = resnet(TANH, 2, 0.7, 1.5, 0.1, 1.2, 0.05, norm="layer", placement="post")
    h = 1e-6
    cov = lambda c: maps(net, 1.3, c).c[-1] * maps(net, 1.3, c).p[-1]  # noqa: E731
    assert covariance_slope(net, 1.3, 0.4) == pytest.approx((cov(0.4 + h) - cov(0.4 - h)) / (2 * h) / 1.3, rel=1e-7)
    assert covariance_slope(net, 1.3, 1.0) == pytest.approx(np.prod(block_chis(net, 1.3)), rel=1e-12)
    with pytest.raises(ValueError, match="correlation c must lie"):
        covariance_slope(net, 1.0, 1.5)


def test_diagram_and_interruption():
    w, b = np.array([0.5, 1.5, 3.0]), np.array([0.0, 0.2])
    d = block_phase_diagram(lambda w2, b2: _post_norm(1.0, w2, b2), w, b, "post-norm tanh")
    assert d.phase.shape == (2, 3) and not d.interrupted
    assert d.chi1[1, 2] == pytest.approx(block_phase(_post_norm(1.0, 3.0, 0.2)).chi1, rel=1e-14)
    doc = d.as_dict()
    assert doc["phase"][0][0] == "ordered" and doc["phase"][0][2] == "chaotic" and doc["xi_c"][0][0] > 0
    calls = []

    def stop_at_third(w2, b2):
        calls.append(w2)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return _post_norm(1.0, w2, b2)

    cut = block_phase_diagram(stop_at_third, w, b)
    assert cut.interrupted and (cut.phase[0, :2] >= 0).all() and (cut.phase[0, 2:] == -1).all()
    assert cut.as_dict()["phase"][1][0] is None


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "theory", "phase", *args], capture_output=True, text=True, timeout=300)


def test_cli_residual_phase(tmp_path):
    out = _cli("tanh", "--residual", "1.0", "--norm", "layer", "--post-norm", "--grid", "3", "--sigma-a2", "0.05",
               "--no-progress", "--json", "-o", str(tmp_path / "phase.png"))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["placement"] == "post" and doc["residual"] == 1.0 and len(doc["chi1"]) == 3
    expect = block_phase(Serial(post_norm_block(branch(TANH, doc["sigma_w2"][2], doc["sigma_b2"][1], 1.0, 0.05), 1.0)))
    assert doc["chi1"][1][2] == pytest.approx(expect.chi1, rel=1e-14)
    assert (tmp_path / "phase.png").stat().st_size > 1000
    table = _cli("tanh", "--residual", "0.5", "--norm", "rms", "--post-norm", "--grid", "2", "--no-progress")
    assert table.returncode == 0 and "p_star" in table.stdout and "chaotic" in table.stdout
    bad = _cli("tanh", "--residual", "1.0", "--norm", "layer", "--grid", "3")
    assert bad.returncode == 2 and "no fixed point" in bad.stderr and "maps" in bad.stderr
    big = _cli("tanh", "--residual", "1.0", "--norm", "layer", "--post-norm", "--grid", "100")
    assert big.returncode == 2 and "--grid 60 or less" in big.stderr


def test_close_to_the_edge_of_chaos():
    """χ₁ − 1 ≈ 1e-4 above criticality: the plain block's c* is the chain's (polished there) to 1e-7, and a post-norm
    block with a small branch scale (α = 0.1, χ₁ − 1 ∝ α²) is chaotic with a finite depth scale, not an error."""
    act = get_activation("tanh")
    w_c = brentq(lambda w2: propagation(act, w2, 0.05).chi1 - 1, 1.0, 3.0, xtol=1e-14)
    w2 = w_c * (1 + 1e-4)
    bp, ch = block_phase(Serial(Dense(w2, 0.05), Nonlinear(act))), propagation(act, w2, 0.05)
    assert bp.phase == "chaotic" and bp.c_star < 1
    assert (w2 * bp.p_star * bp.c_star + 0.05) / ch.q_star == pytest.approx(ch.c_star, abs=1e-7)
    assert bp.xi_c == pytest.approx(ch.xi_c, rel=1e-4)
    crit = brentq(lambda w: block_phase(_post_norm(1.0, w)).chi1 - 1, 0.3, 3.0, xtol=1e-13)
    small = block_phase(_post_norm(0.1, crit * (1 + 1e-4)))
    assert small.phase == "chaotic" and 0 < small.c_star < 1 and math.isfinite(small.xi_c)
