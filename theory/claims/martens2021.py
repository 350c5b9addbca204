"""Martens, Ballard, Desjardins, Swirszcz, Dalibard, Sohl-Dickstein & Schoenholz 2021, "Rapid training of deep neural
networks without skip connections or normalization layers using Deep Kernel Shaping" (arXiv:2110.01765).

DKS transforms each activation to φ̂(x) = γ(φ(αx + β) + δ) so that the network's kernel maps are well behaved at
initialization: every layer keeps the length of unit inputs (Q(1) = 1) with slope Q'(1) = 1, maps orthogonal inputs
to orthogonal outputs (C(0) = 0), and the network's C map has slope ζ at c = 1 along its steepest path (for a chain
of L nonlinear layers each layer's C'(1) = ζ^{1/L}). The toolkit solves these conditions with its exact Gaussian
expectations (``signalprop.shaping.dks``); the claims evaluate the conditions again with scipy quadrature of numpy
φ, φ' written out here, and compare the parameters with the authors' own implementation (the ``dks`` package) on
the network of its test suite.

Source caveat: the conditions, their names and the network targets are taken from the authors' implementation
(google-deepmind/dks: its docstrings cite the paper's section "Summary of our method") and its tests; the paper's
body could not be read here.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from scipy.special import expit

from .claim import Claim, Measured, Paper, mc_sigmas, relative
from .figures import save_figure
from .reference import pair_expectation, shaped_local_maps

PAPER = Paper("martens2021", "Rapid training of deep neural networks without skip connections or normalization layers "
              "using Deep Kernel Shaping", "J. Martens, A. Ballard, G. Desjardins, G. Swirszcz, V. Dalibard, "
              "J. Sohl-Dickstein, S. S. Schoenholz", 2021, arxiv="2110.01765")
WHERE = "Section \"Summary of our method\" (the DKS conditions), as implemented in the authors' dks package"
NOT_READ = ("The paper's body could not be read here; the conditions and targets are those of the authors' implementation "
            "(dks package), whose docstrings cite the paper.")
DEPTH, ZETA = 30, 1.5
SOFTPLUS = (lambda x: np.logaddexp(0.0, x), expit, lambda x: expit(x) * (1 - expit(x)))


def resnet101_subnet_max(x, r, shortcut_weight: float = 0.6):
    """Subnetwork maximizing function of the dks package's test network: groups of (3, 4, 23, 3) blocks of three
    nonlinear layers, the first block of each group with a nonlinear shortcut, normalized sums w² a + (1 − w²) b."""
    branch_only = r(r(r(x)))
    for group in (3, 4, 23, 3):
        for j in range(group):
            res = r(r(r(x)))
            short = r(x) if j == 0 else x
            x = shortcut_weight ** 2 * short + (1 - shortcut_weight ** 2) * res
    return max(r(x), branch_only)


def dks_softplus(depth: int = DEPTH, zeta: float = ZETA) -> dict:
    from signalprop import shaping

    return shaping.dks("softplus", depth=depth, zeta=zeta).params()


def conditions(solved_for: int = DEPTH) -> np.ndarray:
    """[Q(1), Q'(1), C(0), network C'(1)] of the DEPTH-layer chain of the toolkit's DKS softplus (its parameters solved
    for ``solved_for`` layers: DEPTH, or another depth for the mutant), evaluated by scipy quadrature."""
    m = shaped_local_maps(*SOFTPLUS, dks_softplus(solved_for))
    return np.array([m["q_value"], m["q_slope"], m["c_value_0"], m["c_slope_1"] ** DEPTH])


# The authors' implementation's values (dks package, tests/test_activation_transform.py) for its test network with
# ζ = 1.2: (input_scale, input_shift, output_shift, output_scale).
AUTHORS = {"softplus": (0.18761008168267976, 0.40688063442262007, -0.9213466151411376, 8.878672543665223),
           "tanh": (0.07461073057540868, 0.5566915199964182, -0.5034378768692127, 18.002635964442558)}


def resnet101_params(zeta: float = 1.2) -> np.ndarray:
    from signalprop import shaping

    out = []
    for name in AUTHORS:
        p = shaping.dks(name, subnet_max=resnet101_subnet_max, zeta=zeta).params()
        out.extend(p[k] for k in shaping.PARAMETERS)
    return np.array(out)


MC_DEPTH, MC_WIDTH, MC_NETWORKS = 8, 128, 100
MC_X = np.array([[1.0, 1.0, 1.0, 1.0], [0.9 + 0.19 ** 0.5, 0.9 - 0.19 ** 0.5] * 2])
"""Two inputs with |x|² = d (q = 1 after the first Dense(1, 0)) and correlation 0.9, where C_f depends on ζ."""


def _dks_tanh_params() -> dict:
    from signalprop import shaping

    return shaping.dks("tanh", depth=MC_DEPTH, zeta=ZETA).params()


def mc_shaped_gram(seed: int = 0, zeta: float = ZETA) -> Measured:
    """[G₁₁, G₂₂, G₁₂] of the last layer's pre-activations in DKS-tanh networks (Dense(1, 0) → (φ̂ → Dense(1, 0)) × 8,
    width 128, explicit weights, float64), ± standard error over the networks."""
    from signalprop import mlp, shaping
    from theory.montecarlo.networks import run_networks

    phi = shaping.dks("tanh", depth=MC_DEPTH, zeta=zeta).activation
    run = run_networks(mlp(phi, MC_DEPTH, 1.0, 0.0), MC_X, MC_WIDTH, ensemble=MC_NETWORKS, seed=seed, ntk=False)
    last = run.grams[:, -1]
    return Measured.mean_of(np.stack([last[:, 0, 0], last[:, 1, 1], last[:, 0, 1]], axis=1))


def shaped_gram_theory() -> np.ndarray:
    """The same Gram at infinite width: the DKS-tanh C map composed 8 times by a 200-point Gauss–Hermite rule on numpy
    tanh (φ̂ is analytic in a strip of half-width π/(2α) ≈ 5: the rule is exact to rounding), lengths by scipy quad."""
    p = _dks_tanh_params()
    a, b, d, g = (p[k] for k in ("input_scale", "input_shift", "output_shift", "output_scale"))
    hat = lambda x: g * (np.tanh(a * x + b) + d)  # noqa: E731
    q1, q2 = (float(x @ x) / MC_X.shape[1] for x in MC_X)
    k = float(MC_X[0] @ MC_X[1]) / MC_X.shape[1]
    for _ in range(MC_DEPTH):
        q1, q2, k = (float(pair_expectation(hat, q1, q1, 1.0)), float(pair_expectation(hat, q2, q2, 1.0)),
                     float(pair_expectation(hat, q1, q2, k / np.sqrt(q1 * q2))))
    return np.array([q1, q2, k])


CLAIMS = [
    Claim("martens2021.dks_conditions_met", PAPER, WHERE,
          f"The DKS transformation of softplus for a chain of {DEPTH} nonlinear layers with ζ = {ZETA} gives Q(1) = 1, Q'(1) = 1, "
          f"C(0) = 0 in every layer and the network's C'(1) = ζ.",
          conditions, [1.0, 1.0, 0.0, ZETA], "the conditions themselves, evaluated at the toolkit's parameters by scipy quad "
          "of numpy softplus, sigmoid and sigmoid' (Q'(1) by Stein's lemma)",
          relative(1e-9, "the solver polishes the local conditions to 1e-10; quad to ~1e-13; C'(1)^30 multiplies by 30"),
          "numerical", notes=NOT_READ, labels=("Q(1)", "Q'(1)", "C(0)", "C_f'(1)"), provenance="formula",
          mutant=lambda: conditions(DEPTH - 1), mutation="parameters solved for 29 layers"),
    Claim("martens2021.dks_authors_values", PAPER, WHERE,
          "On the ResNet-101-like network of the authors' implementation's tests (shortcut weight 0.6, ζ = 1.2), the DKS "
          "parameters of softplus and tanh are the implementation's.",
          resnet101_params, [v for name in AUTHORS for v in AUTHORS[name]],
          "the authors' implementation (dks package, its test suite's values)",
          relative(3e-7, "the package bisects the network's C'(1) target to 1e-8 (its parameters move by ~1e-7); the local "
                         "solves agree to 1e-10 (tests/test_shaping.py)"),
          "numerical", notes=NOT_READ, labels=tuple(f"{n}.{k}" for n in AUTHORS for k in ("input_scale", "input_shift",
                                                                                         "output_shift", "output_scale")),
          provenance="formula", mutant=lambda: resnet101_params(1.21), mutation="ζ = 1.21"),
    Claim("martens2021.mc_shaped_network", PAPER, WHERE,
          f"Finite DKS-tanh networks ({MC_DEPTH} layers, width {MC_WIDTH}, {MC_NETWORKS} networks, inputs of length 1) keep the "
          "length 1 and carry the shaped network's C map: the last layer's Gram is the infinite-width one.",
          partial(mc_shaped_gram, 0), shaped_gram_theory,
          "the DKS-tanh maps composed by a Gauss–Hermite rule on numpy tanh (not the toolkit)",
          mc_sigmas(3, MC_NETWORKS, extra="finite-width O(1/N) bias at width 128 not modelled (the shaped network is close "
                                         "to linear: its bias is small against the standard error)"),
          "mc", notes=NOT_READ, labels=("G11", "G22", "G12"), provenance="simulation_vs_theory", seeded=mc_shaped_gram,
          mutant=partial(mc_shaped_gram, 0, 6.0), mutation="the network shaped for ζ = 6 instead of 1.5"),
]


def draw_figure():
    """C map of the DKS-shaped softplus chain (L = 30, ζ = 1.5) against the untransformed one at the edge of chaos."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from signalprop import correlation_map, shaping

    phi = shaping.dks("softplus", depth=DEPTH, zeta=ZETA).activation
    cs = np.linspace(-0.2, 1.0, 61)
    c = cs.copy()
    for _ in range(DEPTH):
        c = np.clip(correlation_map(phi, c, 1.0, 0.0, 1.0), -1.0, 1.0)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(cs, c, label=f"DKS softplus, {DEPTH} layers (C_f'(1) = {ZETA})")
    ax.plot(cs, cs, "k:", lw=0.8, label="identity")
    ax.set(xlabel="input correlation c", ylabel="output correlation C_f(c)", title="Martens et al. 2021: a shaped C map")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
