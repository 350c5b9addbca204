"""Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep learning through dynamical isometry:
theory and practice" (NIPS 2017, arXiv:1711.04735).

Setting: square networks h^l = W^l φ(h^{l−1}) + b^l, weights σ_w × (Gaussian with variance 1/N, or Haar orthogonal),
input-output Jacobian J = Π_l D_l W^l, D_l = diag φ'(h^l). With μ_k(q) = E[φ'(√q z)^{2k}] the paper (Sec. 2–3, free
probability: S-transforms of W Wᵀ and D²) gives, at the fixed point q*,
  m1 = (σ_w² μ1)^L = χ^L  (= 1 at criticality),
  σ²_{JJᵀ} = m2 − m1² = L (μ2/μ1² − 1 − s1) at m1 = 1,  s1 = −1 (Gaussian), 0 (orthogonal).
Relative variance adds over layers (free multiplicative convolution), so off the fixed point the relative spread
is Σ_l (μ2(q^l)/μ1(q^l)² − 1 − s1). Consequences checked here: linear Gaussian → L, linear orthogonal → 0 exactly;
ReLU (φ'² Bernoulli ½: μ2/μ1² = 2) → L (orthogonal) or 2L (Gaussian), and its edge of chaos is (σ_w², σ_b²) = (2, 0)
for every q*: no dynamical isometry; tanh with orthogonal weights: μ2/μ1² − 1 = 8 q*² + O(q*³) → isometry as
q* → 0, with σ_w² = 1/μ1 = 1 + 2q* − 3q*² + O(q*³) on the edge of chaos.
Finite N (derived here, not in the paper): for linear Gaussian layers, with a = E tr(A²)/N, b = E (tr A)²/N²,
A = JJᵀ: a' = (1 + 1/N) a + b, b' = b + 2a/N² (Wick), a = b = 1 at l = 0.

Source caveat: only the abstract/introduction of the paper could be read here (arxiv-vanity / NeurIPS pages in the
search corpus); the equation numbers of the moment formulas could not be verified, so the "published" sides are the
analytic statements above evaluated independently (closed forms, sympy series, exact recursions), not printed numbers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import sympy as sp

from .claim import Claim, Measured, Paper, absolute, relative, sigmas
from .figures import save_figure
from .reference import hermite_rule

PAPER = Paper("pennington2017", "Resurrecting the sigmoid in deep learning through dynamical isometry: theory and "
              "practice", "J. Pennington, S. S. Schoenholz, S. Ganguli", 2017, arxiv="1711.04735", venue="NIPS 2017")

NOT_READ = "paper body not readable here: equation numbers unverified; published sides are the formulas evaluated independently"
N, L, E, Q_STAR = 64, 16, 20, 0.05


def act(name: str):
    from symbolic import get_activation

    return get_activation(name)


def spread_per_layer(name: str, q: float) -> float:
    """μ2/μ1² − 1 (toolkit Gaussian moments of φ'): the orthogonal-weight relative variance added per layer."""
    from signalprop import gaussian_moment

    a = act(name)
    return float(gaussian_moment(a, q, k=1, p=4) / gaussian_moment(a, q, k=1, p=2) ** 2 - 1)


def tanh_eoc_coefficient(q: float = 1e-4) -> float:
    """(σ_w²(q*) − 1 − 2q*)/q*² on the toolkit's edge of chaos (→ −3)."""
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


def relu_eoc() -> np.ndarray:
    """(σ_w², σ_b²) on ReLU's edge of chaos at q* = 0.1, 1, 10."""
    from signalprop import eoc_parameters

    return np.array([eoc_parameters(act("relu"), q) for q in (0.1, 1.0, 10.0)], dtype=np.float64)


def spec(name: str, weights: str, w2: float, b2: float, width: int = N, depth: int = L, ensemble: int = E, seed: int = 1):
    from theory.montecarlo import NetworkSpec

    return NetworkSpec(act(name), width, depth, w2, b2, ensemble=ensemble, weights=weights, dtype="float64", seed=seed)


def tanh_spec(weights: str):
    from signalprop import eoc_parameters

    w2, b2 = eoc_parameters(act("tanh"), Q_STAR)
    return spec("tanh", weights, float(w2), float(b2))


@cache
def run(key: str):
    from theory.montecarlo import jacobians

    s = {"lin_gauss": lambda: spec("identity", "gaussian", 1.0, 0.0), "lin_orth": lambda: spec("identity", "orthogonal", 1.0, 0.0),
         "tanh_orth": lambda: tanh_spec("orthogonal"), "tanh_gauss": lambda: tanh_spec("gaussian")}[key]()
    return s, jacobians(s, progress=False)


def mc_m1() -> Measured:
    """tr(J_L J_Lᵀ)/N, tanh on the edge of chaos (q* = 0.05), Gaussian weights."""
    s, j = run("tanh_gauss")
    v = j.mean_sq[:, -1]
    return Measured(float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v))))


def theory_m1() -> float:
    """Π_l χ(q^l) with q^l from an independent Gauss–Hermite length map (q^1 = σ_w² + σ_b², input ‖x‖²/N = 1)."""
    from signalprop import eoc_parameters

    w2, b2 = (float(v) for v in eoc_parameters(act("tanh"), Q_STAR))
    z, w = hermite_rule(201)
    q, m = w2 + b2, 1.0
    for _ in range(L):
        m *= w2 * np.sum(w / np.cosh(np.sqrt(q) * z) ** 4)
        q = w2 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) + b2
    return float(m)


def mc_linear_gauss() -> Measured:
    """E[tr((JJᵀ)²)/N] for a depth-L linear Gaussian network (mean of squared singular values squared)."""
    _, j = run("lin_gauss")
    v = (j.singular_sq**2).mean(axis=1)
    return Measured(float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v))))


def linear_recursion(n: int = N, depth: int = L) -> float:
    """Exact finite-N a_L: a' = (1 + 1/N) a + b, b' = b + 2a/N², a = b = 1."""
    a, b = 1.0, 1.0
    for _ in range(depth):
        a, b = (1 + 1 / n) * a + b, b + 2 * a / n**2
    return a


def lin_orth_spread() -> float:
    """Max over networks of var/mean² of J_L's squared singular values, linear orthogonal network."""
    _, j = run("lin_orth")
    s = j.singular_sq
    return float((s.var(axis=1) / s.mean(axis=1) ** 2).max())


def mc_tanh_orth_spread() -> Measured:
    _, j = run("tanh_orth")
    s = j.singular_sq
    v = s.var(axis=1) / s.mean(axis=1) ** 2
    return Measured(float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v))))


def free_spread(weights: str, depth: int = L) -> float:
    """Σ_l (μ2/μ1² − 1 − s1) along the q^l trajectory, moments by Gauss–Hermite (independent of the toolkit)."""
    from signalprop import eoc_parameters

    w2, b2 = (float(v) for v in eoc_parameters(act("tanh"), Q_STAR))
    z, w = hermite_rule(201)
    q, total = w2 + b2, 0.0
    for _ in range(depth):
        d = 1 / np.cosh(np.sqrt(q) * z) ** 4
        total += np.sum(w * d**2) / np.sum(w * d) ** 2 - 1 + (1 if weights == "gaussian" else 0)
        q = w2 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) + b2
    return float(total)


MC = f"N = {N}, L = {L}, {E} networks, float64, seed 1; on a GPU use N = 1024, 200 networks"
CLAIMS = [
    Claim(f"{PAPER.id}.relu_eoc", PAPER, "Sec. 2.4/3 (ReLU: no isometry)",
          "ReLU's edge of chaos is the single point (σ_w², σ_b²) = (2, 0), whatever q*",
          relu_eoc, np.array([[2.0, 0.0]] * 3), "(2, 0) at q* = 0.1, 1, 10",
          absolute(1e-9, "closed-form Gaussian moments of ReLU; quadrature at round-off"), "analytic", notes=NOT_READ),
    Claim(f"{PAPER.id}.relu_spread", PAPER, "Sec. 3 (σ²_{JJᵀ} = L(μ2/μ1² − 1 − s1))",
          "ReLU: φ'² is Bernoulli(½), μ2/μ1² − 1 = 1 per layer for orthogonal weights at any q* (spread grows ∝ L)",
          lambda: spread_per_layer("relu", 1.0), 1.0, "μ2/μ1² − 1 = (1/2)/(1/4) − 1 = 1",
          absolute(1e-9, "exact Gaussian moments of a step derivative"), "analytic", notes=NOT_READ),
    Claim(f"{PAPER.id}.tanh_eoc_expansion", PAPER, "Sec. 3 (tanh at small q*)",
          "on the tanh edge of chaos σ_w² = 1/μ1 = 1 + 2q* − 3q*² + O(q*³): coefficient of q*²",
          tanh_eoc_coefficient, lambda: series_coefficients()[0], "−3 (sympy series of 1/E sech⁴(√q z))",
          relative(2e-3, "evaluated at q* = 1e-4: the O(q*) remainder (≈ 11 q*) is 4e-4 relative"), "analytic",
          notes=NOT_READ),
    Claim(f"{PAPER.id}.tanh_spread_small_q", PAPER, "Sec. 3 (orthogonal tanh → dynamical isometry)",
          "orthogonal tanh: per-layer spread μ2/μ1² − 1 = 8 q*² + O(q*³) → 0 as q* → 0",
          lambda: spread_per_layer("tanh", 1e-4) / 1e-8, lambda: series_coefficients()[1], "8 (sympy series)",
          relative(2e-3, "at q* = 1e-4 the O(q*³) term (≈ −67 q*³) is 1e-3 relative"), "analytic", notes=NOT_READ),
    Claim(f"{PAPER.id}.m1_chi_L", PAPER, "Sec. 2 (m1 = χ^L)",
          "mean squared singular value of J equals Π_l χ(q^l) (tanh, edge of chaos q* = 0.05, Gaussian weights)",
          mc_m1, theory_m1, "Π_l σ_w² E sech⁴(√q^l z), Gauss–Hermite", sigmas(4), "mc", notes=MC),
    Claim(f"{PAPER.id}.linear_gaussian", PAPER, "Sec. 3 (linear Gaussian: σ² = L)",
          "linear Gaussian network: E tr((JJᵀ)²)/N follows the exact finite-N recursion (→ 1 + L at N = ∞)",
          mc_linear_gauss, linear_recursion, "a_L with a' = (1+1/N) a + b, b' = b + 2a/N²", sigmas(4), "mc", notes=MC),
    Claim(f"{PAPER.id}.linear_orthogonal", PAPER, "Sec. 3 (linear orthogonal: σ² = 0)",
          "linear orthogonal network: every singular value of J is exactly 1 (spread 0)",
          lin_orth_spread, 0.0, "0", absolute(1e-9, "float64 products of orthogonal matrices: round-off ~1e-14"),
          "numerical", notes=MC),
    Claim(f"{PAPER.id}.tanh_orthogonal_spread", PAPER, "Sec. 3, Fig. 2 (orthogonal tanh)",
          "orthogonal tanh at q* = 0.05: relative spread of JJᵀ's spectrum = Σ_l(μ2/μ1² − 1) (free probability)",
          mc_tanh_orth_spread, lambda: free_spread("orthogonal"), "Σ_l (μ2/μ1² − 1) along q^l", sigmas(4), "mc",
          notes=MC + "; finite-N bias ≈ 2σ at N = 64"),
]


def draw_figure(depths: tuple[int, ...] = (2, 4, 8, 16), ensemble: int = 10):
    """Left: densities of J's singular values (scaled by √m1 per network) for tanh at q* = Q_STAR, orthogonal vs
    Gaussian (cf. the paper's Fig. 2). Right: relative spread of JJᵀ's spectrum vs depth, MC (N = 64) against
    Σ_l(μ2/μ1² − 1 − s1) (free probability)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from signalprop import eoc_parameters
    from theory.montecarlo import jacobians

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("tanh_orth", "orthogonal"), ("tanh_gauss", "Gaussian")):
        _, j = run(key)
        s = np.sqrt(j.singular_sq / j.singular_sq.mean(axis=1, keepdims=True)).ravel()
        ax[0].hist(s, bins=60, density=True, histtype="step", label=f"tanh, {label}")
    ax[0].set(xlabel="singular value of J / √m1", ylabel="density", title=f"tanh, q* = {Q_STAR}, L = {L}, N = {N}")
    ax[0].legend()
    w2, b2 = (float(v) for v in eoc_parameters(act("tanh"), Q_STAR))
    grid = np.arange(1, max(depths) + 1)
    for w, color in (("orthogonal", "C0"), ("gaussian", "C1")):
        vals = []
        for d in depths:
            s = jacobians(spec("tanh", w, w2, b2, depth=d, ensemble=ensemble), progress=False).singular_sq
            v = s.var(axis=1) / s.mean(axis=1) ** 2
            vals.append((v.mean(), v.std(ddof=1) / np.sqrt(len(v))))
        m, e = np.array(vals).T
        ax[1].errorbar(depths, m, e, fmt="o", color=color, label=f"MC {w}")
        ax[1].plot(grid, [free_spread(w, int(d)) for d in grid], "-", color=color, label=f"theory {w}")
    ax[1].set(xlabel="depth L", ylabel="var/mean² of JJᵀ spectrum", yscale="log", title="spread vs depth")
    ax[1].legend()
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
