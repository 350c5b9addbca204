"""Cross-check against the ``dks`` package (google-deepmind/dks, optional extra ``dks``).

``DKS_NAMES`` maps each activation name the package supports to the toolkit's activation (a registered name,
or a formula for the three it lacks in its zoo). ``package_params`` runs the package's own solver for a chain
of ``depth`` nonlinear layers, ``package_local_params`` its solver for given local targets (so that the two
solvers can be compared without the package's 1e-8 bisection of the network target). The package integrates
with 100,000-point Gauss–Legendre on [−10, 10] and differentiates with autograd: exact to ~1e-15 for smooth φ,
but a kink of φ or of φ' inside a panel costs it accuracy, which the tests measure against mpmath.
"""

from __future__ import annotations

import logging

import numpy as np

from symbolic import Activation, UnknownActivationError, custom_activation, get_activation

from .subnet import chain

DKS_NAMES = {
    "tanh": "tanh", "sigmoid": "sigmoid", "erf": "erf", "relu": "relu", "softplus": "softplus", "selu": "selu",
    "elu": "elu", "swish": "swish", "bentid": "(sqrt(x**2 + 1) - 1)/2 + x", "atan": "atan(x)", "asinh": "asinh(x)",
    "square": "x**2", "softsign": "softsign", "leaky_relu": "leaky_relu", "gelu": "gelu_tanh",
    "gelu_exact": "gelu", "sin": "sin", "cos": "cos",
}
"""The ``dks`` package's activation names → the toolkit's activation (registered name, or a formula in x)."""


def toolkit_activation(dks_name: str) -> Activation:
    """The toolkit's activation for one of the ``dks`` package's names."""
    try:
        spec = DKS_NAMES[dks_name]
    except KeyError:
        raise KeyError(f"the dks package has no activation {dks_name!r}; it has {', '.join(DKS_NAMES)}") from None
    try:
        return get_activation(spec)
    except UnknownActivationError:
        return custom_activation(spec, name=dks_name)


def _module():
    try:
        from dks.base import activation_transform
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("the dks package is not installed: pip install 'activation-theory[dks]'") from err
    logging.getLogger("absl").setLevel(logging.ERROR)
    return activation_transform


def package_params(dks_name: str, method: str, depth: int, zeta: float = 1.5, tau: float = 0.3,
                   eta: float = 0.9) -> dict[str, float]:
    """The ``dks`` package's parameters for a chain of ``depth`` nonlinear layers (its own targets' solve)."""
    module = _module()
    with np.errstate(all="ignore"):  # autograd's overflow in cosh for large inputs: harmless there
        out = module._get_activations_params([dks_name], method=method.upper(), dks_params={"c_slope_1_target": zeta},
                                             tat_params={"c_val_0_target": eta, "c_curve_target": tau},
                                             subnet_max_func=chain(depth))
    return {k: float(v) for k, v in out[dks_name].items()}


def package_local_params(dks_name: str, method: str, c_slope_1: float | None = None, c_curv_1: float | None = None,
                         q_slope: float = 1.0) -> dict[str, float]:
    """The ``dks`` package's solve for given local targets: DKS (C'(1) = ``c_slope_1``, Q'(1) = ``q_slope``,
    C(0) = 0) or smooth TAT (C''(1) = ``c_curv_1``, Q'(1) = C'(1) = 1)."""
    module = _module()
    if method == "dks":
        kw = dict(local_q_slope_target=q_slope, local_c_val_0_target=0.0, local_c_slope_1_target=c_slope_1,
                  local_c_slope_0_target=None, local_c_curv_target=None)
    else:
        kw = dict(local_q_slope_target=1.0, local_c_val_0_target=None, local_c_slope_1_target=1.0,
                  local_c_slope_0_target=None, local_c_curv_target=c_curv_1,
                  reject_condition=lambda name, p: p["input_scale"] * p["output_scale"] >= 2.0)
    with np.errstate(all="ignore"):
        out = module._solve_for_activation_params(dks_name, **kw)
    return {k: float(v) for k, v in out.items()}
