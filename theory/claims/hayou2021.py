"""Hayou, Clerico, He, Deligiannidis, Doucet & Rousseau 2021, "Stable ResNet" (arXiv:2010.12859): scaling the residual
branches down with depth keeps deep residual networks stable (no gradient explosion, no loss of expressivity) in the
infinite-depth limit. Checked here for the uniform scale α = 1/√L (the scale that Marion et al., JMLR 2025, show to be
the only one with a non-trivial limit for i.i.d. weights; the authors' code scales block l by 1/√(l log(l + 1)) instead).

With x ← x + α F(x), F = Dense(σ_w², σ_b²) → φ → Dense(σ_v², σ_a²) (``signalprop.architecture``) the kernel of two
inputs obeys Σ_{l+1} = Σ_l + α² G(Σ_l), G(Σ)(x, x') = σ_v² E[φ(u)φ(u')] + σ_a² with Cov(u) = σ_w² Σ + σ_b². With
α² = 1/L this is Euler's method with step 1/L for the ODE dS/dt = G(S) on t ∈ [0, 1], S(0) = Σ⁰: Σ_L → S(1) with error
O(1/L) (derived here). For ReLU, G is explicit (the arc-cosine kernel), the length obeys the linear ODE
dp/dt = a p + b, a = σ_v² σ_w²/2, b = σ_v² σ_b²/2 + σ_a², so p(1) = (p⁰ + b/a) eᵃ − b/a, and the covariance is
integrated with scipy's solve_ivp. With α = 1 instead the length grows geometrically, by (1 + a) per block.
Finite networks (width 256, 32 blocks of scale 1/√32, Gram fast path) carry the same depth-32 kernel: the mean of the
stream's Gram after the last block against Euler's recursion with the arc-cosine kernel written out here.

Source caveat: only the abstract and the opening of the introduction could be read; the ODE limit, its closed form
for ReLU and the numbers are derived here and evaluated without the toolkit.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, mc_sigmas, relative
from .figures import save_figure
from .reference import stream_inputs

PAPER = Paper("hayou2021", "Stable ResNet", "S. Hayou, E. Clerico, B. He, G. Deligiannidis, A. Doucet, J. Rousseau", 2021,
              arxiv="2010.12859")
WHERE = "Abstract (scaled residual branches keep deep ResNets stable in the infinite-depth limit)"
NOT_READ = ("Only the abstract and the opening of the introduction could be read; the uniform 1/√L scale, the ODE limit, its "
            "closed form for ReLU and the numbers are derived here and evaluated without the toolkit (closed form, scipy "
            "solve_ivp).")
W2, B2, V2, A2 = 1.5, 0.1, 1.0, 0.05
P0, C0 = 1.0, 0.3
DEPTHS = (125, 250, 500)


def _relu_dual(q1: float, q2: float, k: float) -> float:
    """E[relu(u) relu(u')] for Var u = q1, Var u' = q2, Cov = k (Cho & Saul's arc-cosine kernel of degree 1)."""
    c = max(-1.0, min(1.0, k / math.sqrt(q1 * q2)))
    return math.sqrt(q1 * q2) * (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c) / (2 * math.pi)


def ode_limit() -> np.ndarray:
    """[p(1), S₁₂(1)] of dS/dt = G(S): the length in closed form, the covariance by solve_ivp (rtol 1e-12)."""
    from scipy.integrate import solve_ivp

    a, b = V2 * W2 / 2, V2 * B2 / 2 + A2
    p1 = (P0 + b / a) * math.exp(a) - b / a

    def rhs(t, y):
        p, s = y
        q, k = W2 * p + B2, W2 * s + B2
        return [a * p + b, V2 * _relu_dual(q, q, k) + A2]

    sol = solve_ivp(rhs, (0.0, 1.0), [P0, C0 * P0], method="DOP853", rtol=1e-12, atol=1e-14)
    return np.array([p1, sol.y[1, -1]])


def toolkit_kernel(depth: int, alpha: float | None = None) -> np.ndarray:
    """[p^L, Σ^L₁₂] of the residual ReLU network of ``depth`` blocks with α = 1/√depth (or ``alpha``) (toolkit maps)."""
    from signalprop import maps, resnet
    from symbolic import get_activation

    a = 1 / math.sqrt(depth) if alpha is None else alpha
    m = maps(resnet(get_activation("relu"), depth, a, W2, B2, V2, A2), P0, C0)
    return np.array([m.p[-1], m.c[-1] * m.p[-1]])


def toolkit_extrapolated(depths: tuple[int, int, int] = DEPTHS) -> np.ndarray:
    """Richardson's extrapolation (8 Σ_{4L} − 6 Σ_{2L} + Σ_L)/3 of the toolkit's depth-L kernels (Euler's error
    a/L + b/L² + … loses its first two terms)."""
    one, two, four = (toolkit_kernel(L) for L in depths)
    return (8 * four - 6 * two + one) / 3


def alpha_one_growth() -> np.ndarray:
    """p^L of the same network with α = 1 at L = 10, 20 (toolkit)."""
    return np.array([toolkit_kernel(10, 1.0)[0], toolkit_kernel(20, 1.0)[0]])


def alpha_one_closed_form() -> np.ndarray:
    """p^L = (p⁰ + b/a)(1 + a)^L − b/a for α = 1 (the length map of ReLU is affine: p' = (1 + a) p + b)."""
    a, b = V2 * W2 / 2, V2 * B2 / 2 + A2
    return np.array([(P0 + b / a) * (1 + a) ** L - b / a for L in (10, 20)])


MC_DEPTH, MC_WIDTH, MC_NETWORKS = 32, 256, 200


def mc_stream_gram(seed: int = 0, scale: float = 1.0) -> Measured:
    """[G₁₁, G₂₂, G₁₂] of the stream after the last of 32 ReLU blocks with α = scale/√32, width 256, 200 networks
    (``theory.montecarlo.networks``, Gram fast path, float64), ± standard error over the networks."""
    from signalprop import resnet
    from symbolic import get_activation
    from theory.montecarlo.networks import run_networks

    net = resnet(get_activation("relu"), MC_DEPTH, scale / math.sqrt(MC_DEPTH), W2, B2, V2, A2)
    X = stream_inputs(MC_WIDTH, P0, 2021, C0)  # the networks start at Σ⁰ itself: correlation exactly c⁰
    last = run_networks(net, X, MC_WIDTH, ensemble=MC_NETWORKS, seed=seed, ntk=False, fast=True).grams[:, -1]
    return Measured.mean_of(np.stack([last[:, 0, 0], last[:, 1, 1], last[:, 0, 1]], axis=1))


def euler_kernel(depth: int = MC_DEPTH) -> np.ndarray:
    """[p^L, p^L, Σ^L₁₂] of Σ_{l+1} = Σ_l + (1/L) G(Σ_l), G by the arc-cosine kernel (``_relu_dual``), from Σ⁰."""
    p, s = P0, C0 * P0
    for _ in range(depth):
        q, k = W2 * p + B2, W2 * s + B2
        p, s = p + (V2 * q / 2 + A2) / depth, s + (V2 * _relu_dual(q, q, k) + A2) / depth
    return np.array([p, p, s])


CLAIMS = [
    Claim("hayou2021.stable_resnet_depth_limit", PAPER, WHERE,
          f"With the branches scaled uniformly by 1/√L, the kernel of a deep ReLU residual network converges as L grows: its length "
          f"and covariance tend to the solution at t = 1 of dS/dt = σ_v² E[relu(u)relu(u')] + σ_a² (σ_w² = {W2}, σ_b² = "
          f"{B2}, σ_v² = {V2}, σ_a² = {A2}; inputs of length {P0}, correlation {C0}).",
          toolkit_extrapolated, ode_limit, "the ODE limit: closed-form length, solve_ivp for the covariance (derived here)",
          relative(1e-6, "Richardson's extrapolation from L = 125, 250, 500 leaves O(1/L³), ~1e-8; solve_ivp to 1e-12"),
          "numerical", notes=NOT_READ, labels=("p(1)", "S12(1)"), provenance="derived",
          mutant=partial(toolkit_kernel, DEPTHS[-1], 0.5 / math.sqrt(DEPTHS[-1])),
          mutation="branches scaled by 0.5/√L"),
    Claim("hayou2021.unscaled_resnet_grows", PAPER, WHERE,
          "Without the scaling (α = 1) the length of the same ReLU residual network grows geometrically, by (1 + σ_v²σ_w²/2) "
          "per block: p^L = (p⁰ + b/a)(1 + a)^L − b/a at L = 10, 20.",
          alpha_one_growth, alpha_one_closed_form, "the affine length map of ReLU residual blocks (derived here)",
          relative(1e-13, "closed form against the toolkit's recursion in float64"), "analytic", notes=NOT_READ,
          labels=("p^10", "p^20"), provenance="derived",
          mutant=lambda: np.array([toolkit_kernel(10, 0.9)[0], toolkit_kernel(20, 0.9)[0]]), mutation="α = 0.9"),
    Claim("hayou2021.mc_stable_resnet", PAPER, WHERE,
          f"Finite ReLU residual networks with branches scaled by 1/√L (L = {MC_DEPTH} blocks, width {MC_WIDTH}, {MC_NETWORKS} "
          "networks) carry the infinite-width kernel of the stable ResNet: the stream's Gram after the last block.",
          partial(mc_stream_gram, 0), euler_kernel,
          "Euler's recursion Σ_{l+1} = Σ_l + G(Σ_l)/L with the arc-cosine kernel written out (not the toolkit)",
          mc_sigmas(3, MC_NETWORKS, extra="the length's mean is exact at any width (the ReLU length map is affine); the "
                                          "covariance's O(1/N) bias at width 256 is below the standard error"),
          "mc", notes=NOT_READ, labels=("G11", "G22", "G12"), provenance="simulation_vs_theory", seeded=mc_stream_gram,
          mutant=partial(mc_stream_gram, 0, 1.2), mutation="branches scaled by 1.2/√L"),
]


def draw_figure():
    """The length p^L of ReLU residual networks against depth L: 1/√L scaling (converging) and α = 1 (diverging)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    depths = np.array([2, 4, 8, 16, 32, 64, 128])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(depths, [toolkit_kernel(int(L))[0] for L in depths], "o-", label="α = 1/√L (stable ResNet)")
    ax.semilogy(depths[:5], [toolkit_kernel(int(L), 1.0)[0] for L in depths[:5]], "s--", label="α = 1")
    ax.axhline(ode_limit()[0], color="grey", lw=0.8, label="ODE limit p(1)")
    ax.set(xscale="log", xlabel="depth L (residual blocks)", ylabel="length p^L",
           title="Hayou et al. 2021: the 1/√L scaling keeps the kernel finite")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
