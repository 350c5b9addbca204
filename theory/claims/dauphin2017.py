"""Dauphin, Fan, Auli & Grangier 2017, "Language Modeling with Gated Convolutional Networks" (arXiv:1612.08083): the
gated linear unit GLU, h = (X W + b) ⊗ σ(X V + c), against the LSTM-style gated tanh unit GTU, tanh(X W + b) ⊗ σ(X V + c).

The paper's argument (section 3) is about gradients: ∇[X ⊗ σ(X)] = ∇X ⊗ σ(X) + X ⊗ σ'(X)∇X has a path ∇X ⊗ σ(X)
without a downscaling factor, whereas the GTU's gradient, tanh'(X)∇X ⊗ σ(X) + σ'(X)∇X ⊗ tanh(X), is downscaled by
tanh' and σ' on both paths, so that its gradient vanishes gradually as layers are stacked. In the mean field of a deep
gated network (``signalprop.laws``; u and v independent N(0, q)), the per-layer gradient factor is χ = σ_w² G with

  G_GLU(q) = E[σ(u)²] + E[σ'(u)²] E[v²]                 (the paper's two paths; the first has no downscaling)
  G_GTU(q) = E[tanh'(u)²] E[σ(v)²] + E[tanh(u)²] E[σ'(v)²].

Derived here for large pre-activations (E[f(√q z)] = (2πq)^{-1/2} (∫f − ∫x²f/(2q) + …) for integrable f; ∫σ' = 1,
∫tanh' = 2, ∫σ'² = 1/6, ∫tanh'² = 4/3, ∫x²σ'² = (π² − 6)/18; E[σ²] = 1/2 − E[σ'], E[tanh²] = 1 − E[tanh']):

  G_GTU = (5/6)(2πq)^{-1/2} − (5/3)(2πq)^{-1} + O(q^{-3/2})           → 0: the GTU's gradient vanishes
  G_GLU = √q/(6√(2π)) + 1/2 − (1 + (π² − 6)/36)(2πq)^{-1/2} + O(q^{-3/2})   ≥ E[σ(u)²] → 1/2: the linear path stays.

Source caveat: the abstract, the gradient formulas of section 3 (quoted by third-party notes) and the definitions could
be read; the paper states the gradient argument qualitatively: the numbers are derived here.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, mc_sigmas, relative
from .figures import save_figure
from .reference import gauss_quad

PAPER = Paper("dauphin2017", "Language Modeling with Gated Convolutional Networks",
              "Y. N. Dauphin, A. Fan, M. Auli, D. Grangier", 2017, arxiv="1612.08083")
WHERE = "Section 3, Gating mechanisms (the gradients of the GLU and of the GTU)"
NOT_READ = ("The gradient formulas of section 3 and the definitions were read through third-party notes; the paper states "
            "the vanishing of the GTU's gradient qualitatively, so the mean-field numbers are derived here and evaluated "
            "without the toolkit (scipy quad, closed-form asymptotics).")
QS = (0.1, 1.0, 10.0, 100.0)
LARGE_QS = (1e6, 1e8)
MC_WIDTH, MC_DEPTH, MC_NETWORKS, MC_SW2, MC_SB2 = 256, 4, 100, 3.0, 0.1
MC_X = np.ones((1, 4))


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(x / 2))


def _dsigmoid(x):
    return 0.25 / np.cosh(x / 2) ** 2


def _unit(name: str):
    """GLU (sigmoid gate on a linear value) or GTU (sigmoid gate on a tanh value) as the toolkit's gated unit."""
    from symbolic import gated, get_activation

    return get_activation("glu") if name == "glu" else gated(get_activation("sigmoid"), get_activation("tanh"))


def toolkit_gradient_moment(name: str = "glu", qs=QS) -> np.ndarray:
    """G(q) = χ/σ_w² of the unit from its layer law, at each q."""
    from signalprop.laws import layer_law

    law = layer_law(_unit(name))
    return np.array([float(law.gradient_moment(q)) for q in qs])


def glu_paths(qs=QS) -> np.ndarray:
    """The paper's two gradient paths of the GLU in mean field, E[σ(u)²]·1 + E[σ'(u)²]·q, by scipy quad."""
    return np.array([gauss_quad(lambda z: _sigmoid(math.sqrt(q) * z) ** 2)
                     + q * gauss_quad(lambda z: _dsigmoid(math.sqrt(q) * z) ** 2) for q in qs])


def large_q_toolkit(qs=LARGE_QS) -> np.ndarray:
    """[G_GTU(q), G_GLU(q)] at each large q (toolkit)."""
    return np.concatenate([toolkit_gradient_moment("gtu", qs), toolkit_gradient_moment("glu", qs)])


def large_q_asymptotics(qs=LARGE_QS) -> np.ndarray:
    """The two-term expansions of the module docstring."""
    qs = np.asarray(qs, dtype=np.float64)
    r = 1 / np.sqrt(2 * math.pi * qs)
    gtu = (5 / 6) * r - (5 / 3) * r * r
    glu = np.sqrt(qs) / (6 * math.sqrt(2 * math.pi)) + 0.5 - (1 + (math.pi**2 - 6) / 36) * r
    return np.concatenate([gtu, glu])


def mc_gradients(seed: int = 0, sw2: float = MC_SW2) -> Measured:
    """E‖∂f/∂h^l‖² of GLU networks (width MC_WIDTH, depth MC_DEPTH, explicit weights and a backward pass through both
    branches, float64) for hidden layers l = 1 … MC_DEPTH, ± standard error over the networks."""
    from theory.montecarlo import NetworkSpec, gradients, measure_grad

    spec = NetworkSpec(_unit("glu"), MC_WIDTH, MC_DEPTH, sw2, MC_SB2, ensemble=MC_NETWORKS, seed=seed, dtype="float64")
    return Measured.of(measure_grad(spec, MC_X, gradients(spec, MC_X, progress=False)))


def gradient_recursion() -> np.ndarray:
    """Π_{k=l}^{L} σ_w² G_GLU(q^k) with q^0 = σ_w² ‖x‖²/d + σ_b², q^{k+1} = σ_w² E[σ(√q z)²] q^k + σ_b² (GLU's length map),
    all by scipy quad."""
    q = MC_SW2 * float(MC_X[0] @ MC_X[0]) / MC_X.shape[1] + MC_SB2
    chis = []
    for _ in range(MC_DEPTH):
        chis.append(MC_SW2 * glu_paths((q,))[0])
        q = MC_SW2 * q * gauss_quad(lambda z: _sigmoid(math.sqrt(q) * z) ** 2) + MC_SB2
    return np.cumprod(chis[::-1])[::-1]


CLAIMS = [
    Claim("dauphin2017.glu_gradient_paths", PAPER, WHERE,
          "The GLU's gradient ∇X ⊗ σ(X) + X ⊗ σ'(X)∇X: in a deep GLU network each layer multiplies the gradient's second "
          "moment by σ_w² (E[σ(u)²] + q E[σ'(u)²]), the first path undamped (q = 0.1, 1, 10, 100).",
          toolkit_gradient_moment, glu_paths, "the paper's two paths in mean field, E[σ²] + q E[σ'²] by scipy quad",
          relative(1e-11, "quad to ~1e-13 against the toolkit's 1-D engine"), "numerical",
          notes=NOT_READ + " The paper gives the gradient; its mean-field second moment is derived here.",
          provenance="derived", mutant=partial(toolkit_gradient_moment, "gtu"), mutation="the GTU instead of the GLU"),
    Claim("dauphin2017.gtu_gradient_vanishes", PAPER, WHERE,
          "The GTU's gradient is downscaled on both paths and vanishes as the pre-activations grow, "
          "G_GTU ≈ (5/6)(2πq)^{-1/2}, while the GLU's linear path keeps G_GLU ≥ E[σ²] → 1/2 and its other path grows like "
          "√q/(6√(2π)) (q = 1e6, 1e8).",
          large_q_toolkit, large_q_asymptotics, "two-term large-q expansions derived here (module docstring)",
          relative(1e-6, "the expansions omit relative terms O(1/q): 2.6e-7 at q = 1e6 for the GTU, smaller for the GLU"),
          "numerical", notes=NOT_READ, labels=("G_GTU(1e6)", "G_GTU(1e8)", "G_GLU(1e6)", "G_GLU(1e8)"),
          provenance="derived", mutant=partial(toolkit_gradient_moment, "glu", (1e6, 1e8, 1e6, 1e8)),
          mutation="the GLU's factor in place of the GTU's"),
    Claim("dauphin2017.mc_glu_gradients", PAPER, WHERE,
          f"Finite GLU networks (width {MC_WIDTH}, depth {MC_DEPTH}, {MC_NETWORKS} networks, σ_w² = {MC_SW2}, σ_b² = "
          f"{MC_SB2}): the gradient's second moment at each hidden layer follows Π σ_w² (E[σ²] + q E[σ'²]) along the "
          "GLU's length map.",
          partial(mc_gradients, 0), gradient_recursion, "the mean-field product along the length map, by scipy quad",
          mc_sigmas(MC_DEPTH, MC_NETWORKS, extra="gradient independence at width 256: its O(1/N) bias is not modelled"),
          "mc", notes=NOT_READ, provenance="simulation_vs_theory", seeded=mc_gradients,
          mutant=partial(mc_gradients, 0, 1.1 * MC_SW2), mutation="σ_w² 10 % higher in the simulation"),
]


def draw_figure():
    """G(q) of the GLU and the GTU (and the GLU's undamped path E[σ(u)²]) over q: the GTU's factor vanishes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    qs = np.geomspace(1e-2, 1e6, 60)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(qs, toolkit_gradient_moment("glu", qs), label="GLU: E[σ²] + q E[σ'²]")
    ax.loglog(qs, toolkit_gradient_moment("gtu", qs), label="GTU: E[tanh'²]E[σ²] + E[tanh²]E[σ'²]")
    ax.loglog(qs, [gauss_quad(lambda z, q=q: _sigmoid(math.sqrt(q) * z) ** 2) for q in qs], ":",
              label="GLU's linear path E[σ(u)²]")
    ax.loglog(qs, (5 / 6) / np.sqrt(2 * math.pi * qs), "--", lw=0.8, label="(5/6)(2πq)^(-1/2)")
    ax.set(xlabel="pre-activation variance q", ylabel="G = χ / σ_w²",
           title="Dauphin et al. 2017: the GTU's gradient factor vanishes")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
