"""Ramapuram et al. 2024, "Theory, Analysis, and Best Practices for Sigmoid Self-Attention" (arXiv:2409.04431):
replacing softmax by an element-wise sigmoid σ(z + b) works when the bias is b = −log n (n the sequence length), which
keeps the attention weights' sum near softmax's scale; and sigmoid attention is more regular (a smaller Lipschitz
constant) than softmax attention.

Checked here, with the logits i.i.d. N(0, q): (i) the row sum n E[σ(z − log n)] equals a 30-digit mpmath quadrature of
that 1-D expectation; (ii) derived here: n σ(z − log n) = e^z/(1 + e^z/n) increases to e^z, so the row sum tends to
E[e^z] = e^{q/2} — an O(1) sum whatever n, where b = 0 would give n/2 — with leading correction −e^{2q}/n: at n = 10⁸
the toolkit's sum equals e^{q/2} − e^{2q}/n to 1e-13; (iii) the ℓ2 Lipschitz constant of sigmoid attention is 1/4
(sup σ'), half softmax's 1/2.

Source caveat: only the abstract could be read here; the limits are derived from the definitions it gives.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import mpmath as mp
import numpy as np

from .claim import Claim, Paper, absolute, relative
from .figures import curves_figure, save_figure

PAPER = Paper("ramapuram2024", "Theory, Analysis, and Best Practices for Sigmoid Self-Attention",
              "J. Ramapuram, F. Danieli, E. Dhekane, F. Weers, D. Busbridge, P. Ablin, T. Likhomanenko, J. Digani, Z. Gu, "
              "A. Shidani, R. Webb", 2024, arxiv="2409.04431")
NOT_READ = "Only the abstract could be read; the row-sum limit and its correction are derived here."
Q = 1.0


def row_sum(n: int, q: float = Q, bias: float | None = None) -> float:
    from signalprop import row_statistics
    from symbolic.normalizers import get_normalizer

    norm = get_normalizer("sigmoid", **({} if bias is None else {"bias": bias}))
    return row_statistics(norm, n, q).row_sum


def row_sum_mp(n: int, q: float = Q) -> float:
    """n E[σ(√q x − log n)] at 30 digits."""
    with mp.workdps(30):
        s = mp.sqrt(q)
        return float(n * mp.quad(lambda x: mp.npdf(x) / (1 + n * mp.e ** (-s * x)), [-mp.inf, 0, mp.log(n) / s, mp.inf]))


def lipschitz(name: str) -> float:
    from symbolic.normalizers import get_normalizer

    return get_normalizer(name).lipschitz(16).value


def sigmoid_slope_max() -> float:
    """max σ'(x) on a fine grid (numpy): 1/4 at x = 0."""
    x = np.linspace(-10, 10, 200_001)
    s = 1 / (1 + np.exp(-x))
    return float(np.max(s * (1 - s)))


CLAIMS = [
    Claim("ramapuram2024.row_sum", PAPER, "Sec. 3 (sigmoid attention with b = −log n)",
          "The row sum n E[σ(z − log n)] of sigmoid attention with N(0, 1) logits, n = 16 and 4096.",
          lambda: [row_sum(16), row_sum(4096)], lambda: [row_sum_mp(16), row_sum_mp(4096)], "30-digit mpmath quadrature",
          relative(1e-13, "exponentially convergent trapezoid rules"), "numerical", notes=NOT_READ, provenance="formula",
          mutant=lambda: [row_sum(16, Q, -math.log(16) + 0.01), row_sum(4096)], mutation="b = −log n + 0.01 at n = 16"),
    Claim("ramapuram2024.row_sum_limit", PAPER, "Derived here (b = −log n keeps the row sum O(1): → e^{q/2})",
          "At n = 10⁸ the row sum equals e^{q/2} − e^{2q}/n (its limit and the leading correction), q = 1.",
          lambda: row_sum(10**8), math.exp(Q / 2) - math.exp(2 * Q) / 1e8, "e^{q/2} − e^{2q}/n",
          absolute(1e-13, "the next correction is O(e^{9q/2}/n²) ~ 1e-15"), "numerical", notes=NOT_READ,
          provenance="derived", mutant=partial(row_sum, 10**8, 1.01), mutation="q = 1.01"),
    Claim("ramapuram2024.lipschitz", PAPER, "Sec. 3 (sigmoid attention is more regular than softmax)",
          "The ℓ2 Lipschitz constants: sigmoid attention sup σ' = 1/4, softmax 1/2.",
          lambda: [lipschitz("sigmoid"), lipschitz("softmax")], lambda: [sigmoid_slope_max(), 0.5],
          "max σ' on a grid (numpy); Popoviciu's bound 1/2 for softmax", absolute(1e-12, "grid through x = 0"),
          "analytic", notes=NOT_READ, provenance="derived", mutant=lambda: [lipschitz("relu"), lipschitz("softmax")],
          mutation="ReLU attention instead of sigmoid"),
]


def draw_figure():
    """Row sums of sigmoid attention with b = −log n and b = 0 against n, and the limit e^{q/2}."""
    sizes = [4, 16, 64, 256, 1024, 4096]
    return curves_figure([("b = -log n", sizes, [row_sum(n) for n in sizes], "o-"),
                          ("b = 0", sizes, [row_sum(n, Q, 0.0) for n in sizes], "s-"),
                          ("e^{q/2}", sizes, [math.exp(Q / 2)] * len(sizes), "k--")],
                         "tokens n", "E[row sum]", "Sigmoid attention, N(0, 1) logits", "log", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
