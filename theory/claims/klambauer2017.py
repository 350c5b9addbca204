"""Klambauer, Unterthiner, Mayr & Hochreiter 2017, "Self-Normalizing Neural Networks": SELU and its
stable, attracting fixed point of the mean/variance map.

SELU is selu(x) = λ x for x > 0 and λ α (eˣ − 1) for x ≤ 0. With inputs of mean μ and variance ν and a
weight vector with ω = Σ wᵢ, τ = Σ wᵢ², the pre-activation is N(μω, ντ) (CLT) and the next layer's mean
and variance are g(μ, ν) = (μ̃, ν̃),
  μ̃ = E[selu(μω + √(ντ) z)],   ν̃ = E[selu(μω + √(ντ) z)²] − μ̃²      (Eqs. 3–5 of the paper; z ~ N(0, 1)).
Requiring g(0, 1) = (0, 1) at ω = 0, τ = 1 fixes α₀₁ and λ₀₁, with the closed forms of App. A1, Eq. (14):
  α₀₁ = −√(2/π) / (erfc(1/√2) e^{1/2} − 1)   (printed ≈ 1.67326; the main text prints ≈ 1.6733),
  λ₀₁ = (1 − erfc(1/√2)√e) √(2π) (2 erfc(√2) e² + π erfc(1/√2)² e − 2(2 + π) erfc(1/√2)√e + π + 2)^{−1/2}
        (printed ≈ 1.0507).
The Jacobian 𝒥 = ∂(μ̃, ν̃)/∂(μ, ν) at (0, 1) is printed as [[0.0, 0.088834], [0.0, 0.782648]] (Eq. 6), with spectral
norm 0.7877 < 1 (the sentence after Eq. 6): (0, 1) is stable and attracting. Theorem 1 (Sec. "Stable and Attracting
Fixed Points for Unnormalized Weights", restated in App. A2.1, proved in A3.1 with Lemma 13) extends it to the box Ω:
μ, ω ∈ [−0.1, 0.1], ν ∈ [0.8, 1.5], τ ∈ [0.95, 1.1], which g maps into μ̃ ∈ [−0.03106, 0.06773],
ν̃ ∈ [0.80009, 1.48617]. App. A5 prints the constants of the fixed point (0, 2): α₀₂ = 1.97126, λ₀₂ = 1.06071.
Alpha dropout (Sec. "New Dropout Technique", unnumbered displays) sets dropped units to
α' = lim_{x→−∞} selu(x) = −λα and applies a x + b with a = (q + α'² q (1 − q))^{−1/2}, b = −a (1 − q) α' (keep
probability q; the paper recommends the dropout rates 1 − q = 0.05 and 0.10).

The paper's body was read here in its ar5iv rendering of arXiv:1706.02515v5 (equation numbers from it); every number
quoted above is printed there.

In this toolkit g is ``signalprop.mean_variance_map(act, mu, nu, omega, tau)`` and 𝒥 is
``signalprop.mean_variance_jacobian``; ``signalprop.solve_selu`` solves for (λ₀₁, α₀₁) (tested in tests/test_snn.py;
the claims use the same construction for any fixed point (0, ν), ``fixed_point_constants``).
"""

from __future__ import annotations

import itertools
import math
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import comb, gamma, ndtr

from .claim import Claim, Measured, Paper, absolute, mc_sigmas, relative
from .figures import save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from symbolic import Activation

PAPER = Paper("klambauer2017", "Self-Normalizing Neural Networks", "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter",
              2017, arxiv="1706.02515", venue="Advances in Neural Information Processing Systems 30 (NIPS 2017)")


def selu(lam: float | None = None, alpha: float | None = None) -> Activation:
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


def fixed_point_constants(nu: float = 1.0) -> np.ndarray:
    """(α, λ) making (0, ν) a fixed point of g at ω = 0, τ = 1: α is the root of E[elu_α(√ν z)] = 0 (λ drops
    out), then λ = √(ν / E[elu_α(√ν z)²]) (toolkit Gaussian moments, brentq)."""
    from scipy.optimize import brentq
    from symbolic import get_activation
    from signalprop import gaussian_moment

    def elu(a: float):
        return get_activation("elu", alpha=float(a))

    alpha = brentq(lambda a: gaussian_moment(elu(a), nu, p=1), 1.0, 3.0, xtol=1e-14)
    return np.array([alpha, math.sqrt(nu / gaussian_moment(elu(alpha), nu, p=2))])


def g_at_01(tau: float = 1.0) -> np.ndarray:
    """g(0, 1) at ω = 0 and the given τ (1: normalized weights) with the zoo's SELU (λ₀₁, α₀₁)."""
    from signalprop import mean_variance_map

    return np.array(mean_variance_map(selu(), 0.0, 1.0, 0.0, tau))


def jacobian_01(tau: float = 1.0) -> np.ndarray:
    """𝒥(0, 1) at ω = 0 and the given τ (``signalprop.mean_variance_jacobian``, Stein identities)."""
    from signalprop import mean_variance_jacobian

    return mean_variance_jacobian(selu(), 0.0, 1.0, 0.0, tau)


def spectral_norm_01(tau: float = 1.0) -> float:
    """Largest singular value of 𝒥(0, 1)."""
    return float(np.linalg.norm(jacobian_01(tau), 2))


OMEGA_BOX = {"mu": (-0.1, 0.1), "omega": (-0.1, 0.1), "nu": (0.8, 1.5), "tau": (0.95, 1.1)}


def theorem1_image(box: dict[str, tuple[float, float]] = OMEGA_BOX) -> np.ndarray:
    """[min μ̃, max μ̃, ξ̃_min − max μ̃², ξ̃_max] over the box (Ω by default; ξ̃ = ν̃ + μ̃², the second moment,
    Eq. 13). μ̃ and ξ̃ depend on (μω, ντ) only and are monotone in each, so the 16 corners give the extremes; the
    ν̃ bounds are built from ξ̃ as in Lemma 13 (the actual range of ν̃ on Ω is narrower)."""
    from signalprop import mean_variance_map

    act = selu()
    mv = np.array([mean_variance_map(act, mu, nu, om, tau) for mu, om, nu, tau in
                   itertools.product(box["mu"], box["omega"], box["nu"], box["tau"])])
    mean, second = mv[:, 0], mv[:, 1] + mv[:, 0] ** 2
    return np.array([mean.min(), mean.max(), second.min() - (mean**2).max(), second.max()])


# ---- alpha dropout --------------------------------------------------------------------------------------
DROPOUT_KEEP = (0.95, 0.90)


def alpha_dropout_parameters(alpha_prime: float) -> np.ndarray:
    """[α', a(q), b(q) for q in DROPOUT_KEEP], the paper's a = (q + α'² q (1 − q))^{−1/2}, b = −a (1 − q) α'."""
    out = [alpha_prime]
    for q in DROPOUT_KEEP:
        a = (q + alpha_prime**2 * q * (1 - q)) ** -0.5
        out += [a, -a * (1 - q) * alpha_prime]
    return np.array(out, dtype=float)


def toolkit_alpha_dropout(act: Activation | None = None) -> np.ndarray:
    """α' as the toolkit derives it, the infimum of the activation's range (SELU's limit at −∞, ``derive().range_inf``),
    with the a, b it gives (default: the zoo's SELU)."""
    return alpha_dropout_parameters((act or selu()).derive().range_inf.value)


def eq14_alpha_dropout() -> np.ndarray:
    """α' = −λ₀₁α₀₁ from Eq. (14) (mpmath), with its a, b."""
    alpha, lam = eq14_constants()
    return alpha_dropout_parameters(-lam * alpha)


# ---- Monte Carlo: a deep SELU network self-normalizes -------------------------------------------------
MC_WIDTH, MC_DEPTH, MC_NETWORKS = 256, 30, 40
MC_STARTS = ((1.0, 2.0), (-0.3, 0.2))
MC_LAYERS = (1, 3, MC_DEPTH)
MC_SIGMA_W2_MUTANT = 1.1


def selu_power_moment(q: float, p: int, lam: float, alpha: float) -> float:
    """E[selu(√q z)^p], z ~ N(0, 1), in closed form (s = √q):
    λ^p [s^p E[z^p; z > 0] + α^p Σ_k C(p, k) (−1)^{p−k} e^{k²q/2} Φ(−k s)],  E[z^p; z > 0] = 2^{p/2−1} Γ((p+1)/2)/√π."""
    s = math.sqrt(q)
    positive = s**p * 2 ** (p / 2 - 1) * gamma((p + 1) / 2) / math.sqrt(math.pi)
    negative = sum(comb(p, k) * (-1) ** (p - k) * math.exp(k * k * q / 2) * ndtr(-k * s) for k in range(p + 1))
    return float(lam**p * (positive + alpha**p * negative))


def mean_field_path(mu0: float, nu0: float, depth: int = MC_DEPTH, width: int | None = None) -> np.ndarray:
    """(μ^l, ν^l), l = 1 … depth, of the units of a SELU network with Gaussian weights N(0, 1/n), no biases, fed one
    input of empirical mean μ₀ and variance ν₀; SELU moments in closed form with the Eq. (14) constants.

    Given the layer below, each unit's pre-activation is exactly N(0, q̂) with q̂ = ‖h‖²/n, so at infinite width
    (``width=None``) (μ, ν) ↦ g(0, μ² + ν) at ω = 0, τ = 1 — the paper's g on the line μ = 0, with the same fixed
    point (0, 1) and Jacobian there. At finite width n, q̂ fluctuates: with M(q), V(q), S(q), F(q) the mean,
    variance, second and fourth moments of selu(√q z), E[μ̂ | q̂] = M(q̂) and E[ν̂ | q̂] = V(q̂) (unbiased variance of
    iid units), and to O(1/n) (second-order delta method, derived here)
      E μ̂^{l+1} = M(q̄) + M''(q̄) v/2,  E ν̂^{l+1} = V(q̄) + V''(q̄) v/2,
      q̄' = S(q̄) + S''(q̄) v/2,  v' = S'(q̄)² v + (F(q̄) − S(q̄)²)/n,
    with q̄, v the mean and variance of q̂^l (q̂⁰ = μ₀² + ν₀ exactly, v = 0); derivatives by central differences
    of the closed forms (step 1e-3 q: error ~1e-6 of a correction ~5e-3)."""
    alpha, lam = eq14_constants()

    def moments(q: float) -> np.ndarray:  # [M, V, S]
        m, s = (selu_power_moment(q, p, lam, alpha) for p in (1, 2))
        return np.array([m, s - m * m, s])

    q, v, path = mu0 * mu0 + nu0, 0.0, []
    for _ in range(depth):
        f = moments(q)
        if width is not None:
            h = 1e-3 * q
            lo, hi = moments(q - h), moments(q + h)
            spread = (selu_power_moment(q, 4, lam, alpha) - f[2] ** 2) / width
            f, v = f + (hi - 2 * f + lo) / (h * h) * v / 2, ((hi[2] - lo[2]) / (2 * h)) ** 2 * v + spread
        path.append(f[:2])
        q = f[2]
    return np.array(path)


def simulate(mu0: float, nu0: float, seed: int = 0, width: int = MC_WIDTH, depth: int = MC_DEPTH,
             networks: int = MC_NETWORKS, sigma_w2: float = 1.0) -> np.ndarray:
    """Empirical (mean, unbiased variance) over the units of each layer, shape (depth, networks, 2), for
    ``networks`` independent fully connected SELU networks of the given width (weights N(0, σ_w²/n), no biases,
    float64), fed one input whose entries have empirical mean μ₀ and variance ν₀ exactly."""
    f = selu().numpy(0)
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(width)
    h = np.broadcast_to(mu0 + math.sqrt(nu0) * (g - g.mean()) / g.std(), (networks, width))
    out = []
    for _ in range(depth):
        W = rng.standard_normal((networks, width, h.shape[1])) * math.sqrt(sigma_w2 / h.shape[1])
        h = f(np.einsum("eij,ej->ei", W, h))
        out.append(np.stack([h.mean(1), h.var(1, ddof=1)], 1))
    return np.array(out)


def mc_self_normalization(seed: int = 0, sigma_w2: float = 1.0) -> Measured:
    """(μ̂, ν̂) at layers 1, 3, 30 from both starts, averaged over the independent networks, ± standard errors
    over those networks."""
    parts = []
    for k, (mu0, nu0) in enumerate(MC_STARTS):
        runs = simulate(mu0, nu0, seed=1000 * seed + k, sigma_w2=sigma_w2)[[l - 1 for l in MC_LAYERS]]
        parts.append(Measured.mean_of(np.moveaxis(runs, 1, 0)))
    return Measured.join(parts)


def mc_theory(width: int | None = MC_WIDTH) -> np.ndarray:
    """The reference of the Monte-Carlo claim: ``mean_field_path`` at the simulated width (O(1/n) included)."""
    return np.array([mean_field_path(*start, width=width)[[l - 1 for l in MC_LAYERS]] for start in MC_STARTS]).ravel()


FP = "Sec. 'Stable and Attracting Fixed Point (0,1) for Normalized Weights'"
TAU = "τ = Σw² of 1.01 instead of 1 (weights not normalized)"
CLAIMS = [
    Claim("klambauer2017.selu_constants", PAPER, "App. A1, Eq. (14)",
          "The SELU parameters making (0, 1) a fixed point of g (ω = 0, τ = 1), solved numerically by the toolkit "
          "(α from the zero mean, then λ from the unit variance), equal the closed forms of Eq. (14).",
          fixed_point_constants, eq14_constants,
          "[α₀₁, λ₀₁] from Eq. (14)'s closed forms, mpmath at 30 digits",
          relative(1e-12, "brentq to 1e-14 on quadrature accurate to ~1e-15; float64 round-off"), "analytic",
          provenance="formula", mutant=partial(fixed_point_constants, 1.01),
          mutation="the fixed point (0, 1.01) instead of (0, 1)",
          notes="Computed α₀₁ = 1.6732632423543772, λ₀₁ = 1.0507009873554805."),
    Claim("klambauer2017.alpha01_printed", PAPER, "App. A1, Eq. (14) (≈ 1.67326); the main text (" + FP + ") prints ≈ 1.6733",
          "The printed α₀₁ ≈ 1.67326.",
          lambda: fixed_point_constants()[0], 1.67326, "α₀₁ ≈ 1.67326 (5 decimals, Eq. 14)",
          absolute(5e-6, "half a unit of the 5th printed decimal"), "analytic",
          provenance="printed", mutant=lambda: fixed_point_constants(1.01)[0],
          mutation="the fixed point (0, 1.01) instead of (0, 1)",
          notes="Computed 1.6732632: |Δ| = 3.2e-6. The main text's 1.6733 (4 decimals) agrees as well."),
    Claim("klambauer2017.lambda01_printed", PAPER, "App. A1, Eq. (14) and " + FP + " (both ≈ 1.0507)",
          "The printed λ₀₁ ≈ 1.0507.",
          lambda: fixed_point_constants()[1], 1.0507, "λ₀₁ ≈ 1.0507 (4 decimals)",
          absolute(5e-5, "half a unit of the 4th printed decimal"), "analytic",
          provenance="printed", mutant=lambda: fixed_point_constants(1.01)[1],
          mutation="the fixed point (0, 1.01) instead of (0, 1)",
          notes="Computed 1.0507010: |Δ| = 1.0e-6."),
    Claim("klambauer2017.fixed_point_01", PAPER, FP + "; App. A1 (μ̃(0, 0, 1, 1, λ₀₁, α₀₁) = 0, ν̃(…) = 1)",
          "With the zoo's SELU (λ₀₁, α₀₁), the mean/variance map at ω = 0, τ = 1 has the fixed point g(0, 1) = (0, 1).",
          g_at_01, [0.0, 1.0], "(μ̃, ν̃) = (0, 1) at (μ, ν) = (0, 1), exact values printed in App. A1",
          absolute(1e-12, "1-D Gaussian quadrature exact for the kink at 0, ~1e-15; constants to ~1e-16"), "analytic",
          provenance="printed", mutant=partial(g_at_01, 1.01), mutation=TAU),
    Claim("klambauer2017.jacobian_01", PAPER, "Eq. (6), " + FP,
          "The Jacobian of g at (0, 1) (ω = 0, τ = 1) is [[0.0, 0.088834], [0.0, 0.782648]].",
          jacobian_01, [[0.0, 0.088834], [0.0, 0.782648]], "[[0.0, 0.088834], [0.0, 0.782648]] (Eq. 6, 6 decimals)",
          absolute(1e-6, "printed to 6 decimals; the paper truncates 0.0888348 to 0.088834 (not rounds), so up to 1e-6"),
          "analytic", provenance="printed", mutant=partial(jacobian_01, 1.01), mutation=TAU,
          notes="Computed J₁₂ = 0.08883476, J₂₂ = 0.78264788: the printed 0.088834 is a truncation. The rounded constants "
                "1.0507/1.6733 would give J₁₂ = 0.0888320, so the paper used the full constants."),
    Claim("klambauer2017.spectral_norm_01", PAPER, "sentence after Eq. (6)",
          "The spectral norm of 𝒥(0, 1) (largest singular value) is 0.7877 < 1, so (0, 1) is a stable, attracting "
          "fixed point.",
          spectral_norm_01, 0.7877, "0.7877 (4 decimals)", absolute(5e-5, "half a unit of the 4th printed decimal"),
          "analytic", provenance="printed", mutant=partial(spectral_norm_01, 1.01), mutation=TAU,
          notes="Computed 0.78767336."),
    Claim("klambauer2017.fixed_point_02", PAPER, "App. A5 ('Other fixed points')",
          "The fixed point (μ, ν) = (0, 2) of g (ω = 0, τ = 1) needs α₀₂ = 1.97126, λ₀₂ = 1.06071 (α from the zero "
          "mean at variance 2, then λ from the variance).",
          partial(fixed_point_constants, 2.0), [1.97126, 1.06071], "α₀₂ = 1.97126, λ₀₂ = 1.06071 (5 decimals)",
          absolute(5e-6, "half a unit of the 5th printed decimal"), "analytic",
          provenance="printed", mutant=partial(fixed_point_constants, 2.02),
          mutation="the fixed point (0, 2.02) instead of (0, 2)",
          notes="Computed α₀₂ = 1.9712557503, λ₀₂ = 1.0607090761; g(0, 2) = (−3e-18, 2.000000000000001) with them."),
    Claim("klambauer2017.theorem1_image", PAPER, "Theorem 1 (restated in App. A2.1; proof A3.1, bounds via Lemma 13)",
          "On Ω (μ, ω ∈ [−0.1, 0.1], ν ∈ [0.8, 1.5], τ ∈ [0.95, 1.1]) g maps into μ̃ ∈ [−0.03106, 0.06773], "
          "ν̃ ∈ [0.80009, 1.48617]. Computed: extremes of μ̃ at Ω's corners, ν̃ bounds as Lemma 13 builds them from "
          "the second moment ξ̃ (ξ̃_min − max μ̃², ξ̃_max).",
          theorem1_image, [-0.03106, 0.06773, 0.80009, 1.48617], "[−0.03106, 0.06773] × [0.80009, 1.48617] (5 decimals)",
          absolute(1e-5, "printed to 5 decimals; the paper rounds 1.4861616 outward to 1.48617, as a bound should"),
          "numerical", provenance="printed",
          mutant=partial(theorem1_image, {**OMEGA_BOX, "tau": (0.95, 1.111)}),
          mutation="Ω's upper τ bound 1.111 instead of 1.1 (+1 %)",
          notes="Computed [−0.0310605, 0.0677251, 0.8000898, 1.4861616]. The actual range of ν̃ on Ω is narrower, "
                "[0.80371, 1.48157]. Contraction on Ω (max spectral norm 0.8976 < 1 on a grid) is asserted in the notebook."),
    Claim("klambauer2017.alpha_dropout", PAPER, "Sec. 'New Dropout Technique' (unnumbered displays)",
          "Alpha dropout sets dropped units to SELU's most negative value α' = lim_{x→−∞} selu(x) = −λα and corrects with "
          "a = (q + α'²q(1 − q))^{−1/2}, b = −a(1 − q)α': the toolkit's derived infimum of SELU's range is −λ₀₁α₀₁, and "
          "with it a, b at the recommended keep probabilities q = 0.95, 0.90.",
          toolkit_alpha_dropout, eq14_alpha_dropout,
          "[α', a(0.95), b(0.95), a(0.90), b(0.90)] with α' = −λ₀₁α₀₁ from Eq. (14) (mpmath)",
          relative(1e-12, "the derived limit is λα in float64; a, b are two float64 operations on it"), "analytic",
          provenance="formula", mutant=lambda: toolkit_alpha_dropout(selu(1.0, eq14_constants()[0])),
          mutation="ELU with α₀₁ (λ = 1) instead of SELU: its saturation value is −α₀₁",
          notes="What the paper pins down is α' = −λα (SELU's saturation value); the mean and variance preservation "
                "itself holds for any α' once the inputs have mean 0 and variance 1 (a, b are solved from it), so it "
                "cannot test α' and is shown by Monte Carlo in the notebook instead. The paper prints no numbers for a, b: "
                "α' = −1.7580993408, q = 0.95 gives a = 0.954844, b = 0.083936; q = 0.90 gives a = 0.921285, "
                "b = 0.161971."),
    Claim("klambauer2017.mc_self_normalization", PAPER, "Theorem 1 and Definition 1 (self-normalizing, attracting fixed point)",
          f"Finite SELU networks (width {MC_WIDTH}, depth {MC_DEPTH}, weights N(0, 1/n), {MC_NETWORKS} networks per start) "
          "fed an input of mean/variance (1, 2) or (−0.3, 0.2): the units' empirical mean and variance at layers 1, 3 and 30 "
          "follow the mean/variance map and reach the fixed point (0, 1).",
          partial(mc_self_normalization, 0), mc_theory,
          "(μ^l, ν^l) from (μ, ν) ↦ g(0, μ² + ν) with SELU moments in closed form (Eq. 14 constants), plus its O(1/n) "
          "finite-width shift (delta method, derived here; ``mean_field_path``); ≈ (0, 1) at l = 30",
          mc_sigmas(2 * 2 * len(MC_LAYERS), MC_NETWORKS,
                    extra="the O(1/n) finite-width shift is modelled (it reaches 0.32 s.e. for ν at layer 30); the O(1/n²) "
                          "remainder, ≤ 2 s.e. of a 2000-network run at width 64 (|z| ≤ 1.9 there against the corrected "
                          "theory, up to 4.8 against the infinite-width one), is ≤ 0.04 s.e. at n = 256; layer 1 is exact"),
          "mc", provenance="simulation_vs_theory", seeded=mc_self_normalization,
          mutant=partial(mc_self_normalization, 0, MC_SIGMA_W2_MUTANT),
          mutation=f"weights N(0, {MC_SIGMA_W2_MUTANT}/n) instead of N(0, 1/n) (σ_w² by +10 %)",
          notes="Own numpy ensemble (float64): the units' mean and unbiased variance per layer, averaged over independent "
                "networks (the standard error is over networks). Largest |z| of seeds 0–5 (``mc_self_normalization(seed)`` "
                "against ``mc_theory()``): 1.22, 1.55, 1.75, 1.07, 1.90, 2.27; the mutant gives 14.9. "
                "Larger GPU setting: width 4096, depth 100, 1000 networks."),
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
