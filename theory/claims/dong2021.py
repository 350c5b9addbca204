"""Dong, Cordonnier & Loukas 2021, "Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with
Depth" (ICML 2021, arXiv:2103.03404): without skip connections and MLPs, self-attention layers drive the tokens to a
rank-1 representation, the residual (the distance to it) shrinking cubically per layer — doubly exponentially with
depth (their bound ‖res(SA(X))‖ ≤ C ‖res(X)‖³).

Checked here at infinite width (1/√d_k logits, ``signalprop.attention_kernel``): the token kernel of T exchangeable
tokens of length q and pairwise correlation ρ goes through one softmax attention layer to tokens whose correlation
deficit is, to leading order in 1 − ρ (derived here from the expansion about uniform attention: p_i ≈ (1 + C s_i)/T,
C = I − 11ᵀ/T, and Cov(s_i − s_k) = 2σ_QK² q (1 − ρ) K),

    1 − ρ' = σ_QK² q² (T − 1) (1 − ρ)³ / (T (T ρ + 1 − ρ)),

the cubic law of the paper (the deficit 1 − ρ is the squared residual over the length: its square root shrinks
cubically too). The toolkit's map (randomized QMC over the logits) is compared with this closed form at deficits 0.04
and 0.02, and its local exponent between them with 3.

Source caveat: only the abstract could be read here; the infinite-width law and its constant are derived here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .claim import Claim, Paper, absolute, relative
from .figures import curves_figure, save_figure

PAPER = Paper("dong2021", "Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with Depth",
              "Y. Dong, J.-B. Cordonnier, A. Loukas", 2021, arxiv="2103.03404", venue="ICML 2021")
NOT_READ = "Only the abstract could be read; the infinite-width cubic law and its constant are derived here."
T, Q, S2 = 4, 1.0, 1.0
DEFICITS = (0.04, 0.02)


def next_deficit(deficit: float, sigma_qk2: float = S2) -> float:
    """1 − ρ' after one softmax attention layer (toolkit, QMC) for exchangeable tokens with 1 − ρ = ``deficit``."""
    from signalprop import Attention, attention_nngp, exchangeable_kernel, mean_correlation
    from symbolic.normalizers import get_normalizer

    K = exchangeable_kernel(T, Q, 1 - deficit)
    return 1 - mean_correlation(attention_nngp(Attention(get_normalizer("softmax"), sigma_qk2, 1.0), K).nngp)


def cubic_law(deficit: float) -> float:
    """σ_QK² q² (T − 1) d³ / (T (T (1 − d) + d)), the leading order (module docstring)."""
    return S2 * Q**2 * (T - 1) * deficit**3 / (T * (T * (1 - deficit) + deficit))


def local_exponent(sigma_qk2: float = S2) -> float:
    a, b = (next_deficit(d, sigma_qk2) for d in DEFICITS)
    return math.log(a / b) / math.log(DEFICITS[0] / DEFICITS[1])


CLAIMS = [
    Claim("dong2021.cubic_collapse", PAPER, "Thm. 2.2 (the residual shrinks cubically per pure attention layer)",
          f"One softmax attention layer (σ_QK² = {S2}, T = {T} tokens of length {Q}) maps the correlation deficit 1 − ρ = "
          "0.04, 0.02 to σ_QK² q² (T − 1)(1 − ρ)³/(T(Tρ + 1 − ρ)) to leading order.",
          lambda: [next_deficit(d) for d in DEFICITS], lambda: [cubic_law(d) for d in DEFICITS],
          "the leading-order law derived here (closed form)",
          relative(0.02, "the next order is O(1 − ρ) relative (measured 0.2 % at 0.04) plus the QMC error (< 1 %)"),
          "numerical", notes=NOT_READ, provenance="derived", mutant=lambda: [next_deficit(d, 1.1 * S2) for d in DEFICITS],
          mutation="σ_QK² 10 % higher"),
    Claim("dong2021.local_exponent", PAPER, "Thm. 2.2 (doubly exponential: exponent 3 per layer)",
          "The local exponent log(d'(0.04)/d'(0.02))/log 2 of the deficit map is 3.",
          local_exponent, 3.0, "3 (cubic)", absolute(0.05, "O(1 − ρ) corrections and QMC error (measured 3.02)"), "numerical",
          notes=NOT_READ, provenance="derived",
          mutant=lambda: math.log(next_deficit(0.04) / next_deficit(0.02)) / math.log(DEFICITS[0] / 0.03),
          mutation="the wrong deficit ratio in the exponent"),
]


def draw_figure():
    """Correlation deficit 1 − ρ through 4 pure softmax attention layers (infinite-width map)."""
    from signalprop import token_maps, transformer
    from symbolic.normalizers import get_normalizer

    net = transformer(get_normalizer("softmax"), None, 4, alpha=None, norm=None, mlp=False, sigma_qk2=S2)
    deficits = np.concatenate([[0.5], 1 - token_maps(net, tokens=T, q0=Q, rho0=0.5).rho])
    return curves_figure([("infinite-width map (QMC)", range(len(deficits)), np.maximum(deficits, 1e-16), "o-")],
                         "attention layer", "1 - rho", "Pure attention loses rank doubly exponentially", yscale="log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
