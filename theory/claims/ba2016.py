"""Ba, Kiros & Hinton 2016, "Layer Normalization" (arXiv:1607.06450): LayerNorm divides each layer's summed inputs by
their root mean square over the units (after removing their mean), per training case. Its invariances (the paper's
Section 5.1 and Table 1: under re-scaling and re-centering of a weight matrix, and re-scaling of a single training
case) and its effect on the gradient of the normalized weights (Section 5.2: the larger their norm, the smaller
their gradient — an implicit reduction of the learning rate) are checked here at infinite width, where they answer a
practitioner's question: with LayerNorm before every nonlinearity and no bias before it, σ_w² drops out of the
kernels entirely, so no critical σ_w² is needed (the phase is set by the norm's gain γ²).

Network: Dense(δ² σ_w², 0) → LayerNorm → ReLU → Dense(δ² σ_w², 0) → LayerNorm → ReLU → Dense(σ_v², 0) (readout). At
infinite width LayerNorm maps the kernel to Σ(x, x')/√(Σ(x, x) Σ(x', x')) (the mean over units vanishes), and the
NTK by the same factor; ReLU takes the arc-cosine kernels J₁ (value) and J₀ (derivative) of Cho & Saul. All of it is
written out below in numpy (``relu_ln_kernels``), independently of the toolkit:

* NTK parameterization: the NNGP and the NTK of δ = 2 and δ = 1/2 equal those of δ = 1 (each norm divides out δ²);
* the same for an input re-scaled by 3 (Eq. 7: a single case's scale drops out);
* standard parameterization: the NTK is the readout's part plus the normalized weights' part divided by δ²;
* Monte Carlo: finite networks Dense(4, 0) → LayerNorm → tanh (six layers, width 2048) carry the correlation map of
  normalized tanh, c ↦ E[tanh u tanh u']/E[tanh² u] at unit variance, which does not contain σ_w².

Source caveat: only the abstract and introduction could be read here; the invariances are those of the paper's
Table 1 and Eq. 7 as quoted by secondary sources, and the infinite-width statements and numbers are derived here.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, mc_sigmas, relative
from .figures import save_figure
from .reference import pair_expectation

PAPER = Paper("ba2016", "Layer Normalization", "J. L. Ba, J. R. Kiros, G. E. Hinton", 2016, arxiv="1607.06450")
WHERE = "Section 5.1 and Table 1 (invariance under weight-matrix re-scaling and single-case re-scaling, Eq. 7)"
WHERE_LR = "Section 5.2 (the gradient of normalized weights falls as their norm grows: an implicit learning-rate decay)"
NOT_READ = ("Only the abstract and the introduction could be read; the invariances are the paper's Table 1 and Eq. 7 as "
            "quoted by secondary sources. The infinite-width statements are derived here and evaluated by the arc-cosine "
            "kernels written out in numpy, not by the toolkit.")
W2, V2, WIDTH = 1.5, 1.0, 128
X = np.array([[1.0, 0.3, -0.5, 0.8], [0.2, -1.0, 0.6, 0.4]])
SCALES = (4.0, 0.25)


def _j1(c: np.ndarray) -> np.ndarray:
    """E[relu(z) relu(z')] for unit variances and correlation c (Cho & Saul 2009)."""
    c = np.clip(c, -1.0, 1.0)
    return (np.sqrt(1 - c * c) + (np.pi - np.arccos(c)) * c) / (2 * np.pi)


def _j0(c: np.ndarray) -> np.ndarray:
    """E[relu'(z) relu'(z')] = P(z > 0, z' > 0) for unit variances and correlation c."""
    return (np.pi - np.arccos(np.clip(c, -1.0, 1.0))) / (2 * np.pi)


def relu_ln_kernels(x: np.ndarray = X, delta2: float = 1.0, parameterization: str = "ntk",
                    bias2: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(NNGP, NTK) of the module's network at infinite width (hidden width ``WIDTH`` where the standard
    parameterization's NTK needs it), every step written out: Dense Σ ← w Σ + b, Θ ← w Θ + Σ (NTK) or w Θ + n_in Σ_in
    + 1 (standard); LayerNorm Σ, Θ ← Σ, Θ / √(Σ_aa Σ_bb); ReLU Σ ← √(Σ_aa Σ_bb) J₁(c), Θ ← Θ J₀(c)."""
    sigma, theta, n_in = x @ x.T / x.shape[1], np.zeros((len(x), len(x))), x.shape[1]

    def dense(w2: float, b2: float) -> None:
        nonlocal sigma, theta, n_in
        new = w2 * sigma + b2
        theta = w2 * theta + (new if parameterization == "ntk" else n_in * sigma + 1.0)
        sigma, n_in = new, WIDTH

    for _ in range(2):
        dense(delta2 * W2, bias2)
        scale = np.sqrt(np.outer(np.diag(sigma), np.diag(sigma)))
        sigma, theta = sigma / scale, theta / scale
        c = sigma.copy()
        sigma, theta = _j1(c), theta * _j0(c)
    dense(V2, 0.0)
    return sigma, theta


def _ln_relu_net(delta2: float, bias2: float = 0.0):
    from signalprop import Dense, Norm, Serial
    from signalprop.architecture import Nonlinear
    from symbolic import get_activation

    relu = Nonlinear(get_activation("relu"))
    hidden = [(Dense(delta2 * W2, bias2), Norm("layer"), relu) for _ in range(2)]
    return Serial(*hidden, Dense(V2, 0.0))


def _entries(K: np.ndarray, T: np.ndarray) -> list[float]:
    return [K[0, 1], T[0, 0], T[0, 1]]


def toolkit_rescaled(bias2: float = 0.0) -> np.ndarray:
    """[K₁₂, Θ₁₁, Θ₁₂] of the network with its hidden weights re-scaled by δ² = 4, then 1/4 (toolkit, NTK
    parameterization)."""
    from ntk import network_kernels

    return np.array([v for d2 in SCALES for v in _entries(*network_kernels(_ln_relu_net(d2, bias2), X))])


def unscaled_reference() -> np.ndarray:
    """The same entries of the network with δ = 1 (``relu_ln_kernels``), once per re-scaling."""
    return np.array(_entries(*relu_ln_kernels()) * len(SCALES))


def toolkit_input_rescaled(factor: float = 3.0) -> np.ndarray:
    """[K₁₂, Θ₁₁, Θ₁₂] with the first input multiplied by ``factor`` (toolkit)."""
    from ntk import network_kernels

    x = X.copy()
    x[0] *= factor
    K, T = network_kernels(_ln_relu_net(1.0), x)
    return np.array([K[0, 1], T[0, 0] * factor**0, T[0, 1]])


def standard_toolkit(delta2: float = 4.0) -> np.ndarray:
    """[Θ₁₁, Θ₁₂, Θ₂₂] in the standard parameterization (hidden width 128) at δ² (toolkit)."""
    from ntk import network_kernels

    T = network_kernels(_ln_relu_net(delta2), X, parameterization="standard", width=WIDTH)[1]
    return np.array([T[0, 0], T[0, 1], T[1, 1]])


def standard_reference(delta2: float = 4.0) -> np.ndarray:
    """The readout's part of the standard NTK (n Σ + 1 of its input, unchanged by δ) plus the normalized weights' part
    at δ = 1 divided by δ²: Θ(δ) = Θ_out + (Θ(1) − Θ_out)/δ² (``relu_ln_kernels``)."""
    K_last = relu_ln_kernels(delta2=1.0)[0]  # the readout's input kernel is J₁ of the last correlation …
    _, T1 = relu_ln_kernels(delta2=1.0, parameterization="standard")
    feats = (K_last - 0.0) / V2  # … and the readout Dense(σ_v², 0) multiplies it by σ_v²
    readout = WIDTH * feats + 1.0
    T = readout + (T1 - readout) / delta2
    return np.array([T[0, 0], T[0, 1], T[1, 1]])


MC_DEPTH, MC_WIDTH, MC_NETWORKS, MC_W2 = 6, 2048, 200, 4.0
MC_X = np.array([[1.0, 0.3, -0.5, 0.8], [0.2, -1.0, 0.6, 0.4]])


def mc_normalized_tanh(seed: int = 0, norm: bool = True) -> Measured:
    """[G₁₁, G₂₂, G₁₂] of the stream after the last tanh of (Dense(4, 0) → LayerNorm → tanh) × 6, width 2048, 200
    networks (``theory.montecarlo.networks``, Gram fast path, float64); ``norm=False`` drops the LayerNorms."""
    from signalprop import Dense, Norm, Serial
    from signalprop.architecture import Nonlinear
    from symbolic import get_activation
    from theory.montecarlo.networks import run_networks

    tanh = Nonlinear(get_activation("tanh"))
    layers = [(Dense(MC_W2, 0.0), *((Norm("layer"),) if norm else ()), tanh) for _ in range(MC_DEPTH)]
    last = run_networks(Serial(*layers), MC_X, MC_WIDTH, ensemble=MC_NETWORKS, seed=seed, ntk=False,
                        fast=True).grams[:, -1]
    return Measured.mean_of(np.stack([last[:, 0, 0], last[:, 1, 1], last[:, 0, 1]], axis=1))


def normalized_tanh_gram() -> np.ndarray:
    """The same Gram at infinite width: unit variances after every LayerNorm, the correlation mapped by
    c ↦ E[tanh u tanh u']/E[tanh² u] (a 200-point Gauss–Hermite rule on numpy tanh; no σ_w² anywhere)."""
    c = float(MC_X[0] @ MC_X[1]) / float(np.linalg.norm(MC_X[0]) * np.linalg.norm(MC_X[1]))
    m2 = float(pair_expectation(np.tanh, 1.0, 1.0, 1.0))
    k = m2
    for _ in range(MC_DEPTH):
        k = float(pair_expectation(np.tanh, 1.0, 1.0, c))
        c = k / m2
    return np.array([m2, m2, k])


CLAIMS = [
    Claim("ba2016.weight_rescaling_invariance", PAPER, WHERE,
          "Re-scaling the weight matrices that feed LayerNorms leaves the infinite-width NNGP and NTK (NTK "
          f"parameterization) unchanged: a two-layer LayerNorm ReLU network with weights scaled by δ² = 4 and 1/4 has "
          f"the kernels of δ = 1 (σ_w² = {W2}, no bias before the norms), so σ_w² needs no critical value.",
          toolkit_rescaled, unscaled_reference, "the arc-cosine kernels and the norm's division written out in numpy "
          "at δ = 1 (derived here)",
          relative(1e-12, "two different routes to the same closed form in float64; the toolkit's ReLU duals are exact"),
          "analytic", notes=NOT_READ, labels=tuple(f"{e}(d2={d})" for d in SCALES for e in ("K12", "T11", "T12")),
          provenance="derived", mutant=partial(toolkit_rescaled, 0.1),
          mutation="a bias of variance 0.1 before each norm (not re-scaled with the weights)"),
    Claim("ba2016.single_case_rescaling", PAPER, WHERE,
          "Re-scaling one input by 3 leaves its kernels with the other input unchanged (Eq. 7: a single training case's "
          "scale drops out after the first LayerNorm); its own NTK entry too.",
          toolkit_input_rescaled, lambda: np.array(_entries(*relu_ln_kernels())),
          "the unscaled inputs' kernels written out in numpy (derived here)",
          relative(1e-12, "closed forms in float64"), "analytic", notes=NOT_READ, labels=("K12", "T11", "T12"),
          provenance="derived", mutant=partial(toolkit_input_rescaled, -3.0),
          mutation="the input multiplied by −3 (a sign is not a scale)"),
    Claim("ba2016.implicit_learning_rate", PAPER, WHERE_LR,
          f"In the standard parameterization (hidden width {WIDTH}) the normalized weights' share of the NTK falls as "
          "1/δ² when they are scaled by δ: Θ(δ² = 4) = Θ_readout + (Θ(1) − Θ_readout)/4.",
          standard_toolkit, standard_reference, "the standard-parameterization kernels written out in numpy (derived here)",
          relative(1e-12, "closed forms in float64"), "analytic", notes=NOT_READ, labels=("T11", "T12", "T22"),
          provenance="derived", mutant=partial(standard_toolkit, 2.0), mutation="δ² = 2 instead of 4"),
    Claim("ba2016.mc_normalized_network", PAPER, WHERE,
          f"Finite networks (Dense(σ_w² = {MC_W2:g}, 0) → LayerNorm → tanh) × {MC_DEPTH}, width {MC_WIDTH}, {MC_NETWORKS} "
          "networks, carry the kernel of normalized tanh, in which σ_w² does not appear: the stream's Gram after the last "
          "layer.",
          partial(mc_normalized_tanh, 0), normalized_tanh_gram,
          "the correlation map of normalized tanh composed by a Gauss–Hermite rule on numpy tanh (not the toolkit)",
          mc_sigmas(3, MC_NETWORKS, extra="the O(1/N) bias (a normalized stream's coordinates are not exactly "
                                          "Gaussian) measured with 4000 networks at width 512: +3.2e-4 on G11, G22 (0.6 "
                                          "standard errors of 200 networks), so width 2048 (~0.15)"),
          "mc", notes=NOT_READ, labels=("G11", "G22", "G12"), provenance="simulation_vs_theory",
          seeded=mc_normalized_tanh, mutant=partial(mc_normalized_tanh, 0, False),
          mutation="the same networks without the LayerNorms"),
]


def draw_figure():
    """The correlation of two inputs (length 1, correlation 0.5) after 1, 3 and 6 layers of Dense(σ_w², 0) → tanh,
    with a LayerNorm before every tanh (flat in σ_w²) and without (toolkit ``maps``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from signalprop import Dense, Norm, Serial, maps
    from signalprop.architecture import Nonlinear
    from symbolic import get_activation

    tanh = Nonlinear(get_activation("tanh"))
    w2s = np.linspace(0.5, 5.0, 19)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for norm, style in ((True, "-"), (False, "--")):
        curves = np.array([maps(Serial(*[(Dense(w2, 0.0), *((Norm("layer"),) if norm else ()), tanh)
                                         for _ in range(MC_DEPTH)]), 1.0, 0.5).c for w2 in w2s])
        for depth, color in ((1, "C0"), (3, "C1"), (MC_DEPTH, "C2")):
            ax.plot(w2s, curves[:, (3 if norm else 2) * depth - 1], style, color=color,
                    label=f"{'LayerNorm' if norm else 'no norm'}, layer {depth}")
    ax.set(xlabel="σ_w²", ylabel="correlation after the layer's tanh",
           title="Ba et al. 2016: LayerNorm removes σ_w² from the kernel")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
