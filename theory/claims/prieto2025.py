"""Prieto, Barsbey, Mediano & Birdal 2025, "Grokking at the Edge of Numerical Stability" (ICLR 2025,
arXiv:2501.04697): without regularization, training scales the logits until the softmax's floating-point sum absorbs
every term but the largest — Softmax Collapse: the top weight is exactly 1 and the correct class's cross-entropy
gradient p − 1 exactly 0, which stops learning; StableMax, s(z_i)/Σ s(z_j) with s(x) = x + 1 (x >= 0), 1/(1 − x)
(x < 0), grows linearly and collapses only at far larger logits.

Checked here (derived from the definitions, in float32 as in the paper's setting, with the toolkit's normalizers): on
two tokens with a logit gap Δ, softmax's top weight first rounds to exactly 1 at Δ = 24 ln 2 = 16.636 (e^{−Δ} <= 2^{−24},
half an ulp of 1, is absorbed), StableMax's at Δ = 2^24 − 1 (Δ + 2 no longer representable, rounded to Δ + 1); the
float32 gradient at Δ = 20 is exactly 0 for softmax and −1/22 for StableMax; and the toolkit's Gaussian statistics for
StableMax (not shift-invariant, kinked at 0) against scipy's 2-D quadrature split at the kink.
Measured beyond the claims (numpy's summation order): on 10 tokens the thresholds are 18.02 and 1.34e8, on 1,000
tokens 22.86 and 8.6e9.

Source caveat: the abstract and the authors' code (``utils.s``, ``log_stablemax``) could be read, not the body.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Paper, absolute, relative
from .figures import curves_figure, save_figure

PAPER = Paper("prieto2025", "Grokking at the Edge of Numerical Stability", "L. Prieto, M. Barsbey, P. A. M. Mediano, "
              "T. Birdal", 2025, arxiv="2501.04697", venue="ICLR 2025")
NOT_READ = "Only the abstract and the authors' code (StableMax's s) could be read; the thresholds are derived here."


def _norm(name: str, **params):
    from symbolic.normalizers import get_normalizer

    return get_normalizer(name, **params)


def _top(name: str, gap, n: int = 2, **params) -> np.ndarray:
    return _norm(name, **params)(np.array([gap] + [0.0] * (n - 1), dtype=np.float32))


def collapse_gap(name: str, n: int = 2, high: float = 1e12, **params) -> float:
    """The smallest float32 gap Δ at which the top weight of Δ over n − 1 zero logits is exactly 1 (bisection over
    float32 bit patterns: the weight is monotone in Δ)."""
    def one(bits: int) -> bool:
        return bool(_top(name, np.int32(bits).view(np.float32), n, **params)[0] == np.float32(1))

    lo, hi = int(np.float32(1.0).view(np.int32)), int(np.float32(high).view(np.int32))
    if one(lo) or not one(hi):
        raise ValueError(f"{name}: the top weight is not 1 at {high:g} or already 1 at 1")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if one(mid) else (mid, hi)
    return float(np.int32(hi).view(np.float32))


def gradients(gap: float = 20.0) -> list[float]:
    """float32 cross-entropy gradients p_c − 1 of the correct (top) class, softmax then StableMax, two tokens."""
    return [float(_top(name, np.float32(gap))[0] - np.float32(1)) for name in ("softmax", "stablemax")]


def stablemax_sum_sq(q: float = 1.0, mean: float = 0.0) -> float:
    from signalprop import row_statistics

    return row_statistics(_norm("stablemax"), 2, q, mean).sum_sq


def sum_sq_reference(q: float = 1.0, mean: float = 0.0) -> float:
    """E[p_1² + p_2²] for two N(mean, q) logits: 2 E[s(z1)²/(s(z1) + s(z2))²] by scipy's dblquad over the four
    quadrants (s is kinked at 0)."""
    from scipy.integrate import dblquad

    def s(x):
        return x + 1 if x >= 0 else 1 / (1 - x)

    sd = math.sqrt(q)

    def f(y, x):
        a, b = s(mean + sd * x), s(mean + sd * y)
        return 2 * a * a / (a + b) ** 2 * math.exp(-(x * x + y * y) / 2) / (2 * math.pi)

    cuts = [(-40.0, -mean / sd), (-mean / sd, 40.0)]
    return sum(dblquad(f, *xs, *ys, epsabs=1e-14, epsrel=1e-12)[0] for xs in cuts for ys in cuts)


CLAIMS = [
    Claim("prieto2025.softmax_collapse_gap", PAPER, "Sec. 3 (Softmax Collapse: absorption in float32)",
          "On two tokens, float32 softmax gives the top logit weight exactly 1 from the gap Δ = 24 ln 2 = 16.636 on "
          "(e^{−Δ} at most half an ulp of 1 is absorbed by the sum).",
          partial(collapse_gap, "softmax"), 24 * math.log(2), "24 ln 2",
          relative(1e-7, "the threshold is a float32 value: spacing 2e-6 at 16.6, exp rounded to 6e-8"), "numerical",
          notes=NOT_READ, provenance="derived", mutant=partial(collapse_gap, "softmax", temperature=1.01),
          mutation="temperature 1.01"),
    Claim("prieto2025.stablemax_collapse_gap", PAPER, "Sec. 4 (StableMax prevents Softmax Collapse)",
          "On two tokens, float32 StableMax gives the top logit weight (Δ + 1)/(Δ + 2) exactly 1 only from Δ = 2^24 − 1 "
          "(Δ + 2 rounds to Δ + 1 there): a million times further than softmax.",
          partial(collapse_gap, "stablemax"), 2.0**24 - 1, "2^24 − 1", relative(0.0, "an exact float32 integer"),
          "numerical", notes=NOT_READ, provenance="derived", mutant=partial(collapse_gap, "stablemax", 10),
          mutation="ten tokens (1.34e8)"),
    Claim("prieto2025.gradient_at_collapse", PAPER, "Sec. 3–4 (the correct class's gradient)",
          "At the gap Δ = 20 on two tokens the float32 cross-entropy gradient p_c − 1 is exactly 0 for softmax and "
          "−1/(Δ + 2) = −0.04545 for StableMax.",
          gradients, [0.0, -1 / 22], "[0, −1/(Δ + 2)]", absolute(1e-7, "float32 rounding of p near 1 (ulp 6e-8)"),
          "numerical", notes=NOT_READ, provenance="derived", mutant=partial(gradients, 15.0),
          mutation="Δ = 15 (softmax's gradient −3.1e-7, StableMax's −1/17)"),
    Claim("prieto2025.stablemax_statistics", PAPER, "Derived here (StableMax's attention statistics)",
          "The toolkit's E[Σ p²] of StableMax over two N(0.3, 1.5) logits (Laplace quadrature) equals the 2-D integral.",
          partial(stablemax_sum_sq, 1.5, 0.3), partial(sum_sq_reference, 1.5, 0.3), "scipy dblquad split at the kink",
          relative(3e-6, "the statistics' stated error (s is not C² at 0, which limits the trapezoid rule)"),
          "numerical", notes=NOT_READ, provenance="derived", mutant=partial(stablemax_sum_sq, 1.5, 0.31),
          mutation="mean 0.31"),
]


def draw_figure():
    """1 − p_top (float32) against the gap on two tokens: softmax hits exactly 0 at 16.6, StableMax decays as 1/Δ."""
    gaps = np.geomspace(1, 1e8, 60)
    curves = []
    for name in ("softmax", "stablemax"):
        gap = [1 - float(_top(name, np.float32(g))[0]) for g in gaps]
        curves.append((name, gaps, [max(v, 1e-12) for v in gap], "-"))
    return curves_figure(curves, "logit gap Δ", "1 − p_top (float32; 1e-12 = exactly 0)", "Softmax Collapse", "log", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
