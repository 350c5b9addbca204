"""Antognini 2019, "Finite size corrections for neural network Gaussian processes" (ICML 2019 workshop on
Theoretical Physics for Deep Learning, arXiv:1908.10030).

Setting: one hidden layer of N units, f(x) = Σ_i v_i φ(w_i·x)/√N with w_i Gaussian and readout weights v_i iid
from a symmetric law (m4 = E[v⁴]/E[v²]²; 3 for Gaussian, 1 for ±1). For a fixed input the N terms y_i = v_i φ(u_i),
u_i ~ N(0, q), are iid, so f is symmetric (odd cumulants vanish) and its cumulants are κ_k(f) = N^{1−k/2} κ_k(y).
The density of f/σ is therefore the Edgeworth series
  p(t) = N(t) [1 + (κ4/24) He_4(t) + O(1/N²)],   κ4 = (m4 E[φ⁴]/E[φ²]² − 3)/N   (exactly, for every N),
the He_6 and He_8 terms (κ6/720, κ4²/1152) being O(1/N²): "a Gaussian perturbed by the fourth Hermite polynomial ...
inversely proportional to the number of units ... higher order terms decay more rapidly" (abstract).
For ReLU E[φ⁴]/E[φ²]² = (3q²/2)/(q/2)² = 6, so with Gaussian readout κ4 = 15/N (1.875 at N = 8) and with ±1 readout
3/N. Toolkit dictionary: ``NetworkSpec(act, N, depth=1, ...)``; readout index 1 of ``measure_kurtosis``; its
leading-order theory 3 Var(s²)/q² = 3(E[φ⁴]/E[φ²]² − 1)/N is the same expression at m4 = 3.

Source caveat: only the abstract and the opening of the introduction could be read here (no equations, figures or
numbers of the body). Every "published" value is therefore the abstract's statement evaluated independently (closed
forms, scipy quadrature, exact rationals); equation and figure numbers are not cited because they could not be read.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, relative, sigmas
from .figures import save_figure
from .reference import gauss_quad

PAPER = Paper("antognini2019", "Finite size corrections for neural network Gaussian processes", "J. M. Antognini", 2019,
              arxiv="1908.10030", venue="ICML 2019 Workshop on Theoretical Physics for Deep Learning")

NOT_READ = ("Only the abstract and the start of the introduction were readable: no equation, figure or printed number of "
            "the body could be checked; the published side evaluates the abstract's statement independently.")
WHERE = "Abstract (He_4 perturbation of the output law, scale ∝ 1/N, higher orders decay faster)"
MC_N, MC_ENSEMBLE, MC_OUTPUTS = 8, 20000, 32
SWEEP_WIDTHS, SWEEP_ENSEMBLE = (4, 8, 16, 32), 8000


def ratio_toolkit(name: str, q: float = 1.0, p: int = 4) -> float:
    """E[φ^p]/E[φ²]^{p/2} at variance q with ``signalprop.gaussian_moment``."""
    from signalprop import gaussian_moment
    from symbolic import get_activation

    act = get_activation(name)
    return float(gaussian_moment(act, q, p=p)) / float(gaussian_moment(act, q)) ** (p / 2)


def tanh_ratio_quad(q: float = 1.0) -> float:
    """E[tanh⁴]/E[tanh²]² at variance q by scipy quad (independent route)."""
    s = np.sqrt(q)
    return gauss_quad(lambda z: np.tanh(s * z) ** 4) / gauss_quad(lambda z: np.tanh(s * z) ** 2) ** 2


def relu_moment(k: int) -> Fraction:
    """E[relu(z)^k] = (k − 1)!!/2 for even k (unit variance)."""
    out = Fraction(1, 2)
    for j in range(k - 1, 0, -2):
        out *= j
    return out


def relu_kappa6() -> float:
    """Standardized sixth cumulant of y = v relu(u), v, u ~ N(0, 1): κ6/κ2³ = (m6 − 15 m4 m2 + 30 m2³)/m2³ = 660 exactly."""
    m2, m4, m6 = relu_moment(2), 3 * relu_moment(4), 15 * relu_moment(6)
    return float((m6 - 15 * m4 * m2 + 30 * m2**3) / m2**3)


def toolkit_kappa6() -> float:
    """The same from the toolkit's moments (E[v^k] = (k−1)!! times gaussian_moment(relu, 1, p=k))."""
    r4, r6 = ratio_toolkit("relu", p=4), ratio_toolkit("relu", p=6)
    return 15 * r6 - 15 * 3 * r4 + 30


def kurtosis_coefficients() -> np.ndarray:
    """N × the toolkit's leading-order readout kurtosis (``kurtosis_theory``, Gaussian readout) for ReLU and tanh, q = 1."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, kurtosis_theory, layer_variances

    out = []
    x = np.ones((1, 4))
    for name in ("relu", "tanh"):
        spec = NetworkSpec(get_activation(name), 16, 1, 1.0, 0.0)
        out.append(16 * kurtosis_theory(spec, layer_variances(spec, x)[0])[1])
    return np.array(out)


def readout_kurtosis(n: int, ensemble: int, seed: int, name: str = "relu") -> tuple[float, float, np.ndarray]:
    """Excess kurtosis (± stderr) of the readout of one-hidden-layer networks of width n (toolkit ensemble,
    Gaussian weights, σ_w² = 2, σ_b² = 0, MC_OUTPUTS readout units per network), and the outputs."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, forward, measure_kurtosis

    x = np.ones((1, 4))
    spec = NetworkSpec(get_activation(name), n, 1, 2.0, 0.0, ensemble=ensemble, seed=seed, outputs=MC_OUTPUTS)
    fwd = forward(spec, x, progress=False, fast=True)
    c = measure_kurtosis(spec, x, fwd)
    return float(c.measured[1]), float(c.stderr[1]), fwd.outputs[:, 0, :].ravel()


def mc_n8() -> Measured:
    k, e, _ = readout_kurtosis(MC_N, MC_ENSEMBLE, 1)
    return Measured(k, e)


def sweep() -> tuple[np.ndarray, np.ndarray]:
    rows = [readout_kurtosis(n, SWEEP_ENSEMBLE, 10 + i)[:2] for i, n in enumerate(SWEEP_WIDTHS)]
    return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])


def mc_exponent() -> Measured:
    """Exponent p of κ4 ≈ A N^p over SWEEP_WIDTHS (``theory.montecarlo.fit_power``)."""
    from theory.montecarlo import fit_power

    k, e = sweep()
    p, err = fit_power(np.array(SWEEP_WIDTHS, dtype=float), k, e)
    return Measured(p, err)


def rademacher_kurtosis(n: int = 8, samples: int = 400_000, seed: int = 3) -> Measured:
    """Own numpy ensemble with ±1 readout weights (m4 = 1): f = Σ v_i relu(u_i)/√n; excess kurtosis with a
    delta-method error over 40 independent blocks."""
    rng = np.random.default_rng(seed)
    f = (rng.choice([-1.0, 1.0], (samples, n)) * np.maximum(rng.standard_normal((samples, n)), 0)).sum(1) / np.sqrt(n)
    blocks = f.reshape(40, -1)
    m2, m4 = (blocks**2).mean(1), (blocks**4).mean(1)
    a2, a4 = m2.mean(), m4.mean()
    k = a4 / a2**2 - 3
    g = np.stack([-2 * a4 / a2**3 * np.ones_like(m2), np.ones_like(m4) / a2**2])
    per = g[0] * (m2 - a2) + g[1] * (m4 - a4)
    return Measured(k, per.std(ddof=1) / np.sqrt(len(per)))


CLAIMS = [
    Claim("antognini2019.moment_ratios", PAPER, WHERE + "; the He_4 coefficient needs E[φ⁴]/E[φ²]²",
          "E[φ⁴]/E[φ²]² at q = 1 is 6 for ReLU, 3 for the identity, and ≈ 1.627 for tanh (the activation part of κ4).",
          lambda: np.array([ratio_toolkit("relu"), ratio_toolkit("identity"), ratio_toolkit("tanh")]),
          lambda: np.array([6.0, 3.0, tanh_ratio_quad()]), "closed forms 6, 3; scipy quad for tanh",
          relative(1e-10, "quadrature to ~1e-13 on both sides"), "analytic", notes=NOT_READ),
    Claim("antognini2019.kurtosis_coefficient", PAPER, WHERE,
          "With Gaussian readout (m4 = 3) the output's excess kurtosis is κ4 = (3 E[φ⁴]/E[φ²]² − 3)/N: N κ4 = 15 for ReLU "
          "(the slope 15 of κ4 against 1/N) and ≈ 1.88 for tanh at q = 1.",
          kurtosis_coefficients, lambda: np.array([3 * 6.0 - 3, 3 * tanh_ratio_quad() - 3]),
          "3·6 − 3 = 15 (ReLU); 3·r_tanh − 3 with r_tanh by scipy quad", relative(1e-10, "quadrature to ~1e-13"),
          "analytic", notes=NOT_READ),
    Claim("antognini2019.mc_relu_n8", PAPER, WHERE,
          "One-hidden-layer ReLU networks of width N = 8 (Gaussian weights, 20000 networks × 32 readout units): the readout's "
          "excess kurtosis is 15/8 = 1.875 (exact for every N: a sum of N iid terms).",
          mc_n8, 15 / 8, "κ4 = 15/N at N = 8", sigmas(4), "mc",
          notes=NOT_READ + " GPU setting: 10⁶ networks, N = 2 … 1024."),
    Claim("antognini2019.mc_width_exponent", PAPER, WHERE + " (scale inversely proportional to N)",
          "The readout's excess kurtosis of one-hidden-layer ReLU networks scales as N^p with p = −1 (fit over N = 4 … 32, "
          "8000 networks × 32 units each, ``fit_power``).",
          mc_exponent, -1.0, "p = −1", sigmas(4), "mc", notes=NOT_READ),
    Claim("antognini2019.mc_rademacher_readout", PAPER, WHERE + " (any symmetric weight law)",
          "With ±1 readout weights (m4 = 1) the ReLU network's excess kurtosis is (6 − 3)/N = 3/8 at N = 8 (own numpy "
          "ensemble, 4·10⁵ networks).",
          rademacher_kurtosis, 3 / 8, "κ4 = (m4·6 − 3)/N, m4 = 1, N = 8", sigmas(4), "mc", notes=NOT_READ),
    Claim("antognini2019.sixth_cumulant", PAPER, WHERE + " (higher-order terms decay faster)",
          "The standardized sixth cumulant of one ReLU term (Gaussian readout) is 660, so κ6(f)/σ⁶ = 660/N²: the He_6 "
          "coefficient 660/(720 N²) and the He_8 one (15/N)²/1152 are O(1/N²), below the He_4 term's 15/(24 N).",
          toolkit_kappa6, relu_kappa6, "m6 − 15 m4 m2 + 30 m2³ over m2³ with E[relu^k] = (k−1)!!/2, E[v^k] = (k−1)!!",
          relative(1e-10, "quadrature to ~1e-13 against exact rationals"), "analytic", notes=NOT_READ),
]


def draw_figure():
    """Left: histogram of the standardized readout of width-8 ReLU networks with the Gaussian and the He_4-corrected
    (Edgeworth) densities. Right: excess kurtosis against N (log-log) with 15/N."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, _, out = readout_kurtosis(MC_N, MC_ENSEMBLE, 1)
    t = out / out.std()
    grid = np.linspace(-5, 5, 400)
    gauss = np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi)
    he4 = grid**4 - 6 * grid**2 + 3
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    ax.hist(t, bins=160, range=(-5, 5), density=True, alpha=0.5, label=f"MC, N = {MC_N} ({t.size} outputs)")
    ax.plot(grid, gauss, "k--", lw=1, label="Gaussian (NNGP)")
    ax.plot(grid, gauss * (1 + 15 / MC_N / 24 * he4), "C3", lw=1.2, label="Gaussian × (1 + κ4 He_4/24), κ4 = 15/N")
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 1)
    ax.set_xlabel("f / σ")
    ax.legend(fontsize=7)
    ax.set_title("output law of one-hidden-layer ReLU networks", fontsize=9)
    k, e = sweep()
    ns = np.array(SWEEP_WIDTHS, dtype=float)
    bx.errorbar(ns, k, 2 * e, fmt="o", label="MC excess kurtosis (±2 s.e.)")
    g = np.geomspace(3, 40, 50)
    bx.loglog(g, 15 / g, "k-", lw=1, label="15/N")
    bx.set_xlabel("hidden units N")
    bx.set_ylabel("excess kurtosis")
    bx.legend(fontsize=7)
    bx.set_title("He_4 scale ∝ 1/N", fontsize=9)
    fig.suptitle("Antognini 2019: finite-width correction to the NNGP is the fourth Hermite term", fontsize=10)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
