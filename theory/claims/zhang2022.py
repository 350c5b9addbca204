"""Zhang, Botev, Martens et al. 2022, "Deep Learning without Shortcuts: Shaping the Kernel with Tailored Rectifiers"
(TAT; arXiv:2203.08120, ICLR 2022).

TAT keeps a deep network without skip connections close to linear at initialization. For Leaky ReLU ("TReLU") it
scales by √(2/(1 + s²)) (so Q(1) = 1) and chooses the negative slope s so that the network's C map sends orthogonal
inputs to correlation η: with the Leaky ReLU C map C(c) = c + (1 − s)²/(π(1 + s²))(√(1 − c²) − c arccos c), a chain of
L layers needs C^{∘L}(0) = η. For smooth activations it solves Q(1) = 1, Q'(1) = 1, C'(1) = 1 and C''(1) = τ/L for a
chain (the network's C''(1) = τ). The toolkit (``signalprop.shaping.tat``) is checked against an mpmath bisection
of the TReLU condition, against scipy quadrature of the smooth conditions written out here, and against the
authors' implementation (the ``dks`` package) on the network of its test suite.

Source caveat: the conditions and the C map come from the authors' implementation (google-deepmind/dks; its
docstrings cite the TAT paper's appendix "Additional details and pseudocode for activation function
transformations"); the paper's body could not be read here.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import mpmath
import numpy as np
from scipy.special import erf

from .claim import Claim, Measured, Paper, mc_sigmas, relative
from .figures import save_figure
from .martens2021 import resnet101_subnet_max
from .reference import shaped_local_maps

PAPER = Paper("zhang2022", "Deep Learning without Shortcuts: Shaping the Kernel with Tailored Rectifiers",
              "G. Zhang, A. Botev, J. Martens", 2022, arxiv="2203.08120")
WHERE = "Appendix \"Additional details and pseudocode for activation function transformations\" (TAT), as implemented in the authors' dks package"
NOT_READ = ("The paper's body could not be read here; the conditions, the Leaky ReLU C map and the targets are those of "
            "the authors' implementation (dks package), whose docstrings cite the paper.")
TRELU_CASES = ((50, 0.9), (100, 0.9), (10, 0.5))
GELU_DEPTH, TAU = 20, 0.3
_SQRT2PI = np.sqrt(2 * np.pi)
GELU = (lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
        lambda x: 0.5 * (1 + erf(x / np.sqrt(2))) + x * np.exp(-x * x / 2) / _SQRT2PI,
        lambda x: (2 - x * x) * np.exp(-x * x / 2) / _SQRT2PI)


def trelu_slopes(cases=TRELU_CASES) -> np.ndarray:
    from signalprop import shaping

    return np.array([shaping.tat("leaky_relu", depth=L, eta=eta).negative_slope for L, eta in cases])


def trelu_slopes_mpmath(cases=TRELU_CASES) -> np.ndarray:
    """s with C_s^{∘L}(0) = η: mpmath's bracketing root finder (Anderson–Björck, 40 digits) on the closed-form Leaky
    ReLU C map composed L times."""
    out = []
    with mpmath.workdps(40):
        for depth, eta in cases:
            def excess(s):
                k = (1 - s) ** 2 / (mpmath.pi * (1 + s * s))
                c = mpmath.mpf(0)
                for _ in range(depth):
                    c = c + k * (mpmath.sqrt(1 - c * c) - c * mpmath.acos(c))
                return c - eta
            out.append(float(mpmath.findroot(excess, (mpmath.mpf(0), mpmath.mpf(1)), solver="anderson")))
    return np.array(out)


def gelu_conditions(solved_for: int = GELU_DEPTH) -> np.ndarray:
    """[Q(1), Q'(1), C'(1), network C''(1)] of the GELU_DEPTH-layer chain of the toolkit's TAT GELU (its parameters
    solved for ``solved_for`` layers: GELU_DEPTH, or another depth for the mutant), evaluated by scipy quadrature (the
    chain's C''(1) is L·C''(1) when every C'(1) = 1)."""
    from signalprop import shaping

    m = shaped_local_maps(*GELU, shaping.tat("gelu", depth=solved_for, tau=TAU).params())
    return np.array([m["q_value"], m["q_slope"], m["c_slope_1"], GELU_DEPTH * m["c_curv_1"]])


# The authors' implementation's values (dks package, tests/test_activation_transform.py) for its test network with
# η = 0.75 and τ = 0.2.
AUTHORS_TRELU = (0.6291800290346146, 1.196996549778802)           # negative_slope, output_scale
AUTHORS_SOFTPLUS = (0.15011489794748328, 0.5374599901127068, -0.996481014465811, 10.54880187880574)


def resnet101_params(eta: float = 0.75, tau: float = 0.2) -> np.ndarray:
    from signalprop import shaping

    trelu = shaping.tat("leaky_relu", subnet_max=resnet101_subnet_max, eta=eta)
    soft = shaping.tat("softplus", subnet_max=resnet101_subnet_max, tau=tau).params()
    return np.array([trelu.negative_slope, trelu.output_scale, *(soft[k] for k in shaping.PARAMETERS)])


MC_DEPTH, MC_WIDTH, MC_NETWORKS, MC_ETA = 20, 2048, 200, 0.9
MC_X = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, -1.0, 1.0, -1.0]])
"""Two orthogonal inputs with |x|² = d: q = 1 after the first Dense(1, 0)."""


def mc_trelu_gram(seed: int = 0, eta: float = MC_ETA) -> Measured:
    """[G₁₁, G₂₂, G₁₂] after the last of 20 TReLU layers (Dense(1, 0) → (φ̂ → Dense(1, 0)) × 20, φ̂ shaped for η;
    width 2048, 200 networks, Gram fast path, float64), ± standard error over the networks."""
    from signalprop import mlp, shaping
    from theory.montecarlo.networks import run_networks

    phi = shaping.tat("leaky_relu", depth=MC_DEPTH, eta=eta).activation
    last = run_networks(mlp(phi, MC_DEPTH, 1.0, 0.0), MC_X, MC_WIDTH, ensemble=MC_NETWORKS, seed=seed, ntk=False,
                        fast=True).grams[:, -1]
    return Measured.mean_of(np.stack([last[:, 0, 0], last[:, 1, 1], last[:, 0, 1]], axis=1))


CLAIMS = [
    Claim("zhang2022.trelu_negative_slope", PAPER, WHERE,
          "TReLU's negative slope makes a chain of L Leaky ReLU layers map orthogonal inputs to correlation η: "
          + ", ".join(f"L = {L}, η = {eta}" for L, eta in TRELU_CASES) + ".",
          trelu_slopes, trelu_slopes_mpmath, "mpmath (40 digits) root of C_s^{∘L}(0) = η with the closed-form Leaky ReLU C map",
          relative(1e-12, "brentq to 1e-15 on a float64 composition of L maps"), "numerical", notes=NOT_READ,
          labels=tuple(f"s(L={L}, eta={eta})" for L, eta in TRELU_CASES), provenance="formula",
          mutant=lambda: trelu_slopes(((49, 0.9), (100, 0.9), (10, 0.5))), mutation="L = 49 instead of 50"),
    Claim("zhang2022.tat_smooth_conditions", PAPER, WHERE,
          f"TAT's transformation of GELU for a chain of {GELU_DEPTH} layers with τ = {TAU} gives Q(1) = 1, Q'(1) = 1, C'(1) = 1 in "
          "every layer and the network's C''(1) = τ.",
          gelu_conditions, [1.0, 1.0, 1.0, TAU], "the conditions themselves, evaluated at the toolkit's parameters by scipy "
          "quad of numpy GELU, GELU' and GELU'' written out here (Q'(1) by Stein's lemma)",
          relative(1e-9, "the solver polishes the local conditions to 1e-10; quad to ~1e-13"), "numerical", notes=NOT_READ,
          labels=("Q(1)", "Q'(1)", "C'(1)", "C_f''(1)"), provenance="formula",
          mutant=lambda: gelu_conditions(GELU_DEPTH - 1), mutation="parameters solved for 19 layers"),
    Claim("zhang2022.tat_authors_values", PAPER, WHERE,
          "On the ResNet-101-like network of the authors' implementation's tests (shortcut weight 0.6), TAT's TReLU (η = 0.75) "
          "and softplus (τ = 0.2) parameters are the implementation's.",
          resnet101_params, [*AUTHORS_TRELU, *AUTHORS_SOFTPLUS], "the authors' implementation (dks package, its test suite's values)",
          relative(3e-7, "the package bisects the network targets to 1e-8 (its parameters move by ~1e-7)"), "numerical",
          notes=NOT_READ, labels=("negative_slope", "output_scale", "softplus.input_scale", "softplus.input_shift",
                                  "softplus.output_shift", "softplus.output_scale"),
          provenance="formula", mutant=lambda: resnet101_params(0.76, 0.2), mutation="η = 0.76"),
    Claim("zhang2022.mc_trelu_network", PAPER, WHERE,
          f"Finite TReLU networks ({MC_DEPTH} layers shaped for η = {MC_ETA}, width {MC_WIDTH}, {MC_NETWORKS} networks) keep "
          "unit lengths and map orthogonal inputs to correlation η.",
          partial(mc_trelu_gram, 0), [1.0, 1.0, MC_ETA], "TAT's conditions Q(1) = 1 and C_f(0) = η themselves",
          mc_sigmas(3, MC_NETWORKS, extra="the O(L/N) finite-width bias of G12, measured with 4000 networks: −0.017 at "
                                          "width 512 (0.6 standard errors of 200 networks), −0.005 ± 0.003 at 2048 (0.4)"),
          "mc", notes=NOT_READ, labels=("G11", "G22", "G12"), provenance="simulation_vs_theory", seeded=mc_trelu_gram,
          mutant=partial(mc_trelu_gram, 0, 0.8), mutation="the network shaped for η = 0.8"),
]


def draw_figure():
    """The network C map C_f(c) of TReLU chains (η = 0.9) at several depths: the same C_f(0) = η at every depth."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from signalprop import shaping

    cs = np.linspace(-1.0, 1.0, 201)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for depth in (20, 50, 200):
        s = shaping.tat("leaky_relu", depth=depth, eta=0.9).negative_slope
        c = cs.copy()
        for _ in range(depth):
            c = shaping.leaky_relu_cmap(c, s)
        ax.plot(cs, c, label=f"L = {depth}, s = {s:.4f}")
    ax.plot(cs, cs, "k:", lw=0.8, label="identity")
    ax.set(xlabel="input correlation c", ylabel="C_f(c)", title="Zhang et al. 2022: TReLU networks, C_f(0) = 0.9")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
