"""neural-tangents cross-check (the ``nt`` extra, installed by ``make test``): its analytic stax layers
against ``ntk.kernel_layers`` for every activation it supports, several depths, both parameterizations.

Tolerance 1e-12 relative to the largest entry: both sides evaluate closed forms in float64 (measured
agreement 1e-16 … 5e-15 at depth ≤ 5); neural-tangents' ReLU loses up to ~1e-8 only at depth ~10 next to
c = 1, which the benchmark reports. Where neural-tangents is wrong (RectifiedMonomial: NaN on the
diagonal) the test checks our diagonal against the 1-D engine (``gaussian_moment``)."""

import numpy as np
import pytest

pytest.importorskip("neural_tangents", exc_type=ImportError)

from ntk import kernel_layers  # noqa: E402
from ntk.bridge import nt_kernels, stax_activation  # noqa: E402
from signalprop import gaussian_moment  # noqa: E402
from symbolic import get_activation  # noqa: E402

SUPPORTED = ["relu", "leaky_relu", "prelu", "abs", "erf", "gaussian_cdf", "gelu", "sin", "cos", "gaussian", "monomial",
             "polynomial", "identity"]


def _inputs(n=6, d=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


@pytest.mark.parametrize("name", SUPPORTED)
@pytest.mark.parametrize("depth,parameterization", [(1, "ntk"), (4, "ntk"), (3, "standard")])
def test_agrees_with_neural_tangents(name, depth, parameterization):
    act = get_activation(name)
    X, X2 = _inputs(), _inputs(3, seed=1)
    width = 256 if parameterization == "standard" else 1
    for second in (None, X2):
        theirs = nt_kernels(act, X, second, depth, 1.6, 0.1, parameterization, width)
        ours = kernel_layers(act, X, second, depth, 1.6, 0.1, parameterization=parameterization, width=width)
        for mine, other in ((ours.nngp[-1], theirs[0]), (ours.ntk[-1], theirs[1])):
            assert np.max(np.abs(mine - other)) <= 1e-12 * np.max(np.abs(mine)), (name, depth, parameterization)


def test_sign_nngp_agrees():
    act = get_activation("sign")
    theirs = nt_kernels(act, _inputs(), None, 3, 1.6, 0.1)
    assert kernel_layers(act, _inputs(), depth=3, sigma_w2=1.6, sigma_b2=0.1, ntk=False).nngp[-1] == pytest.approx(theirs[0], rel=1e-12)


def test_rectified_monomial_where_neural_tangents_fails_on_the_diagonal():
    act = get_activation("rectified_monomial")  # max(0, x)²
    X = _inputs(4)
    theirs = nt_kernels(act, X, None, 1, 1.5, 0.1)[0]
    ours = kernel_layers(act, X, depth=1, sigma_w2=1.5, sigma_b2=0.1, ntk=False).nngp[-1]
    off = ~np.eye(4, dtype=bool)
    assert ours[off] == pytest.approx(theirs[off], rel=1e-12)
    assert np.all(np.isnan(np.diag(theirs)))  # neural-tangents 0.6.5: NaN at c = 1
    q0 = 1.5 * np.sum(X * X, axis=1) / 4 + 0.1
    assert np.diag(ours) == pytest.approx(1.5 * gaussian_moment(act, q0) + 0.1, rel=1e-13)


def test_numerical_fallback_is_built_for_any_activation():
    assert stax_activation(get_activation("tanh")) is None
    assert stax_activation(get_activation("tanh"), numerical=8) is not None
