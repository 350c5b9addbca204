"""Day, Kahn & Roberts 2023, "Feature Learning and Generalization in Deep Networks with Orthogonal Weights"
(arXiv:2310.07765).

Setting: fully connected tanh networks at criticality (C_W = σ_w² = 1, C_b = 0: the K* = 0 class), weights either
iid Gaussian or σ_w times Haar-orthogonal (this toolkit's ``NetworkSpec(weights="orthogonal")``: a Haar slice scaled
so that E[(Wv)_i²] = σ_w²‖v‖²/N). Abstract: with Gaussian weights the preactivation fluctuations grow linearly with
depth even at criticality; with orthogonal weights they are independent of depth to leading order in 1/N.

Formulas used (single input, q̂^l = ‖h^l‖²/N):
* Gaussian, leading order (Roberts–Yaida–Hanin four-point vertex; ``theory.montecarlo.vertex``):
  Var(s²_{l+1}) = C_W² Var_z[φ(√q_l z)²]/N + χ_∥(q_l)² Var(s²_l). For tanh, K^l ≈ 1/(2l) and V N/K² → (2/3) l, so the
  excess kurtosis 3 Var(s²)/q² grows as 2 l/N: the per-layer increment of N κ_l tends to 2 (growth linear in depth).
* Orthogonal: W g = ‖g‖ σ_w (uniform unit vector) with the direction independent of ‖g‖, so every layer's
  preactivations are a random radius times a uniform point of the sphere: excess kurtosis
  (1 + relvar q̂)·3N/(N + 2) − 3 ≈ −6/(N + 2) — no growth with depth; q̂ changes only through the nonlinearity
  (‖φ(h)‖ ≠ ‖h‖), whose effect fades as K^l → 0.
* Deep linear (φ = identity), exact: orthogonal weights preserve ‖h‖, so q̂^l = σ_w^{2(l+1)}‖x‖²/d in every network
  (relative variance 0); Gaussian weights multiply q̂ by an independent χ²_N/N per layer, so
  Var(q̂_l)/E[q̂_l]² = (1 + 2/N)^{l+1} − 1 (layer index l = 0 is h¹).

Source caveat: only the abstract (ar5iv/arXiv HTML opening) could be read here; no equation, figure or table of the
body. The linear growth ("fluctuations that grow linearly with the depth") and depth independence for orthogonal tanh
are the abstract's statements; the coefficient 2/3 (RYH, K* = 0 class) is derived above, not read from this paper.
The NTK saturation at depth ~20 stated in the abstract is not checked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, at_most, relative, sigmas
from .figures import save_figure
from .reference import gauss_quad

PAPER = Paper("day2023", "Feature Learning and Generalization in Deep Networks with Orthogonal Weights",
              "H. Day, Y. Kahn, D. A. Roberts", 2023, arxiv="2310.07765")

NOT_READ = ("Only the abstract could be read (no equations, figures or printed numbers of the body): each published side "
            "is the abstract's statement made quantitative by an independent derivation (module docstring).")
WHERE = "Abstract (Gaussian: fluctuations grow linearly with depth; orthogonal tanh: independent of depth)"
MC_WIDTH, MC_DEPTH, MC_ENSEMBLE = 128, 24, 200
MC_LAYERS = (1, 8, 16, 23)
LIN_WIDTH, LIN_DEPTH, LIN_ENSEMBLE = 64, 12, 3000
LIN_LAYERS = (0, 4, 8, 12)
X = np.ones((1, 4))


def tanh_spec(weights: str, seed: int):
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec

    return NetworkSpec(get_activation("tanh"), MC_WIDTH, MC_DEPTH, 1.0, 0.0, ensemble=MC_ENSEMBLE, seed=seed, weights=weights)


@cache
def tanh_run(weights: str) -> dict:
    """Kurtosis and relative q-variance (Comparisons) of critical tanh networks with these weights."""
    from theory.montecarlo import forward, measure_kurtosis, measure_qvar

    spec = tanh_spec(weights, 2)
    fwd = forward(spec, X, progress=False)
    return {"kurtosis": measure_kurtosis(spec, X, fwd), "qvar": measure_qvar(spec, X, fwd)}


def growth_rate() -> float:
    """Per-layer increment of N κ_l between layers 200 and 400 of the toolkit's leading-order Gaussian theory
    (``kurtosis_theory``; N = 1000 only scales it)."""
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, kurtosis_theory, layer_variances

    spec = NetworkSpec(get_activation("tanh"), 1000, 400, 1.0, 0.0)
    k = 1000 * kurtosis_theory(spec, layer_variances(spec, X)[0])
    return float((k[400] - k[200]) / 200)


def gaussian_mc(name: str) -> Measured:
    c = tanh_run("gaussian")[name]
    idx = list(MC_LAYERS)
    return Measured(c.measured[idx], c.stderr[idx])


def gaussian_theory(name: str) -> np.ndarray:
    """Leading-order theory by the recursion of the docstring, written out here with scipy quad moments."""
    def m(q, p):
        return gauss_quad(lambda z: np.tanh(np.sqrt(q) * z) ** p)

    def slope(q):  # V'(q) = (1/(2q)) E[(z² − 1) tanh(√q z)²]
        return gauss_quad(lambda z: (z * z - 1) * np.tanh(np.sqrt(q) * z) ** 2) / (2 * q)

    n, q, var = MC_WIDTH, [float(X[0] @ X[0]) / X.shape[1]], [0.0]
    for _ in range(MC_DEPTH):
        qq = q[-1]
        var.append((m(qq, 4) - m(qq, 2) ** 2) / n + slope(qq) ** 2 * var[-1])
        q.append(m(qq, 2))
    q, var = np.array(q), np.array(var)
    out = 3 * var / q**2 if name == "kurtosis" else var / q**2 + 2 / np.array([n] * MC_DEPTH + [1])
    return out[list(MC_LAYERS)]


def orthogonal_kurtosis() -> Measured:
    c = tanh_run("orthogonal")["kurtosis"]
    idx = list(MC_LAYERS)
    return Measured(c.measured[idx], c.stderr[idx])


def orthogonal_qvar_growth() -> float:
    """relvar_q(23)/relvar_q(8) − 1 for orthogonal weights (Gaussian weights give ≈ +1.4 here; orthogonal ≈ −0.4)."""
    c = tanh_run("orthogonal")["qvar"]
    return float(c.measured[MC_DEPTH - 1] / c.measured[8] - 1)


@cache
def linear_run(weights: str):
    from symbolic import get_activation
    from theory.montecarlo import NetworkSpec, forward, measure_qvar

    ensemble = LIN_ENSEMBLE if weights == "gaussian" else 50  # orthogonal: every network gives the same q̂
    spec = NetworkSpec(get_activation("identity"), LIN_WIDTH, LIN_DEPTH, 1.0, 0.0, ensemble=ensemble, seed=7,
                       weights=weights, dtype="float64", outputs=LIN_WIDTH)
    return measure_qvar(spec, X, forward(spec, X, progress=False))


def linear_gaussian() -> Measured:
    c = linear_run("gaussian")
    return Measured(c.measured[list(LIN_LAYERS)], c.stderr[list(LIN_LAYERS)])


def linear_orthogonal() -> np.ndarray:
    return linear_run("orthogonal").measured[list(LIN_LAYERS)]


CLAIMS = [
    Claim("day2023.gaussian_linear_growth", PAPER, WHERE,
          "With Gaussian weights at criticality (tanh, C_W = 1, C_b = 0) the leading-order excess kurtosis of the "
          "preactivations grows linearly with depth, N κ_l ≈ 2 l: its per-layer increment (toolkit theory, layers 200 → 400) "
          "is 2 = 3 × 2/3 (V/K² → (2/3) l, the K* = 0 class).",
          growth_rate, 2.0, "3 × 2/3 (large-depth solution of the vertex recursion, module docstring)",
          relative(3e-3, "O(log l / l) corrections to the asymptote at l = 200 … 400 (observed 1.5e-3)"), "numerical",
          notes=NOT_READ),
    Claim("day2023.mc_gaussian_kurtosis", PAPER, WHERE,
          "Finite Gaussian-weight tanh networks (width 128, depth 24, 200 networks) have an excess kurtosis that grows "
          "with depth as the leading-order vertex recursion says (layers 1, 8, 16, 23).",
          lambda: gaussian_mc("kurtosis"), lambda: gaussian_theory("kurtosis"),
          "3 Var(s²)/q² from the recursion with scipy-quad moments", sigmas(4), "mc",
          notes=NOT_READ + " O(l²/N²) corrections (≈ 0.03 at l = 23) are below the errors. GPU: width 1024, depth 200, 10⁴ networks."),
    Claim("day2023.mc_gaussian_qvar", PAPER, WHERE,
          "The relative variance of q̂ across Gaussian-weight networks grows with depth as (Var(s²) + 2q²/N)/q².",
          lambda: gaussian_mc("qvar"), lambda: gaussian_theory("qvar"), "leading-order recursion, scipy quad",
          sigmas(4), "mc", notes=NOT_READ),
    Claim("day2023.mc_orthogonal_kurtosis", PAPER, WHERE,
          "With orthogonal weights the tanh preactivations' excess kurtosis does not grow with depth: at layers 1, 8, 16, 23 "
          "it equals that of a uniform point on the sphere, −6/(N + 2) (the norm's fluctuation adds 3·relvar ≤ 0.005).",
          orthogonal_kurtosis, lambda: np.full(len(MC_LAYERS), -6 / (MC_WIDTH + 2)), "−6/(N + 2), N = 128",
          sigmas(4), "mc", notes=NOT_READ),
    Claim("day2023.orthogonal_qvar_flat", PAPER, WHERE,
          "With orthogonal weights the relative variance of q̂ across networks does not grow from layer 8 to layer 23 "
          "(relvar(23)/relvar(8) − 1 ≤ 0 within a slack of 0.2 for the ~7 % MC errors of each; Gaussian weights: ≈ +1.4).",
          orthogonal_qvar_growth, 0.0, "no growth with depth (0)",
          at_most("depth-independent fluctuations; slack 0.2 ≈ 2 × the ratio's MC error", slack=0.2), "numerical", notes=NOT_READ),
    Claim("day2023.linear_gaussian_exact", PAPER, "Deep linear networks (exact; the abstract's Gaussian linear growth)",
          "Deep linear networks with Gaussian weights: Var(q̂_l)/E[q̂_l]² = (1 + 2/N)^{l+1} − 1 exactly (width 64, 3000 networks).",
          linear_gaussian, lambda: (1 + 2 / LIN_WIDTH) ** (np.array(LIN_LAYERS) + 1.0) - 1, "(1 + 2/N)^{l+1} − 1",
          sigmas(4), "mc", notes=NOT_READ),
    Claim("day2023.linear_orthogonal_exact", PAPER, "Deep linear networks (exact: orthogonal W preserves ‖h‖)",
          "Deep linear networks with orthogonal weights: q̂ is the same in every network, relative variance 0 at every layer "
          "(50 networks, width 64, float64).",
          linear_orthogonal, np.zeros(len(LIN_LAYERS)), "0 (‖W x‖ = ‖x‖)",
          absolute(1e-12, "float64 rounding of ‖h‖² over 12 layers (observed ~1e-30)"), "numerical", notes=NOT_READ),
]


def draw_figure():
    """Excess kurtosis (left) and relative q-variance (right) against depth, Gaussian vs orthogonal tanh networks at
    criticality, with the leading-order Gaussian theory and −6/(N + 2)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    layers = np.arange(MC_DEPTH)  # hidden layers only (the single readout unit is left out)
    for ax, name in zip(axes, ("kurtosis", "qvar")):
        for w, col in (("gaussian", "C0"), ("orthogonal", "C3")):
            c = tanh_run(w)[name]
            ax.errorbar(layers, c.measured[:MC_DEPTH], 2 * c.stderr[:MC_DEPTH], fmt="o", ms=3, color=col,
                        label=f"{w} weights (MC, ±2 s.e.)")
        ax.plot(layers, tanh_run("gaussian")[name].theory[:MC_DEPTH], "k-", lw=1, label="Gaussian theory (1/N vertex)")
        if name == "kurtosis":
            ax.axhline(-6 / (MC_WIDTH + 2), color="C3", ls="--", lw=1, label="−6/(N+2)")
        ax.set_xlabel("layer l")
        ax.set_ylabel("excess kurtosis of h" if name == "kurtosis" else "Var(q̂)/E[q̂]²")
        ax.legend(fontsize=7)
    fig.suptitle(f"Day, Kahn & Roberts 2023: tanh at criticality, N = {MC_WIDTH}, {MC_ENSEMBLE} networks", fontsize=10)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
