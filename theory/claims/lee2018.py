"""Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein 2018, "Deep Neural Networks as Gaussian Processes".

An L-hidden-layer network with W^l_ij ~ N(0, σ_w²/N), b^l_i ~ N(0, σ_b²) (Sec. 2.1) is, as N → ∞, a Gaussian process
whose kernel obeys (Sec. 2.3)
  K^l(x, x') = σ_b² + σ_w² E_{z ~ GP(0, K^{l−1})}[φ(z(x)) φ(z(x'))]                                    (4)
             = σ_b² + σ_w² F_φ(K^{l−1}(x, x'), K^{l−1}(x, x), K^{l−1}(x', x'))                          (5)
  K^0(x, x') = σ_b² + σ_w² x·x'/d_in.                                                                  (6)
For ReLU, F_φ is Cho & Saul's arc-cosine kernel (Appendix B):
  K^l(x, x') = σ_b² + (σ_w²/2π) √(K^{l−1}(x, x) K^{l−1}(x', x')) (sin θ + (π − θ) cos θ),
  θ = arccos(K^{l−1}(x, x')/√(K^{l−1}(x, x) K^{l−1}(x', x'))).
Sec. 3.2 (after Poole et al. 2016, Schoenholz et al. 2017): as l → ∞, for tanh in the ordered phase K^l(x, x') → q* for
every pair; in the chaotic phase K^l → q* on the diagonal and q* c* off it (c* < 1 the fixed-point correlation); for ReLU
K^∞(x, x') = q* for all pairs in the "bounded" phase, while in the "unbounded" phase q* is infinite or zero.

This toolkit's ``ntk.nngp(act, X, depth=L, sigma_w2, sigma_b2)`` is K^L with the same convention (variances; K^0 is Σ^0).

Independent references (never the toolkit's engines): F_φ for tanh by a 2-D trapezoidal rule written here
(``pair_moment``: exponentially accurate for integrands analytic in a strip, like tanh times a Gaussian), for ReLU the
arc-cosine closed form; q*, c* for tanh by the same rule and root finding.

Source caveat: the OpenReview text (ICLR 2018) was read for eqs. (4)–(6) when this module was written; its appendix
was not, so the ReLU formula is cited as "Appendix B" without an equation number. In this session only the abstract and
introduction of stored copies could be read again. The paper prints no number that an initialization-level check could
reproduce: Table 1's hyperparameters (depth-σ_w²-σ_b², printed) are used as inputs here, and q*, c* are not printed.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np

from .claim import Claim, Paper, relative
from .figures import save_figure
from .reference import pair_expectation

PAPER = Paper("lee2018", "Deep Neural Networks as Gaussian Processes",
              "J. Lee, Y. Bahri, R. Novak, S. S. Schoenholz, J. Pennington, J. Sohl-Dickstein", 2018, arxiv="1711.00165",
              venue="International Conference on Learning Representations (ICLR 2018)")

TANH_MNIST = (20, 1.96, 0.62)  # Table 1, best tanh GP on MNIST:1k (depth-σ_w²-σ_b²)
RELU_MNIST = (20, 1.45, 0.28)  # Table 1, best ReLU GP on MNIST:1k
FIG2 = (3, 2.0, 0.2)  # Figure 2's NNGP: depth 3, σ_w² = 2, σ_b² = 0.2
CHAOTIC = (4.0, 0.05)  # a tanh point deep in the chaotic phase (not from the paper)
DEEP = 150  # depth at which the infinite-depth limits are read off (ξ_c ≤ 7 at the points used)
TRAPEZOID_STEP = 0.08  # the trapezoidal rule on [−10, 10] for Gaussian integrals of tanh (see pair_moment)
PERTURBED = 1.01  # the mutants' σ_w² factor

PairMoment = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # (q, q', c) → F_φ, elementwise


def inputs(n: int = 3) -> np.ndarray:
    """n fixed random inputs in R^10 of unequal norms (seed 2)."""
    return np.random.default_rng(2).normal(size=(n, 10)) * np.array([0.5, 1.0, 2.0, 1.0][:n])[:, None]


def upper(K: np.ndarray) -> np.ndarray:
    return K[np.triu_indices(K.shape[0])]


def base_kernel(X: np.ndarray, sw2: float, sb2: float) -> np.ndarray:
    """Eq. (6): K^0 = σ_b² + σ_w² x·x'/d_in."""
    return sb2 + sw2 * X @ X.T / X.shape[1]


def recursion(X: np.ndarray, L: int, sw2: float, sb2: float, moment: PairMoment) -> np.ndarray:
    """Eqs. (4)–(6) iterated L times, with F_φ(q, q', c) = E[φ(u) φ(u')] (Var u = q, Var u' = q', corr c) given by
    ``moment``, called once per layer on the arrays of every pair of inputs (upper triangle)."""
    K = base_kernel(X, sw2, sb2)
    a, b = np.triu_indices(len(K))
    for _ in range(L):
        q = np.diag(K).copy()
        F = np.empty_like(K)
        F[a, b] = F[b, a] = moment(q[a], q[b], np.clip(K[a, b] / np.sqrt(q[a] * q[b]), -1.0, 1.0))
        K = sb2 + sw2 * F
    return K


def trapezoid_rule(step: float = TRAPEZOID_STEP) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights w (Σw = 1) of the trapezoidal rule with step h on [−10, 10] for the standard normal. For an
    integrand analytic in the strip |Im z| < d (tanh(√q z) has its poles at distance d = π/(2√q)) the error is
    ~e^{−2π d/h}: below 1e-26 here for q ≤ 4 (Gauss–Hermite converges slowly for tanh, ~3e-11 with 200 nodes); the
    mass beyond ±10 is e^{−50}."""
    z = np.arange(-10.0, 10.0 + step / 2, step)
    w = np.exp(-z * z / 2)
    return z, w / w.sum()


def pair_moment(phi: Callable[[np.ndarray], np.ndarray], q1: float, q2: float, c: float) -> float:
    """E[φ(√q1 z1) φ(√q2 (c z1 + √(1 − c²) z2))], z1, z2 iid N(0, 1): the 2-D trapezoidal rule (``trapezoid_rule``),
    independent of the toolkit's engines."""
    return pair_expectation(phi, q1, q2, c, trapezoid_rule())


def tanh_moment(q1: np.ndarray, q2: np.ndarray, c: np.ndarray) -> np.ndarray:
    """F_tanh elementwise by ``pair_moment``."""
    return np.vectorize(partial(pair_moment, np.tanh))(q1, q2, c)


def arccos_moment(q1: np.ndarray, q2: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Appendix B: F_ReLU = (√(q q')/2π)(sin θ + (π − θ) cos θ), θ = arccos c (Cho & Saul's J_1)."""
    th = np.arccos(c)
    return np.sqrt(q1 * q2) / (2 * np.pi) * (np.sin(th) + (np.pi - th) * np.cos(th))


def arccos_kernel(X: np.ndarray, L: int, sw2: float, sb2: float) -> np.ndarray:
    """Appendix B: the ReLU NNGP, L layers of eqs. (4)–(6) with the arc-cosine closed form."""
    return recursion(X, L, sw2, sb2, arccos_moment)


def engine_moment(name: str) -> PairMoment:
    """F_φ by the toolkit's numerical 2-D Gaussian engine (``signalprop.bivariate_moment``) — the code under test."""
    from signalprop import bivariate_moment
    from symbolic import get_activation

    act = get_activation(name)
    return lambda q1, q2, c: np.asarray(bivariate_moment(act, q1, q2, c), dtype=np.float64)


def toolkit(name: str, X: np.ndarray, L: int, sw2: float, sb2: float) -> np.ndarray:
    from ntk import nngp
    from symbolic import get_activation

    return nngp(get_activation(name), X, depth=L, sigma_w2=sw2, sigma_b2=sb2)


def tanh_nngp(sw2_scale: float = 1.0) -> np.ndarray:
    """The toolkit's K^20 for tanh at Table 1's best MNIST:1k GP (σ_w² times ``sw2_scale``), upper triangle."""
    L, sw2, sb2 = TANH_MNIST
    return upper(toolkit("tanh", inputs(), L, sw2 * sw2_scale, sb2))


def tanh_nngp_reference() -> np.ndarray:
    return upper(recursion(inputs(), *TANH_MNIST, tanh_moment))


def relu_nngp(sw2_scale: float = 1.0) -> np.ndarray:
    """The toolkit's ReLU K^20 at Table 1's best MNIST:1k ReLU GP (σ_w² times ``sw2_scale``), 4 inputs."""
    L, sw2, sb2 = RELU_MNIST
    return upper(toolkit("relu", inputs(4), L, sw2 * sw2_scale, sb2))


def engine_one_layer(name: str = "relu") -> np.ndarray:
    """One layer of eqs. (4)–(6) at Figure 2's (σ_w², σ_b²), F_φ by the toolkit's 2-D engine."""
    return upper(recursion(inputs(4), 1, *FIG2[1:], engine_moment(name)))


def tanh_fixed_point(sw2: float, sb2: float) -> tuple[float, float]:
    """(q*, c*) for tanh by the trapezoidal rule and root finding, independent of the toolkit: q* solves
    q = σ_b² + σ_w² E[tanh(√q z)²], c* the largest root c < 1 of c q* = σ_b² + σ_w² F_tanh(q*, q*, c) (``pair_moment``;
    c* = 1 in the ordered phase, where C(c) > c just below 1)."""
    from scipy.optimize import brentq

    z, w = trapezoid_rule()
    q = brentq(lambda q: sb2 + sw2 * w @ np.tanh(np.sqrt(q) * z) ** 2 - q, sb2, sb2 + sw2, xtol=1e-15, rtol=1e-15)

    def corr_map(c: float) -> float:
        return (sb2 + sw2 * pair_moment(np.tanh, q, q, c)) / q - c

    if corr_map(1 - 1e-6) >= 0:
        return q, 1.0
    return q, brentq(corr_map, 0.0, 1 - 1e-6, xtol=1e-15, rtol=1e-15)


def deep_kernel(name: str, sw2: float, sb2: float) -> np.ndarray:
    """The toolkit's K^DEEP on the 3 inputs: (diagonal, off-diagonal) entries, 3 + 3 values."""
    K = toolkit(name, inputs(), DEEP, sw2, sb2)
    return np.concatenate([np.diag(K), K[np.triu_indices(3, 1)]])


def tanh_limit(sw2: float, sb2: float) -> np.ndarray:
    """Sec. 3.2's K^∞: q* on the diagonal, q* c* off it (c* = 1 in the ordered phase)."""
    q, c = tanh_fixed_point(sw2, sb2)
    return np.array([q] * 3 + [q * c] * 3)


def chaotic_toolkit(sw2_scale: float = 1.0) -> np.ndarray:
    """K^DEEP entries at CHAOTIC (σ_w² times ``sw2_scale``), then c* from ``ntk.infinite_depth_limit`` (the correlation
    map's stable fixed point)."""
    from ntk import infinite_depth_limit
    from symbolic import get_activation

    sw2, sb2 = CHAOTIC[0] * sw2_scale, CHAOTIC[1]
    return np.append(deep_kernel("tanh", sw2, sb2), infinite_depth_limit(get_activation("tanh"), sw2, sb2).c_star)


def chaotic_reference() -> np.ndarray:
    return np.append(tanh_limit(*CHAOTIC), tanh_fixed_point(*CHAOTIC)[1])


def relu_limit() -> np.ndarray:
    """ReLU, bounded phase (σ_w² < 2, σ_b² > 0): q* = σ_b² + σ_w² q*/2, i.e. q* = σ_b²/(1 − σ_w²/2), for every pair."""
    _, sw2, sb2 = RELU_MNIST
    return np.full(6, sb2 / (1 - sw2 / 2))


UNBOUNDED = ((2.97, 0.28), (1.28, 0.0))  # Table 1's ReLU GP-5-2.97-0.28 (CIFAR:10k) and GP-7-1.28-0.00 (CIFAR:1k)
UNBOUNDED_DEPTH = 40


def relu_growth(sw2_scale: float = 1.0) -> np.ndarray:
    """K^40(x, x)/K^39(x, x) for the first input, at the two unbounded-phase points of Table 1 (σ_w² times ``sw2_scale``)."""
    X = inputs(1)
    out = []
    for sw2, sb2 in UNBOUNDED:
        layers = [toolkit("relu", X, L, sw2 * sw2_scale, sb2)[0, 0] for L in (UNBOUNDED_DEPTH - 1, UNBOUNDED_DEPTH)]
        out.append(layers[1] / layers[0])
    return np.array(out)


SW2 = f"σ_w² × {PERTURBED} (1 %)"
REC = "Sec. 2.3, eqs. (4)–(6)"
RELU = "Sec. 2.3 and Appendix B (arc-cosine kernel; equation number not verified)"
S32 = "Sec. 3.2 (Relationship to deep signal propagation)"
QUALITATIVE = ("Sec. 3.2 states the limit qualitatively; q* and c* are not printed in the paper: they are derived here (the "
               "fixed points of the length and correlation maps, trapezoidal rule + root finding, no toolkit code).")
CLAIMS = [
    Claim("lee2018.nngp_recursion_tanh", PAPER, REC + "; hyperparameters of Table 1 (tanh GP-20-1.96-0.62, MNIST:1k)",
          "The toolkit's NNGP K^20 for tanh at Table 1's best MNIST:1k GP equals eqs. (4)–(6) iterated with every F_φ "
          "computed by an independent 2-D trapezoidal rule (3 inputs of norms ∝ 0.5, 1, 2).",
          tanh_nngp, tanh_nngp_reference, "eqs. (4)–(6), F_tanh by the 2-D trapezoidal rule (step 0.08 on [−10, 10]²)",
          relative(1e-10, "both sides are accurate to ~1e-13 per layer (the rule's error is far below rounding; the toolkit's "
                          "engine is documented to ~1e-13) and 20 layers of a contracting map (χ_1 = 0.76) do not amplify it"),
          "numerical", provenance="formula", mutant=partial(tanh_nngp, PERTURBED), mutation=SW2,
          notes="Replaces a reference that went through signalprop.bivariate_moment, the engine ntk itself falls back to."),
    Claim("lee2018.relu_arccos_deep", PAPER, RELU + "; Table 1 ReLU GP-20-1.45-0.28",
          "The toolkit's ReLU NNGP K^20 at Table 1's best MNIST:1k ReLU GP equals the Appendix B arc-cosine recursion.",
          relu_nngp, lambda: upper(arccos_kernel(inputs(4), *RELU_MNIST)),
          "Appendix B: K^l = σ_b² + (σ_w²/2π)√(K^{l−1}_xx K^{l−1}_x'x')(sin θ + (π − θ) cos θ), written out here",
          relative(1e-12, "two float64 evaluations of the same closed form, 20 layers"), "analytic",
          provenance="formula", mutant=partial(relu_nngp, PERTURBED), mutation=SW2),
    Claim("lee2018.relu_arccos_engine", PAPER, RELU + "; Figure 2's hyperparameters (σ_w² = 2, σ_b² = 0.2)",
          "The arc-cosine form is eq. (5)'s F_φ for ReLU: one layer of eqs. (4)–(6) with F_φ by the toolkit's numerical "
          "2-D engine equals the Appendix B closed form.",
          engine_one_layer, lambda: upper(arccos_kernel(inputs(4), 1, *FIG2[1:])),
          "Appendix B closed form, one layer", relative(1e-10, "the 2-D engine's documented accuracy (~1e-13)"), "numerical",
          provenance="formula", mutant=partial(engine_one_layer, "gelu"), mutation="the activation swapped (ReLU → GELU)"),
    Claim("lee2018.tanh_ordered_limit", PAPER, S32 + " — ordered phase",
          f"tanh at Table 1's (σ_w², σ_b²) = (1.96, 0.62) is in the ordered phase: K^{DEEP}(x, x') = q* for every pair "
          "(diagonal and off-diagonal) on inputs of unequal norms.",
          lambda: deep_kernel("tanh", *TANH_MNIST[1:]), lambda: tanh_limit(*TANH_MNIST[1:]),
          "K^∞ = q* for all pairs; q* = 1.5493719 by the trapezoidal rule + root finding",
          relative(1e-9, f"convergence ~χ_1^L (ξ_c = 1/|ln 0.764| = 3.7 layers) is complete at L = {DEEP}; the quadrature "
                         "and the toolkit's engine are accurate to ~1e-13"), "numerical",
          provenance="derived", mutant=lambda: deep_kernel("tanh", TANH_MNIST[1] * PERTURBED, TANH_MNIST[2]), mutation=SW2,
          notes=QUALITATIVE),
    Claim("lee2018.tanh_chaotic_limit", PAPER, S32 + " — chaotic phase",
          f"tanh at (σ_w², σ_b²) = (4, 0.05) is chaotic: K^{DEEP} → q* on the diagonal and q* c* off it, c* < 1 "
          "(q* = 2.1954939, c* = 0.16506496); ``infinite_depth_limit`` gives the same c*.",
          chaotic_toolkit, chaotic_reference,
          "K^∞ = q* (x = x'), q* c* (x ≠ x'), and c*; q*, c* by the trapezoidal rule + root finding",
          relative(1e-8, f"the chaotic approach goes like χ_c^L, ξ_c = 6.98: e^(−{DEEP}/6.98) ≈ 5e-10"), "numerical",
          provenance="derived", mutant=partial(chaotic_toolkit, PERTURBED), mutation=SW2,
          notes="(4, 0.05) is not a setting of the paper: a point well inside the chaotic phase of Fig. 3a, chosen so that "
                "c* is far from 0 and 1. " + QUALITATIVE),
    Claim("lee2018.relu_bounded_limit", PAPER, S32 + " — ReLU, bounded phase",
          f"ReLU at Table 1's (σ_w², σ_b²) = (1.45, 0.28): K^{DEEP}(x, x') = q* = σ_b²/(1 − σ_w²/2) = 1.01818182 for "
          "every pair ('every point becomes asymptotically correlated').",
          lambda: deep_kernel("relu", *RELU_MNIST[1:]), relu_limit, "q* = σ_b²/(1 − σ_w²/2) (length map of Appendix B at θ = 0)",
          relative(1e-9, "the diagonal converges like (σ_w²/2)^L, the correlation like a power law; at L = 150 both are "
                         "below 1e-12"), "analytic",
          provenance="derived", mutant=lambda: deep_kernel("relu", RELU_MNIST[1] * PERTURBED, RELU_MNIST[2]), mutation=SW2,
          notes="The bounded phase is stated qualitatively; q* = σ_b²/(1 − σ_w²/2) is derived here from the arc-cosine map."),
    Claim("lee2018.relu_unbounded_phase", PAPER, S32 + " — ReLU, unbounded phase; Table 1 GP-5-2.97-0.28, GP-7-1.28-0.00",
          "ReLU has an unbounded phase in which q* is infinite or zero: on the diagonal K^l = σ_b² + (σ_w²/2) K^{l−1}, so "
          "K^40/K^39 = σ_w²/2 + σ_b²/K^39 → 1.485 (σ_w² = 2.97: q grows without bound) and 0.64 (σ_w² = 1.28, σ_b² = 0: q → 0).",
          relu_growth, lambda: np.array([w / 2 for w, _ in UNBOUNDED]), "σ_w²/2 (Appendix B's map at θ = 0)",
          relative(1e-6, "σ_b²/K^39 ≈ 1e-8 at σ_w² = 2.97 (K^39 ~ 1.485^39); exact at σ_b² = 0"), "analytic",
          provenance="derived", mutant=partial(relu_growth, PERTURBED), mutation=SW2,
          notes="The unbounded phase is stated qualitatively; the growth factor σ_w²/2 is derived here from the arc-cosine map."),
]
def draw_figure(n_angles: int = 91):
    """(a) The ReLU NNGP against the input angle for depths l = 0 … 9 at (σ_w², σ_b²) = (1.6, 0.1), unit inputs in the
    plane: the toolkit's K^l (lines) and the Appendix B closed form (markers), in the spirit of the paper's appendix figure
    on the kernel's angular structure; (b) the tanh phase picture: c* over (σ_w², σ_b²) (``signalprop.phase_diagram``)
    with the edge of chaos χ_1 = 1 and Table 1's best tanh GPs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from signalprop import edge_of_chaos, phase_diagram
    from symbolic import get_activation

    theta = np.linspace(0, np.pi, n_angles)
    X = np.column_stack([np.cos(theta), np.sin(theta)])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11.5, 4.2))
    colours = plt.cm.viridis(np.linspace(0, 0.9, 10))
    for L, col in zip(range(10), colours):
        ax.plot(theta, toolkit("relu", X, L, 1.6, 0.1)[0], color=col, label=f"l = {L}")
        ax.plot(theta[::6], arccos_kernel(X, L, 1.6, 0.1)[0, ::6], "x", ms=4, color="tab:red")
    ax.set_xlabel("angle θ between unit inputs")
    ax.set_ylabel("K^l(x, x')")
    ax.set_title("ReLU NNGP, (σ_w², σ_b²) = (1.6, 0.1): toolkit (lines), Appendix B (×)", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    tanh = get_activation("tanh")
    w2, b2 = np.linspace(0.2, 5.0, 41), np.linspace(0.0, 2.0, 26)
    pd = phase_diagram(tanh, w2, b2)
    im = bx.pcolormesh(w2, b2, pd.c_star, shading="auto", cmap="magma", vmin=0, vmax=1)
    fig.colorbar(im, ax=bx, label="c* (fixed-point correlation)")
    eoc = edge_of_chaos(tanh, np.geomspace(1e-4, 10, 200))
    keep = (eoc.sigma_w2 <= 5) & (eoc.sigma_b2 <= 2)
    bx.plot(eoc.sigma_w2[keep], eoc.sigma_b2[keep], "k--", lw=1.5, label="edge of chaos χ_1 = 1")
    best = [(1.96, 0.62), (1.62, 0.28), (1.28, 0.0), (2.97, 0.97), (3.48, 2.0), (3.48, 1.52)]
    bx.plot(*zip(*best), "c^", ms=6, label="Table 1 best tanh GPs")
    bx.plot(*CHAOTIC, "*", ms=11, color="lime", mec="k", label="(4, 0.05): c* = 0.165")
    bx.set_xlabel("σ_w²")
    bx.set_ylabel("σ_b²")
    bx.set_title("tanh: ordered (c* = 1, left) and chaotic (c* < 1, right) phases", fontsize=9)
    bx.legend(fontsize=7, loc="upper left")
    fig.suptitle("Lee et al. 2018: NNGP kernel vs depth, and the tanh phase picture", fontsize=10)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
