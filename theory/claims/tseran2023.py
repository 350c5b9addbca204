"""Tseran & Montúfar 2023, "Expected Gradients of Maxout Networks and Consequences to Parameter Initialization"
(ICML 2023, arXiv:2301.06956): the authors' code initializes maxout networks with K pieces with weight variance
c/fan-in, c = 1, 0.78391, 0.64461, 0.55555 for K = 2 … 5, "the initialization suggested in the paper".

Checked here: (i) those constants are 1/M_K, M_K = E[(max of K standard normals)²], from the toolkit's maxout law
against an independent mpmath quadrature of E[max²] = ∫ x² K φ(x) Φ(x)^{K−1} dx (agreeing with the code's constants to
their 5 digits); (ii) derived here, in this toolkit's forward mean-field setting (not the paper's gradient analysis,
which could not be read): at σ_w² = 1/M_K, σ_b² = 0 the length map is the identity (V(q) = q) while
χ_1 = σ_w² Σ_b E[(∂g/∂u_b)²] = 1/M_K < 1 (one-hot gradient), so for K ≥ 3 length preservation and χ_1 = 1 need
different σ_w² (the χ_1 = 1 point at σ_w² = 1 has a repelling q* = 0).

Source caveat: only the abstract and the authors' code could be read; the paper's own motivation of the constants
(from the moments of the gradients) is not checked here.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Paper, relative
from .figures import save_figure

PAPER = Paper("tseran2023", "Expected Gradients of Maxout Networks and Consequences to Parameter Initialization",
              "H. Tseran, G. Montúfar", 2023, arxiv="2301.06956", venue="ICML 2023")
WHERE = "Initialization constants (the authors' code lists c = 1, 0.78391, 0.64461, 0.55555 for K = 2 … 5)"
NOT_READ = "Only the abstract and the authors' code could be read; the constants' formula c = 1/M_K is checked, and " \
           "agrees with the code's printed constants to their 5 digits."
PIECES = (2, 3, 4, 5)


def toolkit_constants(shift: int = 0) -> np.ndarray:
    """1/M_K from the toolkit's maxout law (``signalprop.laws.GroupLaw``) for K in PIECES (+ ``shift``)."""
    from signalprop.laws import layer_law
    from symbolic import get_activation

    return np.array([1 / layer_law(get_activation("maxout", k=k + shift)).m2 for k in PIECES])


def mpmath_constants() -> np.ndarray:
    """1/∫ x² K φ(x) Φ(x)^{K−1} dx by mpmath quad at 30 digits."""
    import mpmath as mp

    with mp.workdps(30):
        def moment(k):
            f = lambda x: x * x * k * mp.npdf(x) * mp.ncdf(x) ** (k - 1)  # noqa: E731
            return mp.quad(f, [-mp.inf, 0, mp.inf])

        return np.array([float(1 / moment(k)) for k in PIECES])


def length_and_chi(sw2_of=None) -> np.ndarray:
    """[V(2)/2, χ_1] of maxout networks at σ_w² = c_K (or ``sw2_of(K)``), σ_b² = 0, for K = 3, 4, 5 (toolkit maps)."""
    from signalprop import chi1, length_map
    from symbolic import get_activation

    out = []
    for k, c in zip(PIECES[1:], toolkit_constants()[1:]):
        w2 = c if sw2_of is None else sw2_of(k)
        unit = get_activation("maxout", k=k)
        out += [float(length_map(unit, 2.0, w2, 0.0)) / 2, float(chi1(unit, 2.0, w2))]
    return np.array(out)


def length_and_chi_reference() -> np.ndarray:
    """[1, c_K] per K: the length map is the identity and χ_1 = c_K (derived here; c_K from mpmath)."""
    return np.ravel([[1.0, c] for c in mpmath_constants()[1:]])


CLAIMS = [
    Claim("tseran2023.maxout_constants", PAPER, WHERE,
          "The maxout initialization constants c_K = 1/E[(max of K standard normals)²] are 1, 0.783912, 0.644610, "
          "0.555556 for K = 2 … 5 (the authors' code: 1, 0.78391, 0.64461, 0.55555).",
          toolkit_constants, mpmath_constants, "1/E[max²] by mpmath quad at 30 digits (the paper's constants' formula)",
          relative(1e-12, "scipy quad at 2e-14 against 30-digit mpmath"), "numerical", notes=NOT_READ, provenance="formula",
          labels=tuple(f"K = {k}" for k in PIECES), mutant=partial(toolkit_constants, 1), mutation="K + 1 pieces"),
    Claim("tseran2023.length_vs_chi1", PAPER, "Derived here from the constants",
          "At σ_w² = c_K, σ_b² = 0 maxout's length map is the identity while χ_1 = c_K < 1 (K = 3, 4, 5): length "
          "preservation does not put maxout at the edge of chaos.",
          length_and_chi, length_and_chi_reference, "V(q) = q and χ_1 = c_K (derived here; c_K from mpmath)",
          relative(1e-12, "closed-form maps; quad moments to ~1e-14"), "numerical", notes=NOT_READ, provenance="derived",
          mutant=partial(length_and_chi, lambda k: 1.0), mutation="σ_w² = 1 (the χ_1 = 1 choice) instead of c_K"),
]


def draw_figure():
    """M_K and c_K = 1/M_K against K."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from signalprop.laws import max_moment

    ks = np.arange(2, 11)
    m = np.array([max_moment(int(k), 2) for k in ks])
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.plot(ks, m, "o-", label="M_K = E[max²]")
    ax.plot(ks, 1 / m, "s-", label="c_K = 1/M_K (length-preserving σ_w²)")
    ax.axhline(1, color="k", lw=0.6)
    ax.set(xlabel="pieces K", title="Maxout: length vs gradient (χ_1 = σ_w²)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
