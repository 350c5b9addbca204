"""Lesser & Chowdhury 2026, "Competing nonlinearities, criticality, and order-to-chaos transition in deep networks":
a quenched mixture of tanh and Swish neurons has a critical fraction p_c at which the pre-activation variance stops
collapsing and starts inflating.

Setting: each neuron independently draws its activation, Swish (x σ(x)) with probability p, tanh otherwise; the
averaged recursion at C_b = 0 is K^(l+1) = C_W [p ⟨φ_S²⟩_K + (1 − p) ⟨φ_T²⟩_K]. For φ smooth at 0 with φ(0) = 0 and
σ_k = φ^(k)(0), ⟨φ²⟩_K = g_1 K + g_2 K² + O(K³) with g_1 = σ_1², g_2 = σ_1σ_3 + ¾σ_2² (Roberts–Yaida–Hanin K* = 0
analysis): (g_1, g_2) = (1, −2) for tanh and (1/4, 3/16) for Swish. With C_W = 1/g_1(p) (χ⊥ = 1 at K = 0),
  K' = K + a_1(p) K² + O(K³),   a_1(p) = [3p/16 − 2(1 − p)] / [p/4 + 1 − p],
so K^l ≈ 1/(|a_1| l) (collapse) for p < p_c and K grows for p > p_c, with
  p_c = g_2ᵀ/(g_2ᵀ − g_2ˢ) = 32/35 ≈ 0.914,   C_W(p_c) = 35/11.

Source caveat: only the abstract and table of contents of arXiv 2605.05294 could be read here (no equations). The
values 32/35, g_2 = −2 and 3/16 come from a secondary note quoting the paper ("Eq. 17"); they are not printed values
we could check, so each claim's "published" side is the analytic statement above evaluated independently (sympy
series of tanh and Swish with Gaussian moments (2n − 1)!!), and C_W = 35/11 is this toolkit's convention (C_W = 1/g_1),
which may differ from the paper's normalization.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import sympy as sp

from .claim import Claim, Measured, Paper, absolute, relative, sigmas
from .figures import save_figure

PAPER = Paper("lesser2026", "Competing nonlinearities, criticality, and order-to-chaos transition in deep networks",
              "O. Lesser, D. Chowdhury", 2026, arxiv="2605.05294")

NOT_READ = ("Only the abstract and table of contents of the paper were readable: equation numbers not verified (no readable "
            "copy); p_c = 32/35 and g_2 = −2, 3/16 agree with a secondary note that quotes the paper's Eq. 17.")
FRACTIONS = (0.0, 0.5, 32 / 35, 1.0)


def components():
    """(Swish, tanh) from the zoo."""
    from symbolic import get_activation

    return get_activation("swish"), get_activation("tanh")


def mix(p: float):
    """The quenched mixture: Swish with probability p, tanh with 1 − p (``signalprop.mixture``)."""
    from signalprop import mixture

    return mixture(components(), [p, 1 - p])


def critical_weight(p: float) -> float:
    """C_W = 1/g_1(p) = 1/(p/4 + 1 − p): χ⊥ = 1 at K = 0."""
    return 1.0 / (p / 4 + 1 - p)


def toolkit_fraction():
    """``signalprop.critical_fraction(swish, tanh)``: p counts Swish."""
    from signalprop import critical_fraction

    return critical_fraction(*components())


@cache
def series_coefficients() -> tuple[tuple[sp.Rational, sp.Rational], tuple[sp.Rational, sp.Rational]]:
    """(g_1, g_2) of Swish and tanh by an independent route: sympy's series of φ(x) to O(x⁵), squared, and the
    Gaussian moments E[z^{2n}] = (2n − 1)!! (E[φ(√K z)²] = Σ_n c_{2n} K^n (2n − 1)!!)."""
    x = sp.Symbol("x")
    out = []
    for phi in (x / (1 + sp.exp(-x)), sp.tanh(x)):
        sq = sp.expand(sp.series(phi, x, 0, 5).removeO() ** 2)
        out.append(tuple(sq.coeff(x, 2 * n) * sp.factorial2(2 * n - 1) for n in (1, 2)))
    return tuple(out)


def series_fraction() -> tuple[sp.Expr, sp.Expr]:
    """(p_c, C_W) from the series coefficients: g_2(p_c) = 0, C_W = 1/g_1(p_c)."""
    (g1s, g2s), (g1t, g2t) = series_coefficients()
    p = sp.Symbol("p")
    pc = sp.solve(sp.Eq(p * g2s + (1 - p) * g2t, 0), p)[0]
    return pc, 1 / (pc * g1s + (1 - pc) * g1t)


def a1_exact(p: float) -> float:
    """a_1(p) = [3p/16 − 2(1 − p)]/[p/4 + 1 − p]."""
    return (3 * p / 16 - 2 * (1 - p)) / (p / 4 + 1 - p)


def a1_numeric() -> np.ndarray:
    """a_1(p) from the numerical length map of the mixture at C_W = 1/g_1, C_b = 0: f(K) = (V(K) − K)/K² at
    K = 1e-3, 2e-3, 4e-3, Richardson-extrapolated to K → 0 (f = a_1 + a_2 K + a_3 K²)."""
    from signalprop import length_map

    out = []
    for p in FRACTIONS:
        act, cw = mix(p), critical_weight(p)
        f = [(float(length_map(act, k, cw, 0.0)) - k) / k**2 for k in (1e-3, 2e-3, 4e-3)]
        out.append((8 * f[0] - 6 * f[1] + f[2]) / 3)
    return np.array(out)


DEPTH_FRACTIONS = (0.0, 0.5, 0.8)
K0, DEPTH = 0.01, 400


def depth_increments() -> np.ndarray:
    """The per-layer increment of 1/K^l in the collapsing phase, extrapolated to K → 0 from layers 200 and 400
    of the toolkit's ``iterate_length_map`` (K⁰ = 0.01): Δ(1/K) = −a_1 + c K + O(K²), so K^l ≈ 1/(|a_1| l)."""
    from signalprop import iterate_length_map

    out = []
    for p in DEPTH_FRACTIONS:
        K = iterate_length_map(mix(p), K0, critical_weight(p), 0.0, DEPTH)
        d = np.diff(1 / K)
        l1, l2 = DEPTH // 2 - 1, DEPTH - 1
        out.append((d[l1] * K[l2] - d[l2] * K[l1]) / (K[l2] - K[l1]))
    return np.array(out)


MC_FRACTIONS = (0.5, 32 / 35, 0.98)
MC_WIDTH, MC_DEPTH, MC_NETWORKS, MC_Q0 = 256, 20, 40, 0.05
MC_LAYERS = (0, 10, 19)  # 19: last hidden layer (20 is the single readout unit)


def mc_spec(p: float, seed: int = 0):
    """Finite networks of the mixture (width 256, depth 20, 40 networks) at C_W = 1/g_1(p), C_b = 0, q⁰ = 0.05."""
    from theory.montecarlo import NetworkSpec

    cw = critical_weight(p)
    x = np.ones((1, 16)) * math.sqrt(MC_Q0 / cw)
    return NetworkSpec(mix(p), MC_WIDTH, MC_DEPTH, cw, 0.0, ensemble=MC_NETWORKS, seed=seed), x


def mc_profiles(seed: int = 0) -> tuple[Measured, np.ndarray]:
    """Measured mean q^l (± stderr) at MC_LAYERS for each p in MC_FRACTIONS, and the mixture's iterated map there."""
    from theory.montecarlo import forward, measure_q

    vals, errs, theory = [], [], []
    idx = list(MC_LAYERS)
    for k, p in enumerate(MC_FRACTIONS):
        spec, x = mc_spec(p, 100 * seed + k)
        c = measure_q(spec, x, forward(spec, x, progress=False))
        vals.append(c.measured[idx])
        errs.append(c.stderr[idx])
        theory.append(c.theory[idx])
    return Measured(np.ravel(vals), np.ravel(errs)), np.ravel(theory)


def mc_theory() -> np.ndarray:
    """K^l of the infinite-width mixture map (``iterate_length_map``) at MC_LAYERS, from q⁰ = 0.05."""
    from signalprop import iterate_length_map

    return np.ravel([iterate_length_map(mix(p), MC_Q0, critical_weight(p), 0.0, MC_DEPTH)[list(MC_LAYERS)]
                     for p in MC_FRACTIONS])


WHERE = "Sec. II–III (small-K expansion of the mixture's variance recursion; critical fraction)"
CLAIMS = [
    Claim("lesser2026.small_k_coefficients", PAPER, WHERE,
          "The K and K² coefficients of ⟨φ²⟩_K are (g_1, g_2) = (1/4, 3/16) for Swish and (1, −2) for tanh: tanh alone "
          "collapses the variance (g_2 < 0), Swish alone inflates it (g_2 > 0).",
          lambda: np.array([float(c) for pair in toolkit_fraction().coefficients for c in pair]),
          lambda: np.array([float(c) for pair in series_coefficients() for c in pair]),
          "sympy series of x σ(x), tanh x with E[z^{2n}] = (2n − 1)!!: (1/4, 3/16, 1, −2)",
          relative(1e-15, "exact rationals on both sides, compared as float64"), "analytic", notes=NOT_READ),
    Claim("lesser2026.pc_tanh_swish", PAPER, WHERE,
          "The K² coefficient of the mixture's recursion, p g_2ˢ + (1 − p) g_2ᵀ, vanishes at the Swish fraction "
          "p_c = g_2ᵀ/(g_2ᵀ − g_2ˢ) = 32/35 ≈ 0.9143.",
          lambda: float(toolkit_fraction().p_c), lambda: float(series_fraction()[0]),
          "p_c = 32/35 (root of p·3/16 − 2(1 − p) from the independent series)",
          relative(1e-15, "exact rationals (sympy) on both sides"), "analytic", notes=NOT_READ),
    Claim("lesser2026.critical_weight", PAPER, WHERE,
          "At p_c the critical weight variance (C_b = 0, χ⊥ = 1 at K = 0) is C_W = 1/(p_c/4 + 1 − p_c) = 35/11 ≈ 3.18.",
          lambda: float(toolkit_fraction().C_W), lambda: float(series_fraction()[1]), "C_W = 35/11",
          relative(1e-15, "exact rationals (sympy) on both sides"), "analytic",
          notes=NOT_READ + " The convention C_W = 1/g_1 is this toolkit's (standard parameterization, variances); the "
                           "secondary note mentions 'C_W = 1', which would fit a differently normalized activation."),
    Claim("lesser2026.a1_numeric", PAPER, WHERE + " (sign change of the depth flow at p_c)",
          "The numerical variance map of the quenched mixture at C_W = 1/g_1(p), C_b = 0 has V(K) − K = a_1(p) K² + O(K³) "
          "with a_1 = [3p/16 − 2(1 − p)]/[p/4 + 1 − p] = −2, −1.45, 0, +3/4 at p = 0, 1/2, p_c, 1: collapsing below p_c, "
          "inflating above.",
          a1_numeric, lambda: np.array([a1_exact(p) for p in FRACTIONS]), "a_1(p) closed form at p = 0, 1/2, 32/35, 1",
          absolute(2e-6, "Richardson remainder O(K³) at K = 1e-3 (observed ≤ 7.1e-7) over 1e-13 quadrature noise / K²"),
          "numerical", notes=NOT_READ),
    Claim("lesser2026.depth_scaling", PAPER, "Sec. III (depth scaling of the preactivation variance in the collapsing phase)",
          "Below p_c the variance decays as K^l ≈ 1/(|a_1(p)| l): the per-layer increment of 1/K^l tends to −a_1(p) = 2, "
          "1.45, 0.625 at p = 0, 0.5, 0.8 (toolkit iterate_length_map of the mixture, 400 layers from K⁰ = 0.01).",
          depth_increments, lambda: np.array([-a1_exact(p) for p in DEPTH_FRACTIONS]), "−a_1(p) closed form",
          relative(5e-4, "linear extrapolation in K of Δ(1/K) = −a_1 + cK + O(K²) from K ≈ 2e-3 and 1e-3 (O(K²) "
                         "remainder ≤ 1e-4 observed at p = 0.8, where the decay is slowest)"),
          "numerical", notes=NOT_READ + " This is the Roberts–Yaida–Hanin 1/l law for the K* = 0 class, applied to the mixture."),
    Claim("lesser2026.mc_depth_profile", PAPER, "Abstract / Sec. IV (variance propagation in finite networks)",
          "Finite networks of the mixture (width 256, depth 20, 40 networks, q⁰ = 0.05, C_W = 1/g_1(p), C_b = 0) follow "
          "the averaged map: collapse at p = 0.5, nearly flat at p_c, growth at p = 0.98 (layers 0, 10, 19).",
          lambda: mc_profiles()[0], mc_theory, "the infinite-width mixture map K^l, iterated (toolkit)", sigmas(4), "mc",
          notes=NOT_READ + " At p_c the cubic term (> 0) makes K grow slowly: depth-independence holds to leading order in K "
                           "only. GPU setting: width 2048, depth 100, 1000 networks."),
]


def figure(path: str | Path) -> Path:
    """Left: K^l against depth (log-log) for p = 0.5, 0.85, p_c, 0.95, 0.98 from the toolkit's iterated mixture map,
    with the asymptote 1/(|a_1| l) for p = 0.5. Right: a_1(p) from the numerical map against the closed form,
    crossing zero at p_c = 32/35."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from signalprop import iterate_length_map, length_map

    pc = 32 / 35
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    layers = np.arange(201)
    for p in (0.5, 0.85, pc, 0.95, 0.98):
        K = iterate_length_map(mix(p), 0.05, critical_weight(p), 0.0, 200)
        ax.loglog(layers[1:], K[1:], label=f"p = {p:.4f}" + (" = p_c" if p == pc else ""))
    ax.loglog(layers[1:], 1 / (-a1_exact(0.5) * layers[1:] + 1 / 0.05), "k:", lw=1, label="1/(|a_1| l + 1/K⁰), p = 0.5")
    ax.set_ylim(3e-3, 10)  # above p_c, K eventually grows exponentially (Swish's ReLU-like tail at C_W > 2)
    ax.set_xlabel("layer l")
    ax.set_ylabel("K^l")
    ax.set_title("variance vs depth, K⁰ = 0.05, C_W = 1/g_1(p), C_b = 0", fontsize=9)
    ax.legend(fontsize=7)
    ps = np.linspace(0, 1, 21)
    k = 1e-3
    a1n = [(float(length_map(mix(p), k, critical_weight(p), 0.0)) - k) / k**2 for p in ps]
    grid = np.linspace(0, 1, 200)
    bx.plot(grid, [a1_exact(p) for p in grid], "k-", lw=1, label="a_1(p) closed form")
    bx.plot(ps, a1n, "o", ms=4, label="(V(K) − K)/K² at K = 1e-3 (toolkit)")
    bx.axhline(0, color="gray", lw=0.8)
    bx.axvline(pc, color="C3", ls="--", lw=1, label="p_c = 32/35")
    bx.set_xlabel("Swish fraction p")
    bx.set_ylabel("a_1(p)")
    bx.set_title("K² coefficient of the mixture's recursion", fontsize=9)
    bx.legend(fontsize=7)
    fig.suptitle("Lesser & Chowdhury 2026: tanh/Swish mixture, collapse below p_c, inflation above", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)
