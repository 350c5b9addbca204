"""Klambauer, Unterthiner, Mayr & Hochreiter 2017, "Self-Normalizing Neural Networks": SELU and its
stable, attracting fixed point of the mean/variance map.

SELU is selu(x) = λ x for x > 0 and λ α (eˣ − 1) for x ≤ 0. With inputs of mean μ and variance ν and a
weight vector with ω = Σ wᵢ, τ = Σ wᵢ², the pre-activation is N(μω, ντ) (CLT) and the next layer's mean
and variance are g(μ, ν) = (μ̃, ν̃),
  μ̃ = E[selu(μω + √(ντ) z)],   ν̃ = E[selu(μω + √(ντ) z)²] − μ̃²      (Eqs. 4–5 of the paper; z ~ N(0, 1)).
Requiring g(0, 1) = (0, 1) at ω = 0, τ = 1 fixes α₀₁ ≈ 1.67326 and λ₀₁ ≈ 1.0507, with the closed forms of
App. A1, Eq. (14):
  α₀₁ = −√(2/π) / (erfc(1/√2) e^{1/2} − 1),
  λ₀₁ = (1 − erfc(1/√2)√e) √(2π) (2 erfc(√2) e² + π erfc(1/√2)² e − 2(2 + π) erfc(1/√2)√e + π + 2)^{−1/2}.
The Jacobian 𝒥 = ∂(μ̃, ν̃)/∂(μ, ν) at (0, 1) is [[0, 0.088834], [0, 0.782648]] (Eq. 6), with spectral norm
0.7877 < 1: (0, 1) is stable and attracting (Theorem 1 extends it to the box Ω: μ, ω ∈ [−0.1, 0.1],
ν ∈ [0.8, 1.5], τ ∈ [0.95, 1.1], which g maps into μ̃ ∈ [−0.03106, 0.06773], ν̃ ∈ [0.80009, 1.48617]).
App. A5 gives the constants of another fixed point, (0, 2): α₀₂ = 1.97126, λ₀₂ = 1.06071.
Alpha dropout (Sec. "New Dropout Technique") sets dropped units to α' = −λα (SELU's limit at −∞) and
applies a x + b with a = (q + α'² q (1 − q))^{−1/2}, b = −a (1 − q) α' (keep probability q), which keeps
mean 0 and variance 1.

In this toolkit g is ``signalprop.mean_variance_map(act, mu, nu, omega, tau)`` and 𝒥 is
``signalprop.mean_variance_jacobian``; ``signalprop.solve_selu`` solves for (λ₀₁, α₀₁).
Equation numbers are from the ar5iv rendering of arXiv:1706.02515v5.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from .claim import Claim, Measured, Paper, absolute, relative, sigmas
from .figures import save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PAPER = Paper("klambauer2017", "Self-Normalizing Neural Networks", "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter",
              2017, arxiv="1706.02515", venue="Advances in Neural Information Processing Systems 30 (NIPS 2017)")


def selu(lam: float | None = None, alpha: float | None = None):
    """SELU from the zoo (default: λ₀₁, α₀₁); parameters are passed as Python floats."""
    from symbolic import get_activation

    if lam is None:
        return get_activation("selu")
    return get_activation("selu", lam=float(lam), alpha=float(alpha))


def eq14_constants() -> np.ndarray:
    """(α₀₁, λ₀₁) from the closed forms of App. A1, Eq. (14), in 30-digit arithmetic (mpmath)."""
    import mpmath as mp

    with mp.workdps(30):
        e, h = mp.e, mp.erfc(1 / mp.sqrt(2))
        alpha = -mp.sqrt(2 / mp.pi) / (h * mp.sqrt(e) - 1)
        lam = (1 - h * mp.sqrt(e)) * mp.sqrt(2 * mp.pi) * (
            2 * mp.erfc(mp.sqrt(2)) * e**2 + mp.pi * h**2 * e - 2 * (2 + mp.pi) * h * mp.sqrt(e) + mp.pi + 2) ** mp.mpf(-0.5)
        return np.array([float(alpha), float(lam)])


def toolkit_constants() -> np.ndarray:
    """(α₀₁, λ₀₁) by ``signalprop.solve_selu`` (root of the mean, then λ from the variance, by quadrature)."""
    from signalprop import solve_selu

    c = solve_selu()
    return np.array([c.alpha, c.lam])


def fixed_point_constants(nu: float) -> np.ndarray:
    """(α, λ) making (0, ν) a fixed point of g at ω = 0, τ = 1: α is the root of E[elu_α(√ν z)] = 0 (λ drops
    out), then λ = √(ν / E[elu_α(√ν z)²]) (toolkit Gaussian moments, brentq)."""
    from scipy.optimize import brentq
    from symbolic import get_activation
    from signalprop import gaussian_moment

    def elu(a: float):
        return get_activation("elu", alpha=float(a))

    alpha = brentq(lambda a: gaussian_moment(elu(a), nu, p=1), 1.0, 3.0, xtol=1e-14)
    return np.array([alpha, math.sqrt(nu / gaussian_moment(elu(alpha), nu, p=2))])


def g_at_01() -> np.ndarray:
    """g(0, 1) at ω = 0, τ = 1 with the zoo's SELU (λ₀₁, α₀₁)."""
    from signalprop import mean_variance_map

    return np.array(mean_variance_map(selu(), 0.0, 1.0, 0.0, 1.0))


def jacobian_01() -> np.ndarray:
    """𝒥(0, 1) at ω = 0, τ = 1 (``signalprop.mean_variance_jacobian``, Stein identities)."""
    from signalprop import mean_variance_jacobian

    return mean_variance_jacobian(selu(), 0.0, 1.0, 0.0, 1.0)


def spectral_norm_01() -> float:
    return float(np.linalg.norm(jacobian_01(), 2))


OMEGA_BOX = {"mu": (-0.1, 0.1), "omega": (-0.1, 0.1), "nu": (0.8, 1.5), "tau": (0.95, 1.1)}


def theorem1_image() -> np.ndarray:
    """[min μ̃, max μ̃, ξ̃_min − max μ̃², ξ̃_max] over Ω (ξ̃ = ν̃ + μ̃², the second moment, Eq. 13). μ̃ and ξ̃
    depend on (μω, ντ) only and are monotone in each, so the 16 corners of Ω give the extremes; the ν̃
    bounds are built from ξ̃ as in Lemma 13 (the actual range of ν̃ on Ω is narrower)."""
    from signalprop import mean_variance_map

    act = selu()
    mv = np.array([mean_variance_map(act, mu, nu, om, tau) for mu, om, nu, tau in
                   itertools.product(OMEGA_BOX["mu"], OMEGA_BOX["omega"], OMEGA_BOX["nu"], OMEGA_BOX["tau"])])
    mean, second = mv[:, 0], mv[:, 1] + mv[:, 0] ** 2
    return np.array([mean.min(), mean.max(), second.min() - (mean**2).max(), second.max()])


DROPOUT_KEEP = (0.95, 0.90)


def alpha_dropout_moments() -> np.ndarray:
    """[mean, variance] after alpha dropout for keep probabilities q = 0.95, 0.90, with the paper's a, b:
    x' = a (d x + (1 − d) α') + b, d ~ Bernoulli(q), x = selu(z), z ~ N(0, 1); from the toolkit's Gaussian
    moments of SELU (μ, ν) and its derived limit α' at −∞:
    E = a (q μ + (1 − q) α') + b,  Var = a² q ((1 − q)(α' − μ)² + ν)."""
    from signalprop import gaussian_moment

    act = selu()
    ap = act.derive().range_inf.value
    mu = gaussian_moment(act, 1.0, p=1)
    nu = gaussian_moment(act, 1.0, p=2) - mu**2
    out = []
    for q in DROPOUT_KEEP:
        a = (q + ap**2 * q * (1 - q)) ** -0.5
        b = -a * (1 - q) * ap
        out += [a * (q * mu + (1 - q) * ap) + b, a * a * q * ((1 - q) * (ap - mu) ** 2 + nu)]
    return np.array(out)


# ---- Monte Carlo: a deep SELU network self-normalizes -------------------------------------------------
MC_WIDTH, MC_DEPTH, MC_NETWORKS = 256, 30, 40
MC_STARTS = ((1.0, 2.0), (-0.3, 0.2))
MC_LAYERS = (1, 3, MC_DEPTH)


def selu_moments(q: np.ndarray | float, lam: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Closed forms of E[selu(√q z)] and E[selu(√q z)²] (s = √q):
    λ[s/√(2π) + α(e^{q/2}Φ(−s) − 1/2)] and λ²[q/2 + α²(e^{2q}Φ(−2s) − 2e^{q/2}Φ(−s) + 1/2)]."""
    s = np.sqrt(q)
    e1 = np.exp(q / 2) * ndtr(-s)
    mean = lam * (s / math.sqrt(2 * math.pi) + alpha * (e1 - 0.5))
    second = lam**2 * (q / 2 + alpha**2 * (np.exp(2 * q) * ndtr(-2 * s) - 2 * e1 + 0.5))
    return mean, second


def mean_field_path(mu0: float, nu0: float, depth: int = MC_DEPTH) -> np.ndarray:
    """(μ^l, ν^l), l = 1 … depth, for Gaussian weights N(0, 1/n): each unit's pre-activation given the layer
    below is exactly N(0, μ² + ν), so (μ, ν) ↦ g(0, μ² + ν) at ω = 0, τ = 1 — the paper's g on the line μ = 0,
    with the same fixed point (0, 1) and Jacobian there. SELU moments in closed form, Eq. (14) constants."""
    alpha, lam = eq14_constants()
    path, mu, nu = [], mu0, nu0
    for _ in range(depth):
        mean, second = selu_moments(mu * mu + nu, lam, alpha)
        mu, nu = float(mean), float(second - mean**2)
        path.append((mu, nu))
    return np.array(path)


def simulate(mu0: float, nu0: float, seed: int = 0, width: int = MC_WIDTH, depth: int = MC_DEPTH,
             networks: int = MC_NETWORKS) -> np.ndarray:
    """Empirical (mean, unbiased variance) over the units of each layer, shape (depth, networks, 2), for
    ``networks`` independent fully connected SELU networks of the given width (weights N(0, 1/n), no
    biases, float64), fed one input whose entries have empirical mean μ₀ and variance ν₀ exactly."""
    f = selu().numpy(0)
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(width)
    h = np.broadcast_to(mu0 + math.sqrt(nu0) * (g - g.mean()) / g.std(), (networks, width))
    out = []
    for _ in range(depth):
        W = rng.standard_normal((networks, width, h.shape[1])) / math.sqrt(h.shape[1])
        h = f(np.einsum("eij,ej->ei", W, h))
        out.append(np.stack([h.mean(1), h.var(1, ddof=1)], 1))
    return np.array(out)


def mc_self_normalization(seed: int = 0) -> Measured:
    """(μ̂, ν̂) at layers 1, 3, 30 from both starts, averaged over networks, ± standard errors."""
    values, errors = [], []
    for k, (mu0, nu0) in enumerate(MC_STARTS):
        runs = simulate(mu0, nu0, seed=1000 * seed + k)[[l - 1 for l in MC_LAYERS]]
        values.append(runs.mean(1))
        errors.append(runs.std(1, ddof=1) / math.sqrt(runs.shape[1]))
    return Measured(np.array(values).ravel(), np.array(errors).ravel())


def mc_theory() -> np.ndarray:
    return np.array([mean_field_path(*start)[[l - 1 for l in MC_LAYERS]] for start in MC_STARTS]).ravel()


FP = "Sec. 'Stable and Attracting Fixed Point (0,1) for Normalized Weights'"
CLAIMS = [
    Claim("klambauer2017.selu_constants", PAPER, "App. A1, Eq. (14); values also in " + FP,
          "The SELU parameters making (0, 1) a fixed point of g (ω = 0, τ = 1), solved numerically by the toolkit "
          "(signalprop.solve_selu), equal the closed forms of Eq. (14): α₀₁ ≈ 1.67326, λ₀₁ ≈ 1.0507.",
          toolkit_constants, eq14_constants,
          "[α₀₁, λ₀₁] from Eq. (14)'s closed forms (mpmath, 30 digits); printed ≈ 1.67326, 1.0507",
          relative(1e-12, "brentq to 1e-15 on quadrature accurate to ~1e-15; float64 round-off"), "analytic",
          notes="Against the printed digits: |Δα| = 3.2e-6 (1.67326), |Δλ| = 9.9e-7 (1.0507); asserted in the notebook."),
    Claim("klambauer2017.fixed_point_01", PAPER, FP + ", Eqs. (4)–(5)",
          "With the zoo's SELU (λ₀₁, α₀₁), the mean/variance map at ω = 0, τ = 1 has the fixed point g(0, 1) = (0, 1).",
          g_at_01, [0.0, 1.0], "(μ̃, ν̃) = (0, 1) at (μ, ν) = (0, 1)",
          absolute(1e-12, "1-D Gaussian quadrature exact for the kink at 0, ~1e-15; constants to ~1e-16"), "analytic"),
    Claim("klambauer2017.jacobian_01", PAPER, "Eq. (6), " + FP,
          "The Jacobian of g at (0, 1) (ω = 0, τ = 1) is [[0.0, 0.088834], [0.0, 0.782648]].",
          jacobian_01, [[0.0, 0.088834], [0.0, 0.782648]], "[[0.0, 0.088834], [0.0, 0.782648]] (Eq. 6, 6 decimals)",
          absolute(1e-6, "printed to 6 decimals; the paper truncates 0.0888348 to 0.088834 (not rounds), so up to 1e-6"),
          "analytic",
          notes="Computed J₁₂ = 0.08883476, J₂₂ = 0.78264788: the printed 0.088834 is a truncation. The rounded constants "
                "1.0507/1.6733 would give J₁₂ = 0.0888320, so the paper used the full constants."),
    Claim("klambauer2017.spectral_norm_01", PAPER, "sentence after Eq. (6)",
          "The spectral norm of 𝒥(0, 1) (largest singular value) is 0.7877 < 1, so (0, 1) is a stable, attracting "
          "fixed point.",
          spectral_norm_01, 0.7877, "0.7877 (4 decimals)", absolute(5e-5, "printed to 4 decimals"), "analytic",
          notes="Computed 0.78767336."),
    Claim("klambauer2017.fixed_point_02", PAPER, "App. A5 ('Other fixed points')",
          "The fixed point (μ, ν) = (0, 2) of g (ω = 0, τ = 1) needs α₀₂ = 1.97126, λ₀₂ = 1.06071 (α from the zero "
          "mean at variance 2, then λ from the variance).",
          lambda: fixed_point_constants(2.0), [1.97126, 1.06071], "α₀₂ = 1.97126, λ₀₂ = 1.06071 (5 decimals)",
          absolute(5e-6, "printed to 5 decimals (half a unit of the last digit)"), "analytic",
          notes="Computed α₀₂ = 1.9712557503, λ₀₂ = 1.0607090761; g(0, 2) = (−3e-18, 2.000000000000001) with them."),
    Claim("klambauer2017.theorem1_image", PAPER, "Theorem 1 (restated in App. A2.1; bounds via Lemma 13)",
          "On Ω (μ, ω ∈ [−0.1, 0.1], ν ∈ [0.8, 1.5], τ ∈ [0.95, 1.1]) g maps into μ̃ ∈ [−0.03106, 0.06773], "
          "ν̃ ∈ [0.80009, 1.48617]. Computed: extremes of μ̃ at Ω's corners, ν̃ bounds as Lemma 13 builds them from "
          "the second moment ξ̃ (ξ̃_min − max μ̃², ξ̃_max).",
          theorem1_image, [-0.03106, 0.06773, 0.80009, 1.48617], "[−0.03106, 0.06773] × [0.80009, 1.48617]",
          absolute(1e-5, "printed to 5 decimals; the paper rounds 1.4861616 outward to 1.48617, as a bound should"),
          "numerical",
          notes="Computed [−0.0310605, 0.0677251, 0.8000898, 1.4861616]. The actual range of ν̃ on Ω is narrower, "
                "[0.80371, 1.48157]. Contraction on Ω (max spectral norm 0.8976 < 1 on a grid) is asserted in the notebook."),
    Claim("klambauer2017.alpha_dropout", PAPER, "Sec. 'New Dropout Technique' (unnumbered displays)",
          "Alpha dropout with α' = −λα, a = (q + α'²q(1 − q))^{−1/2}, b = −a(1 − q)α' keeps mean 0 and variance 1 of "
          "SELU activations of N(0, 1) inputs, for keep probabilities q = 0.95 and 0.90 (dropout rates the paper "
          "recommends).",
          alpha_dropout_moments, [0.0, 1.0, 0.0, 1.0], "[mean, variance] = (0, 1) for q = 0.95, 0.90 (formulas only)",
          absolute(1e-12, "exact identities evaluated with quadrature accurate to ~1e-15"), "analytic",
          notes="The paper prints no numbers for a, b: q = 0.95 gives a = 0.954844, b = 0.083936; q = 0.90 gives "
                "a = 0.921285, b = 0.161971. α' = −1.7580993408 is the toolkit's derived limit of SELU at −∞."),
    Claim("klambauer2017.mc_self_normalization", PAPER, "Theorem 1 and Definition 1 (self-normalizing, attracting fixed point)",
          f"Finite SELU networks (width {MC_WIDTH}, depth {MC_DEPTH}, weights N(0, 1/n), {MC_NETWORKS} networks) fed an "
          "input of mean/variance (1, 2) or (−0.3, 0.2): the units' empirical mean and variance at layers 1, 3 and 30 "
          "follow the mean-field map and reach the fixed point (0, 1).",
          mc_self_normalization, mc_theory,
          "(μ^l, ν^l) from (μ, ν) ↦ g(0, μ² + ν), SELU moments in closed form; ≈ (0, 1) at l = 30",
          sigmas(4), "mc",
          notes="Own numpy ensemble (float64), the units' mean and unbiased variance per layer; theory from closed-form "
                "SELU moments with the Eq. (14) constants. z-scores over seeds 0–4 stay below 2.6. Larger GPU setting: "
                "width 4096, depth 100, 1000 networks."),
]


def draw_figure() -> Figure:
    """Left: the paper's Fig. 2, arrows (μ, ν) → g(μ, ν) at ω = 0, τ = 1 with the fixed point (0, 1) (toolkit
    ``mean_variance_map``). Right: Monte-Carlo mean and variance of a deep SELU network's units per layer from
    two starts, with error bars, against the mean-field map."""
    import matplotlib.pyplot as plt
    from signalprop import mean_variance_map

    act = selu()
    M, V = np.meshgrid(np.linspace(-0.4, 0.4, 13), np.linspace(0.6, 1.6, 13))
    G = np.array([[mean_variance_map(act, m, v, 0.0, 1.0) for m, v in zip(rm, rv)] for rm, rv in zip(M, V)])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax.quiver(M, V, G[..., 0] - M, G[..., 1] - V, np.hypot(G[..., 0] - M, G[..., 1] - V), cmap="viridis",
              angles="xy", scale_units="xy", scale=3, width=0.004)
    ax.plot(0, 1, "r*", ms=14, label="fixed point (0, 1)")
    ax.set_xlabel("μ (mean)")
    ax.set_ylabel("ν (variance)")
    ax.set_title("g: (μ, ν) ↦ (μ̃, ν̃) at ω = 0, τ = 1 (arrows: a third of g(μ, ν) − (μ, ν))", fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    layers = np.arange(1, 16)
    for (mu0, nu0), color in zip(MC_STARTS, ("C0", "C3")):
        runs = simulate(mu0, nu0, seed=0, depth=15, networks=20)
        mean, err = runs.mean(1), runs.std(1, ddof=1) / math.sqrt(runs.shape[1])
        theory = mean_field_path(mu0, nu0, depth=15)
        for j, (marker, name) in enumerate((("o", "μ"), ("s", "ν"))):
            bx.errorbar(layers, mean[:, j], err[:, j], fmt=marker, ms=4, color=color, mfc="none" if j else color,
                        label=f"MC {name}, start ({mu0}, {nu0})")
            bx.plot(layers, theory[:, j], "-", color=color, lw=1)
    bx.axhline(0, color="k", lw=0.5)
    bx.axhline(1, color="k", lw=0.5)
    bx.set_xlabel("layer l")
    bx.set_ylabel("units' mean μˡ and variance νˡ")
    bx.set_title("width 256, 20 networks; lines: mean-field map", fontsize=9)
    bx.legend(fontsize=7, ncol=2)
    fig.suptitle("Klambauer et al. 2017: SELU's mean/variance map and self-normalization", fontsize=10)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    """Save ``draw_figure()`` to ``path`` (matplotlib Agg)."""
    return save_figure(draw_figure(), path)
