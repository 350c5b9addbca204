"""Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep learning through dynamical isometry:
theory and practice" (NIPS 2017, arXiv:1711.04735).

Setting: square networks h^l = W^l φ(h^{l−1}) + b^l, weights σ_w × (Gaussian with variance 1/N, or Haar orthogonal),
input-output Jacobian J = Π_l D_l W^l, D_l = diag φ'(h^l). With μ_k(q) = E[φ'(√q z)^{2k}] the paper (Sec. 2–3, free
probability: S-transforms of W Wᵀ and D²) gives, at the fixed point q*,
  m1 = (σ_w² μ1)^L = χ^L  (= 1 at criticality),
  σ²_{JJᵀ} = m2 − m1² = L (μ2/μ1² − 1 − s1) at m1 = 1,  s1 = −1 (Gaussian), 0 (orthogonal).
Relative variance adds over layers (free multiplicative convolution: v(ab) = v(a) + v(b) for free a, b, v = m2/m1² − 1),
so off the fixed point the relative spread is Σ_l (μ2(q^l)/μ1(q^l)² − 1 − s1). Consequences checked here: linear
Gaussian → L, linear orthogonal → 0 exactly; ReLU (φ'² Bernoulli ½: μ2/μ1² = 2) → L (orthogonal) or 2L (Gaussian), and
its edge of chaos is (σ_w², σ_b²) = (2, 0) for every q*: no dynamical isometry; tanh with orthogonal weights:
μ2/μ1² − 1 = 8 q*² + O(q*³) → isometry as q* → 0, with σ_w² = 1/μ1 = 1 + 2q* − 3q*² + O(q*³) on the edge of chaos.
Finite N (derived here, not in the paper): for linear Gaussian layers, with a = E tr(A²)/N, b = E (tr A)²/N²,
A = JJᵀ: a' = (1 + 1/N) a + b, b' = b + 2a/N² (Wick), a = b = 1 at l = 0. The per-network spread var/mean² of J's
squared singular values is a ratio estimator over N values: its mean carries an O(1/N) bias (dominated by the first
layers, where q^l ≈ 1 and D_l² is widest), removed here by Richardson extrapolation in the width, 2 S(N) − S(N/2).

Source caveat: only the abstract and introduction could be read (stored NeurIPS, Google Research and arXiv-vanity
pages; searched again in this session). The abstract states the conclusions (ReLU networks cannot achieve dynamical
isometry; sigmoidal ones can, with orthogonal weights only) but no formula or number; the moment formulas above are
the well-known results of the paper's Sec. 2–3 as reconstructed here (equation numbers unverified). Every reference
below is therefore "derived": the statement evaluated independently (closed forms, sympy series, Gauss–Hermite,
exact recursions), not a printed number.
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

import numpy as np
import sympy as sp

from .claim import Claim, Measured, Paper, absolute, mc_sigmas, relative
from .figures import save_figure
from .reference import hermite_rule

PAPER = Paper("pennington2017", "Resurrecting the sigmoid in deep learning through dynamical isometry: theory and "
              "practice", "J. Pennington, S. S. Schoenholz, S. Ganguli", 2017, arxiv="1711.04735", venue="NIPS 2017")

NOT_READ = ("Paper body not readable here (abstract and introduction only): the formula is the paper's Sec. 2–3 result "
            "as reconstructed here, evaluated independently of the toolkit; equation numbers unverified.")
N, L, E, Q_STAR = 64, 4, 80, 0.05
HALF_SEED = 10_000  # the half-width ensemble of a Richardson pair draws from seed + HALF_SEED (independent networks)
SW2_MUTANT = 1.2


def act(name: str):
    from symbolic import get_activation

    return get_activation(name)


def spread_per_layer(name: str, q: float) -> float:
    """μ2/μ1² − 1 (toolkit Gaussian moments of φ'): the orthogonal-weight relative variance added per layer."""
    from signalprop import gaussian_moment

    a = act(name)
    return float(gaussian_moment(a, q, k=1, p=4) / gaussian_moment(a, q, k=1, p=2) ** 2 - 1)


def tanh_eoc_coefficient(q: float = 1e-4) -> float:
    """(σ_w²(q*) − 1 − 2q*)/q*² on the toolkit's edge of chaos at q* = ``q`` (→ −3 as q* → 0)."""
    from signalprop import eoc_parameters

    return float((eoc_parameters(act("tanh"), q)[0] - 1 - 2 * q) / q**2)


@cache
def series_coefficients() -> tuple[float, float]:
    """Independent route (sympy): σ_w² = 1/E[sech⁴(√q z)] and Var(sech⁴)/E² to O(q²), E z^{2n} = (2n−1)!!."""
    x, q = sp.symbols("x q")
    s4 = sp.series(sp.sech(x) ** 4, x, 0, 7).removeO()
    s8 = sp.series(sp.sech(x) ** 8, x, 0, 7).removeO()

    def gauss(poly):
        poly = sp.expand(poly)
        return sum(poly.coeff(x, 2 * n) * sp.factorial2(2 * n - 1) * q**n for n in range(4))

    mu1, mu2 = gauss(s4), gauss(s8)
    w2 = sp.series(1 / mu1, q, 0, 3).removeO()
    var = sp.series(mu2 / mu1**2 - 1, q, 0, 3).removeO()
    return float(w2.coeff(q, 2)), float(var.coeff(q, 2))


def relu_eoc(name: str = "relu") -> np.ndarray:
    """(σ_w², σ_b²) on the edge of chaos of ReLU (or ``name``) at q* = 0.1, 1, 10."""
    from signalprop import eoc_parameters

    return np.array([eoc_parameters(act(name), q) for q in (0.1, 1.0, 10.0)], dtype=np.float64)


# ---- Monte Carlo: N = 64, L = 4, 80 networks, float64 ----------------------------------------------------------


def tanh_eoc() -> tuple[float, float]:
    """(σ_w², σ_b²) on tanh's edge of chaos with q* = Q_STAR (toolkit ``eoc_parameters``: the networks' input)."""
    from signalprop import eoc_parameters

    w2, b2 = eoc_parameters(act("tanh"), Q_STAR)
    return float(w2), float(b2)


@cache
def run(name: str, weights: str, seed: int = 0, width: int = N, depth: int = L, sw2_scale: float = 1.0, ensemble: int = E):
    """Jacobians (``theory.montecarlo.jacobians``) of ``ensemble`` square networks, input x = (1, …, 1): identity at
    (σ_w², σ_b²) = (1, 0), tanh on its edge of chaos; σ_w² times ``sw2_scale``."""
    from theory.montecarlo import NetworkSpec, jacobians

    w2, b2 = (1.0, 0.0) if name == "identity" else tanh_eoc()
    spec = NetworkSpec(act(name), width, depth, w2 * sw2_scale, b2, ensemble=ensemble, weights=weights, dtype="float64",
                       seed=seed)
    return jacobians(spec, progress=False)


def spreads(j) -> np.ndarray:
    """Per network: var/mean² of J_L's squared singular values (the relative spread of JJᵀ's spectrum)."""
    s = j.singular_sq
    return s.var(axis=1) / s.mean(axis=1) ** 2


def mc_m1(seed: int = 0, sw2_scale: float = 1.0) -> Measured:
    """tr(J_L J_Lᵀ)/N over the networks: tanh on the edge of chaos (q* = 0.05), Gaussian weights."""
    return Measured.mean_of(run("tanh", "gaussian", seed, sw2_scale=sw2_scale).mean_sq[:, -1])


def theory_m1(depth: int = L) -> float:
    """Π_l χ(q^l) with q^l from an independent Gauss–Hermite length map (q^1 = σ_w² + σ_b², input ‖x‖²/N = 1)."""
    w2, b2 = tanh_eoc()
    z, w = hermite_rule(201)
    q, m = w2 + b2, 1.0
    for _ in range(depth):
        m *= w2 * np.sum(w / np.cosh(np.sqrt(q) * z) ** 4)
        q = w2 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) + b2
    return float(m)


def mc_linear_gauss(seed: int = 0, depth: int = L) -> Measured:
    """E[tr((JJᵀ)²)/N] for a linear Gaussian network of ``depth`` layers (mean of squared singular values squared)."""
    return Measured.mean_of((run("identity", "gaussian", seed, depth=depth).singular_sq ** 2).mean(axis=1))


def linear_recursion(n: int = N, depth: int = L) -> float:
    """Exact finite-N a_L: a' = (1 + 1/N) a + b, b' = b + 2a/N², a = b = 1."""
    a, b = 1.0, 1.0
    for _ in range(depth):
        a, b = (1 + 1 / n) * a + b, b + 2 * a / n**2
    return a


def lin_spread(weights: str = "orthogonal") -> float:
    """Max over networks of the spread of a linear network's J_L (seed 0)."""
    return float(spreads(run("identity", weights)).max())


def mc_tanh_spread(seed: int = 0, weights: str = "orthogonal") -> Measured:
    """The relative spread of JJᵀ's spectrum, tanh at q* = 0.05, Richardson-extrapolated in the width:
    2 S(N) − S(N/2) (S the mean over networks; the two ensembles independent), error √(4 se_N² + se_{N/2}²)."""
    full = Measured.mean_of(spreads(run("tanh", weights, seed)))
    half = Measured.mean_of(spreads(run("tanh", weights, seed + HALF_SEED, width=N // 2)))
    return Measured.combine([2, -1], [full, half])


def free_spread(weights: str, depth: int = L) -> float:
    """Σ_l (μ2/μ1² − 1 − s1) along the q^l trajectory, moments by Gauss–Hermite (independent of the toolkit)."""
    w2, b2 = tanh_eoc()
    z, w = hermite_rule(201)
    q, total = w2 + b2, 0.0
    for _ in range(depth):
        d = 1 / np.cosh(np.sqrt(q) * z) ** 4
        total += np.sum(w * d**2) / np.sum(w * d) ** 2 - 1 + (1 if weights == "gaussian" else 0)
        q = w2 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) + b2
    return float(total)


MC = (f"N = {N}, L = {L}, {E} independent networks, float64, input x = (1, …, 1), so q^1 = σ_w² + σ_b² ≈ 1 relaxes "
      "towards q*; on a GPU use N = 1024, L = 16, 200 networks.")
WHY_L4 = ("Depth 4 (was 16 with 20 networks, which failed 1 of 300 seeds at z = −6.7): the per-network values' spread "
          "and skewness grow with L/N (at L = 16 the relative s.d. was 0.55 and the skewness 1.4, and resampling 20 of "
          "2000 networks gave |z| > 4.9 in 1.5e-3 of draws); at L = 4 they are 0.22 and 0.6.")
CLAIMS = [
    Claim(f"{PAPER.id}.relu_eoc", PAPER, "Sec. 2.4/3 (ReLU: no isometry)",
          "ReLU's edge of chaos is the single point (σ_w², σ_b²) = (2, 0), whatever q*",
          relu_eoc, np.array([[2.0, 0.0]] * 3), "(2, 0) at q* = 0.1, 1, 10 (derived: E[φ'²] = 1/2, E[φ²] = q/2)",
          absolute(1e-9, "closed-form Gaussian moments of ReLU; quadrature at round-off"), "analytic",
          provenance="derived", mutant=partial(relu_eoc, "gelu"), mutation="the activation swapped (ReLU → GELU)",
          same_as="hayou2019.relu_eoc_point", notes=NOT_READ),
    Claim(f"{PAPER.id}.relu_spread", PAPER, "Sec. 3 (σ²_{JJᵀ} = L(μ2/μ1² − 1 − s1))",
          "ReLU: φ'² is Bernoulli(½), μ2/μ1² − 1 = 1 per layer for orthogonal weights at any q* (spread grows ∝ L)",
          lambda: spread_per_layer("relu", 1.0), 1.0, "μ2/μ1² − 1 = (1/2)/(1/4) − 1 = 1",
          absolute(1e-9, "exact Gaussian moments of a step derivative"), "analytic",
          provenance="derived", mutant=lambda: spread_per_layer("gelu", 1.0),
          mutation="the activation swapped (ReLU → GELU)", notes=NOT_READ),
    Claim(f"{PAPER.id}.tanh_eoc_expansion", PAPER, "Sec. 3 (tanh at small q*)",
          "on the tanh edge of chaos σ_w² = 1/μ1 = 1 + 2q* − 3q*² + O(q*³): coefficient of q*²",
          tanh_eoc_coefficient, lambda: series_coefficients()[0], "−3 (sympy series of 1/E sech⁴(√q z))",
          relative(2e-3, "evaluated at q* = 1e-4: the O(q*) remainder (≈ 11 q*) is 4e-4 relative"), "analytic",
          provenance="derived", mutant=partial(tanh_eoc_coefficient, 1e-2),
          mutation="read off at q* = 1e-2 instead of 1e-4 (the O(q*) remainder, 3.7 %, is then visible)", notes=NOT_READ),
    Claim(f"{PAPER.id}.tanh_spread_small_q", PAPER, "Sec. 3 (orthogonal tanh → dynamical isometry)",
          "orthogonal tanh: per-layer spread μ2/μ1² − 1 = 8 q*² + O(q*³) → 0 as q* → 0",
          lambda: spread_per_layer("tanh", 1e-4) / 1e-8, lambda: series_coefficients()[1], "8 (sympy series)",
          relative(2e-3, "at q* = 1e-4 the O(q*³) term (≈ −67 q*³) is 1e-3 relative"), "analytic",
          provenance="derived", mutant=lambda: spread_per_layer("tanh", 1e-3) / 1e-6,
          mutation="read off at q* = 1e-3 instead of 1e-4 (the O(q*³) term, 0.8 %, is then visible; erf, whose φ' is "
                   "Gaussian, has the same 8 q*² and would not be rejected)", notes=NOT_READ),
    Claim(f"{PAPER.id}.m1_chi_L", PAPER, "Sec. 2 (m1 = χ^L)",
          f"mean squared singular value of J, tr(J_L J_Lᵀ)/N, equals Π_l χ(q^l) (tanh, edge of chaos q* = 0.05, Gaussian "
          f"weights, L = {L})",
          partial(mc_m1, 0), theory_m1, "Π_l σ_w² E sech⁴(√q^l z), Gauss–Hermite, q^l by the same rule",
          mc_sigmas(1, E, extra="finite-width bias of E[tr JJᵀ/N] measured over 2000 networks at N = 64, L = 4 (seed 91): "
                                "−0.04 % ± 0.5 %, ≤ 0.1 s.e. here (not modelled); per-network values right-skewed "
                                "(skewness 0.6): resampling 80 of those 2000 networks gave |z| > 4.1 in 1.6e-4 of draws"),
          "mc", provenance="simulation_vs_theory", seeded=mc_m1, mutant=partial(mc_m1, 0, SW2_MUTANT),
          mutation=f"σ_w² × {SW2_MUTANT} in the networks (m1 × 1.44: z ≈ 11)", notes=MC + " " + WHY_L4),
    Claim(f"{PAPER.id}.linear_gaussian", PAPER, "Sec. 3 (linear Gaussian: σ² = L)",
          "linear Gaussian network: E tr((JJᵀ)²)/N follows the exact finite-N recursion (→ 1 + L at N = ∞)",
          partial(mc_linear_gauss, 0), linear_recursion, "a_L with a' = (1+1/N) a + b, b' = b + 2a/N², a_0 = b_0 = 1 "
          "(derived here by Wick's theorem)",
          mc_sigmas(1, E, extra="the recursion is exact at finite N (no bias); per-network values right-skewed (skewness "
                                "0.75 at L = 4, 3.0 at L = 16): resampling 80 of 1500 networks gave |z| > 4.1 in 1.9e-4 "
                                "of draws (1e-4 nominal)"),
          "mc", provenance="simulation_vs_theory", seeded=mc_linear_gauss, mutant=partial(mc_linear_gauss, 0, L - 1),
          mutation=f"depth {L - 1} in the networks (reference at depth {L})", notes=MC + " " + WHY_L4),
    Claim(f"{PAPER.id}.linear_orthogonal", PAPER, "Sec. 3 (linear orthogonal: σ² = 0)",
          "linear orthogonal network: every singular value of J is exactly 1 (spread 0)",
          lin_spread, 0.0, "0 (a product of orthogonal matrices)", absolute(1e-9, "float64 products of orthogonal "
                                                                           "matrices: round-off ~1e-14"),
          "numerical", provenance="derived", mutant=partial(lin_spread, "gaussian"),
          mutation="Gaussian instead of orthogonal weights (the linear Gaussian ensemble of seed 0)", notes=MC),
    Claim(f"{PAPER.id}.tanh_orthogonal_spread", PAPER, "Sec. 3, Fig. 2 (orthogonal tanh)",
          "orthogonal tanh at q* = 0.05: relative spread of JJᵀ's spectrum = Σ_l(μ2/μ1² − 1) (free probability), "
          f"L = {L}, width-extrapolated 2 S({N}) − S({N // 2})",
          partial(mc_tanh_spread, 0), lambda: free_spread("orthogonal"), "Σ_l (μ2/μ1² − 1) along q^l, Gauss–Hermite",
          mc_sigmas(1, E, extra="the O(1/N) bias of the per-network ratio estimator (+0.035 ± 0.005 at N = 32, "
                                "+0.013 ± 0.005 at N = 64, 1000 and 500 networks) is removed by the extrapolation, which "
                                "gives −0.009 ± 0.011 there; d.o.f. of the two-sample error ≥ 79"),
          "mc", provenance="simulation_vs_theory", seeded=mc_tanh_spread, mutant=partial(mc_tanh_spread, 0, "gaussian"),
          mutation="Gaussian instead of orthogonal weights (s1 = −1: +1 per layer)",
          notes=MC + f" Without the extrapolation the N = {N} mean alone sat ≈ 0.5–1 s.e. above the infinite-width value."),
]


def draw_figure(depths: tuple[int, ...] = (2, 4, 8, 16), ensemble: int = 10):
    """Left: densities of J's singular values (scaled by √m1 per network) for tanh at q* = Q_STAR, orthogonal vs
    Gaussian (cf. the paper's Fig. 2). Right: relative spread of JJᵀ's spectrum vs depth, MC (N = 64, ``ensemble``
    networks, no width extrapolation) against Σ_l(μ2/μ1² − 1 − s1) (free probability)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for weights in ("orthogonal", "gaussian"):
        j = run("tanh", weights)
        s = np.sqrt(j.singular_sq / j.singular_sq.mean(axis=1, keepdims=True)).ravel()
        ax[0].hist(s, bins=60, density=True, histtype="step", label=f"tanh, {weights}")
    ax[0].set(xlabel="singular value of J / √m1", ylabel="density", title=f"tanh, q* = {Q_STAR}, L = {L}, N = {N}")
    ax[0].legend()
    grid = np.arange(1, max(depths) + 1)
    for w, color in (("orthogonal", "C0"), ("gaussian", "C1")):
        vals = [Measured.mean_of(spreads(run("tanh", w, depth=d, ensemble=ensemble))) for d in depths]
        m, e = np.array([(v.value, v.stderr) for v in vals]).T
        ax[1].errorbar(depths, m, e, fmt="o", color=color, label=f"MC {w}")
        ax[1].plot(grid, [free_spread(w, int(d)) for d in grid], "-", color=color, label=f"theory {w}")
    ax[1].set(xlabel="depth L", ylabel="var/mean² of JJᵀ spectrum", yscale="log", title="spread vs depth")
    ax[1].legend()
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
