"""Kernel shaping (signalprop.shaping): DKS and TAT parameters against mpmath (the conditions at 30 digits, and an
independent mpmath solve), against the ``dks`` package (live, every activation it supports) and against the
numbers in the dks package's own test suite; the transformed activation through the toolkit's maps; bad input;
the ``acttheory shape`` command."""

import json
import math

import mpmath
import numpy as np
import pytest

from signalprop import chi1, correlation_map_slope, gaussian_moment, iterate_maps, length_map, length_map_slope, shaping
from signalprop.gaussian import growth_rates, integrate_gaussian_mp
from signalprop.laws import UnsupportedLayerError
from signalprop.shaping import bridge
from symbolic import get_activation
from theory.claims.martens2021 import resnet101_subnet_max  # the dks package's test network, written out
from theory.cli import main


def _mp_conditions(act, params, dps=30):
    """Q(1), Q'(1), C(0), C'(1), C''(1) of φ̂ = γ(φ(αz + β) + δ) with mpmath at ``dps`` digits. Q'(1) by Stein's
    lemma, ½E[(z² − 1) φ̂(z)²] (the toolkit uses E[φ̂ φ̂' z]); C''(1) None unless φ' is continuous."""
    a, b, d, g = (mpmath.mpf(params[k]) for k in shaping.PARAMETERS)
    f0, f1, f2 = act.mpmath(0), act.mpmath(1), act.mpmath(2)
    bps, (rn, rp) = act.form.breakpoints, growth_rates(act, 2)

    def E(fn, z_poly=None):
        return integrate_gaussian_mp(fn, float(a * a), float(b), bps, rn, rp, z_poly=z_poly, dps=dps)

    with mpmath.workdps(dps):
        mean = g * (E(f0) + d)
        q1 = g * g * E(lambda x: (f0(x) + d) ** 2)
        q_slope = g * g * E(lambda x: (f0(x) + d) ** 2, z_poly=lambda z: (z * z - 1) / 2)
        c_slope = g * g * a * a * E(lambda x: f1(x) ** 2)
        smooth = act.derive().smoothness_order
        c_curv = g * g * a ** 4 * E(lambda x: f2(x) ** 2) if smooth is None or smooth >= 1 else None
        return {"q_value": q1, "q_slope": q_slope, "c_value_0": mean * mean / q1, "c_slope_1": c_slope / q1,
                "c_curv_1": None if c_curv is None else c_curv / q1}


# --- targets from the network ------------------------------------------------------------------------------------

def test_chain_targets():
    for depth, zeta, tau in [(1, 1.5, 0.3), (10, 1.5, 0.3), (100, 1.2, 0.2), (1000, 12.0, 4.5)]:
        assert shaping.local_c_slope(shaping.chain(depth), zeta) == pytest.approx(zeta ** (1 / depth), rel=1e-14)
        assert shaping.local_c_curvature(shaping.chain(depth), tau) == pytest.approx(tau / depth, rel=1e-13)


@pytest.mark.parametrize("depth, eta", [(50, 0.9), (100, 0.9), (5, 0.5), (10, 0.5)])
def test_leaky_relu_slope_meets_eta(depth, eta):
    """C^{∘L}(0) = η with the arc-cosine C map evaluated by mpmath at 30 digits."""
    s = shaping.leaky_relu_slope(shaping.chain(depth), eta)
    with mpmath.workdps(30):
        k = (1 - mpmath.mpf(s)) ** 2 / (mpmath.pi * (1 + mpmath.mpf(s) ** 2))
        c = mpmath.mpf(0)
        for _ in range(depth):
            c = c + k * (mpmath.sqrt(1 - c * c) - c * mpmath.acos(c))
    assert float(c) == pytest.approx(eta, abs=1e-13)


# The dks package's own test values (its tests/test_activation_transform.py) for that network with ζ = 1.2,
# τ = 0.2, η = 0.75: an independent implementation (autograd, 100,000-point Gauss–Legendre, bisection of the
# network target to 1e-8). Smooth activations agree to ~1e-8: its bisection stops within 1e-8 of the target.
PUBLISHED = [
    ("dks", "softplus", {"input_scale": 0.18761008168267976, "input_shift": 0.40688063442262007,
                         "output_shift": -0.9213466151411376, "output_scale": 8.878672543665223}),
    ("dks", "tanh", {"input_scale": 0.07461073057540868, "input_shift": 0.5566915199964182,
                     "output_shift": -0.5034378768692127, "output_scale": 18.002635964442558}),
    ("dks", "gelu_tanh", {"input_scale": 0.07036271496383567, "input_shift": 0.2586837248593587,
                          "output_shift": -0.15758328114374964, "output_scale": 20.249573305194307}),
    ("dks", "gelu", {"input_scale": 0.07043253126531114, "input_shift": 0.259489297927707,
                     "output_shift": -0.15815378961903598, "output_scale": 20.21158902315857}),
    ("tat", "softplus", {"input_scale": 0.15011489794748328, "input_shift": 0.5374599901127068,
                         "output_shift": -0.996481014465811, "output_scale": 10.54880187880574}),
    ("tat", "tanh", {"input_scale": 0.0580205218578313, "input_shift": 0.5218639804099805,
                     "output_shift": -0.4796430704354356, "output_scale": 22.36066261763117}),
    ("tat", "leaky_relu", {"output_scale": 1.196996549778802, "negative_slope": 0.6291800290346146}),
]


@pytest.mark.parametrize("method, name, expected", PUBLISHED, ids=[f"{m}-{n}" for m, n, _ in PUBLISHED])
def test_dks_package_published_values(method, name, expected):
    fn = shaping.dks if method == "dks" else shaping.tat
    kw = {"zeta": 1.2} if method == "dks" else {"tau": 0.2, "eta": 0.75}
    s = fn(name, subnet_max=resnet101_subnet_max, **kw)
    got = s.params()
    candidates = [got] + ([{**got, **s.mirror}] if s.mirror else [])
    err = min(max(abs(c[k] - v) / max(1.0, abs(v)) for k, v in expected.items()) for c in candidates)
    assert err < 3e-7


# --- the conditions at 30 digits ------------------------------------------------------------------------------------

DKS_CASES = ["tanh", "softplus", "gelu", "elu", "selu", "relu", "leaky_relu", "sin", "swish"]
TAT_CASES = ["tanh", "softplus", "gelu", "elu", "erf"]


@pytest.mark.parametrize("name", DKS_CASES)
def test_dks_conditions_hold_at_30_digits(name):
    s = shaping.dks(name, depth=10, zeta=1.5)
    mp = _mp_conditions(s.base, s.params())
    xi = 1.5 ** 0.1
    assert abs(mp["q_value"] - 1) < 1e-11
    assert abs(mp["c_value_0"]) < 1e-11
    assert abs(mp["c_slope_1"] - xi) < 1e-10
    if name != "relu":  # ReLU has one free parameter: Q'(1) is not a condition (dks does the same)
        assert abs(mp["q_slope"] - 1) < 1e-10


@pytest.mark.parametrize("name", TAT_CASES)
def test_tat_conditions_hold_at_30_digits(name):
    s = shaping.tat(name, depth=10, tau=0.3)
    mp = _mp_conditions(s.base, s.params())
    for key, target in [("q_value", 1.0), ("q_slope", 1.0), ("c_slope_1", 1.0), ("c_curv_1", 0.03)]:
        assert abs(mp[key] - target) < 1e-10, key
    assert s.input_scale * s.output_scale < 2  # the dks package's rejection rule


def test_an_independent_mpmath_solve_finds_the_same_dks_parameters():
    """mpmath.findroot (20 digits) of Q'(1) = 1, C'(1) = ξ in (input_scale, input_shift), started 1e-3 away."""
    s = shaping.dks("tanh", depth=10, zeta=1.5)
    act, xi = s.base, 1.5 ** 0.1
    f0, f1 = act.mpmath(0), act.mpmath(1)

    def conditions(a, b):
        E = lambda fn, z_poly=None: integrate_gaussian_mp(fn, float(a * a), float(b), (), 0, 0, z_poly=z_poly, dps=20)  # noqa: E731
        m = E(f0)
        q1 = E(lambda x: (f0(x) - m) ** 2)
        q_slope = E(lambda x: (f0(x) - m) ** 2, z_poly=lambda z: (z * z - 1) / 2) / q1
        return [q_slope - 1, a * a * E(lambda x: f1(x) ** 2) / q1 - xi]

    with mpmath.workdps(20):
        a, b = mpmath.findroot(conditions, (mpmath.mpf(s.input_scale) + 1e-3, mpmath.mpf(s.input_shift) - 1e-3))
    assert float(a) == pytest.approx(s.input_scale, rel=1e-10)
    assert float(b) == pytest.approx(s.input_shift, rel=1e-10)


# --- the dks package, live --------------------------------------------------------------------------------------------

SMOOTH = ["tanh", "sigmoid", "erf", "softplus", "swish", "bentid", "atan", "asinh", "gelu", "gelu_exact"]
SECOND_DERIVATIVE_JUMPS = ["elu", "softsign"]   # φ'' jumps at 0: the package's quadrature loses a little
KINKED = ["relu", "selu"]                        # φ' jumps: its E[φ'²] integrand is discontinuous


def _package(name):
    pytest.importorskip("dks")
    from dks.base.activation_getter import _ACTIVATION_TABLE

    if name not in _ACTIVATION_TABLE:
        pytest.skip(f"the installed dks package has no {name!r} (its release predates it)")


def _distance(s, theirs):
    candidates = [s.params()] + ([{**s.params(), **s.mirror}] if s.mirror else [])
    return min(max(abs(c[k] - v) / max(1.0, abs(v)) for k, v in theirs.items() if k in c) for c in candidates)


@pytest.mark.parametrize("method", ["dks", "tat"])
@pytest.mark.parametrize("name", SMOOTH + SECOND_DERIVATIVE_JUMPS)
def test_the_dks_package_agrees_where_its_quadrature_is_accurate(name, method):
    """Same local targets in both solvers: smooth φ agree to 1e-9 (measured ≤ 1e-10), φ'' with a jump to 5e-6
    (measured 1.9e-8 DKS and 1.7e-6 TAT for ELU, whose C''(1) integrand E[φ''²] jumps)."""
    _package(name)
    act = bridge.toolkit_activation(name)
    s = (shaping.dks if method == "dks" else shaping.tat)(act, depth=10)
    local = s.targets["c_slope_1"] if method == "dks" else s.targets["c_curv_1"]
    theirs = bridge.package_local_params(name, method, **({"c_slope_1": local} if method == "dks" else {"c_curv_1": local}))
    assert _distance(s, theirs) < (1e-9 if name in SMOOTH else 5e-6)


@pytest.mark.parametrize("name", KINKED)
def test_where_a_kink_defeats_the_dks_package_mpmath_sides_with_the_toolkit(name):
    """For φ with a kink the package's DKS parameters miss C'(1) = ξ (mpmath at 30 digits) by far more than ours."""
    _package(name)
    s = shaping.dks(name, depth=10)
    theirs = bridge.package_params(name, "dks", 10) if name == "relu" else bridge.package_local_params(
        name, "dks", c_slope_1=s.targets["c_slope_1"])
    xi = s.targets["c_slope_1"]
    ours_err = abs(_mp_conditions(s.base, s.params())["c_slope_1"] - xi)
    their_err = abs(_mp_conditions(s.base, {**s.params(), **theirs})["c_slope_1"] - xi)
    assert _distance(s, theirs) > 1e-7
    assert ours_err < 1e-11 and their_err > 1e3 * ours_err


def test_tat_refuses_selu_whose_c_map_has_infinite_curvature_where_the_package_returns_numbers():
    """SELU's φ' jumps at 0 (λ vs λα), so E[φ̂''²] holds a squared Dirac term: C''(1) = ∞ and no τ is met."""
    _package("selu")
    theirs = bridge.package_params("selu", "tat", 10)
    assert all(math.isfinite(v) for v in theirs.values())
    with pytest.raises(shaping.ShapingError, match="infinite curvature"):
        shaping.tat("selu", depth=10)


def test_leaky_relu_tat_matches_the_package():
    _package("leaky_relu")
    theirs = bridge.package_params("leaky_relu", "tat", 50, eta=0.9)
    s = shaping.tat("leaky_relu", depth=50, eta=0.9)
    assert s.negative_slope == pytest.approx(theirs["negative_slope"], abs=1e-7)  # its bisection: |1 − C(0) − η| < 1e-8
    assert s.output_scale == pytest.approx(math.sqrt(2 / (1 + s.negative_slope ** 2)), rel=1e-15)


# --- the transformed activation, through the toolkit's maps --------------------------------------------------------

def test_the_shaped_activation_meets_the_conditions_through_the_maps():
    s = shaping.dks("gelu", depth=20, zeta=1.5)
    phi = s.activation
    xi = 1.5 ** (1 / 20)
    assert length_map(phi, 1.0, 1.0, 0.0) == pytest.approx(1.0, abs=1e-12)
    assert length_map_slope(phi, 1.0, 1.0) == pytest.approx(1.0, abs=1e-11)
    assert gaussian_moment(phi, 1.0, p=1) == pytest.approx(0.0, abs=1e-12)
    assert chi1(phi, 1.0, 1.0) == pytest.approx(xi, rel=1e-11)
    assert correlation_map_slope(phi, 1.0, 1.0, 1.0) == pytest.approx(xi, rel=1e-10)
    # the whole network: q stays 1, and C_f(0) = 0 at every depth (C(0) = 0 is a fixed point)
    qs, _, cs = iterate_maps(phi, 1.0, 0.0, 1.0, 0.0, 20)
    assert np.max(np.abs(np.asarray(qs) - 1)) < 1e-10 and np.max(np.abs(cs)) < 1e-10


def test_treLU_network_c_map_reaches_eta():
    s = shaping.tat("leaky_relu", depth=50, eta=0.9)
    qs, _, cs = iterate_maps(s.activation, 1.0, 0.0, 1.0, 0.0, 50)
    assert cs[-1] == pytest.approx(0.9, abs=1e-10)
    assert np.max(np.abs(np.asarray(qs) - 1)) < 1e-12


def test_mirror_and_period():
    s = shaping.dks("tanh", depth=10)
    assert s.input_shift > 0 and s.mirror["input_shift"] == -s.input_shift
    lv = shaping.local_values(s.base, s.mirror["input_scale"], s.mirror["input_shift"], s.mirror["output_shift"])
    assert lv.c_slope_1 == pytest.approx(s.local.c_slope_1, rel=1e-12)
    assert lv.q_slope == pytest.approx(s.local.q_slope, rel=1e-12)
    assert shaping.dks("softplus", depth=10).mirror is None
    sig = shaping.dks("sigmoid", depth=10)  # φ(−x) = 1 − φ(x): output_shift → −1 − output_shift
    assert sig.mirror["output_shift"] == pytest.approx(-1 - sig.output_shift, rel=1e-14)
    sin = shaping.dks("sin", depth=10)
    assert 0 <= sin.input_shift < 2 * math.pi


def test_positively_homogeneous_activations_take_relus_route():
    """abs and PReLU depend only on input_shift/input_scale: one unknown, C'(1) = ξ, C(0) = 0, Q(1) = 1 (30 digits)."""
    for name in ("abs", "prelu"):
        s = shaping.dks(name, depth=10)
        mp = _mp_conditions(s.base, s.params())
        assert s.input_shift == 1.0 and "homogeneous" in s.note and "q_slope" not in s.targets
        assert abs(mp["c_slope_1"] - 1.5 ** 0.1) < 1e-10 and abs(mp["c_value_0"]) < 1e-11 and abs(mp["q_value"] - 1) < 1e-11


def test_the_local_values_follow_the_mirror_swap():
    s = shaping.tat("tanh", depth=5)  # the solver reaches input_shift < 0 here; the result is swapped to > 0
    assert s.input_shift > 0 and s.local.output_shift == s.output_shift


def test_sigmoid_tat_says_the_rejection_rule_was_overridden():
    s = shaping.tat("sigmoid", depth=10)
    assert "rejection" in s.note and s.input_scale * s.output_scale >= 2
    assert abs(_mp_conditions(s.base, s.params())["c_curv_1"] - 0.03) < 1e-10


# --- bad input -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda: shaping.dks("tanh", depth=10, zeta=1.0), shaping.ShapingTargetError, "zeta"),
    (lambda: shaping.tat("tanh", depth=10, tau=0.0), shaping.ShapingTargetError, "tau"),
    (lambda: shaping.tat("leaky_relu", depth=10, eta=1.2), shaping.ShapingTargetError, "eta"),
    (lambda: shaping.tat("leaky_relu", depth=5, eta=0.9), shaping.ShapingTargetError, "reaches C\\(0\\) = 0.73"),
    (lambda: shaping.dks("identity", depth=5), shaping.ShapingError, "affine"),
    (lambda: shaping.tat("relu", depth=5), shaping.ShapingError, "kink"),
    (lambda: shaping.dks("step", depth=5), shaping.ShapingError, "discontinuous"),
    (lambda: shaping.dks("x**2" if False else get_activation("monomial", k=2), depth=10), shaping.ShapingError, "no transformation"),
    (lambda: shaping.dks("swiglu", depth=5), UnsupportedLayerError, "element-wise"),
    (lambda: shaping.dks("tanh", depth=0), ValueError, "depth"),
    (lambda: shaping.dks("tanh"), ValueError, "exactly one"),
    (lambda: shaping.dks("tanh", depth=3, subnet_max=shaping.chain(3)), ValueError, "exactly one"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- the command line ------------------------------------------------------------------------------------------------

def test_cli_shape_json(capsys):
    assert main(["shape", "softplus", "--depth", "10", "--zeta", "1.5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    s = shaping.dks("softplus", depth=10, zeta=1.5)
    assert {k: doc[k] for k in shaping.PARAMETERS} == s.params()
    assert doc["method"] == "dks" and doc["depth"] == 10 and doc["targets"]["zeta"] == 1.5
    assert main(["shape", "leaky_relu", "--method", "tat", "--depth", "50", "--eta", "0.9", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["negative_slope"] == pytest.approx(shaping.leaky_relu_slope(shaping.chain(50), 0.9), rel=1e-15)


def test_cli_shape_table_and_errors(capsys):
    assert main(["shape", "tanh", "--depth", "10"]) == 0
    out = capsys.readouterr().out
    assert "input_shift" in out and "another solution exists" in out
    assert main(["shape", "tanh", "--depth", "10", "--method", "tat", "--zeta", "2"]) == 2
    assert main(["shape", "leaky_relu", "--depth", "5", "--method", "tat"]) == 2
    assert "cannot be met" in capsys.readouterr().err
    assert main(["shape", "--expr", "x", "--depth", "3"]) == 2
    assert main(["shape", "tanh", "--depth", "10", "--method", "tat", "--eta", "0.5"]) == 2
    assert main(["shape", "leaky_relu", "--depth", "50", "--method", "tat", "--tau", "0.5"]) == 2
