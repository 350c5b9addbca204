"""Milakov & Gimelshein 2018, "Online normalizer calculation for softmax" (arXiv:1805.02867): the running maximum m
and the running sum d ← d e^{m_old − m} + e^{z_j − m} of one pass give the safe softmax's max and normalizer, so softmax
needs one pass fewer over memory with the same result; and the two-pass algorithm of Dukhan & Ablavatski 2020
(arXiv:2001.04438, the seed list's "two-pass softmax"), which holds e^{z} as a (mantissa, exponent) pair and needs no
max pass at all.

Checked here: (i) the online normalizer's (m, d) equal the safe softmax's max z and Σ e^{z − max} (the paper's
Theorem 1) — to one ulp of d per step; (ii) all three algorithms give softmax within their rounding of 40-digit mpmath
in float64 and float32, also for logits of size 30 where exp amplifies the rounding of z − max (measured: three-pass
and online to (4 + |z − max|) ulp, two-pass to 3 ulp: its exact Cody–Waite reduction of z itself is more accurate
inside its range); (iii) logits at ±1e308 give the exact one-hot row with no NaN (three-pass and online).

Source caveat: only the abstracts could be read here; the recurrences are the papers' as their abstracts and the
XNNPACK implementation describe them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import mpmath as mp
import numpy as np

from .claim import Claim, Paper, absolute, at_most
from .figures import curves_figure, save_figure

PAPER = Paper("milakov2018", "Online normalizer calculation for softmax", "M. Milakov, N. Gimelshein", 2018,
              arxiv="1805.02867")
NOT_READ = ("Only the abstracts (this paper and Dukhan & Ablavatski 2020) could be read; the recurrences are those the "
            "abstracts describe, and the references are 40-digit mpmath evaluations.")


def _rows(dtype, scale: float, seed: int = 7) -> np.ndarray:
    z = (np.random.default_rng(seed).normal(size=(40, 16)) * scale).astype(dtype)
    z[:, 1] = z[:, 0] + dtype(0.5)  # a close competitor keeps two weights O(1)
    return z


def softmax_mp(row) -> np.ndarray:
    """softmax of one row at 40 digits (mpmath)."""
    with mp.workdps(40):
        z = [mp.mpf(float(v)) for v in row]
        m = max(z)
        e = [mp.e ** (v - m) for v in z]
        s = mp.fsum(e)
        return np.array([float(v / s) for v in e])


def normalizer_gap(perturb: float = 0.0) -> float:
    """max over rows of |d_online − Σ e^{z − max}|/Σ e^{z − max} (40-digit reference), the online recurrence written
    out here, in float64; ``perturb`` scales the logits the reference sees."""
    worst = 0.0
    for row in _rows(np.float64, 3.0):
        m, d = -np.inf, 0.0
        for x in row:
            new = max(m, x)
            d = d * np.exp(m - new) + np.exp(x - new)
            m = new
        with mp.workdps(40):
            ref = mp.fsum(mp.e ** (mp.mpf(float(v)) * (1 + perturb) - mp.mpf(float(max(row))) * (1 + perturb))
                          for v in row)
        worst = max(worst, abs(d - float(ref)) / float(ref))
    return worst


def algorithm_ulps(name: str, dtype=np.float64, scale: float = 30.0, perturb: float = 0.0) -> float:
    """The largest relative error of one toolkit algorithm against mpmath, in ulps of ``dtype``, divided by
    (4 + |z − max|) for three-pass/online (their bound) and by 1 for two-pass."""
    from symbolic.normalizers import ALGORITHMS

    z = _rows(dtype, scale)
    ref = np.array([softmax_mp(r * (1 + perturb)) for r in z])
    p = ALGORITHMS[name](z).astype(np.float64)
    keep = ref > 1e-30
    err = np.abs(p - ref)[keep] / ref[keep] / np.finfo(dtype).eps
    if name != "two_pass":
        err = err / (4 + (np.max(z, axis=1, keepdims=True) - z).astype(np.float64)[keep])
    return float(np.max(err))


def overflow_gap(big: float = 1e308) -> float:
    """max |p − exact one-hot| of three-pass and online on rows with logits ±big (NaN counts as a failure: inf)."""
    from symbolic.normalizers import online, three_pass

    z = np.array([[big, -big, 0.0, big / 2], [-big, -big, 0.0, -big]])
    exact = np.array([[1.0, 0, 0, 0], [0, 0, 1.0, 0]])
    out = [f(z) for f in (three_pass, online)]
    return float(max(np.max(np.abs(np.nan_to_num(o, nan=np.inf) - exact)) for o in out))


CLAIMS = [
    Claim("milakov2018.online_normalizer", PAPER, "Sec. 3, Theorem 1 (the online normalizer equals the safe one)",
          "One pass of m_j = max(m_{j−1}, z_j), d_j = d_{j−1} e^{m_{j−1} − m_j} + e^{z_j − m_j} ends at d = Σ e^{z − max z}.",
          normalizer_gap, 0.0, "Σ e^{z − max} at 40 digits (mpmath)", absolute(2e-15, "16 steps of one rounding each"),
          "analytic", notes=NOT_READ, provenance="formula", mutant=partial(normalizer_gap, 1e-3),
          mutation="the reference's logits scaled by 1.001"),
    Claim("milakov2018.online_accuracy", PAPER, "Sec. 3 (online softmax computes softmax)",
          "The online and three-pass softmax match 40-digit softmax within (4 + |z − max z|) ulp in float64 and float32 "
          "for N(0, 30²) logits (exp amplifies the rounding of z − max by |z − max|).",
          lambda: max(algorithm_ulps(a, dt) for a in ("online", "three_pass") for dt in (np.float64, np.float32)),
          1.0, "(4 + |z − max|) ulp", at_most("the rounding bound itself"), "numerical", notes=NOT_READ,
          provenance="derived", mutant=lambda: algorithm_ulps("online", np.float64, 30.0, 1e-9),
          mutation="reference logits scaled by 1 + 1e-9"),
    Claim("milakov2018.two_pass_accuracy", PAPER, "Dukhan & Ablavatski 2020, Sec. 3 (the two-pass algorithm)",
          "The two-pass softmax ((mantissa, exponent) pairs, no max pass) is within 4 ulp of 40-digit softmax for N(0, 30²) "
          "logits in float64 and float32: its range reduction of z itself is exact (Cody–Waite).",
          lambda: max(algorithm_ulps("two_pass", dt) for dt in (np.float64, np.float32)), 4.0, "4 ulp",
          at_most("measured 2.7 ulp; 4 ulp bounds exp's own error plus two roundings"), "numerical", notes=NOT_READ,
          provenance="derived", mutant=lambda: algorithm_ulps("two_pass", np.float64, 30.0, 1e-12),
          mutation="reference logits scaled by 1 + 1e-12"),
    Claim("milakov2018.no_overflow", PAPER, "Sec. 2 (the safe softmax never overflows)",
          "Logits at ±1e308 give the exact one-hot weights with no NaN, in the three-pass and the online algorithm.",
          overflow_gap, 0.0, "the one-hot rows", absolute(0.0, "exact"), "analytic", notes=NOT_READ, provenance="derived",
          mutant=lambda: overflow_gap(1e-300), mutation="tiny logits (the row is no longer one-hot)"),
]


def draw_figure():
    """Relative error (ulp) of the three algorithms against the logits' scale, float32."""
    from symbolic.normalizers import ALGORITHMS

    scales = [1, 3, 10, 30, 100]
    curves = []
    for name, f in ALGORITHMS.items():
        errs = []
        for s in scales:
            z = _rows(np.float32, s)
            ref = np.array([softmax_mp(r) for r in z])
            keep = ref > 1e-30
            errs.append(np.max(np.abs(f(z) - ref)[keep] / ref[keep]) / np.finfo(np.float32).eps)
        curves.append((name, scales, errs, "o-"))
    return curves_figure(curves, "logit scale", "max relative error (ulp, float32)", "Softmax algorithms", "log", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
