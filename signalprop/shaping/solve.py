"""Kernel shaping: the DKS (Martens et al. 2021) and TAT (Zhang et al. 2022) transformations of any activation.

φ̂(x) = output_scale · (φ(input_scale · x + input_shift) + output_shift), with the parameters chosen so that
the network's Q and C maps (at q = 1, ``local``) meet the method's conditions for its depth/architecture
(``subnet``):

* DKS: Q(1) = 1, Q'(1) = q_slope (1), C(0) = 0, and C'(1) = ξ with the network's maximal C'(1) equal to ζ.
  Unknowns (input_scale, input_shift); output_shift = −E[φ(αz + β)], output_scale from Q(1) = 1.
  ReLU: input_shift = +1 (−1 when ξ ≥ 1.46694…, beyond what +1 reaches), only C'(1) = ξ (φ(αx + β) = α φ(x + β/α):
  one free parameter); any other positively homogeneous φ (abs, PReLU, …) the same way, input_shift +1, else −1;
  Leaky ReLU: unknowns (negative_slope, input_shift), input_scale = 1.
* TAT, smooth φ (φ' continuous): Q(1) = 1, Q'(1) = 1, C'(1) = 1, C''(1) = κ with the network's maximal
  C''(1) equal to τ. Unknowns (input_scale, input_shift, output_shift); solutions with
  input_scale·output_scale ≥ 2 are rejected (unstable Q maps, as the ``dks`` package does).
* TAT, Leaky ReLU ("TReLU"): negative_slope s with the network's maximal C(0) equal to η, output_scale
  √(2/(1 + s²)), no input transformation.

The conditions are solved with scipy's ``root`` (MINPACK hybrd) from the starting points the ``dks`` package
uses, in its order (every combination of input_scale ∈ {1, 0.1}, input_shift ∈ {0, 1, −1}, output_shift ∈
{0, 1, −1}, negative_slope ∈ {0, 0.5}, then seeded uniform draws), so that where the conditions have several
solutions the one returned is the one ``dks`` returns; the first is then polished to |residual| ≤ 1e-10 with
the exact expectations of ``local`` (a solution the ``dks`` package accepts at its own accuracy but that cannot be
polished to 1e-10 is passed over). An odd φ has a second, mirrored solution (input_shift, output_shift) →
(−input_shift, −output_shift), a φ odd about (0, k/2) (sigmoid: k = 1) one with output_shift → −k − output_shift, an
even φ one with input_shift → −input_shift alone: ``Shaping.mirror`` gives it.
Which of the two a solver reaches from the symmetric start input_shift = 0 is decided by rounding (the
``dks`` package returns input_shift > 0 for DKS-tanh at every depth tried, but either sign for TAT-tanh
depending on depth and τ), so the toolkit returns the one with input_shift > 0 and the other as the mirror.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from symbolic import Activation, ActivationSpec, ParameterError, X, get_activation

from ..gaussian import DivergentExpectationError, gaussian_moment
from ..laws import UnsupportedLayerError
from ..quadrature import QuadratureError
from .local import LocalValues, local_values, residuals
from .subnet import (ShapingTargetError, SubnetMax, chain, from_architecture, leaky_relu_slope, local_c_curvature,
                     local_c_slope)


PARAMETERS = ("input_scale", "input_shift", "output_shift", "output_scale")
RELU_SHIFT_LIMIT = 1.466942206924260361
"""The largest C'(1) that max(0, αx + 1) reaches (the ``dks`` package's constant): beyond it the shift is −1."""

_TRY = {"input_scale": (1.0, 0.1), "input_shift": (0.0, 1.0, -1.0), "output_shift": (0.0, 1.0, -1.0),
        "negative_slope": (0.0, 0.5)}
_DRAW = {"input_scale": (0.0, 2.0), "input_shift": (-3.0, 3.0), "output_shift": (-3.0, 3.0),
         "negative_slope": (0.0, 1.0)}
_STARTS = 50
_SEED = 123
_TOLERANCE = 1e-10


class ShapingError(ValueError):
    """No transformation of this activation meets the kernel-shaping conditions (the message says why)."""


@dataclass(frozen=True)
class Shaping:
    """A kernel-shaping transformation: φ̂(x) = output_scale·(φ(input_scale·x + input_shift) + output_shift).

    ``base`` is φ (for TAT's Leaky ReLU, at the solved ``negative_slope``); ``targets`` the network targets
    (zeta, tau or eta) and the local ones they fix; ``local`` the local map values the parameters reach;
    ``mirror`` the other solution of an odd or even φ (None if there is none); ``note`` what to know about the
    choice ('' if nothing); ``activation`` φ̂ itself, an Activation usable everywhere one is.
    """

    method: str
    base: Activation
    input_scale: float
    input_shift: float
    output_shift: float
    output_scale: float
    negative_slope: float | None
    targets: dict[str, float]
    local: LocalValues
    mirror: dict[str, float] | None = field(default=None)
    note: str = ""

    def params(self) -> dict[str, float]:
        """The parameters under the ``dks`` package's names."""
        out = {name: getattr(self, name) for name in PARAMETERS}
        if self.negative_slope is not None:
            out["negative_slope"] = self.negative_slope
        return out

    @cached_property
    def activation(self) -> Activation:
        return transformed(self.base, self.params(), f"{self.method}[{self.base.label}]",
                           SOURCES[self.method])

    def network(self, template):
        """``template`` (a ``signalprop.architecture`` network) with φ̂ in every Nonlinear layer: the shaped network,
        for maps, kernels and Monte Carlo."""
        from ..architecture import Nonlinear, Residual, Serial

        def swap(layer):
            if isinstance(layer, Nonlinear):
                return Nonlinear(self.activation)
            if isinstance(layer, Residual):
                return Residual(tuple(swap(x) for x in layer.branch), layer.alpha, layer.shortcut)
            if isinstance(layer, Serial):
                return Serial(*[swap(x) for x in layer.layers])
            return layer

        return swap(template)

    def to_dict(self) -> dict:
        return {"method": self.method, "activation": self.base.name, **self.params(),
                "targets": dict(self.targets), "local": {k: v for k, v in vars(self.local).items()},
                "mirror": self.mirror, "note": self.note}


SOURCES = {"dks": "Martens et al. 2021, Rapid training of deep neural networks without skip connections or "
                  "normalization layers using Deep Kernel Shaping (DKS)",
           "tat": "Zhang et al. 2022, Deep learning without shortcuts: shaping the kernel with tailored "
                  "rectifiers (TAT)"}


def _exact(v: float) -> sp.Float:
    return sp.Float(float(v), precision=53)


def transformed(base: Activation, params: dict[str, float], name: str, source: str) -> Activation:
    """The Activation output_scale·(φ(input_scale·x + input_shift) + output_shift), parameters as exact floats; the
    same object for the same arguments (so equal shapings hash equal: compiled Monte-Carlo networks are reused)."""
    return _transformed(base, tuple((k, float(params[k])) for k in PARAMETERS), name, source)


@lru_cache(maxsize=256)
def _transformed(base: Activation, items: tuple, name: str, source: str) -> Activation:
    params = dict(items)
    a, b, d, g = (_exact(params[k]) for k in PARAMETERS)
    expr = g * (base.expr.subs(X, a * X + b) + d)
    spec = ActivationSpec(name=name, build=lambda: expr, family="kernel-shaped", source=source,
                          formula=sp.sstr(expr), notes=f"transformation of {base.label}")
    return Activation(spec, {})


# --- the problems ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Problem:
    """Unknowns (in the ``dks`` package's order), fixed parameters, local targets, a φ for each negative slope."""

    unknowns: tuple[str, ...]
    fixed: dict[str, float]
    targets: dict[str, float]
    base: Callable[[dict[str, float]], Activation]
    reject: Callable[[dict[str, float]], bool] = lambda params: False

    def values(self, x) -> tuple[dict[str, float], LocalValues]:
        params = {**self.fixed, **dict(zip(self.unknowns, map(float, x)))}
        act = self.base(params)
        lv = local_values(act, params.get("input_scale", 1.0), params.get("input_shift", 0.0),
                          params.get("output_shift"), curvature="c_curv_1" in self.targets)
        params.update(output_shift=lv.output_shift, output_scale=lv.output_scale)
        params.setdefault("input_scale", 1.0)
        return params, lv

    def residual(self, x) -> np.ndarray:
        try:
            return residuals(self.values(x)[1], self.targets)
        except (ValueError, ParameterError, QuadratureError, DivergentExpectationError, ZeroDivisionError,
                OverflowError):
            return np.full(len(self.targets), np.nan)


def _starts(unknowns: tuple[str, ...]) -> list[tuple[float, ...]]:
    fixed = list(itertools.product(*(_TRY[u] for u in unknowns)))
    rng = np.random.RandomState(_SEED)
    drawn = [tuple(rng.uniform(*_DRAW[u]) for u in unknowns) for _ in range(_STARTS - len(fixed))]
    return fixed + drawn


def _solve(problem: _Problem, label: str, progress: bool = False) -> tuple[dict[str, float], LocalValues, str]:
    """The first solution from the starting points that the problem does not reject, and a note ('' or why it is
    another); if all are rejected, the last one found (as the ``dks`` package does), with a note saying so."""
    from scipy.optimize import root

    starts = _starts(problem.unknowns)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc=f"shaping {label}", leave=False)
    rejected = None
    for start in starts:
        with np.errstate(all="ignore"):
            sol = root(problem.residual, np.asarray(start, dtype=float), method="hybr")
            if not sol.success:
                continue
            polished = root(problem.residual, sol.x, method="hybr", options={"xtol": 1e-14})
        best = polished if np.all(np.isfinite(polished.fun)) and (
            np.max(np.abs(polished.fun)) <= np.max(np.abs(sol.fun))) else sol
        if not np.max(np.abs(best.fun)) <= _TOLERANCE:  # root's fun is the residual at its x
            continue
        params, lv = problem.values(best.x)
        if not problem.reject(params):
            return params, lv, ""
        rejected = params, lv
    if rejected is not None:
        return (*rejected, "every solution found has input_scale*output_scale >= 2, the dks package's rejection "
                           "rule (not invariant to rescaling phi); the last one found is returned, as dks does")
    wanted = ", ".join(f"{k} = {v:.6g}" for k, v in problem.targets.items())
    raise ShapingError(
        f"no transformation of {label} meets {wanted} (with Q(1) = 1) from {_STARTS} starting points of "
        f"({', '.join(problem.unknowns)}); a (nearly) linear or too flat activation cannot reach these local "
        "targets: try another zeta/tau, or another activation")


# --- the activation's kind --------------------------------------------------------------------------------------

def _activation(act) -> Activation:
    if isinstance(act, str):
        act = get_activation(act)
    if not isinstance(act, Activation):
        raise UnsupportedLayerError(
            f"kernel shaping transforms an element-wise activation; {getattr(act, 'label', act)!r} is not one "
            "(gated units, group activations and mixtures have no DKS/TAT transformation here)")
    return act


def _require_nonlinear(act: Activation) -> None:
    """An affine φ (no breakpoint, φ'' ≡ 0) has C(c) = c under every transformation: nothing to shape."""
    if not act.breakpoints and gaussian_moment(act, 1.0, k=2, p=2) == 0.0:
        raise ShapingError(f"{act.label} is affine: every transformation of it has C(c) = c (C'(1) = 1, "
                           "C''(1) = 0), so no kernel-shaping target can be met")


def _positively_homogeneous(act: Activation) -> bool:
    """φ(tx) = t φ(x) for t > 0 (ReLU, abs, PReLU), checked at 24 points of each sign to 1e-13."""
    xs = np.concatenate([-np.linspace(0.05, 6.0, 12), np.linspace(0.05, 6.0, 12)])
    f = act.numpy(0)
    return bool(np.all(np.abs(f(2.5 * xs) - 2.5 * f(xs)) <= 1e-13 * (1.0 + np.abs(f(2.5 * xs)))))


def _smoothness(act: Activation) -> int:
    order = act.derive().smoothness_order
    return 10 ** 6 if order is None else order


def _symmetry(act: Activation) -> tuple[int, float]:
    """(+1, 0) for an even φ, (−1, k) for φ(−x) = k − φ(x) (odd about (0, k/2): tanh, sigmoid), (0, 0) otherwise;
    checked at 24 points to 1e-13."""
    xs = np.linspace(0.05, 6.0, 24)
    f = act.numpy(0)
    pos, neg = f(xs), f(-xs)
    k = 2.0 * float(f(np.zeros(1))[0])
    tol = 1e-13 * (1.0 + np.abs(pos))
    if np.all(np.abs(neg - pos) <= tol):
        return 1, 0.0
    if np.all(np.abs(neg + pos - k) <= tol):
        return -1, k
    return 0, 0.0


def _mirror(act: Activation, params: dict[str, float]) -> dict[str, float] | None:
    """The mirrored solution: φ(αx − β) is φ(−αx + β) (even φ) or k − φ(−αx + β) (odd about a point), so
    (β, δ) → (−β, δ) or (−β, −k − δ) gives φ̂(−x) or −φ̂(−x), whose Q and C maps are the same (z and −z have one
    law, and the maps are even in φ̂)."""
    parity, k = _symmetry(act)
    if parity == 0 or params["input_shift"] == 0.0:
        return None
    out = {name: params[name] for name in PARAMETERS}
    out["input_shift"] = -params["input_shift"]
    if parity < 0:
        out["output_shift"] = -k - params["output_shift"]
    return out


def _wrap_period(act: Activation, params: dict[str, float]) -> None:
    """A periodic φ's input shift reduced to [0, period) (as the ``dks`` package does for sin and cos)."""
    if not act.form.periodic:
        return
    period = sp.periodicity(act.expr, X)
    if period is not None and period.is_positive:
        p = float(period)
        params["input_shift"] = params["input_shift"] - p * math.floor(params["input_shift"] / p)


def _network(depth: int | None, subnet_max: SubnetMax | None, net) -> SubnetMax:
    if sum(v is not None for v in (depth, subnet_max, net)) != 1:
        raise ValueError("give exactly one of depth (a chain of nonlinear layers), net (a signalprop.architecture "
                         "network) and subnet_max (the network's subnetwork maximizing function M(x, r))")
    if net is not None:
        return from_architecture(net)
    return chain(depth) if subnet_max is None else subnet_max


def _result(method: str, act: Activation, params: dict[str, float], lv: LocalValues, targets: dict[str, float],
            negative_slope: float | None = None, note: str = "") -> Shaping:
    if params["input_scale"] < 0:  # φ̂(−x) for −α: the same maps, reported with α > 0 as the dks package does
        params["input_scale"] = -params["input_scale"]
    _wrap_period(act, params)
    mirror = _mirror(act, params)
    if mirror is not None and params["input_shift"] < 0:  # of the two, the one with input_shift > 0
        params, mirror = {**params, **mirror}, {k: params[k] for k in PARAMETERS}
        lv = replace(lv, output_shift=params["output_shift"])
    return Shaping(method, act, params["input_scale"], params["input_shift"], params["output_shift"],
                   params["output_scale"], negative_slope, targets, lv, mirror, note)


# --- the methods ---------------------------------------------------------------------------------------------------

def dks(act, depth: int | None = None, zeta: float = 1.5, q_slope: float = 1.0,
        subnet_max: SubnetMax | None = None, progress: bool = False, net=None) -> Shaping:
    """Deep Kernel Shaping (Martens et al. 2021) of ``act`` for a chain of ``depth`` nonlinear layers (or the
    ``signalprop.architecture`` network ``net``, or the network whose subnetwork maximizing function is
    ``subnet_max``): the network's C'(1) is ``zeta``, each layer's Q(1) = 1, Q'(1) = ``q_slope`` and C(0) = 0."""
    act = _activation(act)
    _require_nonlinear(act)
    if _smoothness(act) < 0:
        raise ShapingError(f"{act.label} is discontinuous: its C map has infinite slope at c = 1, so DKS's C'(1) "
                           "condition cannot be met")
    xi = local_c_slope(_network(depth, subnet_max, net), zeta)
    targets = {"zeta": zeta, "c_slope_1": xi, "q_slope": q_slope}
    note = ""
    if act.name == "leaky_relu":
        problem = _Problem(("negative_slope", "input_shift"), {}, {"q_slope": q_slope, "c_slope_1": xi},
                           lambda p: act.with_params(slope=p["negative_slope"]))
    elif _positively_homogeneous(act):
        del targets["q_slope"]
        note = (f"{act.label} is positively homogeneous: only input_shift/input_scale matters, so Q'(1) is not a "
                "condition (as the dks package does for ReLU)")
        shifts = ((1.0 if xi < RELU_SHIFT_LIMIT else -1.0),) if act.name == "relu" else (1.0, -1.0)
        for shift in shifts:
            problem = _Problem(("input_scale",), {"input_shift": shift}, {"c_slope_1": xi}, lambda p: act)
            try:
                params, lv, _ = _solve(problem, act.label, progress)
                break
            except ShapingError:
                if shift == shifts[-1]:
                    raise
        return _result("dks", act, params, lv, targets, note=note)
    else:
        problem = _Problem(("input_scale", "input_shift"), {}, {"q_slope": q_slope, "c_slope_1": xi}, lambda p: act)
    params, lv, note = _solve(problem, act.label, progress)
    slope = params.pop("negative_slope", None)
    base = act if slope is None else act.with_params(slope=slope)
    return _result("dks", base, params, lv, targets, slope, note)


def tat(act, depth: int | None = None, tau: float = 0.3, eta: float = 0.9,
        subnet_max: SubnetMax | None = None, progress: bool = False, net=None) -> Shaping:
    """Tailored Activation Transformation (Zhang et al. 2022) of ``act`` for a chain of ``depth`` nonlinear
    layers (or the ``signalprop.architecture`` network ``net``, or the network of ``subnet_max``). Leaky ReLU: the negative slope that makes the network's
    C(0) = ``eta``; a smooth φ: Q(1) = 1, Q'(1) = 1, C'(1) = 1 and the network's C''(1) = ``tau``."""
    act = _activation(act)
    network = _network(depth, subnet_max, net)
    if act.name == "leaky_relu":
        s = leaky_relu_slope(network, eta)
        base = act.with_params(slope=s)
        params = {"input_scale": 1.0, "input_shift": 0.0}
        lv = local_values(base, 1.0, 0.0, 0.0)
        params.update(output_shift=0.0, output_scale=math.sqrt(2.0 / (1.0 + s * s)))
        return _result("tat", base, params, lv, {"eta": eta}, s)
    if _smoothness(act) < 1:
        raise ShapingError(f"{act.label} has a kink (its derivative jumps): its C map has infinite curvature at "
                           "c = 1, so TAT's C''(1) condition cannot be met; TAT's route for piecewise-linear "
                           "activations is leaky_relu (negative slope from eta)")
    _require_nonlinear(act)
    kappa = local_c_curvature(network, tau)
    problem = _Problem(("input_scale", "input_shift", "output_shift"), {},
                       {"q_slope": 1.0, "c_slope_1": 1.0, "c_curv_1": kappa}, lambda p: act,
                       reject=lambda p: abs(p["input_scale"]) * p["output_scale"] >= 2.0)
    params, lv, note = _solve(problem, act.label, progress)
    return _result("tat", act, params, lv, {"tau": tau, "c_curv_1": kappa}, note=note)
