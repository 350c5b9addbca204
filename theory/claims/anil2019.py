"""Anil, Lucas & Grosse 2019, "Sorting out Lipschitz function approximation" (ICML 2019, arXiv:1811.05381):
GroupSort (MaxMin for groups of two) is norm- and gradient-norm-preserving (abstract), which plain element-wise
activations cannot be.

Checked here: (i) the toolkit's GroupSort layer (the Monte-Carlo networks' own code) preserves the ℓ2 norm of every
vector and (ii) has an orthogonal Jacobian (a permutation) — the abstract's two properties, for k = 2, 4, 8; (iii) the
infinite-width dual of MaxMin, derived here: with s = (a + b)/√2, d = (a − b)/√2, max·max' + min·min' = s s' + |d||d'|,
so K = k/2 + E|d||d'|/2 = k/2 + (√(q1 q2)/π)(√(1 − c²) + c arcsin c) and K̇ = P(dd' > 0) = 1/2 + arcsin(c)/π,
against numerical integration of E|d||d'| and P(dd' > 0); (iv) a consequence derived here: with Gaussian weights
(σ_w² = 1, σ_b² = 0) E[q̂^{l+1} | layer l] = q̂^l exactly (MaxMin keeps Σ g² = Σ h²), so the mean length is q⁰ at every
layer and every width, as simulated.

Source caveat: only the abstract and the authors' code (cemanil/LNets: groups sorted, MaxMin = (max, min)) could be
read; the theorems of the body are not checked.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, mc_sigmas, relative
from .figures import save_figure

PAPER = Paper("anil2019", "Sorting out Lipschitz function approximation", "C. Anil, J. Lucas, R. Grosse", 2019,
              arxiv="1811.05381", venue="ICML 2019")
WHERE = "Abstract (GroupSort is gradient-norm-preserving; norm-preserving as a permutation)"
NOT_READ = "Only the abstract and the authors' code could be read: the references are the abstract's properties (exact) " \
           "or derived here."
SIZES = (2, 4, 8)
POINTS = ((1.0, 1.0, 0.3), (0.7, 2.0, -0.8), (1.5, 0.4, 0.97))
MC_WIDTH, MC_DEPTH, MC_NETWORKS = 128, 8, 100
MC_X = np.ones((1, 4))


def _apply(name: str, k: int, z: np.ndarray) -> np.ndarray:
    """The Monte-Carlo networks' activation (``theory.montecarlo.units.layer_units``) on rows of z, float64."""
    from symbolic import get_activation
    from theory.montecarlo.backend import jax_modules, precision
    from theory.montecarlo.units import layer_units

    _, jnp = jax_modules()
    unit = get_activation(name, k=k) if name != "maxmin" else get_activation("maxmin")
    with precision("float64"):
        return np.asarray(layer_units(unit).apply(jnp.asarray(z), None), dtype=np.float64)


def norm_defect(name: str = "groupsort") -> float:
    """max over 10⁴ Gaussian vectors (width 16, group sizes SIZES) of |‖g(z)‖² − ‖z‖²|/‖z‖²."""
    z = np.random.default_rng(0).standard_normal((10_000, 16))
    worst = 0.0
    for k in SIZES:
        out = _apply(name, k, z)
        worst = max(worst, float(np.max(np.abs((out**2).sum(1) - (z**2).sum(1)) / (z**2).sum(1))))
    return worst


def jacobian_defect(name: str = "groupsort") -> float:
    """max |JᵀJ − I| of the layer's Jacobian (jax.jacobian of the networks' activation) at 200 random points."""
    from symbolic import get_activation
    from theory.montecarlo.backend import jax_modules, precision
    from theory.montecarlo.units import layer_units

    jax, jnp = jax_modules()
    worst = 0.0
    with precision("float64"):
        for k in SIZES:
            apply = layer_units(get_activation(name, k=k)).apply
            for z in np.random.default_rng(k).standard_normal((200, 16)):
                J = np.asarray(jax.jacobian(lambda x: apply(x, None))(jnp.asarray(z)))
                worst = max(worst, float(np.max(np.abs(J.T @ J - np.eye(16)))))
    return worst


def maxmin_duals(shift: float = 0.0) -> np.ndarray:
    """The toolkit's K and K̇ of MaxMin (``ntk.dual``) at POINTS (correlation + ``shift``)."""
    from ntk.dual import dual
    from symbolic import get_activation

    unit = get_activation("maxmin")
    out = []
    for q1, q2, c in POINTS:
        k = (c + shift) * math.sqrt(q1 * q2)
        out += [float(dual(unit, q1, q2, k)), float(dual(unit, q1, q2, k, derivative=True))]
    return np.array(out)


def integrated_duals() -> np.ndarray:
    """K = (k + E|d||d'|)/2 and K̇ = P(dd' > 0) with E|d||d'|, P by scipy dblquad over the four quadrants of (d, d')."""
    from scipy.integrate import dblquad
    from scipy.stats import multivariate_normal

    out = []
    for q1, q2, c in POINTS:
        k = c * math.sqrt(q1 * q2)
        pdf = multivariate_normal(cov=[[q1, k], [k, q2]]).pdf
        big = 12 * math.sqrt(max(q1, q2))
        quadrants = [(xs, ys) for xs in ((0, big), (-big, 0)) for ys in ((0, big), (-big, 0))]
        absolute_moment = sum(dblquad(lambda y, x: abs(x * y) * pdf([x, y]), *xs, *ys, epsabs=1e-13, epsrel=1e-12)[0]
                              for xs, ys in quadrants)
        same = sum(dblquad(lambda y, x: pdf([x, y]), *xs, *ys, epsabs=1e-13, epsrel=1e-12)[0]
                   for xs, ys in quadrants if xs[0] == ys[0])
        out += [(k + absolute_moment) / 2, same]
    return np.array(out)


def mc_lengths(seed: int = 0, sw2: float = 1.0) -> Measured:
    """Mean q̂ of MaxMin networks (Gaussian weights, σ_b² = 0, explicit matrices) at the pre-activations of hidden
    layers 2 … MC_DEPTH and of the readout (as wide as the hidden layers): after 1 … MC_DEPTH layers."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, forward, measure_q

    spec = NetworkSpec(get_activation("maxmin"), MC_WIDTH, MC_DEPTH, sw2, 0.0, ensemble=MC_NETWORKS, seed=seed, dtype="float64",
                       outputs=MC_WIDTH)
    return Measured.of(measure_q(spec, MC_X, forward(spec, MC_X, progress=False)), slice(1, MC_DEPTH + 1))


CLAIMS = [
    Claim("anil2019.groupsort_norm_preserving", PAPER, WHERE,
          "GroupSort (group sizes 2, 4, 8) preserves the ℓ2 norm of every vector: ‖GS(z)‖ = ‖z‖.",
          norm_defect, 0.0, "exact (a permutation of each group)", absolute(1e-14, "float64 rounding of sums of 16 squares"),
          "analytic", notes=NOT_READ, provenance="formula", mutant=partial(norm_defect, "maxout"),
          mutation="maxout (the max of each group only) instead of GroupSort"),
    Claim("anil2019.groupsort_gradient_norm_preserving", PAPER, WHERE,
          "GroupSort's Jacobian is a permutation matrix: JᵀJ = I, so backpropagated gradients keep their norm.",
          jacobian_defect, 0.0, "exact (the abstract's gradient norm preservation)", absolute(0.0, "entries are 0 and 1"),
          "analytic", notes=NOT_READ, provenance="formula", mutant=partial(jacobian_defect, "maxout"),
          mutation="maxout (the max of each group: 16/k outputs) instead of GroupSort"),
    Claim("anil2019.maxmin_dual", PAPER, "Derived here (the infinite-width kernel of MaxMin networks)",
          "MaxMin's dual K = k/2 + (√(q1q2)/π)(√(1 − c²) + c arcsin c) and derivative kernel K̇ = 1/2 + arcsin(c)/π "
          "(three (q1, q2, c)).",
          maxmin_duals, integrated_duals, "numerical integration of E|d||d'| and P(dd' > 0) (scipy dblquad, quadrants)",
          relative(1e-9, "dblquad to 1e-12 relative per quadrant"), "numerical", notes=NOT_READ, provenance="derived",
          mutant=partial(maxmin_duals, 0.01), mutation="correlation shifted by 0.01"),
    Claim("anil2019.mc_maxmin_isometry", PAPER, "Derived here from norm preservation",
          f"MaxMin networks at σ_w² = 1, σ_b² = 0 (width {MC_WIDTH}, depth {MC_DEPTH}, {MC_NETWORKS} networks, explicit "
          "Gaussian weights) keep the mean length E[q̂^l] = q⁰ = 1 at every layer, exactly at every width.",
          partial(mc_lengths, 0), np.ones(MC_DEPTH), "q⁰ = σ_w² ‖x‖²/d = 1 (a martingale: derived here)",
          mc_sigmas(MC_DEPTH, MC_NETWORKS, extra="no finite-width bias: E[q̂^{l+1} | layer l] = q̂^l exactly"), "mc",
          notes=NOT_READ, provenance="simulation_vs_theory", seeded=mc_lengths,
          mutant=partial(mc_lengths, 0, 1.05), mutation="σ_w² = 1.05 in the simulation"),
]


def draw_figure():
    """MaxMin's dual and derivative kernel against the correlation (q = 1), with ReLU's for comparison."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ntk.dual import dual
    from symbolic import get_activation

    c = np.linspace(-1, 1, 201)
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for name, scale in (("maxmin", 1.0), ("relu", 2.0)):
        unit = get_activation(name)
        ax.plot(c, scale * np.asarray(dual(unit, 1.0, 1.0, c)), label=f"K, {name}" + (" (×2)" if scale != 1 else ""))
        ax.plot(c, scale * np.asarray(dual(unit, 1.0, 1.0, c, derivative=True)), "--", label=f"K̇, {name}" + (" (×2)" if scale != 1 else ""))
    ax.set(xlabel="correlation c", title="MaxMin vs ReLU duals (q = 1)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
