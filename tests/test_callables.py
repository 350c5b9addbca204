"""Every registry entry: numpy, mpmath and JAX callables agree; derivatives match finite differences;
no warnings, overflow or NaN at breakpoints or far out."""

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbolic import get_activation, registered_names

NAMES = registered_names()


def _mp(act, k, x):
    with mpmath.workdps(30):
        return float(act.mpmath(k)(mpmath.mpf(float(x))))


def _away_from_breakpoints(act, xs, margin):
    bps = np.asarray(act.breakpoints)
    if bps.size == 0:
        return xs
    return np.array([x for x in xs if np.min(np.abs(bps - x)) > margin])


points = st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=12)


@pytest.mark.parametrize("name", NAMES)
@given(xs=points)
def test_numpy_matches_mpmath_30_digits(name, xs):
    """numpy phi, phi', phi'' equal the 30-digit mpmath values to 1e-12 relative
    (absolute floor 1e-12 (1 + |x|)^2 for cancellation near zeros)."""
    act = get_activation(name)
    xs = _away_from_breakpoints(act, np.array(xs), 1e-9)
    for k in (0, 1, 2):
        got = act.numpy(k)(xs)
        for x, g in zip(xs, np.atleast_1d(got)):
            ref = _mp(act, k, x)
            assert abs(g - ref) <= 1e-12 * abs(ref) + 1e-12 * (1 + abs(x)) ** 2, (name, k, x, g, ref)


@pytest.mark.parametrize("name", NAMES)
@given(xs=points)
def test_derivatives_match_central_differences(name, xs):
    """phi' and phi'' against Richardson-extrapolated central differences of the numpy phi and phi'.

    The error is O(h^4 phi^(5)) + rounding ~1e-16 |phi|/h; activations with a small feature scale
    (SAU's s = 5e-5, E-GEM's eps^(1/4)) need a small h, so steps h = 1e-3 ... 1e-6 are tried and
    the best must agree to 1e-6 relative to the local scale: a wrong derivative agrees at none."""
    act = get_activation(name)
    xs = _away_from_breakpoints(act, np.array(xs), 5e-3)
    if act.form.periodic:  # breakpoints are listed inside a window only
        xs = xs[np.abs(xs) < act.breakpoints[-1]]
    if xs.size == 0:
        return
    for k in (1, 2):
        f, df = act.numpy(k - 1), act.numpy(k)
        exact = df(xs)
        scale = 1 + np.abs(exact) + np.abs(f(xs))
        best = np.full(xs.shape, np.inf)
        for h in (1e-3, 1e-4, 1e-5, 1e-6):
            central = [(f(xs + s) - f(xs - s)) / (2 * s) for s in (h, h / 2)]
            fd = (4 * central[1] - central[0]) / 3
            best = np.minimum(best, np.abs(fd - exact) / scale)
        assert np.all(best <= 1e-6), (name, k, xs, best)


@pytest.mark.parametrize("name", NAMES)
def test_no_warning_no_nan_far_out_and_at_breakpoints(name):
    """At x = +-800, +-1e4 and exactly at every breakpoint: no numpy warning, no NaN; the float64 value
    equals the 30-digit value to 1e-12 relative (inf only where the true value overflows)."""
    act = get_activation(name)
    xs = np.array([-1e4, -800.0, -100.0, 100.0, 800.0, 1e4, *act.breakpoints[:20]])
    for k in (0, 1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = act.numpy(k)(xs)
        assert not np.any(np.isnan(got)), (name, k)
        for x, g in zip(xs, got):
            ref = _mp(act, k, x)
            if np.isfinite(ref):
                # 1e-14 absolute: cancellation between O(1) terms (e.g. 1/2 + arctan(x)/pi far out);
                # 4 eps |x phi^(k+1)(x)|: the conditioning of evaluating at a large x (cos(k x) at 1e4)
                cond = 4 * 2.2e-16 * abs(x * _mp(act, k + 1, x)) if np.isfinite(_mp(act, k + 1, x)) else 0.0
                assert abs(g - ref) <= 1e-12 * abs(ref) + 1e-14 + cond, (name, k, x, g, ref)
            else:
                assert g == ref, (name, k, x, g, ref)


def test_softplus_swish_mish_do_not_overflow():
    x = np.array([-800.0, 800.0])
    np.testing.assert_array_equal(get_activation("softplus")(x), [0.0, 800.0])
    np.testing.assert_array_equal(get_activation("swish")(x), [-0.0, 800.0])
    np.testing.assert_array_equal(get_activation("mish")(x), [-0.0, 800.0])
    np.testing.assert_array_equal(get_activation("swish").numpy(1)(x), [0.0, 1.0])


def test_scalar_in_scalar_out():
    assert get_activation("tanh")(0.5) == pytest.approx(np.tanh(0.5), rel=1e-15)
    assert np.ndim(get_activation("relu")(2.0)) == 0


def test_breakpoint_conventions():
    assert get_activation("step")(0.0) == 0.0
    assert get_activation("sign")(0.0) == 0.0
    assert get_activation("relu").numpy(1)(0.0) == 0.5  # mean of one-sided derivatives


jax = pytest.importorskip("jax")


@pytest.fixture(scope="module")
def x64():
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("name", NAMES)
def test_jax_matches_numpy(name, x64):
    import jax.numpy as jnp

    act = get_activation(name)
    xs = np.concatenate([np.linspace(-12.3, 12.7, 41), act.breakpoints[:5]])
    for k in (0, 1):
        got = np.asarray(act.jax(k)(jnp.asarray(xs)))
        want = act.numpy(k)(xs)
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12, err_msg=f"{name} k={k}")


@pytest.fixture
def x32():
    """JAX's default 32-bit mode for one test (the module's x64 fixture may still be active)."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)
    yield
    jax.config.update("jax_enable_x64", before)


@pytest.mark.parametrize("name", ["pau", "recurrent_rational", "grkan_rational", "nora_rational", "tanh", "gelu"])
def test_jax_default_precision_takes_large_integer_coefficients(name, x32):
    """Without x64 JAX makes Python ints int32: the rational activations' coefficients (up to ~1e10) are
    written as floats, so φ and φ' evaluate in float32 and agree with numpy to float32 accuracy."""
    import jax.numpy as jnp

    assert not jax.config.jax_enable_x64
    act = get_activation(name)
    xs = np.linspace(-3.0, 3.0, 25)
    for k in (0, 1):
        got = np.asarray(act.jax(k)(jnp.asarray(xs, dtype=jnp.float32)), dtype=np.float64)
        want = act.numpy(k)(xs)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * np.max(np.abs(want)), err_msg=f"{name} k={k}")


@pytest.mark.parametrize("name", NAMES)
def test_numpy_code_is_what_sympy_lambdify_prints(name):
    """The numpy callables are lambdified with numpy's own namespace (no star imports): the printed code is the code
    ``sp.lambdify(x, piece, modules=[functions, "scipy", "numpy"])`` prints, for φ, φ' and φ''."""
    import inspect

    import sympy as sp

    from symbolic.callables import NUMPY_FUNCTIONS
    from symbolic.functions import X

    act = get_activation(name)
    for k in (0, 1, 2):
        for func, piece in zip(act.numpy(k)._funcs, act.form.derivative_pieces(k)):
            reference = sp.lambdify(X, piece, modules=[NUMPY_FUNCTIONS, "scipy", "numpy"])
            assert inspect.getsource(func) == inspect.getsource(reference), (name, k, piece)
