"""Jacot, Gabriel & Hongler 2018, "Neural Tangent Kernel: Convergence and Generalization in Neural Networks".

Their network (Sec. 2): parameters W^(ℓ), b^(ℓ) ~ N(0, 1), α̃^(ℓ+1) = W^(ℓ) α^(ℓ)/√n_ℓ + β b^(ℓ), α^(ℓ) = σ(α̃^(ℓ)),
L weight layers (L = 1 is the linear model). As the widths grow, the output is a Gaussian process of covariance Σ^(L)
(Proposition 1) and the NTK tends to a deterministic Θ^(L)_∞ (Theorem 1), with
  Σ^(1)(x, x') = xᵀx'/n_0 + β²,
  Σ^(L+1)(x, x') = E_{f ~ N(0, Σ^(L))}[σ(f(x)) σ(f(x'))] + β²,
  Σ̇^(L+1)(x, x') = E_{f ~ N(0, Σ^(L))}[σ'(f(x)) σ'(f(x'))],
  Θ^(1) = Σ^(1),   Θ^(L+1)(x, x') = Θ^(L)(x, x') Σ̇^(L+1)(x, x') + Σ^(L+1)(x, x').
Proposition 2 (Sec. 4.2): for a non-polynomial Lipschitz σ and L ≥ 2, Θ^(L)_∞ restricted to the unit sphere is positive
definite. Figure 1 (Sec. 6.1): Θ^(4) of a ReLU network with n_0 = 2, β = 0.1, x_0 = (1, 0), x = (cos γ, sin γ), at widths
500 and 10000 (10 initializations each) against the limit.

Dictionary: Jacot's network is this toolkit's NTK parameterization with σ_w² = 1 and σ_b² = β² at every layer (Σ^(1) is our
Σ^0), and Jacot's L counts weight layers, so Jacot Θ^(L)_∞ = ``ntk.ntk(act, X, depth=L − 1, sigma_w2=1, sigma_b2=β²)``.
For ReLU the Gaussian expectations are Cho & Saul's arc-cosine forms: with θ the angle of Σ^(L),
E[σσ] = √(Σ(x,x)Σ(x',x'))(sin θ + (π − θ) cos θ)/(2π) and E[σ'σ'] = (π − θ)/(2π); for tanh they are done here by a
200 × 200-point Gauss–Hermite tensor rule (``reference.hermite_rule``), independently of the toolkit's engines.

The paper's body (arXiv:1806.07572v4, a text extraction of the PDF) was read here: the network and parameterization
(Sec. 2), Proposition 1 and Theorem 1 (Sec. 4.1), Proposition 2 (Sec. 4.2) and the setting of Sec. 6.1 / Figure 1
(n_0 = 2, β = 0.1, L = 4, widths 500 and 10000, 10 initializations) are as above. The propositions and theorems are
unnumbered displays, so claims cite them by name. The paper prints no value of the limiting kernel (Figure 1's y-axis
runs over 0.05–0.40), so the references are the paper's formulas evaluated here ("formula"), Proposition 2's
qualitative statement made quantitative ("derived"), and Monte Carlo against the formulas ("simulation_vs_theory").
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from .claim import Claim, Measured, Paper, at_least, mc_sigmas, relative
from .figures import save_figure
from .reference import hermite_rule, pair_expectation

if TYPE_CHECKING:
    from symbolic import Activation

PAPER = Paper("jacot2018", "Neural Tangent Kernel: Convergence and Generalization in Neural Networks",
              "A. Jacot, F. Gabriel, C. Hongler", 2018, arxiv="1806.07572",
              venue="Advances in Neural Information Processing Systems 31 (NeurIPS 2018)")

BETA = 0.1  # Sec. 6: β = 0.1 in the experiments
FIG1_L = 4  # Figure 1: 4 weight layers = 3 hidden layers (toolkit depth)
MC_WIDTH, MC_ENSEMBLE = 500, 40
MC_SIGMA_W2_MUTANT = 1.2
Moments = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def gammas(n: int = 7) -> np.ndarray:
    """Angles γ ∈ [0, π] of Figure 1's points x(γ) = (cos γ, sin γ)."""
    return np.linspace(0.0, np.pi, n)


def circle(gamma: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cos(gamma), np.sin(gamma)])


def relu_moments(q1: np.ndarray, q2: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(E[σ(u)σ(v)], E[σ'(u)σ'(v)]) for ReLU, (u, v) of covariance [[q1, k], [k, q2]] (arc-cosine closed forms)."""
    s = np.sqrt(q1 * q2)
    th = np.arccos(np.clip(k / s, -1.0, 1.0))
    return s * (np.sin(th) + (np.pi - th) * np.cos(th)) / (2 * np.pi), (np.pi - th) / (2 * np.pi)


def tanh_moments(q1: np.ndarray, q2: np.ndarray, k: np.ndarray, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """(E[tanh(u) tanh(v)], E[tanh'(u) tanh'(v)]) for (u, v) of covariance [[q1, k], [k, q2]], by the n × n Gauss–Hermite
    tensor rule: u = √q1 z₁, v = √q2 (c z₁ + √(1 − c²) z₂), c = k/√(q1 q2). tanh and sech² are analytic in the strip
    |Im z| < π/(2√q), so the rule converges geometrically; at q ≤ 0.51 (Figure 1's Σ) 200 points reach rounding."""
    c = np.clip(np.asarray(k, float) / np.sqrt(np.asarray(q1, float) * q2), -1.0, 1.0)
    sech2 = lambda x: 1 / np.cosh(x) ** 2  # noqa: E731
    return tuple(pair_expectation(f, q1, q2, c, hermite_rule(n)) for f in (np.tanh, sech2))


def theorem1(moments: Moments, x: np.ndarray, X: np.ndarray, L: int, beta: float = BETA) -> np.ndarray:
    """Θ^(L)_∞(x, X_i) by Proposition 1 and Theorem 1 written out (Σ^(1) = xᵀx'/n_0 + β², then
    Σ^(ℓ+1) = E[σσ] + β², Σ̇^(ℓ+1) = E[σ'σ'], Θ^(ℓ+1) = Θ^(ℓ) Σ̇^(ℓ+1) + Σ^(ℓ+1)), independent of ``ntk``."""
    n0 = x.shape[-1]
    q1 = np.full(len(X), x @ x / n0 + beta**2)
    q2 = (X * X).sum(1) / n0 + beta**2
    k = X @ x / n0 + beta**2
    theta = k.copy()
    for _ in range(L - 1):
        (e11, _), (e22, _), (e12, d12) = moments(q1, q1, q1), moments(q2, q2, q2), moments(q1, q2, k)
        q1, q2, k = e11 + beta**2, e22 + beta**2, e12 + beta**2
        theta = theta * d12 + k
    return theta


def toolkit_ntk(name: str, x: np.ndarray, X: np.ndarray, L: int, beta: float = BETA) -> np.ndarray:
    """Jacot's Θ^(L)_∞ from the toolkit: NTK parameterization, σ_w² = 1, σ_b² = β², depth L − 1."""
    from ntk import ntk
    from symbolic import get_activation

    return ntk(get_activation(name), x[None, :], X, depth=L - 1, sigma_w2=1.0, sigma_b2=beta**2)[0]


X0 = np.array([1.0, 0.0])


def fig1_toolkit(name: str, L: int = FIG1_L, beta: float = BETA) -> np.ndarray:
    """The toolkit's Θ^(L)_∞(x_0, x(γ)) at Figure 1's 13 points γ ∈ [0, π] (the curve is even in γ)."""
    return toolkit_ntk(name, X0, circle(gammas(13)), L, beta)


def theta_x0x0_exact() -> float:
    """Θ^(4)(x_0, x_0) for ReLU by exact rationals: on the diagonal θ = 0, so Σ̇ = 1/2 and Σ^(ℓ+1) = Σ^(ℓ)/2 + β²
    (Σ^(1) = 1/2 + 1/100 = 0.51, Σ^(2) = 0.265, Σ^(3) = 0.1425, Σ^(4) = 0.08125; Θ: 0.51, 0.52, 0.4025, 0.2825)."""
    b2 = Fraction(1, 100)
    sigma = Fraction(1, 2) + b2
    theta = sigma
    for _ in range(FIG1_L - 1):
        sigma = sigma / 2 + b2
        theta = theta / 2 + sigma
    return float(theta)


def sphere_points(n: int, d: int = 3, seed: int = 1) -> np.ndarray:
    Z = np.random.default_rng(seed).normal(size=(n, d))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def gram_eigenvalues(act: Activation, Z: np.ndarray, depth: int) -> np.ndarray:
    """Eigenvalues (ascending) of the toolkit's NTK Gram matrix on the rows of Z (Jacot L = depth + 1)."""
    from ntk import ntk

    return np.linalg.eigvalsh(ntk(act, Z, depth=depth, sigma_w2=1.0, sigma_b2=BETA**2))


PD_NAMES = ("relu", "tanh")


def pd_ratios(L: int = 2) -> np.ndarray:
    """λ_min/λ_max of Θ^(L)_∞ (Jacot L = 2 by default) on 40 random points of S² for ReLU and tanh."""
    from symbolic import get_activation

    Z = sphere_points(40)
    return np.array([(lambda ev: ev[0] / ev[-1])(gram_eigenvalues(get_activation(n), Z, L - 1)) for n in PD_NAMES])


def funk_hecke_min(L: int = 2) -> np.ndarray:
    """min_{k ≤ 16} μ_k/Θ(x, x) of the Funk–Hecke eigenvalues of Θ^(L)_∞ on S² (σ_w0² = 1/d: Σ^(1) = xᵀx'/n_0 + β²
    with n_0 = d = 3 on the unit sphere; σ_w² = 1 above), for ReLU and tanh."""
    from ntk import sphere_spectrum
    from symbolic import get_activation

    d = 3
    out = []
    for name in PD_NAMES:
        sp = sphere_spectrum(get_activation(name), d, L - 1, sigma_w2=[1 / d] + [1.0] * (L - 1), sigma_b2=BETA**2, k_max=16)
        out.append(np.min(sp.ntk / sp.trace_ntk))
    return np.array(out)


SQUARE_DEPTHS = (0, 1, 2)


def square_ranks(power: int = 2) -> np.ndarray:
    """Numerical rank (eigenvalues > 1e-10 λ_max) of the NTK Gram matrix of σ(x) = x^power (x² by default) on 200
    points of S², toolkit depth 0 (Jacot L = 1, the linear model), 1, 2."""
    from symbolic import get_activation

    act, Z = get_activation("monomial", k=power), sphere_points(200)
    ranks = []
    for depth in SQUARE_DEPTHS:
        ev = gram_eigenvalues(act, Z, depth)
        ranks.append(int(np.sum(ev > 1e-10 * ev[-1])))
    return np.array(ranks, dtype=float)


def square_rank_bound() -> np.ndarray:
    """Θ is a polynomial of degree D = 2^depth in t = xᵀx' on S², so its rank is at most Σ_{k ≤ D} N(3, k) = (D + 1)²
    (N(3, k) = 2k + 1 spherical harmonics of degree k); 200 generic points attain it."""
    return np.array([(2**depth + 1) ** 2 for depth in SQUARE_DEPTHS], dtype=float)


def empirical_ntk(width: int, ensemble: int, seed: int, X: np.ndarray) -> np.ndarray:
    """Each network's empirical NTK on X (ensemble × n × n): ReLU, Jacot L = 4, β = 0.1, NTK parameterization."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, gradients

    spec = NetworkSpec(get_activation("relu"), width, FIG1_L - 1, 1.0, BETA**2, ensemble=ensemble,
                       parameterization="ntk", seed=seed)
    return np.asarray(gradients(spec, X, progress=False).ntk, dtype=np.float64)


def mc_fig1(seed: int = 0, sigma_w2: float = 1.0) -> Measured:
    """Mean ± standard error over MC_ENSEMBLE independent width-500 ReLU networks (NTK parameterization, weights of
    variance σ_w² = 1 as in the paper, float32) of Θ^(4)(x_0, x(γ)), γ = 0, π/6, …, π (``measure_ntk``)."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, gradients, measure_ntk

    X = circle(gammas())
    spec = NetworkSpec(get_activation("relu"), MC_WIDTH, FIG1_L - 1, sigma_w2, BETA**2, ensemble=MC_ENSEMBLE,
                       parameterization="ntk", seed=seed)
    comp = measure_ntk(spec, X, gradients(spec, X, progress=False))
    first = np.array(comp.notes["pairs"])[:, 0] == 0
    return Measured.of(comp, first)


def fig1_limit_written_out() -> np.ndarray:
    return theorem1(relu_moments, X0, circle(gammas()), FIG1_L)


THM1 = "Sec. 4.1, Proposition 1 and Theorem 1 (unnumbered displays); setting of Sec. 6.1, Figure 1"
MC_BIAS = ("finite-width bias of the mean NTK measured at width 32 (6000 networks) and 64 (3000 networks): at every γ "
           "n·|bias| ≤ 250 % (2 s.e. bound), so at n = 500 |bias| ≤ 0.5 % ≈ 0.25 s.e. (the s.e. of 40 networks is ≈ 2 %)")
CLAIMS = [
    Claim("jacot2018.theorem1_relu_fig1", PAPER, THM1,
          "The limiting NTK Θ^(4)_∞(x_0, x(γ)) of Figure 1 (ReLU, n_0 = 2, β = 0.1, 13 points γ ∈ [0, π]) from the toolkit "
          "(NTK parameterization, σ_w² = 1, σ_b² = β², depth 3) equals Theorem 1's recursion written out with the "
          "arc-cosine forms of E[σσ] and E[σ'σ'].",
          lambda: fig1_toolkit("relu"), lambda: theorem1(relu_moments, X0, circle(gammas(13)), FIG1_L),
          "Θ^(L+1) = Θ^(L) Σ̇^(L+1) + Σ^(L+1), Θ^(1) = Σ^(1) = xᵀx'/n_0 + β² (written out, arc-cosine closed forms)",
          relative(1e-12, "two float64 evaluations of the same closed-form recursion, 3 layers"), "analytic",
          provenance="formula", mutant=partial(fig1_toolkit, "relu", FIG1_L + 1),
          mutation="depth off by one (L = 5 weight layers instead of 4)",
          notes="Dictionary: Jacot L = toolkit depth + 1; W, b ~ N(0, 1) with β b is the NTK parameterization, σ_w² = 1, σ_b² = β². "
                "The curve runs from 0.2825 (γ = 0) down to 0.0641 (γ = π)."),
    Claim("jacot2018.theorem1_tanh_fig1", PAPER, THM1,
          "The same for tanh (no closed form): the toolkit's Θ^(4)_∞ on Figure 1's points equals Theorem 1's recursion "
          "with every Gaussian expectation done by an independent 2-D Gauss–Hermite rule.",
          lambda: fig1_toolkit("tanh"), lambda: theorem1(tanh_moments, X0, circle(gammas(13)), FIG1_L),
          "Theorem 1's recursion written out, E[σσ] and E[σ'σ'] by a 200 × 200 Gauss–Hermite tensor rule (numpy)",
          relative(1e-11, "measured 2.4e-13, the toolkit's 2-D engine error: the Gauss–Hermite rule is converged (100, "
                            "200 and 300 points give the same difference)"),
          "numerical", provenance="formula", mutant=partial(fig1_toolkit, "tanh", FIG1_L, 1.01 * BETA),
          mutation="β = 0.101 instead of 0.1 (+1 %)"),
    Claim("jacot2018.fig1_theta_x0x0", PAPER, "Figure 1 (Sec. 6.1), value of the limit at γ = 0",
          "At x = x_0 the limit of Figure 1 is Θ^(4)_∞(x_0, x_0) = 0.2825 exactly (ReLU on the diagonal: Σ̇ = 1/2, "
          "Σ^(ℓ+1) = Σ^(ℓ)/2 + β²).",
          lambda: toolkit_ntk("relu", X0, X0[None, :], FIG1_L)[0], theta_x0x0_exact,
          "0.2825 (Theorem 1's recursion on the diagonal in exact rationals: Θ = 0.51, 0.52, 0.4025, 0.2825)",
          relative(1e-12, "an exact rational against a float64 recursion of 3 layers"), "analytic",
          provenance="formula", mutant=lambda: toolkit_ntk("relu", X0, X0[None, :], FIG1_L - 1)[0],
          mutation="depth off by one (L = 3 weight layers instead of 4)",
          notes="No number is printed; Figure 1's y-axis (0.05–0.40) is consistent with the limit 0.064…0.2825."),
    Claim("jacot2018.prop2_pd_sphere", PAPER, "Sec. 4.2, Proposition 2 (positive-definiteness on the sphere, L ≥ 2)",
          "For non-polynomial Lipschitz σ (ReLU, tanh) the NTK Θ^(2)_∞ (Jacot L = 2, β = 0.1) is positive definite on the "
          "sphere: on 40 random points of S² the Gram matrix has λ_min/λ_max well above float64 rounding.",
          pd_ratios, [1e-10, 1e-10], "λ_min > 0 (Proposition 2), made quantitative here as λ_min/λ_max ≥ 1e-10",
          at_least("rounding of a 40×40 float64 Gram matrix is ~1e-15 λ_max; 1e-10 separates positive from rounding noise"),
          "numerical", provenance="derived", mutant=partial(pd_ratios, 1),
          mutation="L = 1 (the linear model, excluded by Proposition 2) instead of L = 2",
          notes="Computed 1.3e-3 (ReLU), 1.2e-7 (tanh). tanh's μ_k decay geometrically, so with 200 points its "
                "λ_min/λ_max reaches rounding level (~8e-14): the claim uses 40 points."),
    Claim("jacot2018.prop2_funk_hecke", PAPER, "Sec. 4.2, Proposition 2 (and its proof, Appendix A.4)",
          "Equivalently every Funk–Hecke eigenvalue μ_k of Θ^(2)_∞ on S² is positive: min_{k ≤ 16} μ_k/Θ(x, x) > 0 for "
          "ReLU (algebraic decay) and tanh (geometric decay, ~×0.25 per degree).",
          funk_hecke_min, [1e-13, 1e-13], "μ_k > 0 for every k, made quantitative here as μ_k/Θ(x,x) ≥ 1e-13 for k ≤ 16",
          at_least("Gauss–Legendre projections in float64 are accurate to ~1e-15 of Θ(x, x)"), "numerical",
          provenance="derived", mutant=partial(funk_hecke_min, 1),
          mutation="L = 1 (the linear model: μ_k = 0 for k ≥ 2) instead of L = 2",
          notes="Computed minima 1.8e-5 (ReLU) and 3.6e-12 (tanh, at k = 16); tanh's μ_k reach rounding level near k ≈ 23."),
    Claim("jacot2018.polynomial_degenerate", PAPER, "Sec. 4.2, Proposition 2's hypotheses (counter-example: σ polynomial, or L = 1)",
          "Proposition 2 needs σ non-polynomial and L ≥ 2: for σ(x) = x² the NTK on S² is a polynomial of degree D = 2^depth "
          "in xᵀx', so its Gram matrix on 200 points has rank (D + 1)² = 4 (depth 0, the linear model L = 1), 9, 25.",
          square_ranks, square_rank_bound, "(D + 1)² = Σ_{k ≤ D} (2k + 1), D = 2^depth: 4, 9, 25 (derived here)",
          relative(0.0, "exact integers; the kept and dropped eigenvalues are 12 decades apart (≥ 4.5e-3 vs ≤ 3e-16 λ_max)"),
          "numerical", provenance="derived", mutant=partial(square_ranks, 3),
          mutation="σ(x) = x³ instead of x² (degree 3^depth)",
          notes="Not in the paper: shows the hypotheses of Proposition 2 are needed (rank ≪ 200 points)."),
    Claim("jacot2018.fig1_mc", PAPER, "Sec. 6.1, Figure 1 (t = 0: the NTK of width-500 networks is close to the limit)",
          f"The mean empirical NTK Θ^(4)(x_0, x(γ)) of {MC_ENSEMBLE} width-{MC_WIDTH} ReLU networks (NTK parameterization, "
          "β = 0.1, float32) at γ = 0, π/6, …, π agrees with the limit.",
          partial(mc_fig1, 0), fig1_limit_written_out,
          "Θ^(4)_∞(x_0, x(γ)), Theorem 1 written out (arc-cosine forms, independent of the toolkit)",
          mc_sigmas(len(gammas()), MC_ENSEMBLE, extra=MC_BIAS), "mc",
          provenance="simulation_vs_theory", seeded=mc_fig1,
          mutant=partial(mc_fig1, 0, MC_SIGMA_W2_MUTANT),
          mutation=f"weights of variance σ_w² = {MC_SIGMA_W2_MUTANT} instead of 1 (+20 %)",
          notes="The standard error is over independent networks. Largest |z| of seeds 0–4 (``mc_fig1(seed)`` against "
                "``fig1_limit_written_out()``): 1.91, 2.19, 0.90, 0.80, 2.58; the mutant gives 23. Direct check of the bias at "
                "width 500: 200 float64 and 200 float32 networks (seed 1234) give a mean within 1 s.e. (≈ 1 %) of the limit "
                "at every γ; the per-network values are right-skewed (skewness 0.5–0.9), which fattens the lower tail of "
                "z a little. On a GPU: widths 500 and 10000 as in Figure 1, with "
                "many more networks.",
          labels=("montecarlo",)),
]


def draw_figure(width: tuple[int, ...] = (50, MC_WIDTH), ensemble: int = 10, seed: int = 0):
    """Figure 1 at t = 0: the limit Θ^(4)_∞(x_0, x(γ)) against γ ∈ [−π, π] and, for each width, ``ensemble`` networks'
    empirical NTKs (thin lines) with their mean ± one standard error."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fine = np.linspace(-np.pi, np.pi, 241)
    coarse = np.linspace(-np.pi, np.pi, 25)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot(fine, toolkit_ntk("relu", X0, circle(fine), FIG1_L), "k-", lw=2, label="limit Θ^(4)_∞ (toolkit)")
    for n, colour in zip(width, ("tab:orange", "tab:blue")):
        samples = empirical_ntk(n, ensemble, seed, np.vstack([X0, circle(coarse)]))[:, 0, 1:]
        ax.plot(coarse, samples.T, color=colour, lw=0.5, alpha=0.35)
        ax.errorbar(coarse, samples.mean(0), samples.std(0, ddof=1) / np.sqrt(ensemble), fmt="o", ms=3, color=colour,
                    capsize=2, label=f"n = {n}: mean ± s.e. of {ensemble} networks")
    ax.set_xlabel("γ  (x = (cos γ, sin γ), x_0 = (1, 0))")
    ax.set_ylabel("Θ^(4)(x_0, x)")
    ax.set_title("Jacot et al. 2018, Fig. 1 at t = 0: ReLU, L = 4, β = 0.1", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    """Re-draw Figure 1 (initialization only; the trained curves need training, which the toolkit does not do)."""
    return save_figure(draw_figure(), path)
