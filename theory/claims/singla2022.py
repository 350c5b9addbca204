"""Singla, Singla & Feizi 2022, "Improved deterministic l2 robustness on CIFAR-10 and CIFAR-100" (ICLR 2022,
arXiv:2108.04062): the Householder activation z ↦ z if vᵀz > 0 else (I − 2vvᵀ)z on pairs, v = (sin θ/2, −cos θ/2),
of which MaxMin is a special case (abstract; θ = π/2).

Checked here: (i) the toolkit's householder layer at θ = π/2 is exactly MaxMin on every pair; (ii) derived here: at
infinite width the law of a householder layer does not depend on v (a pair of iid Gaussian coordinates is rotation
invariant, and after rotating v to e₁ the unit is (|z₁|, z₂)), so its correlation map is MaxMin's — finite networks
at θ = 0.3 follow MaxMin's closed-form correlation recursion.

Source caveat: only the abstracts (v1, v2) and the authors' code and README figure could be read; the code applies the
reflection on the other side (vᵀz > 0), which at θ = π/2 gives (min, max) — the same law at infinite width.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, mc_sigmas
from .figures import save_figure

PAPER = Paper("singla2022", "Improved deterministic l2 robustness on CIFAR-10 and CIFAR-100", "S. Singla, S. Singla, S. Feizi",
              2022, arxiv="2108.04062", venue="ICLR 2022")
WHERE = "Abstract (Householder activations; MaxMin is a special case)"
NOT_READ = "Only the abstracts, the authors' code and README figure could be read; (ii) is derived here."
MC_THETA, MC_WIDTH, MC_DEPTH, MC_NETWORKS, MC_SW2, MC_SB2 = 0.3, 256, 3, 200, 1.0, 0.1


def maxmin_gap(theta: float = math.pi / 2) -> float:
    """max |householder_θ(z) − (max, min)(z)| over 10⁵ Gaussian pairs (the Monte-Carlo networks' own activation)."""
    from symbolic import get_activation
    from theory.montecarlo.backend import jax_modules, precision
    from theory.montecarlo.units import layer_units

    _, jnp = jax_modules()
    z = np.random.default_rng(1).standard_normal((100_000, 2))
    with precision("float64"):
        out = np.asarray(layer_units(get_activation("householder", theta=theta)).apply(jnp.asarray(z.reshape(1, -1)), None))
    return float(np.max(np.abs(out.reshape(-1, 2) - np.column_stack([z.max(1), z.min(1)]))))


def _inputs() -> np.ndarray:
    from theory.mc_cli import two_inputs

    return two_inputs(0.5)


def mc_correlations(seed: int = 0, theta: float = MC_THETA, sw2: float = MC_SW2) -> Measured:
    """c^l of two inputs through householder networks at angle θ: the pre-activations of hidden layers 2 … MC_DEPTH and
    of the readout (as wide as the hidden layers), after 1 … MC_DEPTH layers."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, forward, measure_c

    X = _inputs()
    spec = NetworkSpec(get_activation("householder", theta=theta), MC_WIDTH, MC_DEPTH, sw2, MC_SB2, ensemble=MC_NETWORKS,
                       seed=seed, dtype="float64", outputs=MC_WIDTH)
    return Measured.of(measure_c(spec, X, forward(spec, X, progress=False, fast=True)), slice(1, MC_DEPTH + 1))


def maxmin_recursion() -> np.ndarray:
    """MaxMin's maps in closed form (numpy): q' = σ_w² q + σ_b², c' = (σ_w² q (c/2 + (√(1 − c²) + c arcsin c)/π)
    + σ_b²)/q' for the two inputs (equal norms), from the layer-0 values."""
    X = _inputs()
    d = X.shape[1]
    q = MC_SW2 * float(X[0] @ X[0]) / d + MC_SB2
    c = (MC_SW2 * float(X[0] @ X[1]) / d + MC_SB2) / q
    out = []
    for _ in range(MC_DEPTH):
        cov = MC_SW2 * q * (c / 2 + (math.sqrt(1 - c * c) + c * math.asin(c)) / math.pi) + MC_SB2
        q = MC_SW2 * q + MC_SB2
        c = cov / q
        out.append(c)
    return np.array(out)


CLAIMS = [
    Claim("singla2022.householder_maxmin", PAPER, WHERE,
          "The Householder activation with θ = π/2 (v = (1, −1)/√2) is MaxMin: (z₁, z₂) ↦ (max, min).",
          maxmin_gap, 0.0, "exact: (I − 2vvᵀ)(z₁, z₂) = (z₂, z₁) when z₁ < z₂", absolute(1e-14, "one rounding of z − 2(vᵀz)v"),
          "analytic", notes=NOT_READ, provenance="formula", mutant=partial(maxmin_gap, math.pi / 2 + 0.05),
          mutation="θ = π/2 + 0.05"),
    Claim("singla2022.mc_v_independence", PAPER, "Derived here (infinite width: the law does not depend on v)",
          f"Householder networks at θ = {MC_THETA} (width {MC_WIDTH}, depth {MC_DEPTH}, {MC_NETWORKS} networks, "
          f"σ_w² = {MC_SW2}, σ_b² = {MC_SB2}) propagate correlations as MaxMin's closed-form correlation map does.",
          partial(mc_correlations, 0), maxmin_recursion, "MaxMin's maps in closed form (derived here), numpy",
          mc_sigmas(MC_DEPTH, MC_NETWORKS, extra=(
              "finite-width bias of c (O(1/N), not modelled): measured within ±1 s.e. at this width for θ = π/2 and 0.3")),
          "mc", notes=NOT_READ, provenance="simulation_vs_theory", seeded=mc_correlations,
          mutant=partial(mc_correlations, 0, MC_THETA, 1.3 * MC_SW2), mutation="σ_w² 30 % higher in the simulation"),
]


def draw_figure():
    """c^l of householder networks at three angles against MaxMin's correlation recursion."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    layers = np.arange(1, MC_DEPTH + 1)
    ax.plot(layers, maxmin_recursion(), "k-", label="MaxMin, infinite width")
    for i, theta in enumerate((math.pi / 2, 0.3, 2.4)):
        m = mc_correlations(0, theta)
        ax.errorbar(layers + 0.05 * i, m.value, 2 * np.asarray(m.stderr), fmt="o", ms=3, label=f"householder θ = {theta:.2f}")
    ax.set(xlabel="hidden layer", ylabel="correlation c", title="Householder networks: the law ignores v")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
