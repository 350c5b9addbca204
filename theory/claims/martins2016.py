"""Martins & Astudillo 2016, "From Softmax to Sparsemax: A Sparse Model of Attention and Multi-Label Classification"
(ICML 2016, arXiv:1602.02068): sparsemax(z) = argmin_{p ∈ Δ} ‖p − z‖², the Euclidean projection onto the simplex,
with the closed form p = max(z − τ(z), 0) (sort, find the support size k(z), τ = (Σ_{j<=k} z_(j) − 1)/k), the
Jacobian diag(s) − s sᵀ/|S| on its support, and sparse outputs.

Checked here against references written out independently of the toolkit (numpy): the projection found by bisection
on τ (Σ max(z − τ, 0) = 1, a monotone equation), its Jacobian by central differences of that bisection, the two-token
form sparsemax(z1, z2)_1 = clip((1 + z1 − z2)/2, 0, 1) (a hard sigmoid of the difference), and the Lipschitz constant
1 (a projection onto a convex set; the Jacobian is an orthogonal projector).

Source caveat: only the abstract could be read here; the closed form and Jacobian are the standard ones the
abstract refers to (also in the authors' later papers), re-derived here.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Paper, absolute
from .figures import curves_figure, save_figure

PAPER = Paper("martins2016", "From Softmax to Sparsemax: A Sparse Model of Attention and Multi-Label Classification",
              "A. F. T. Martins, R. F. Astudillo", 2016, arxiv="1602.02068", venue="ICML 2016")
NOT_READ = "Only the abstract could be read; the closed form and Jacobian are re-derived here and checked against numpy."
ROWS = np.random.default_rng(2016).normal(size=(200, 7)) * 1.5


def projection_by_bisection(z: np.ndarray) -> np.ndarray:
    """The simplex projection of each row: τ with Σ max(z − τ, 0) = 1 by 200 bisection steps (numpy only)."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float64))
    lo, hi = z.min(axis=1) - 1.0, z.max(axis=1)
    for _ in range(200):
        mid = (lo + hi) / 2
        above = np.maximum(z - mid[:, None], 0).sum(axis=1) > 1
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.maximum(z - ((lo + hi) / 2)[:, None], 0)


def _sparsemax():
    from symbolic.normalizers import get_normalizer

    return get_normalizer("sparsemax")


def projection_gap(scale: float = 1.0) -> float:
    """max |toolkit sparsemax(scale · z) − bisection projection of z| over 200 rows of 7 logits."""
    return float(np.max(np.abs(_sparsemax()(scale * ROWS) - projection_by_bisection(ROWS))))


def jacobian_gap(scale: float = 1.0) -> float:
    """max |toolkit Jacobian − central differences (step 1e-6) of the bisection projection| over 20 rows."""
    gaps = []
    for z in ROWS[:20]:
        fd = np.array([(projection_by_bisection(z + 1e-6 * e) - projection_by_bisection(z - 1e-6 * e))[0] / 2e-6
                       for e in np.eye(z.size)]).T
        gaps.append(np.max(np.abs(_sparsemax().jacobian(scale * z) - fd)))
    return float(max(gaps))


def two_token_gap(shift: float = 0.0) -> float:
    """max |sparsemax(z1, z2)_1 − clip((1 + z1 − z2)/2, 0, 1)| over 2001 differences in [−3, 3]."""
    d = np.linspace(-3, 3, 2001)
    p = _sparsemax()(np.column_stack([d + shift, np.zeros_like(d)]))[:, 0]
    return float(np.max(np.abs(p - np.clip((1 + d) / 2, 0, 1))))


def lipschitz_gap(n: int = 7) -> float:
    """|toolkit's Lipschitz constant − the largest ‖J‖₂ over the 200 rows| (rows with a support of >= 2 give 1)."""
    norms = [np.linalg.norm(_sparsemax().jacobian(z), 2) for z in ROWS]
    return abs(_sparsemax().lipschitz(n).value - max(norms))


CLAIMS = [
    Claim("martins2016.simplex_projection", PAPER, "Sec. 2 (definition and closed form of sparsemax)",
          "sparsemax(z) is the Euclidean projection of z onto the probability simplex, p = max(z − τ(z), 0).",
          projection_gap, 0.0, "the projection by bisection on τ (numpy)", absolute(1e-13, "bisection to 2^-200; roundings"),
          "analytic", notes=NOT_READ, provenance="formula", mutant=partial(projection_gap, 1.01), mutation="logits × 1.01"),
    Claim("martins2016.jacobian", PAPER, "Sec. 2.5 (Jacobian of sparsemax)",
          "The Jacobian of sparsemax is diag(s) − s sᵀ/|S|, s the indicator of the support S.",
          jacobian_gap, 0.0, "central differences of the bisection projection", absolute(1e-7, "difference step 1e-6"),
          "analytic", notes=NOT_READ, provenance="formula", mutant=partial(jacobian_gap, 3.0), mutation="logits × 3"),
    Claim("martins2016.two_tokens", PAPER, "Sec. 2 (sparsemax in two dimensions: a hard sigmoid)",
          "For two tokens sparsemax(z)_1 = clip((1 + z1 − z2)/2, 0, 1), the 'hard' counterpart of σ(z1 − z2).",
          two_token_gap, 0.0, "clip((1 + d)/2, 0, 1)", absolute(1e-15, "one rounding"), "analytic", notes=NOT_READ,
          provenance="derived", mutant=partial(two_token_gap, 0.01), mutation="z1 shifted by 0.01"),
    Claim("martins2016.lipschitz_one", PAPER, "Sec. 2 (a projection onto a convex set)",
          "sparsemax is 1-Lipschitz in ℓ2, and every row whose support holds >= 2 tokens attains ‖J‖₂ = 1.",
          lipschitz_gap, 0.0, "the largest ‖J‖₂ of 200 rows", absolute(1e-12, "an eigenvalue of a projector"),
          "analytic", notes=NOT_READ, provenance="derived", mutant=partial(lipschitz_gap, 1),
          mutation="the constant for rows of one token (0)"),
]


def draw_figure():
    """sparsemax and softmax on two tokens: sparsemax is a hard sigmoid."""
    from symbolic.normalizers import get_normalizer

    d = np.linspace(-3, 3, 601)
    rows = np.column_stack([d, np.zeros_like(d)])
    return curves_figure([("softmax", d, get_normalizer("softmax")(rows)[:, 0], "-"),
                          ("sparsemax", d, _sparsemax()(rows)[:, 0], "-")],
                         "z1 - z2", "p1", "Two tokens: sparsemax is a hard sigmoid")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
