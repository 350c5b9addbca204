"""Cho & Saul 2009, "Kernel Methods for Deep Learning": the arc-cosine kernels.

Their kernel of degree n is k_n(x, y) = 2 ∫ dw N(w; 0, I) Θ(w·x) Θ(w·y) (w·x)^n (w·y)^n
= (1/π) ‖x‖^n ‖y‖^n J_n(θ), θ = arccos(x·y/(‖x‖‖y‖)), with J_0 = π − θ, J_1 = sin θ + (π − θ) cos θ,
J_2 = 3 sin θ cos θ + (π − θ)(1 + 2 cos² θ), and in general
J_n(θ) = (−1)^n (sin θ)^{2n+1} ((1/sin θ) ∂/∂θ)^n ((π − θ)/sin θ).
So k_n = 2 E[φ_n(u) φ_n(v)] with φ_n(x) = Θ(x) x^n (step, ReLU, rectified square…) and (u, v) of covariance
[[x·x, x·y], [x·y, y·y]]: this toolkit's dual activation. The ℓ-layer kernel composes the angular map,
k^(ℓ+1)(x, y) = (1/π) [k^(ℓ)(x, x) k^(ℓ)(y, y)]^{n/2} J_n(θ^(ℓ)), which is the NNGP recursion with σ_w² = 2,
σ_b² = 0 (and Σ^0 = x·y, i.e. σ_w² = d at the input layer).

Where the formulas come from: stored copies of the paper (the NeurIPS proceedings text, a CiteSeerX text) could
be read only up to the introduction here; the definition of k_n, its closed form (1/π)‖x‖^n‖y‖^n J_n(θ), the general
J_n, J_0, J_1 and the composition rule are taken as a public reading note of the paper transcribes them (a stored
markdown file "Kernel Methods for Deep Learning" in the code index, Secs. "Arc-cosine kernels" and "Computation in
multilayer threshold networks"); J_2 follows from the general J_n (the notebook checks it symbolically). So the
claims cite sections, not equation numbers, and their references are these formulas evaluated independently of
the toolkit (numpy closed forms, sympy): provenance "formula". The paper's numbers (test error rates of its
experiments) are not checked here.
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

import numpy as np
import sympy as sp

from .claim import Claim, Paper, relative
from .figures import save_figure

PAPER = Paper("cho_saul2009", "Kernel Methods for Deep Learning", "Y. Cho, L. K. Saul", 2009,
              venue="Advances in Neural Information Processing Systems 22 (NIPS 2009), pp. 342-350")

ANGULAR = {0: lambda t: np.pi - t,
           1: lambda t: np.sin(t) + (np.pi - t) * np.cos(t),
           2: lambda t: 3 * np.sin(t) * np.cos(t) + (np.pi - t) * (1 + 2 * np.cos(t) ** 2)}
ACTIVATIONS = {0: ("step", {}), 1: ("relu", {}), 2: ("rectified_monomial", {"k": 2}), 3: ("rectified_monomial", {"k": 3})}


def activation(n: int):
    """φ_n(x) = Θ(x) x^n from the zoo."""
    from symbolic import get_activation

    name, params = ACTIVATIONS[n]
    return get_activation(name, **params)


def pairs() -> tuple[np.ndarray, np.ndarray]:
    """Six fixed random pairs (x, y) in R^5 (seed 0)."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, 5)), rng.normal(size=(6, 5))


def arc_cosine(n: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k_n(x, y) = (1/π) ‖x‖^n ‖y‖^n J_n(θ) from the paper's closed forms of J_0, J_1, J_2."""
    nx, ny = np.linalg.norm(x, axis=-1), np.linalg.norm(y, axis=-1)
    theta = np.arccos(np.clip((x * y).sum(-1) / (nx * ny), -1, 1))
    return (nx * ny) ** n * ANGULAR[n](theta) / np.pi


def toolkit_kernel(n: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """2 E[φ_n(u) φ_n(v)] by ``ntk.dual`` (closed form recognized from φ's exact pieces)."""
    from ntk import dual

    return 2 * dual(activation(n), (x * x).sum(-1), (y * y).sum(-1), (x * y).sum(-1))


def engine_kernel(n: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The same expectation by the numerical 2-D Gaussian engine (no closed form involved)."""
    from signalprop import bivariate_moment

    q1, q2 = (x * x).sum(-1), (y * y).sum(-1)
    return 2 * bivariate_moment(activation(n), q1, q2, (x * y).sum(-1) / np.sqrt(q1 * q2))


@cache
def general_angular(n: int) -> sp.Expr:
    """J_n(θ) = (−1)^n (sin θ)^{2n+1} ((1/sin θ) ∂/∂θ)^n ((π − θ)/sin θ), symbolically."""
    t = sp.Symbol("theta")
    f = (sp.pi - t) / sp.sin(t)
    for _ in range(n):
        f = sp.diff(f, t) / sp.sin(t)
    return sp.simplify((-1) ** n * sp.sin(t) ** (2 * n + 1) * f)


def general_at_zero() -> list[float]:
    """J_n(0)/π for n = 0…3 from the general formula (limits θ → 0)."""
    t = sp.Symbol("theta")
    return [float(sp.limit(general_angular(n), t, 0) / sp.pi) for n in range(4)]


def toolkit_self_kernels(q: float = 1.0) -> list[float]:
    """k_n(x, x) for ‖x‖² = q (default 1), n = 0…3: 2 E[φ_n(√q z)²]."""
    from ntk import dual

    return [float(2 * dual(activation(n), q, q, q)) for n in range(4)]


THETAS = np.array([0.3, 1.0, 2.0, 2.9])


def cubic_angular_toolkit(thetas: np.ndarray = THETAS) -> np.ndarray:
    """π k_3 on unit vectors at angles ``thetas`` (the toolkit's rectified-cubic dual)."""
    from ntk import dual

    return 2 * np.pi * dual(activation(3), 1.0, 1.0, np.cos(thetas))


def cubic_angular_general() -> np.ndarray:
    return sp.lambdify(sp.Symbol("theta"), general_angular(3), "numpy")(THETAS)


def composed(n: int, X: np.ndarray, layers: int) -> np.ndarray:
    """k^(ℓ) by the paper's composition rule, from k^(0) = x·y."""
    K = X @ X.T
    for _ in range(layers):
        norms = np.sqrt(np.outer(np.diag(K), np.diag(K)))
        K = norms**n * ANGULAR[n](np.arccos(np.clip(K / norms, -1, 1))) / np.pi
    return K


def toolkit_composed(n: int, X: np.ndarray, layers: int) -> np.ndarray:
    """The NNGP with σ_w² = (d, 2, 2, …), σ_b² = 0: Σ^0 = x·y, then the arc-cosine map per layer."""
    from ntk import nngp

    return nngp(activation(n), X, depth=layers, sigma_w2=[X.shape[1]] + [2.0] * layers, sigma_b2=0.0)


def composition_inputs() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(6, 5))


def upper(K: np.ndarray) -> np.ndarray:
    return K[np.triu_indices(K.shape[0])]


CLOSED = "Sec. 2.1 (arc-cosine kernels; closed forms of J_0, J_1, J_2)"
SOURCE = ("The formulas as a public reading note of the paper transcribes them (see the module docstring); the paper's "
          "own text could be read only to its introduction here, so equation numbers are not verified.")
SWAP = "the activation swapped: φ_{n+1} = Θ(x)x^{n+1} in place of φ_n"
CLAIMS = [
    *[Claim(f"cho_saul2009.k{n}_closed_form", PAPER, CLOSED,
            f"The degree-{n} arc-cosine kernel 2E[φ_{n}(w·x)φ_{n}(w·y)] equals (1/π)‖x‖^{n}‖y‖^{n}J_{n}(θ) "
            f"(toolkit dual of {ACTIVATIONS[n][0]}, 6 random pairs in R^5).",
            lambda n=n: toolkit_kernel(n, *pairs()), lambda n=n: arc_cosine(n, *pairs()),
            f"(1/π)‖x‖^{n}‖y‖^{n}J_{n}(θ) in numpy", relative(1e-12, "two float64 evaluations of the same closed form"),
            "analytic", provenance="formula", notes=SOURCE,
            mutant=lambda n=n: toolkit_kernel(n + 1, *pairs()), mutation=SWAP) for n in (0, 1, 2)],
    *[Claim(f"cho_saul2009.k{n}_numerical", PAPER, CLOSED,
            f"The same kernel of degree {n} by the numerical 2-D Gaussian engine (no closed form) equals the paper's formula.",
            lambda n=n: engine_kernel(n, *pairs()), lambda n=n: arc_cosine(n, *pairs()),
            f"(1/π)‖x‖^{n}‖y‖^{n}J_{n}(θ) in numpy", relative(1e-10, "the 2-D engine's documented accuracy"), "numerical",
            provenance="formula", same_as=f"cho_saul2009.k{n}_closed_form",
            notes="The value of k" + str(n) + "_closed_form by another route of the toolkit (counted once). " + SOURCE,
            mutant=lambda n=n: engine_kernel(n + 1, *pairs()), mutation=SWAP) for n in (1, 2)],
    Claim("cho_saul2009.jn_at_zero", PAPER, "Sec. 2.1 (general J_n)",
          "J_n(0) = π(2n − 1)!!, so k_n(x, x) = (2n − 1)!!‖x‖^{2n}: the toolkit's 2E[φ_n(z)²] for n = 0…3 against the "
          "limits θ → 0 of the paper's general formula for J_n (sympy).",
          toolkit_self_kernels, general_at_zero, "J_n(0)/π = (2n − 1)!! = 1, 1, 3, 15 (general formula, θ → 0, sympy)",
          relative(1e-13, "exact integers against float64 Gaussian moments"), "analytic", provenance="formula", notes=SOURCE,
          mutant=partial(toolkit_self_kernels, 1.01), mutation="‖x‖² = 1.01 instead of 1"),
    Claim("cho_saul2009.j3_general", PAPER, "Sec. 2.1 (general J_n)",
          "For n = 3 the paper's general formula for J_3, derived symbolically, equals π k_3 "
          "from the toolkit's rectified-cubic dual at θ = 0.3, 1, 2, 2.9.",
          cubic_angular_toolkit, cubic_angular_general, "J_3(θ) from the general formula (sympy)",
          relative(1e-10, "J_3(2.9) = 1.6e-5 against J_3(0) = 47: both sides lose ~4e-11 relative to cancellation there"),
          "analytic", provenance="formula", notes=SOURCE,
          mutant=partial(cubic_angular_toolkit, THETAS * 1.01), mutation="the angles θ 1 % larger"),
    *[Claim(f"cho_saul2009.k{n}_composition", PAPER, "Sec. 2.3 (multilayer kernels)",
            f"Composing the degree-{n} kernel 4 times (k^(ℓ+1) = (1/π)[k^(ℓ)(x,x)k^(ℓ)(y,y)]^{{n/2}} J_{n}(θ^(ℓ))) equals "
            f"the toolkit's NNGP with σ_w² = (d, 2, 2, 2, 2), σ_b² = 0 on 6 inputs.",
            lambda n=n: upper(toolkit_composed(n, composition_inputs(), 4)),
            lambda n=n: upper(composed(n, composition_inputs(), 4)),
            "the composition rule, iterated in numpy", relative(1e-12, "float64 recursions of the same map, 4 layers"),
            "analytic", provenance="formula", notes=SOURCE,
            mutant=lambda n=n: upper(toolkit_composed(n, composition_inputs(), 3)), mutation="3 layers instead of 4")
      for n in (0, 1, 2)],
]


def figure(path: str | Path) -> Path:
    """The angular profile k^(ℓ)(θ)/k^(ℓ)(0) of the composed kernels for n = 0, 1, 2 and ℓ = 1…5 (unit
    vectors in the plane), from the toolkit's NNGP, with the paper's one-layer closed forms dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    theta = np.linspace(0, np.pi, 121)
    X = np.column_stack([np.cos(theta), np.sin(theta)])
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), sharey=True)
    for n, ax in zip((0, 1, 2), axes):
        for layers in range(1, 6):
            K = toolkit_composed(n, X, layers)[0]
            ax.plot(theta, K / K[0], label=f"ℓ = {layers}")
        ax.plot(theta, ANGULAR[n](theta) / ANGULAR[n](0.0), "k--", lw=1, label="J_n(θ)/J_n(0)")
        ax.set_title(f"n = {n} ({ACTIVATIONS[n][0]})", fontsize=9)
        ax.set_xlabel("θ")
    axes[0].set_ylabel("k^(ℓ)(θ) / k^(ℓ)(0)")
    axes[0].legend(fontsize=7)
    fig.suptitle("Cho & Saul 2009: composed arc-cosine kernels (toolkit NNGP, σ_w² = 2, σ_b² = 0)", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)
