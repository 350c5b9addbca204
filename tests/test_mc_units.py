"""Monte-Carlo units (theory.montecarlo.units) for every layer law: the hand-written backward and tangent maps against
JAX autodiff of the forward map, the whole network's Jacobian against autodiff of an explicitly built network, the
Jacobian's exact finite-width mean at depth 1, and ensembles of gated/group units and of mixtures holding them against
the infinite-width theory."""

import math

import numpy as np
import pytest

from signalprop import mixture
from signalprop.laws import max_moment
from symbolic import get_activation
from theory.mc_cli import two_inputs
from theory.montecarlo import NetworkSpec, forward, gradients, jacobians, measure
from theory.montecarlo.backend import jax_modules, precision
from theory.montecarlo.ensemble import _layer_weights
from theory.montecarlo.spec import branches
from theory.montecarlo.units import layer_units

UNITS = {
    "tanh": lambda: get_activation("tanh"),
    "swiglu": lambda: get_activation("swiglu"),
    "reglu": lambda: get_activation("reglu"),
    "maxout3": lambda: get_activation("maxout", k=3),
    "maxmin": lambda: get_activation("maxmin"),
    "groupsort4": lambda: get_activation("groupsort", k=4),
    "householder": lambda: get_activation("householder", theta=0.7),
    "swiglu+tanh": lambda: mixture([get_activation("swiglu"), get_activation("tanh")], [0.5, 0.5]),
    "maxout3+relu+geglu": lambda: mixture([get_activation("maxout", k=3), get_activation("relu"), get_activation("geglu")],
                                          [0.3, 0.3, 0.4]),
}


@pytest.mark.parametrize("name", list(UNITS))
def test_backward_and_tangent_maps_against_autodiff(name):
    """vjp and jvp equal jax.vjp / jax.jvp of apply at random (non-tied) points, to rounding; every unit reads its own
    slots (a mixture's types select per unit)."""
    jax, jnp = jax_modules()
    act = UNITS[name]()
    units, n = layer_units(act), 8
    rng = np.random.default_rng(3)
    with precision("float64"):
        h = jnp.asarray(rng.normal(size=(2, units.branches * n)))
        t = jnp.asarray(rng.normal(size=(2, units.branches * n)))
        delta = jnp.asarray(rng.normal(size=(2, n)))
        types = jnp.asarray(rng.integers(0, 1 if units.probs is None else len(units.probs), n))
        f = lambda x: units.apply(x, types)  # noqa: E731
        np.testing.assert_allclose(units.vjp(h, types, delta), jax.vjp(f, h)[1](delta)[0], rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(units.jvp(h[0], types, t[0]), jax.jvp(f, (h[0],), (t[0],))[1], rtol=1e-14, atol=1e-15)
        assert units.apply(h, types).shape == (2, n)


@pytest.mark.parametrize("name", ["reglu", "maxout3", "groupsort4", "swiglu+tanh"])
def test_network_jacobian_against_autodiff(name):
    """tr(J Jᵀ)/N of a 3-layer square network (width 16) from ``jacobians`` equals that of jax.jacobian of the same
    network rebuilt from its keys (weights, biases and unit kinds) — the measurement computes the Jacobian it claims."""
    jax, jnp = jax_modules()
    act = UNITS[name]()
    units, b = layer_units(act), branches(act)
    n, depth, seed = 16, 3, 5
    spec = NetworkSpec(act, n, depth, 1.3, 0.1, ensemble=2, seed=seed, dtype="float64")
    measured = jacobians(spec, progress=False).mean_sq[0]
    with precision("float64"):
        key = jax.random.fold_in(jax.random.key(seed), 0)
        layers = []
        for l in range(depth):
            kw, kb, kt = jax.random.split(jax.random.fold_in(key, l), 3)
            types = (jax.random.choice(kt, len(units.probs), (n,), p=jnp.asarray(units.probs)) if units.probs is not None
                     else jnp.zeros(n, jnp.int32))
            layers.append((math.sqrt(1.3) * _layer_weights(kw, n, n, False, jnp.float64, b),
                           math.sqrt(0.1) * jax.random.normal(kb, (b * n,), dtype=jnp.float64), types))

        def net(x, upto):
            g = x
            for W, bias, types in layers[:upto]:
                g = units.apply(W @ g + bias, types)
            return g

        for l in range(1, depth + 1):
            J = jax.jacobian(lambda x: net(x, l))(jnp.ones(n))
            assert float(jnp.sum(J * J)) / n == pytest.approx(measured[l - 1], rel=1e-12)


@pytest.mark.parametrize("name, selected", [("maxout3", lambda: max_moment(3, 2)), ("reglu", lambda: 2.0)])
def test_depth_one_jacobian_has_its_exact_finite_width_mean(name, selected):
    """One layer, σ_b = 0, input x = (1, …, 1): splitting W̃ along x̂ and across it, E tr(J Jᵀ)/N =
    σ_w² [G + (E[(Σ_b P_b z_b)²] − G)/N] with h_b = σ_w z_b, z_b standard normal, P the unit's partials and G = Σ_b E[P_b²]:
    the part of W̃ along the input is the one the unit's Jacobian selects on. Maxout (G = 1): Σ_b P_b z_b = max_b z_b, so
    E = σ_w²(1 + (M_3 − 1)/N); ReGLU (P = (1(u>0)v, relu(u)), G = σ_w²): Σ_b P_b z_b = 2σ_w relu(z_a) z_b, E[…] = 2σ_w²,
    so E = σ_w⁴(1 + 1/N). Width 8, 4000 networks: within 4 standard errors of the finite-N value, and the infinite-width
    Π χ (the other test's theory) more than 4 away — the O(1/N) bias is real and is the one derived here."""
    w2, n = 1.5, 8
    spec = NetworkSpec(UNITS[name](), n, 1, w2, 0.0, ensemble=4000, seed=17, dtype="float64")
    jac = jacobians(spec, progress=False).mean_sq[:, 0]
    g = 1.0 if name == "maxout3" else w2
    finite = w2 * (g + (selected() * (1.0 if name == "maxout3" else w2) - g) / n)
    se = jac.std(ddof=1) / math.sqrt(len(jac))
    assert abs(jac.mean() - finite) < 4 * se, (jac.mean(), finite, se)
    assert abs(jac.mean() - w2 * g) > 4 * se


@pytest.mark.parametrize("name", ["swiglu", "reglu", "maxmin", "groupsort4", "swiglu+tanh"])
def test_jacobian_against_the_product_of_chis(name):
    """100 square networks of width 256, depth 2 (σ_w² = 1, σ_b² = 0.1): tr(J_l J_lᵀ)/N against Π χ(q^k) within 4
    (skew-judged) standard errors (the O(1/N) selection bias of the depth-1 test is below that at this width)."""
    spec = NetworkSpec(UNITS[name](), 256, 2, 1.0, 0.1, ensemble=100, seed=1, dtype="float64")
    comp = measure("jacobian", spec, None, jacobians(spec, progress=False))
    assert comp.passed and np.all(np.isfinite(comp.theory)), comp.z_corrected


@pytest.mark.parametrize("name", ["swiglu+tanh", "maxout3+relu+geglu"])
def test_mixtures_holding_gated_and_maxout_units(name):
    """Quenched mixtures whose units need 1, 2 or 3 pre-activations: 200 networks of width 128, depth 3 (explicit
    weights): q, c, NNGP and the kurtosis; 100 networks of width 64, depth 2: gradient norms and the NTK."""
    act = UNITS[name]()
    X = two_inputs(0.5)
    spec = NetworkSpec(act, 128, 3, 1.0, 0.1, ensemble=200, seed=2, dtype="float64", outputs=128)
    fwd = forward(spec, X, progress=False)
    for what in ("q", "c", "nngp", "kurtosis"):
        comp = measure(what, spec, X, fwd)
        assert comp.passed and np.all(np.isfinite(comp.theory)), (what, comp.z_corrected)
    small = NetworkSpec(act, 64, 2, 1.0, 0.1, ensemble=100, seed=3)
    grads = gradients(small, X, progress=False)
    for what in ("grad", "ntk"):
        comp = measure(what, small, X, grads)
        assert comp.passed, (what, comp.z_corrected)
