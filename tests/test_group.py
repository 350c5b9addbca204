"""Group activations (symbolic.group, signalprop.laws.GroupLaw): names and bad input, maxout's moments against closed
forms, the pair duals (MaxMin, householder with any v, maxout with k = 2) against numerical integration of their
4-D expectation and brute-force sampling, critical points, kernels and Monte Carlo (householder's independence of v)."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.integrate import dblquad
from scipy.stats import multivariate_normal

from ntk import nngp, ntk
from signalprop import critical_init, length_map, propagation
from signalprop.laws import GroupLaw, UnsupportedLayerError, layer_law, max_moment
from symbolic import GroupUnit, ParameterError, get_activation, group_names


def test_names_and_parameters():
    assert set(group_names()) == {"maxmin", "groupsort", "householder", "maxout"}
    assert get_activation("maxmin") == GroupUnit("groupsort", 2)
    assert get_activation("groupsort", k=2).name == "maxmin" and get_activation("groupsort").k == 4
    assert get_activation("maxout", k="3").k == 3
    assert get_activation("householder", theta=0.3).theta == 0.3


@pytest.mark.parametrize("name, params, match", [
    ("groupsort", {"k": 1}, "integer >= 2"), ("maxout", {"k": 2.5}, "integer >= 2"), ("maxmin", {"k": 3}, "no parameter k"),
    ("householder", {"theta": "nan"}, "finite angle"), ("householder", {"k": 3}, "no parameter k"),
])
def test_bad_parameters_are_refused(name, params, match):
    with pytest.raises(ParameterError, match=match):
        get_activation(name, **params)


def test_width_must_be_a_multiple_of_the_group():
    from theory.montecarlo import NetworkSpec

    with pytest.raises(ValueError, match="multiple of 4"):
        NetworkSpec(get_activation("groupsort"), 6, 2, 1.0, 0.0)


def test_maxout_moments_match_closed_forms():
    """E[(max of k standard normals)²]: 1, 1 + √3/(2π), 1 + √3/π for k = 2, 3, 4 (order statistics of normal samples;
    the reciprocals 0.78391, 0.64461 are Tseran & Montúfar's maxout initialization constants), to 1e-13."""
    assert max_moment(2, 2) == pytest.approx(1.0, rel=1e-13)
    assert max_moment(3, 2) == pytest.approx(1 + math.sqrt(3) / (2 * math.pi), rel=1e-13)
    assert max_moment(4, 2) == pytest.approx(1 + math.sqrt(3) / math.pi, rel=1e-13)
    assert max_moment(2, 4) == pytest.approx(3.0, rel=1e-13)  # E[max⁴] = E[(a⁴ + b⁴)]/2 for a pair
    assert 1 / max_moment(3, 2) == pytest.approx(0.78391, abs=5e-6) and 1 / max_moment(4, 2) == pytest.approx(0.64461, abs=5e-6)


def _quadrant_integral(f, q1, q2, c):
    """E[f(d, d')] for (d, d') centred normal with variances q1, q2 and correlation c, by scipy dblquad over the four
    quadrants (f is smooth inside each: the kinks of |d| and of 1[d > 0] lie on the axes), each to 1e-12."""
    cov = [[q1, c * math.sqrt(q1 * q2)], [c * math.sqrt(q1 * q2), q2]]
    pdf = multivariate_normal(cov=cov).pdf
    big = 12 * math.sqrt(max(q1, q2))
    total = 0.0
    for xs in ((0, big), (-big, 0)):
        for ys in ((0, big), (-big, 0)):
            total += dblquad(lambda y, x: f(x, y) * pdf([x, y]), *xs, *ys, epsabs=1e-13, epsrel=1e-12)[0]
    return total


@pytest.mark.parametrize("q1, q2, c", [(1.0, 1.0, 0.3), (0.7, 2.0, -0.8), (1.5, 0.4, 0.97)])
def test_pair_duals_against_4d_numerical_integration(q1, q2, c):
    """K = E[max·max' + min·min']/2 and K̇ = P(the order agrees): the 4-D expectation over (a, a'), (b, b') (independent
    pairs with covariance c√(q1 q2)) splits, with s = (a + b)/√2, d = (a − b)/√2, into E[s s'] + E[|d||d'|] over
    independent pairs (max·max' + min·min' = s s' + |d||d'| exactly); E|d||d'| and P(d d' > 0) are integrated
    numerically (no arcsin formula). The law's closed forms agree to 1e-10."""
    k = c * math.sqrt(q1 * q2)
    K = (k + _quadrant_integral(lambda x, y: abs(x * y), q1, q2, c)) / 2
    Kdot = _quadrant_integral(lambda x, y: float(x * y > 0), q1, q2, c)
    for name in ("maxmin", "householder", "maxout"):
        law = layer_law(get_activation(name))
        assert law.dual(q1, q2, c) == pytest.approx(K, rel=1e-10)
        assert law.dual_derivative(q1, q2, c) == pytest.approx(Kdot, rel=1e-10)


def _brute_force(unit, q, c, n=1_000_000, seed=0):
    """Per-output-unit E[g(z) g(z')] and E[Σ_b ∂g/∂z_b ∂g'/∂z'_b] by sampling pairs of correlated 2-vectors and
    applying the unit's own definition (numpy, no toolkit code)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, 2))
    z, z2 = math.sqrt(q) * a, math.sqrt(q) * (c * a + math.sqrt(1 - c * c) * rng.standard_normal((n, 2)))
    if unit.kind == "householder":
        v = np.array([math.sin(unit.theta / 2), -math.cos(unit.theta / 2)])

        def g(x):
            s = x @ v
            return np.where(s[:, None] > 0, x, x - 2 * s[:, None] * v), s > 0

        (h, side), (h2, side2) = g(z), g(z2)
        return (h * h2).sum(1).mean() / 2, np.mean(side == side2)  # tr(J Jᵀ')/2: 1 on the same side, 0 across
    top, top2 = z.max(1), z2.max(1)
    if unit.kind == "maxout":
        return (top * top2).mean(), np.mean(z.argmax(1) == z2.argmax(1))
    return ((top * top2) + z.min(1) * z2.min(1)).mean() / 2, np.mean(z.argmax(1) == z2.argmax(1))


@pytest.mark.parametrize("unit", [get_activation("maxmin"), get_activation("householder", theta=0.3),
                                  get_activation("householder", theta=2.4), get_activation("maxout")])
def test_pair_duals_against_sampling(unit):
    """10⁶ samples from each unit's definition (householder at θ = 0.3 and 2.4: its law does not depend on v):
    K and K̇ within 4.5 standard errors (≈ 2e-3) of the closed forms at q = 1.3, c = 0.6."""
    law = layer_law(unit)
    K, Kdot = _brute_force(unit, 1.3, 0.6)
    assert abs(K - law.dual(1.3, 1.3, 0.6)) < 4.5 * 1.3 * 1.1 / 1000
    assert abs(Kdot - law.dual_derivative(1.3, 1.3, 0.6)) < 4.5 * 0.5 / 1000


def test_critical_points():
    """MaxMin/householder/maxout(2): V(q) = σ_w² q + σ_b², χ_1 = σ_w²: the edge of chaos is the point (1, 0), every q a
    fixed point there; σ_b² > 0 has none. Maxout with k = 3: χ_1 = 1 at σ_w² = 1 but V'(0) = M_3 > 1 (q* = 0 repels);
    lengths are preserved at σ_w² = 1/M_3 (Tseran & Montúfar's constant), where χ_1 = 1/M_3 < 1 (ordered)."""
    c = critical_init(get_activation("maxmin"))
    assert (c.sigma_w2, c.sigma_b2, c.chi1) == (1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="single point sigma_b2 = 0"):
        critical_init(get_activation("householder"), sigma_b2=0.05)
    m3 = 1 + math.sqrt(3) / (2 * math.pi)
    c3 = critical_init(get_activation("maxout", k=3))
    assert c3.sigma_w2 == 1.0 and c3.length_map_slope == pytest.approx(m3, rel=1e-13) and not c3.stable
    unit = get_activation("maxout", k=3)
    assert float(length_map(unit, 2.0, 1 / m3, 0.0)) == pytest.approx(2.0, rel=1e-13)
    p = propagation(unit, 1 / m3 * 0.99, 0.1)
    assert p.phase == "ordered" and p.chi1 == pytest.approx(0.99 / m3, rel=1e-13)


def test_kernels_of_pairs_and_refusal_beyond():
    """The NNGP/NTK recursions with the pair duals: every k = 2 unit gives the same kernels (one law); depth 1 NNGP
    equals σ_w² K(Σ⁰) + σ_b² entry by entry; groups beyond the dual's range are refused with a clear error."""
    X = np.random.default_rng(1).normal(size=(4, 3))
    K = {n: nngp(get_activation(n), X, depth=3, sigma_w2=1.2, sigma_b2=0.1) for n in ("maxmin", "householder", "maxout")}
    assert np.allclose(K["maxmin"], K["householder"], rtol=1e-15) and np.allclose(K["maxmin"], K["maxout"], rtol=1e-15)
    S0 = 1.2 * X @ X.T / 3 + 0.1
    q = np.diag(S0)
    one = 1.2 * layer_law(get_activation("maxmin")).dual(q[:, None], q[None, :], S0 / np.sqrt(np.outer(q, q))) + 0.1
    np.testing.assert_allclose(nngp(get_activation("maxmin"), X, depth=1, sigma_w2=1.2, sigma_b2=0.1), one, rtol=1e-14)
    T = ntk(get_activation("maxmin"), X, depth=2, sigma_w2=1.2, sigma_b2=0.1)
    assert np.all(np.linalg.eigvalsh(T) > 0)
    with pytest.raises(UnsupportedLayerError, match="groupsort\\(k=64\\).*2 <= k <= 32"):
        nngp(get_activation("groupsort", k=64), X, depth=1)


@pytest.mark.parametrize("name, params", [("maxmin", {}), ("householder", {"theta": 0.3}), ("maxout", {})])
def test_mc_group_networks_agree_with_the_theory(name, params):
    """200 networks of width 256, depth 3 (σ_w² = 1, σ_b² = 0.1, exact-law fast path; float64): q, c, kurtosis,
    relative variance and NNGP within 4 (skew-judged) standard errors; 100 networks of width 128, depth 2 with
    explicit weights for the gradient norms and the empirical NTK (backward through the branch in force)."""
    from theory.mc_cli import two_inputs
    from theory.montecarlo import NetworkSpec, forward, gradients, measure

    unit = get_activation(name, **params)
    X = two_inputs(0.5)
    spec = NetworkSpec(unit, 256, 3, 1.0, 0.1, ensemble=200, seed=3, dtype="float64", outputs=256)
    fwd = forward(spec, X, progress=False, fast=True)
    for what in ("q", "c", "kurtosis", "qvar", "nngp"):
        comp = measure(what, spec, X, fwd)
        assert comp.passed, (what, comp.z_corrected)
    small = NetworkSpec(unit, 128, 2, 1.0, 0.1, ensemble=100, seed=4)
    grads = gradients(small, X, progress=False)
    for what in ("grad", "ntk"):
        comp = measure(what, small, X, grads)
        assert comp.passed, (what, comp.z_corrected)


def test_householder_law_does_not_depend_on_v():
    """Explicit Haar-free Gaussian weights, width 64, 3000 networks per angle: c and the excess kurtosis of
    householder networks at θ = π/2 (MaxMin), 0.3 and 2.4 agree within 4 standard errors of their differences (the
    pairs' law is rotation invariant); q̂ is the same in every network for every θ (norm preservation)."""
    from theory.mc_cli import two_inputs
    from theory.montecarlo import NetworkSpec, forward, measure

    X = two_inputs(0.5)
    runs = []
    for i, theta in enumerate((math.pi / 2, 0.3, 2.4)):
        spec = NetworkSpec(get_activation("householder", theta=theta), 64, 3, 1.0, 0.1, ensemble=3000, seed=40 + i, dtype="float64")
        runs.append((spec, forward(spec, X, progress=False)))
    for what in ("c", "kurtosis"):
        base = measure(what, *runs[0][:1], X, runs[0][1])
        for spec, fwd in runs[1:]:
            other = measure(what, spec, X, fwd)
            z = (base.measured - other.measured) / np.sqrt(base.stderr**2 + other.stderr**2)
            assert np.all(np.abs(z) <= 4), (what, z)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "theory", *args], capture_output=True, text=True, timeout=300)


def test_cli(tmp_path):
    show = json.loads(_cli("show", "householder", "--param", "theta=0.3", "--json").stdout)
    assert show["kind"] == "group" and show["lipschitz"]["constant"] == 1.0 and show["homogeneity_degree"] == 1
    crit = json.loads(_cli("critical", "maxout", "--param", "k=3", "--json").stdout)
    assert crit["sigma_w2"] == 1.0 and crit["stable"] is False and crit["length_map_slope"] > 1.27
    X = np.array([[1.0, 0.0], [0.6, 0.8], [-0.5, 0.2]])
    np.save(tmp_path / "x.npy", X)
    kernel = json.loads(_cli("kernel", "groupsort", "--inputs", str(tmp_path / "x.npy"), "--depth", "2", "--json").stdout)
    assert "2-D quadrature" in kernel["method"]
    np.testing.assert_allclose(kernel["nngp"], nngp(get_activation("groupsort"), X, depth=2), rtol=1e-14)
    assert kernel["nngp"][0][0] == pytest.approx(0.5, rel=1e-14)  # σ_w² = 1, σ_b² = 0: norm preserved, |x|²/d
    assert GroupLaw(get_activation("maxmin")).m2 == 1.0


def test_laws_broadcast_over_variances_and_refuse_group_mixtures():
    """Duals broadcast over array variances with a scalar correlation (no silent first element); a quenched mixture
    cannot hold groupsort or householder (they act on groups of a layer's units)."""
    from signalprop import mixture

    law = layer_law(get_activation("maxmin"))
    out = law.dual([1.0, 2.0], [1.0, 2.0], 0.5)
    assert np.allclose(out, [law.dual(1.0, 1.0, 0.5), 2 * law.dual(1.0, 1.0, 0.5)], rtol=1e-15)
    relu = layer_law(get_activation("relu"))
    assert np.allclose(relu.dual_derivative([1.0, 2.0], [1.0, 2.0], 0.5), 1 / 3, rtol=1e-12)  # (π − π/3)/(2π)
    with pytest.raises(UnsupportedLayerError, match="mixture cannot hold"):
        layer_law(mixture([get_activation("maxmin"), get_activation("relu")], [0.5, 0.5]))


@pytest.mark.parametrize("name, k", [("maxout", 3), ("groupsort", 4)])
def test_mc_larger_groups_agree_with_the_theory(name, k):
    """Maxout with 3 pieces and GroupSort with groups of 4 (duals from ``group_duals``): 200 networks of width 128,
    depth 3 (exact-law fast path, float64): q, c and the NNGP within 4 (skew-judged) standard errors; 100 networks of
    width 64, depth 2 with explicit weights: the gradient norms and the empirical NTK."""
    from theory.mc_cli import two_inputs
    from theory.montecarlo import NetworkSpec, forward, gradients, measure

    unit = get_activation(name, k=k)
    X = two_inputs(0.5)
    spec = NetworkSpec(unit, 128, 3, 0.7, 0.1, ensemble=200, seed=8, dtype="float64", outputs=128)
    fwd = forward(spec, X, progress=False, fast=True)
    for what in ("q", "c", "nngp"):
        comp = measure(what, spec, X, fwd)
        assert comp.passed and np.isfinite(comp.theory).all(), (what, comp.z_corrected)
    small = NetworkSpec(unit, 64, 2, 0.7, 0.1, ensemble=100, seed=9)
    grads = gradients(small, X, progress=False)
    for what in ("grad", "ntk"):
        comp = measure(what, small, X, grads)
        assert comp.passed, (what, comp.z_corrected)
