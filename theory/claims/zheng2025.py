"""Zheng et al. 2025, "Self-Adjust Softmax" (arXiv:2502.18277): softmax's gradient vanishes where its weights
saturate at 0 or 1; SA-Softmax, z ⊙ softmax(z), keeps it.

Checked here (derived from the definition; ``symbolic.normalizers.SelfAdjustSoftmax``): one logit t above three zero
logits — the diagonal Jacobian entry of softmax is s(1 − s) with s = e^t/(e^t + 3), which vanishes like 3e^{−t}, while
SA-Softmax's is s(1 + t(1 − s)) → 1; and the price: SA-Softmax is not Lipschitz — at z = t 1 on n tokens its Jacobian
((1 + t) I − t 11ᵀ/n)/n has norm (1 + t)/n, unbounded in t (softmax's never exceeds 1/2).

Source caveat: only the abstract could be read here.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Paper, relative
from .figures import curves_figure, save_figure

PAPER = Paper("zheng2025", "Self-Adjust Softmax", "C. Zheng, Y. Gao, G. Chen, H. Shi, J. Xiong, X. Ren, C. Huang, "
              "X. Jiang, Z. Li, Y. Li", 2025, arxiv="2502.18277")
NOT_READ = "Only the abstract could be read; the Jacobians follow from the definition."


def _norm(name: str):
    from symbolic.normalizers import get_normalizer

    return get_normalizer(name)


def saturated_diagonal(t: float = 10.0) -> list[float]:
    """∂p_1/∂z_1 at z = (t, 0, 0, 0): softmax, then SA-Softmax (the toolkit's Jacobians)."""
    z = np.array([t, 0.0, 0.0, 0.0])
    return [float(_norm(name).jacobian(z)[0, 0]) for name in ("softmax", "sa_softmax")]


def saturated_reference(t: float = 10.0) -> list[float]:
    s = 1 / (1 + 3 * math.exp(-t))
    return [s * (1 - s), s * (1 + t * (1 - s))]


def equal_logits_norm(t: float = 50.0, n: int = 4) -> float:
    return float(np.linalg.norm(_norm("sa_softmax").jacobian(np.full(n, t)), 2))


CLAIMS = [
    Claim("zheng2025.gradient_at_saturation", PAPER, "Sec. 3 (SA-Softmax's gradient where softmax saturates)",
          "One logit t = 10 above three zeros: softmax's ∂p_1/∂z_1 = s(1 − s) = 1.4e-4 while SA-Softmax's "
          "s(1 + t(1 − s)) = 1.0012 (s = e^t/(e^t + 3)).",
          saturated_diagonal, saturated_reference, "s(1 − s), s(1 + t(1 − s)) in plain floats",
          relative(1e-12, "exp and a few products"), "analytic", notes=NOT_READ, provenance="derived",
          mutant=partial(saturated_diagonal, 10.5), mutation="t = 10.5"),
    Claim("zheng2025.not_lipschitz", PAPER, "Derived here (the price of the self-adjusting factor)",
          "SA-Softmax's Jacobian at z = t 1 (t = 50, n = 4 tokens) has norm (1 + t)/n = 12.75: it grows without bound.",
          equal_logits_norm, 51 / 4, "(1 + t)/n", relative(1e-13, "one SVD"), "analytic", notes=NOT_READ,
          provenance="derived", mutant=partial(equal_logits_norm, 50.0, 5), mutation="n = 5"),
]


def draw_figure():
    """∂p_1/∂z_1 against the gap t (one logit above three zeros): softmax vanishes, SA-Softmax tends to 1."""
    ts = np.linspace(0, 20, 81)
    vals = np.array([saturated_diagonal(float(t)) for t in ts])
    return curves_figure([("softmax", ts, np.maximum(vals[:, 0], 1e-12), "-"),
                          ("SA-Softmax", ts, vals[:, 1], "--")], "gap t", "∂p₁/∂z₁", "Gradient at saturation",
                         yscale="log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
