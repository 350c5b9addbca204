"""Qiu et al. 2025, "Gated Attention for Large Language Models: Non-linearity, Sparsity, and Attention-Sink-Free"
(arXiv:2505.06708): a head-specific sigmoid gate after scaled dot-product attention, Y ⊙ σ(X W_θ), improves training
stability and long-context behaviour. At initialization and infinite width (derived here) the gate's pre-activation
g = W_θ x is Gaussian with covariance σ_g² K + σ_gb², independent of the attention output given the inputs (separate
weights), so the gated layer's kernels follow from the product rule of ``signalprop.architecture.Product``:
    Σ' = E[σ(g)σ(g')] ⊙ Σ_A,    Θ' = E[σ(g)σ(g')] ⊙ Θ_A + E[σ'(g)σ'(g')] ⊙ Σ_A ⊙ Θ_g,   Θ_g = σ_g² Θ + σ_g² K + σ_gb²
(the gate before or after the output projection gives the same kernels). Checked: (i) the toolkit's route against
numpy — the gate's moments by a 2-D Gauss–Hermite rule, 1/√d_k ReLU attention by its arc-cosine kernels (``hron2020``);
(ii) an erf gate on tied 1/d_k softmax attention against neural-tangents (FanOut → parallel → FanInProd); (iii)
explicit finite gated multi-head networks (JAX) against (i), with standard errors.

Source caveat: only the abstract could be read; the kernels are derived here.
"""

from __future__ import annotations

import math
import warnings
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, Tolerance, absolute, mc_sigmas, relative
from .figures import curves_figure, save_figure
from .hron2020 import relu_attention_reference

PAPER = Paper("qiu2025", "Gated Attention for Large Language Models: Non-linearity, Sparsity, and Attention-Sink-Free",
              "Z. Qiu, Z. Wang, B. Zheng, Z. Huang, K. Wen, S. Yang, R. Men, L. Yu, F. Huang, S. Huang, D. Liu, J. Zhou, "
              "J. Lin", 2025, arxiv="2505.06708")
NOT_READ = "Only the abstract could be read; the gated kernels are derived here (product rule)."
S_QK, S_OV, S_G, S_GB = 0.8, 1.3, 1.5, 0.2


def _tokens(seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(3, 5))
    return x, x @ x.T / 5


def _net(s_g: float = S_G, gate: str = "sigmoid", mechanism: str = "relu", scaling: str = "sqrt"):
    from signalprop import Attention, Dense, Nonlinear, Product, Serial
    from symbolic import get_activation
    from symbolic.normalizers import get_normalizer

    return Serial(Product((Dense(s_g, S_GB), Nonlinear(get_activation(gate))),
                          (Attention(get_normalizer(mechanism), S_QK, S_OV, scaling),)))


def gated(s_g: float = S_G) -> np.ndarray:
    """Σ' and Θ' of the sigmoid-gated ReLU attention layer on 3 tokens (the toolkit's ``propagate``)."""
    from signalprop import input_state, propagate

    x, _ = _tokens()
    out = propagate(_net(s_g), input_state(x[None], ntk=True))
    return np.concatenate([out.sigma.ravel(), out.theta.ravel()])


def _gate_moments(C: np.ndarray, nodes: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """(E[σ(g_i)σ(g_k)], E[σ'(g_i)σ'(g_k)]) for g ~ N(0, C): a 2-D Gauss–Hermite rule per pair (numpy)."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    ww = w[:, None] * w[None, :]
    sig = lambda u: 1 / (1 + np.exp(-u))  # noqa: E731
    t = C.shape[0]
    m, d = np.zeros((t, t)), np.zeros((t, t))
    for i in range(t):
        for k in range(t):
            a = math.sqrt(C[i, i])
            r = C[i, k] / (a * math.sqrt(C[k, k]))
            b = math.sqrt(C[k, k])
            u = a * x[:, None] + 0 * x[None, :]
            v = b * (r * x[:, None] + math.sqrt(max(0.0, 1 - r * r)) * x[None, :])
            m[i, k] = np.sum(ww * sig(u) * sig(v))
            d[i, k] = np.sum(ww * sig(u) * (1 - sig(u)) * sig(v) * (1 - sig(v)))
    return m, d


def gated_reference(s_g: float = S_G) -> np.ndarray:
    _, K = _tokens()
    C = s_g * K + S_GB
    m, d = _gate_moments(C)
    nngp, theta = relu_attention_reference(K, S_QK, S_OV)
    return np.concatenate([(m * nngp).ravel(), (m * theta + d * nngp * C).ravel()])


def nt_gap(s_g: float = S_G) -> float:
    """max |toolkit − neural-tangents| of Σ' and Θ' for Dense → LayerNorm → erf gate ⊙ tied 1/d_k softmax attention →
    Dense on two sequences of 3 tokens, relative to the largest entry (``s_g``: σ_g² of the toolkit's network; the
    neural-tangents network keeps S_G)."""
    from ntk.bridge import nt_network_kernels
    from signalprop import Dense, Norm, Serial, input_state, propagate

    X = np.random.default_rng(1).normal(size=(2, 3, 6))

    def network(s):
        return Serial(Dense(1.0, 0.0), Norm("layer"), _net(s, "erf", "softmax", "linear").layers[0], Dense(0.7, 0.02))

    ours = propagate(network(s_g), input_state(X, ntk=True))
    net = network(S_G)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neural-tangents' notes on FanIn independence and tied attention weights
        nngp, ntk = nt_network_kernels(net, X)
    scale = max(np.max(np.abs(ours.sigma)), np.max(np.abs(ours.theta)))
    return float(max(np.max(np.abs(nngp - ours.sigma)), np.max(np.abs(ntk - ours.theta))) / scale)


MC_HEADS, MC_KEY, MC_VALUE, MC_NETWORKS, MC_WIDTH = 64, 128, 64, 150, 5


def mc_gated(seed: int = 0, gate: str = "sigmoid") -> Measured:
    """The mean over MC_NETWORKS explicit gated attention layers (JAX, NTK parameterization, applied to the 3 tokens
    of 5 features directly: a sigmoid gate of MC_WIDTH = 5 units times ReLU attention with MC_HEADS heads, d_k = MC_KEY,
    d_v = MC_VALUE, projected back to the 5 features) of the output Gram and the empirical NTK of the first output
    unit: upper triangles (12 numbers). ``gate``: the gate's activation (sigmoid in the paper)."""
    from signalprop import Attention, Dense, Nonlinear, Product, Serial
    from symbolic import get_activation
    from symbolic.normalizers import get_normalizer
    from theory.montecarlo.networks import AttentionShape, run_networks

    x, _ = _tokens()
    net = Serial(Product((Dense(S_G, S_GB), Nonlinear(get_activation(gate))),
                         (Attention(get_normalizer("relu"), S_QK, S_OV, "sqrt"),)))
    run = run_networks(net, x[None], MC_WIDTH, MC_NETWORKS, seed,
                       attention=AttentionShape(3, MC_HEADS, MC_KEY, MC_VALUE))
    a, b = np.triu_indices(3)
    return Measured.mean_of(np.concatenate([run.grams[:, -1, a, b], run.ntk[:, a, b]], axis=1))


def mc_reference() -> np.ndarray:
    ref = gated_reference()
    a, b = np.triu_indices(3)
    return np.concatenate([ref[:9].reshape(3, 3)[a, b], ref[9:].reshape(3, 3)[a, b]])


def _mc_tolerance() -> Tolerance:
    base = mc_sigmas(12, MC_NETWORKS)
    return Tolerance(base.value + 0.5, "sigmas", base.reason + "; plus 0.5 standard errors for the attention's "
                     "finite-d_k and finite-head biases (as hron2020.mc_multihead_relu; the gate's own expectation is "
                     "exact at any width: its pre-activation is Gaussian given the inputs)")


CLAIMS = [
    Claim("qiu2025.gated_kernels", PAPER, "Sec. 2 (the SDPA output gate Y ⊙ σ(X W_θ)) — kernels derived here",
          f"A sigmoid gate (σ_g² = {S_G}, σ_gb² = {S_GB}) on 1/√d_k ReLU attention: Σ' = E[σσ'] ⊙ Σ_A and "
          "Θ' = E[σσ'] ⊙ Θ_A + E[σ'σ'] ⊙ Σ_A ⊙ Σ_g (3 tokens, untrained inputs).",
          gated, gated_reference, "Gauss–Hermite gate moments ⊙ arc-cosine attention kernels (numpy)",
          relative(1e-10, "the bivariate engine and a 96² Gauss–Hermite rule"), "numerical", notes=NOT_READ,
          provenance="derived", mutant=partial(gated, 1.02 * S_G), mutation="σ_g² 2 % higher"),
    Claim("qiu2025.neural_tangents", PAPER, "Derived here (the product rule against neural-tangents' FanInProd)",
          "An erf gate on tied 1/d_k softmax attention between Dense layers and a LayerNorm: the toolkit's NNGP and NTK "
          "equal neural-tangents' (two sequences of 3 tokens).",
          nt_gap, 0.0, "neural-tangents (FanOut → parallel → FanInProd)",
          absolute(1e-10, "float64 kernels; measured 7e-12 relative to the largest entry"), "numerical",
          notes=NOT_READ, provenance="derived", mutant=partial(nt_gap, 1.02 * S_G),
          mutation="σ_g² 2 % higher in the toolkit's network"),
    Claim("qiu2025.mc_gated_attention", PAPER, "Derived here (finite gated multi-head networks approach the kernels)",
          f"Explicit sigmoid-gated ReLU attention layers ({MC_HEADS} heads, d_k = {MC_KEY}, {MC_NETWORKS} networks) have "
          "mean output Gram and empirical NTK equal to the derived Σ' and Θ' (upper triangles, 3 tokens).",
          partial(mc_gated, 0), mc_reference, "the numpy reference of claim gated_kernels", _mc_tolerance(), "mc",
          notes=NOT_READ, provenance="simulation_vs_theory", seeded=mc_gated,
          mutant=partial(mc_gated, 0, "tanh"), mutation="a tanh gate in the networks"),
]


def draw_figure():
    """The gated layer's output correlation of two tokens against σ_g², with the ungated attention's."""
    from signalprop import input_state, propagate

    x, _ = _tokens()
    s_g = np.geomspace(0.05, 20, 25)
    corr = []
    for s in s_g:
        out = propagate(_net(float(s)), input_state(x[None]))
        corr.append(out.sigma[0, 1] / math.sqrt(out.sigma[0, 0] * out.sigma[1, 1]))
    nngp, _ = relu_attention_reference(_tokens()[1], S_QK, S_OV)
    plain = nngp[0, 1] / math.sqrt(nngp[0, 0] * nngp[1, 1])
    return curves_figure([("sigmoid-gated", s_g, corr, "o-"), ("ungated", s_g, [plain] * len(s_g), "--")],
                         "gate variance σ_g²", "output correlation of tokens 1, 2", "Gated attention", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
