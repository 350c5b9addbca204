"""Bridge to neural-tangents (the ``nt`` extra: neural-tangents 0.6.5 with jax 0.4.38), a cross-check.

``stax_network(act, depth, …)`` builds the stax network Dense → (φ → Dense) × depth with the
neural-tangents layer for φ, ``nt_kernels`` evaluates its infinite-width kernels in float64. Analytic
neural-tangents layers are used where one matches the activation exactly (``stax_activation``):
ABRelu (ReLU, leaky/parametric ReLU, |x|), RectifiedMonomial, Sign, Erf (a·erf(bx) + c: erf, the
Gaussian CDF), Gelu (exact), Sin/Cos (sin, cos, SIREN), Exp, Gaussian, Polynomial/Monomial;
``numerical=deg`` asks for ``ElementwiseNumerical`` (Gauss–Hermite with deg nodes per axis) instead,
for any activation. Conventions match ``kernels``: neural-tangents' input kernel is x·x'/d, its Dense
adds W_std² × that + b_std², and its standard parameterization adds (input width)·Σ + 1 to the NTK.
Imported on demand only: the core never needs JAX or neural-tangents.
"""

from __future__ import annotations

import math

import numpy as np

from symbolic import GatedUnit

from .closed_forms import ErfAffine, GaussianExponentials, Polynomial, RectifiedMonomials, closed_form


class BridgeUnavailable(ImportError):
    """neural-tangents (the ``nt`` extra) is not installed or does not import."""


def _stax():
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        from neural_tangents import stax
    except Exception as err:  # ImportError, or neural-tangents 0.6.5 against a newer JAX
        raise BridgeUnavailable(
            "neural-tangents is not usable here (install the extra: pip install 'activation-theory[nt]', which pins "
            f"jax==0.4.38; neural-tangents 0.6.5 does not import with newer JAX): {err}") from err
    return stax


def _by_family(stax, act):
    family = closed_form(act)
    if isinstance(family, RectifiedMonomials):
        if family.n == 1:
            return stax.ABRelu(a=-family.minus, b=family.plus)
        if family.n == 0 and family.plus == 1.0 and family.minus == -1.0:
            return stax.Sign()
        if family.minus == 0.0 and family.plus == 1.0:
            return stax.RectifiedMonomial(family.n)
    if isinstance(family, ErfAffine):
        return stax.Erf(a=family.scale, b=family.a, c=family.shift)
    if isinstance(family, Polynomial):
        return stax.Polynomial(list(family.coef))
    if isinstance(family, GaussianExponentials) and len(family.alpha) == 1 and family.alpha[0].imag == 0:
        (a,), (g,), (b,) = family.alpha, family.gamma, family.beta
        if g == 0 and b.imag == 0:
            return stax.Exp(a=a.real, b=b.real)
        if b == 0:
            return stax.Gaussian(a=a.real, b=g)
    return None


def stax_activation(act, numerical: int | None = None):
    """The neural-tangents layer for φ: analytic where one matches exactly, else None; with
    ``numerical=deg``, ElementwiseNumerical on φ's JAX callable (and φ' for the NTK)."""
    stax = _stax()
    if numerical is not None:
        return stax.ElementwiseNumerical(act.jax(0), deg=numerical, df=act.jax(1))
    named = {"gelu": lambda: stax.Gelu(approximate=False), "sin": lambda: stax.Sin(), "cos": lambda: stax.Cos(),
             "siren": lambda: stax.Sin(b=float(act.params["omega0"]))}
    if act.name in named:
        return named[act.name]()
    return _by_family(stax, act)


def stax_network(act, depth: int, sigma_w2: float, sigma_b2: float, parameterization: str = "ntk",
                 width: int = 1, numerical: int | None = None):
    """(init_fn, apply_fn, kernel_fn) of Dense → (φ → Dense) × depth; None if neural-tangents has no
    analytic layer for φ and ``numerical`` is not given. A gated unit φ(u)·ψ(v) is, per layer,
    FanOut(2) → parallel(Dense → φ, Dense → ψ) → FanInProd (two independent weight matrices and biases),
    then the readout Dense."""
    stax = _stax()
    w, b = math.sqrt(sigma_w2), math.sqrt(sigma_b2)
    dense = lambda: stax.Dense(width, W_std=w, b_std=b, parameterization=parameterization)  # noqa: E731
    if isinstance(act, GatedUnit):
        gate, value = stax_activation(act.gate, numerical), stax_activation(act.value, numerical)
        if gate is None or value is None:
            return None
        block = stax.serial(stax.FanOut(2), stax.parallel(stax.serial(dense(), gate), stax.serial(dense(), value)),
                            stax.FanInProd())
        return stax.serial(*[block] * depth, dense())
    layer = stax_activation(act, numerical)
    if layer is None:
        return None
    return stax.serial(dense(), *[stax.serial(layer, dense()) for _ in range(depth)])


def nt_kernels(act, X, X2=None, depth: int = 1, sigma_w2: float = 1.0, sigma_b2: float = 0.0, parameterization: str = "ntk",
               width: int = 1, numerical: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(NNGP, NTK) from neural-tangents for the same network as ``kernels.kernel_layers`` (float64);
    None where neural-tangents has no analytic layer and ``numerical`` is not given."""
    net = stax_network(act, depth, sigma_w2, sigma_b2, parameterization, width, numerical)
    if net is None:
        return None
    import jax.numpy as jnp

    kernel_fn = net[2]
    x1 = jnp.asarray(np.asarray(X, dtype=np.float64))
    x2 = None if X2 is None else jnp.asarray(np.asarray(X2, dtype=np.float64))
    k = kernel_fn(x1, x2, ("nngp", "ntk"))
    return np.asarray(k.nngp, dtype=np.float64), np.asarray(k.ntk, dtype=np.float64)
