"""Nakanishi 2025, "Scalable-Softmax Is Superior for Attention" (arXiv:2501.19399): as the row length n grows,
softmax's largest weight fades — one logit Δ above n − 1 equal others gets e^Δ/(e^Δ + n − 1) ~ e^Δ/n — so attention
cannot stay focused on long contexts; Scalable-Softmax, softmax((s log n) z), gives it n^{sΔ}/(n^{sΔ} + n − 1), which
tends to 1 when sΔ > 1 (and to 0 when sΔ < 1).

Checked here: both closed forms (evaluated in plain floats) against the toolkit's normalizers at n up to 10⁶, and
(derived here) the same fading for random logits: with i.i.d. N(0, 1) logits softmax's E[max p] falls below 0.01 at
n = 4096 while Scalable-Softmax's (s = 1) rises above 0.68 — its logits have variance (log n)², above the freezing
variance 2 log n of the random energy model (``signalprop.attention_limits``), so its weights freeze onto O(1) tokens.
The statistic is the toolkit's Laplace-transform quadrature; its n = 2 values are checked against 30-digit mpmath.

Source caveat: only the abstract could be read here; the closed forms are derived from the definitions it gives.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import mpmath as mp

from .claim import Claim, Paper, at_least, at_most, relative
from .figures import curves_figure, save_figure

PAPER = Paper("nakanishi2025", "Scalable-Softmax Is Superior for Attention", "K. M. Nakanishi", 2025, arxiv="2501.19399")
NOT_READ = "Only the abstract could be read; the closed forms follow from the definitions it states."
SIZES = (10, 1000, 10**6)


def _norm(name: str, **params):
    from symbolic.normalizers import get_normalizer

    return get_normalizer(name, **params)


def softmax_top(gap: float = 2.0) -> list[float]:
    from symbolic.normalizers import top_weight

    return [top_weight(_norm("softmax"), n, gap) for n in SIZES]


def ssmax_top(gap: float = 1.5, s: float = 1.0) -> list[float]:
    from symbolic.normalizers import top_weight

    return [top_weight(_norm("ssmax", s=s), n, gap) for n in SIZES]


def max_weights(name: str, q: float = 1.0, sizes=(16, 256, 4096)) -> list[float]:
    from signalprop import row_statistics

    return [row_statistics(_norm(name), n, q).max_weight for n in sizes]


def pair_max_weight(kappa: float, q: float) -> float:
    """E[max(p1, p2)] for two N(0, q) logits through softmax(κ z): E[σ(κ |z1 − z2|)] at 30 digits (mpmath)."""
    with mp.workdps(30):
        s = mp.sqrt(2 * q) * kappa
        return float(mp.quad(lambda x: 2 / (1 + mp.e ** (-s * abs(x))) * mp.npdf(x), [0, mp.inf]) / 1)


def _pair_quadrature(s: float, q: float) -> float:
    from signalprop import row_statistics

    return row_statistics(_norm("ssmax", s=s), 2, q).max_weight


CLAIMS = [
    Claim("nakanishi2025.softmax_fades", PAPER, "Sec. 1–2 (attention fading: softmax's top weight ~ 1/n)",
          "One logit Δ = 2 above n − 1 equal ones gets softmax weight e^Δ/(e^Δ + n − 1) (n = 10, 1000, 10⁶).",
          softmax_top, lambda: [math.exp(2) / (math.exp(2) + n - 1) for n in SIZES], "e^Δ/(e^Δ + n − 1)",
          relative(1e-13, "one exp and a sum of n terms"), "analytic", notes=NOT_READ, provenance="derived",
          mutant=partial(softmax_top, 2.01), mutation="Δ = 2.01"),
    Claim("nakanishi2025.ssmax_keeps_focus", PAPER, "Sec. 3 (Scalable-Softmax: the top weight tends to 1 when sΔ > 1)",
          "With Scalable-Softmax (s = 1) one logit Δ = 1.5 above n − 1 equal ones gets n^{sΔ}/(n^{sΔ} + n − 1) → 1.",
          ssmax_top, lambda: [n**1.5 / (n**1.5 + n - 1) for n in SIZES], "n^{sΔ}/(n^{sΔ} + n − 1)",
          relative(1e-12, "exp of s log(n) Δ, a sum of n terms"), "analytic", notes=NOT_READ, provenance="derived",
          mutant=partial(ssmax_top, 1.5, 1.01), mutation="s = 1.01"),
    Claim("nakanishi2025.random_logits_fade", PAPER, "Derived here (fading with random logits)",
          "With i.i.d. N(0, 1) logits softmax's E[max p] at n = 4096 is below 0.01 (it falls with n).",
          lambda: max_weights("softmax")[-1], 0.01, "0.01", at_most("E[max p] = 0.0059 at n = 4096"), "numerical",
          notes=NOT_READ, provenance="derived", mutant=lambda: max_weights("softmax", 1.0, (16,))[-1],
          mutation="n = 16 (E[max p] = 0.25)"),
    Claim("nakanishi2025.random_logits_focus", PAPER, "Derived here (Scalable-Softmax freezes: logit variance (log n)²)",
          "With i.i.d. N(0, 1) logits Scalable-Softmax's (s = 1) E[max p] at n = 4096 is above 0.68 (it rises with n).",
          lambda: max_weights("ssmax")[-1], 0.68, "0.68", at_least("E[max p] = 0.686 at n = 4096"), "numerical",
          notes=NOT_READ, provenance="derived", mutant=lambda: max_weights("ssmax", 1.0, (16,))[-1],
          mutation="n = 16 (E[max p] = 0.58)"),
    Claim("nakanishi2025.pair_reference", PAPER, "Derived here (the statistic's engine at n = 2)",
          "The quadrature's E[max p] of Scalable-Softmax (s = 0.8, q = 3) on two tokens equals E[σ(κ|z1 − z2|)].",
          partial(_pair_quadrature, 0.8, 3.0), partial(pair_max_weight, 0.8 * math.log(2), 3.0), "30-digit mpmath",
          relative(1e-9, "the Gregory-corrected cumulative sum"), "numerical", notes=NOT_READ, provenance="formula",
          mutant=partial(_pair_quadrature, 0.81, 3.0), mutation="s = 0.81"),
]


def draw_figure():
    """E[max p] against n for softmax and Scalable-Softmax, N(0, 1) logits."""
    sizes = [4, 16, 64, 256, 1024, 4096]
    return curves_figure([(name, sizes, max_weights(name, 1.0, sizes), "o-") for name in ("softmax", "ssmax")],
                         "tokens n", "E[max p]", "Attention fading and its fix", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
