"""Zuhri, Fuadi & Aji 2025, "Softpick: No Attention Sink, No Massive Activations with Rectified Softmax"
(arXiv:2504.20966): softpick(z)_i = ReLU(e^{z_i} − 1)/(Σ_j |e^{z_j} − 1| + ε), a rectified, not sum-to-one
replacement of softmax: logits <= 0 get exactly zero weight (sparse rows, no sink) while still entering the
denominator, and rows sum to at most 1.

Checked here: (i) the toolkit's evaluation (scaled by e^{−max(z, 0)} so nothing overflows) equals the formula in
40-digit mpmath on rows with logits up to 700; (ii) rows sum to < 1 and non-positive logits get 0; and (iii) derived here:
on one token the derivative ε e^z/(e^z − 1 + ε)² is largest, 1/ε, at z → 0+ (the Lipschitz constant); the
statistics at initialization (``signalprop.attention_stats``) are checked against Monte Carlo in the tests.

Source caveat: only the abstract (and summaries of the paper) could be read; the formula is the one they state.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import mpmath as mp
import numpy as np

from .claim import Claim, Paper, absolute, at_most, relative
from .figures import curves_figure, save_figure

PAPER = Paper("zuhri2025", "Softpick: No Attention Sink, No Massive Activations with Rectified Softmax",
              "Z. M. K. Zuhri, E. H. Fuadi, A. F. Aji", 2025, arxiv="2504.20966")
NOT_READ = "Only the abstract and summaries could be read; the formula is theirs, the limits are derived here."
ROWS = np.array([[0.3, -1.2, 2.0, 0.1], [700.0, 699.0, -3.0, 0.0], [-0.5, -2.0, -0.1, -4.0], [1e-7, 0.0, -1e-7, 3e-7]])


def _softpick(eps: float = 1e-3):
    from symbolic.normalizers import get_normalizer

    return get_normalizer("softpick", eps=eps)


def softpick_mp(row, eps: float = 1e-3) -> np.ndarray:
    with mp.workdps(40):
        e = [mp.e ** mp.mpf(float(v)) - 1 for v in row]
        den = mp.fsum(abs(v) for v in e) + mp.mpf(eps)
        return np.array([float(max(v, 0) / den) for v in e])


def formula_gap(eps: float = 1e-3) -> float:
    """max relative gap (absolute where the reference is 0) of the toolkit's softpick to 40-digit mpmath."""
    got, ref = _softpick(eps)(ROWS), np.array([softpick_mp(r) for r in ROWS])
    return float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300) * (ref > 0) + np.abs(got) * (ref == 0)))


def sparsity_and_sum(shift: float = 0.0) -> list[float]:
    """[max weight of non-positive logits, max row sum] over 1000 N(0, 1) rows of 16 logits."""
    z = np.random.default_rng(5).normal(size=(1000, 16)) + shift
    p = _softpick()(z)
    return [float(np.max(np.where(z <= 0, p, 0))), float(np.max(p.sum(axis=1)))]


def one_token_slope_max(eps: float = 1e-3) -> float:
    """max over z > 0 (a log grid down to 1e-12) of ε e^z/(e^z − 1 + ε)², numpy."""
    z = np.geomspace(1e-12, 30, 200_001)
    return float(np.max(eps * np.exp(z) / (np.expm1(z) + eps) ** 2))


CLAIMS = [
    Claim("zuhri2025.formula", PAPER, "Sec. 3, Eq. (softpick)",
          "softpick(z)_i = ReLU(e^{z_i} − 1)/(Σ|e^{z_j} − 1| + ε), evaluated without overflow for logits up to 700.",
          formula_gap, 0.0, "40-digit mpmath", absolute(4e-15, "a few roundings (relative); e^z − 1 by expm1 near 0"), "analytic",
          notes=NOT_READ, provenance="formula", mutant=partial(formula_gap, 1.1e-3), mutation="ε = 1.1e-3 in the toolkit"),
    Claim("zuhri2025.rectified", PAPER, "Sec. 3 (zero weight for non-positive logits; not sum-to-one)",
          "Non-positive logits get weight exactly 0 and every row sums to less than 1.",
          sparsity_and_sum, [0.0, 1.0], "0 and 1", at_most("exact zero; the sum stays below 1"), "analytic", notes=NOT_READ, provenance="formula",
          mutant=partial(sparsity_and_sum, 30.0), mutation="logits shifted by +30 (every weight positive, sums -> 1)"),
    Claim("zuhri2025.lipschitz_one_token", PAPER, "Derived here (the sharpest slope sits at z = 0+)",
          "On one token softpick's derivative ε e^z/(e^z − 1 + ε)² is largest at z → 0+: the Lipschitz constant is 1/ε.",
          lambda: _softpick().lipschitz(1).value, one_token_slope_max, "max over a log grid (numpy)",
          relative(1e-8, "the grid starts at z = 1e-12, where the slope is (1 − 2e-9)/ε"), "analytic", notes=NOT_READ, provenance="derived",
          mutant=lambda: _softpick(1.01e-3).lipschitz(1).value, mutation="ε = 1.01e-3"),
]


def draw_figure():
    """Softpick and softmax weights of one token against its logit, the 7 others at 0.5."""
    from symbolic.normalizers import get_normalizer

    z = np.linspace(-3, 3, 601)
    rows = np.full((z.size, 8), 0.5)
    rows[:, 0] = z
    return curves_figure([("softmax", z, get_normalizer("softmax")(rows)[:, 0], "-"),
                          ("softpick", z, _softpick()(rows)[:, 0], "-")],
                         "z_1 (others 0.5)", "p_1", "Softpick: exact zeros below 0")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
