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
from dataclasses import replace

import numpy as np

from signalprop.attention_kernel import Attention
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
    """(init_fn, apply_fn, kernel_fn) of Dense → (φ → Dense) × depth (``stax_architecture`` of ``mlp``); None if
    neural-tangents has no analytic layer for φ and ``numerical`` is not given."""
    from signalprop.architecture import mlp

    return stax_architecture(mlp(act, depth, sigma_w2, sigma_b2), parameterization, width, numerical)


def stax_architecture(net, parameterization: str = "ntk", width: int = 1, numerical: int | None = None):
    """The stax network of a ``signalprop.architecture`` network, or None where a layer has no neural-tangents
    counterpart: Dense → Dense(W_std = σ_w, b_std = σ_b); Nonlinear → ``stax_activation``, and a Dense followed by a
    gated unit φ(u)·ψ(v) → FanOut(2) → parallel(Dense → φ, Dense → ψ) → FanInProd (two independent weight matrices and
    biases); Residual → FanOut(2) → parallel(Identity, branch) → FanInSum with α folded into the branch's last Dense
    (W_std = α σ_v, b_std = α σ_a; or last attention's σ_OV²: the same kernels and, in the NTK parameterization, the same NTK; in the standard one
    the last Dense's own gradient would not carry α², so only α = 1 is translated there; a shortcut weight w ≠ 1 has no
    stax layer and is not translated); Norm (γ² = 1, β² = 0)
    → LayerNorm, which at infinite width only divides by the root mean square (the mean over units vanishes), as
    RMSNorm does; Attention → GlobalSelfAttention where it has the same kernel (``stax_attention``); Product → FanOut(k)
    → parallel(branches) → FanInProd (not as a residual branch's last layer: stax's FanInSum needs Gaussian inputs and
    the product is not Gaussian)."""
    from signalprop.architecture import Dense, Nonlinear, Norm, Product, Residual, Serial

    stax = _stax()

    def dense(layer: Dense, scale: float = 1.0):
        return stax.Dense(width, W_std=scale * math.sqrt(layer.sigma_w2), b_std=scale * math.sqrt(layer.sigma_b2),
                          parameterization=parameterization)

    def sequence(layers, scale: float = 1.0):
        out, i = [], 0
        while i < len(layers):
            layer, last = layers[i], i == len(layers) - 1
            if isinstance(layer, Dense) and i + 1 < len(layers) and isinstance(layers[i + 1], Nonlinear) \
                    and isinstance(layers[i + 1].unit, GatedUnit):
                gate, value = (stax_activation(u, numerical) for u in (layers[i + 1].unit.gate, layers[i + 1].unit.value))
                if gate is None or value is None:
                    return None
                out.append(stax.serial(stax.FanOut(2), stax.parallel(stax.serial(dense(layer), gate),
                                                                     stax.serial(dense(layer), value)), stax.FanInProd()))
                i += 2
                continue
            if isinstance(layer, Dense):
                piece = dense(layer, scale if last else 1.0)
            elif isinstance(layer, Nonlinear):
                piece = None if isinstance(layer.unit, GatedUnit) else stax_activation(layer.unit, numerical)
            elif isinstance(layer, Residual):
                if not isinstance(layer.branch[-1], (Dense, Attention)) \
                        or (layer.alpha != 1.0 and parameterization == "standard") or layer.shortcut != 1.0:
                    return None  # no scaling layer to carry α or w; folded into W_std α would not scale the standard NTK
                inner = sequence(layer.branch, layer.alpha)
                piece = None if inner is None else stax.serial(stax.FanOut(2), stax.parallel(stax.Identity(), inner),
                                                               stax.FanInSum())
            elif isinstance(layer, Norm):
                piece = stax.LayerNorm() if layer.gain2 == 1.0 and layer.bias2 == 0.0 else None
            elif isinstance(layer, Attention):  # α folds into the output weights as into a Dense's W_std
                piece = stax_attention(replace(layer, sigma_ov2=scale**2 * layer.sigma_ov2) if last else layer,
                                       parameterization, width)
            elif isinstance(layer, Serial):
                piece = sequence(layer.layers)
            elif isinstance(layer, Product):
                pieces = [sequence(b) for b in layer.branches]
                piece = None if any(p is None for p in pieces) else stax.serial(
                    stax.FanOut(len(pieces)), stax.parallel(*pieces), stax.FanInProd())
            else:
                piece = None
            if piece is None:
                return None
            out.append(piece)
            i += 1
        return stax.serial(*out)

    return sequence(net.layers)


_NT_MECHANISMS = {"softmax": "SOFTMAX", "relu_attention": "RELU", "abs_attention": "ABS", "identity_attention": "IDENTITY"}


def stax_attention(layer, parameterization: str = "ntk", width: int = 8):
    """neural-tangents' ``GlobalSelfAttention`` for an ``Attention`` layer where it has the same kernel: the tied 1/d_k
    scaling ("linear": logits W_query_std·W_key_std·C(x), so σ_QK² is that product) for softmax (temperature 1),
    ReLU, |·| and identity attention with no bias; the 1/√d_k scaling ("sqrt") for identity attention only (the
    others raise "no known closed form" there; σ_QK² = (W_query_std·W_key_std)²); σ_OV² = (W_out_std·W_value_std)².
    None otherwise (causal masks, the long-sequence limit, other mechanisms, the standard parameterization)."""
    stax = _stax()
    mech = layer.mechanism
    name = _NT_MECHANISMS.get(mech.name)
    if (name is None or layer.causal or parameterization != "ntk" or layer.scaling == "long" or getattr(mech, "bias", None) not in (None, 0.0)
            or getattr(mech, "temperature", 1.0) != 1.0 or (layer.scaling == "sqrt" and name != "IDENTITY")):
        return None
    qk = layer.sigma_qk2 if layer.scaling == "linear" else math.sqrt(layer.sigma_qk2)
    ov = math.sqrt(layer.sigma_ov2)
    return stax.GlobalSelfAttention(n_chan_out=width, n_chan_key=8, n_chan_val=8, n_heads=1,
                                    linear_scaling=layer.scaling == "linear", W_key_std=math.sqrt(qk),
                                    W_query_std=math.sqrt(qk), W_value_std=math.sqrt(ov), W_out_std=math.sqrt(ov),
                                    attention_mechanism=name)


def nt_network_kernels(net, X, X2=None, parameterization: str = "ntk", width: int = 1,
                       numerical: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(NNGP, NTK) from neural-tangents for a ``signalprop.architecture`` network (float64); None where a layer has no
    counterpart (``stax_architecture``). Sequences X (S, T, d) give kernels over the S·T tokens, sequence-major (the
    order of ``signalprop.architecture.input_state``)."""
    net = stax_architecture(net, parameterization, width, numerical)
    if net is None:
        return None
    import jax.numpy as jnp

    x1 = jnp.asarray(np.asarray(X, dtype=np.float64))
    x2 = None if X2 is None else jnp.asarray(np.asarray(X2, dtype=np.float64))
    k = net[2](x1, x2, ("nngp", "ntk"))
    nngp, ntk = (np.asarray(v, dtype=np.float64) for v in (k.nngp, k.ntk))
    if nngp.ndim == 4:  # (S1, S2, T, T) → (S1·T, S2·T)
        s1, s2, t1, t2 = nngp.shape
        nngp, ntk = (v.transpose(0, 2, 1, 3).reshape(s1 * t1, s2 * t2) for v in (nngp, ntk))
    return nngp, ntk


def nt_kernels(act, X, X2=None, depth: int = 1, sigma_w2: float = 1.0, sigma_b2: float = 0.0, parameterization: str = "ntk",
               width: int = 1, numerical: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(NNGP, NTK) from neural-tangents for the same network as ``kernels.kernel_layers`` (float64);
    None where neural-tangents has no analytic layer and ``numerical`` is not given."""
    from signalprop.architecture import mlp

    return nt_network_kernels(mlp(act, depth, sigma_w2, sigma_b2), X, X2, parameterization, width, numerical)
