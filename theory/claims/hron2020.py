"""Hron, Bahri, Sohl-Dickstein & Novak 2020, "Infinite attention: NNGP and NTK for deep attention networks" (ICML 2020,
arXiv:2006.10540): self-attention layers have infinite-width kernels. With the 1/d_k logit scaling the limit is
degenerate unless queries and keys are tied, and then attention is deterministic, P = softmax(σ_QK² K); with the
standard 1/√d_k scaling and infinitely many heads the logits are Gaussian, Cov(s_ij, s_i'j') = σ_QK² K(i,i') K(j,j'),
and Σ' = σ_OV² Σ_jj' E[p_ij p_i'j'] K(j, j').

Checked here against references written out in numpy (``signalprop.attention_kernel`` is the toolkit's route):
(i) tied 1/d_k: Σ' = σ_OV² P K Pᵀ and, with untrained inputs, Θ' = 2Σ' (the value and output weights); (ii) 1/√d_k
ReLU attention: Σ' from the arc-cosine kernel √(v v') J₁(c) of each logit pair and Θ' = 2Σ' + σ_OV² Σ J₀(c) K Λ with the
logits' tangent kernel Λ = 2σ_QK² K(i,i') K(j,j') (derived here; J₀, J₁ of Cho & Saul); (iii) 1/√d_k softmax on two
tokens, where p = (σ(d), σ(−d)) with d the logit difference: the randomized-QMC kernel against a 2-D Gauss–Hermite
rule over the two rows' differences, within its 99 % error bar. The tests also hold these kernels against explicit
multi-head JAX networks and neural-tangents' ``GlobalSelfAttention`` where it computes the same kernel.

Source caveat: only the abstract could be read here; the NTK's query/key term is derived here.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, Tolerance, at_most, mc_sigmas, relative
from .figures import curves_figure, save_figure

PAPER = Paper("hron2020", "Infinite attention: NNGP and NTK for deep attention networks",
              "J. Hron, Y. Bahri, J. Sohl-Dickstein, R. Novak", 2020, arxiv="2006.10540", venue="ICML 2020")
NOT_READ = "Only the abstract could be read; the kernels are re-derived here and written out in numpy."
S_QK, S_OV = 0.8, 1.3


def _tokens(t: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(t, 5))
    return x @ x.T / 5


def _kernel(name: str, scaling: str, K: np.ndarray, s_qk: float = S_QK):
    from signalprop import Attention, attention_kernel
    from symbolic.normalizers import get_normalizer

    return attention_kernel(Attention(get_normalizer(name), s_qk, S_OV, scaling), K)


def tied(s_qk: float = S_QK) -> np.ndarray:
    r = _kernel("softmax", "linear", _tokens(4), s_qk)
    return np.concatenate([r.nngp.ravel(), r.ntk.ravel()])


def tied_reference() -> np.ndarray:
    K = _tokens(4)
    P = np.exp(S_QK * K)
    P /= P.sum(axis=1, keepdims=True)
    nngp = S_OV * P @ K @ P.T
    return np.concatenate([nngp.ravel(), 2 * nngp.ravel()])


def relu_sqrt(s_qk: float = S_QK) -> np.ndarray:
    r = _kernel("relu", "sqrt", _tokens(3), s_qk)
    return np.concatenate([r.nngp.ravel(), r.ntk.ravel()])


def relu_attention_reference(K: np.ndarray, s_qk: float = S_QK, s_ov: float = S_OV) -> tuple[np.ndarray, np.ndarray]:
    """(Σ', Θ') of 1/√d_k ReLU attention on one sequence with token kernel K, untrained inputs: arc-cosine kernels of
    every logit pair (numpy, module docstring)."""
    d = np.diag(K)
    v = s_qk * np.outer(d, d)  # Var s_ij
    cross = s_qk * np.einsum("ik,jl->ijkl", K, K)  # Cov(s_ij, s_kl)
    root = np.sqrt(np.einsum("ij,kl->ijkl", v, v))
    c = np.clip(cross / root, -1, 1)
    j1 = root * (np.sqrt(1 - c * c) + (np.pi - np.arccos(c)) * c) / (2 * np.pi)
    j0 = (np.pi - np.arccos(c)) / (2 * np.pi)
    nngp = s_ov * np.einsum("ijkl,jl->ik", j1, K)
    qk = s_ov * np.einsum("ijkl,jl,ijkl->ik", j0, K, 2 * cross)
    return nngp, 2 * nngp + qk


def relu_sqrt_reference() -> np.ndarray:
    return np.concatenate([m.ravel() for m in relu_attention_reference(_tokens(3))])


def softmax_pair_gap(s_qk: float = S_QK) -> float:
    """max over entries of |QMC Σ' − Gauss–Hermite reference| − the QMC 99 % half-width, two tokens (≤ 0 passes)."""
    K = _tokens(2, 3)
    r = _kernel("softmax", "sqrt", K, s_qk)
    return float(np.max(np.abs(r.nngp - softmax_pair_reference(K)) - r.error))


def softmax_pair_reference(K: np.ndarray) -> np.ndarray:
    """Σ'(i, k) = σ_OV² Σ_jl E[p_ij p_kl] K(j, l) with p_i = (σ(d_i), σ(−d_i)), (d_i, d_k) Gaussian with Cov(d_i, d_k) =
    σ_QK² K(i,k) (K11 − 2K12 + K22): a 2-D Gauss–Hermite rule of 120² nodes (numpy)."""
    x, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    gap = K[0, 0] - 2 * K[0, 1] + K[1, 1]
    out = np.zeros((2, 2))
    for i in range(2):
        for k in range(2):
            cov = S_QK * gap * np.array([[K[i, i], K[i, k]], [K[k, i], K[k, k]]])
            L = np.linalg.cholesky(cov + 1e-300 * np.eye(2)) if i != k else np.array([[math.sqrt(cov[0, 0]), 0],
                                                                                      [math.sqrt(cov[0, 0]), 0]])
            d1 = L[0, 0] * x[:, None] + 0 * x[None, :]
            d2 = L[1, 0] * x[:, None] + L[1, 1] * x[None, :]
            s1, s2 = 1 / (1 + np.exp(-d1)), 1 / (1 + np.exp(-d2))
            ww = w[:, None] * w[None, :]
            e = np.array([[np.sum(ww * s1 * s2), np.sum(ww * s1 * (1 - s2))],
                          [np.sum(ww * (1 - s1) * s2), np.sum(ww * (1 - s1) * (1 - s2))]])
            out[i, k] = S_OV * np.sum(e * K)
    return out


MC_HEADS, MC_KEY, MC_VALUE, MC_NETWORKS = 64, 128, 64, 150


def mc_relu_attention(seed: int = 0, s_qk: float = S_QK) -> Measured:
    """The mean over MC_NETWORKS explicit ReLU attention layers (JAX; MC_HEADS heads, d_k = MC_KEY, d_v = MC_VALUE,
    NTK parameterization, applied to the 3 tokens directly) of the output Gram (1/5) Σ_units y yᵀ and of the
    empirical NTK of the first output unit: the upper triangles of both (12 numbers)."""
    from signalprop import Attention, Serial
    from symbolic.normalizers import get_normalizer
    from theory.montecarlo.networks import AttentionShape, run_networks

    x = np.random.default_rng(0).normal(size=(1, 3, 5))
    net = Serial(Attention(get_normalizer("relu"), s_qk, S_OV, "sqrt"))
    run = run_networks(net, x, 5, MC_NETWORKS, seed, attention=AttentionShape(3, MC_HEADS, MC_KEY, MC_VALUE))
    a, b = np.triu_indices(3)
    return Measured.mean_of(np.concatenate([run.grams[:, -1, a, b], run.ntk[:, a, b]], axis=1))


def _mc_tolerance() -> Tolerance:
    """``mc_sigmas`` for 12 components plus 0.5 standard errors for the finite-width bias."""
    base = mc_sigmas(12, MC_NETWORKS)
    return Tolerance(base.value + 0.5, "sigmas", base.reason + "; plus 0.5 standard errors for the finite-d_k and "
                     "finite-head biases (O(1/d_k), O(1/H)), measured up to 0.37 standard errors of this ensemble with "
                     "3000 networks (one run of 200 seeds without this allowance failed once, at |z| = 4.93)")


def mc_reference() -> np.ndarray:
    ref = relu_sqrt_reference()
    a, b = np.triu_indices(3)
    return np.concatenate([ref[:9].reshape(3, 3)[a, b], ref[9:].reshape(3, 3)[a, b]])


CLAIMS = [
    Claim("hron2020.tied_linear_scaling", PAPER, "Sec. 3 (1/d_k scaling with tied queries and keys)",
          f"With q·k/d_k logits and W_Q = W_K, Σ' = σ_OV² P K Pᵀ, P = softmax(σ_QK² K) row-wise, and Θ' = 2Σ' "
          f"(σ_QK² = {S_QK}, σ_OV² = {S_OV}, 4 tokens).", tied, tied_reference, "numpy P K Pᵀ",
          relative(1e-13, "matrix products"), "analytic", notes=NOT_READ, provenance="formula",
          mutant=partial(tied, 1.01 * S_QK), mutation="σ_QK² 1 % higher"),
    Claim("hron2020.relu_sqrt_scaling", PAPER, "Sec. 3 (1/√d_k scaling: Gaussian logits) — element-wise ReLU, NTK derived here",
          "ReLU attention with q·k/√d_k logits: Σ' and Θ' from the arc-cosine kernels J₁, J₀ of each pair of logits.",
          relu_sqrt, relu_sqrt_reference, "arc-cosine kernels in numpy", relative(1e-11, "the bivariate engine's accuracy"),
          "analytic", notes=NOT_READ, provenance="derived", mutant=partial(relu_sqrt, 1.01 * S_QK),
          mutation="σ_QK² 1 % higher"),
    Claim("hron2020.softmax_sqrt_scaling", PAPER, "Sec. 3 (1/√d_k scaling, softmax: an expectation over Gaussian logits)",
          "Softmax attention on two tokens: the randomized-QMC Σ' lies within its 99 % error bar of a 2-D Gauss–Hermite "
          "reference (p = (σ(d), σ(−d)), d the logit difference).",
          softmax_pair_gap, 0.0, "the Gauss–Hermite reference (numpy)",
          at_most("the gap beyond the QMC error bar must be <= 0 (measured −7e-5)"), "numerical", notes=NOT_READ,
          provenance="derived", mutant=partial(softmax_pair_gap, 1.05 * S_QK), mutation="σ_QK² 5 % higher"),
    Claim("hron2020.mc_multihead_relu", PAPER, "Sec. 3–4 (finite multi-head networks approach the kernels)",
          f"Explicit ReLU attention layers ({MC_HEADS} heads, d_k = {MC_KEY}, {MC_NETWORKS} networks, 1/√d_k logits) "
          "have mean output Gram and empirical NTK equal to the infinite-width Σ' and Θ' (upper triangles, 3 tokens).",
          partial(mc_relu_attention, 0), mc_reference, "arc-cosine kernels in numpy (claim relu_sqrt_scaling)",
          _mc_tolerance(), "mc", notes=NOT_READ,
          provenance="simulation_vs_theory", seeded=mc_relu_attention,
          mutant=partial(mc_relu_attention, 0, 1.3 * S_QK), mutation="σ_QK² 30 % higher in the networks"),
]


def draw_figure():
    """The output correlation of two tokens of one attention layer against σ_QK², softmax and ReLU, 1/√d_k."""
    K = _tokens(3)
    grid = [0.1, 0.3, 1.0, 3.0]
    curves = []
    for name in ("softmax", "relu"):
        n = [_kernel(name, "sqrt", K, s).nngp for s in grid]
        curves.append((name, grid, [m[0, 1] / math.sqrt(m[0, 0] * m[1, 1]) for m in n], "o-"))
    return curves_figure(curves, "sigma_QK^2", "output token correlation", "One attention layer at infinite width", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
