"""Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli 2016, "Exponential expressivity in deep neural networks
through transient chaos": the length map, the correlation map and the order-to-chaos transition.

Setting (Sec. 2): h^l = W^l φ(h^{l−1}) + b^l, W_ij ~ N(0, σ_w²/N), b_i ~ N(0, σ_b²), φ = tanh. For one input
the pre-activation variance follows the length map
  q^l = V(q^{l−1}) = σ_w² ∫Dz φ(√q^{l−1} z)² + σ_b²,
with a stable fixed point q* (Fig. 1). For two inputs the correlation c^l = q_12^l/√(q_11^l q_22^l) follows,
at q = q*, the correlation (C-) map
  c^l = C(c^{l−1}) = (σ_w² ∫Dz_1Dz_2 φ(u_1)φ(u_2) + σ_b²)/q*,   u_1 = √q* z_1, u_2 = √q*(c z_1 + √(1−c²) z_2),
which has the fixed point c = 1; its slope there,
  χ_1 = ∂c^l/∂c^{l−1}|_{c=1} = σ_w² ∫Dz φ'(√q* z)²,
splits the (σ_w², σ_b²) plane into an ordered phase (χ_1 < 1: c* = 1 is stable, inputs converge) and a chaotic
phase (χ_1 > 1: c = 1 is unstable, c^l → c* < 1), with the boundary χ_1 = 1 (Fig. 2D, dotted). At σ_b = 0,
q* = 0 is a fixed point with χ_1 = σ_w² φ'(0)², so the boundary meets the σ_b = 0 axis at σ_w² = 1.

Where the formulas and parameters come from. The paper's body could not be read in a stored copy here (only its
abstract and first page); the length map, χ_1 and the covariance (C-) map are the ones the authors' own code
evaluates (ganguli-lab/deepchaos, cornet/theory.py: ``qmap``, ``compute_chi1``, ``covmap``), and the plotted
parameters (σ_b = 0.3 and σ_w = 1.3, 2.5, 4.0 in Figs. 1A/2A; axes σ_w ∈ [1, 5], σ_b ∈ [0, 4]; figure captions)
are read from that repository (notebook "Figures 1 & 2 - qmap and cmap", cornet/constants.py). So the claims
cite sections and figures; equation numbers are not verified. The figures print no numbers: every reference is
the paper's formula evaluated independently of the toolkit (scipy adaptive quadrature, a Gauss–Hermite rule),
or a value derived here from it (σ_b = 0). The figures plot standard deviations (σ_w, σ_b); the toolkit takes
variances, so the code squares them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, mc_sigmas, relative
from .figures import save_figure
from .reference import gauss_quad, pair_expectation

PAPER = Paper("poole2016", "Exponential expressivity in deep neural networks through transient chaos",
              "B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli", 2016, arxiv="1606.05340",
              venue="Advances in Neural Information Processing Systems 29 (NIPS 2016)")

SIGMA_B = 0.3                      # Figs. 1A, 2A (a standard deviation)
SIGMA_WS = (1.3, 2.5, 4.0)         # the three curves of Figs. 1A, 2A (standard deviations)
BOUNDARY_SIGMA_BS = (0.15, 0.5, 2.0, 4.0)   # rows of Fig. 2D at which the χ_1 = 1 boundary is checked
NOT_READ = "Equation numbers not verified (the paper's body could not be read here)."
NOTE_FIGS = ("Parameters from the authors' code (ganguli-lab/deepchaos); the figures print no numbers, so the "
             "reference is the paper's formula (as cornet/theory.py states it) by scipy adaptive quadrature. " + NOT_READ)


def act(name: str = "tanh"):
    from symbolic import get_activation

    return get_activation(name)


def tanh():
    return act("tanh")


# --- independent reference: the paper's integrals by scipy adaptive quadrature (no toolkit engine) ---

def quad_length_map(q: float, w2: float, b2: float) -> float:
    """V(q) = σ_w² ∫Dz tanh(√q z)² + σ_b² by quadrature."""
    return w2 * gauss_quad(lambda z: np.tanh(np.sqrt(q) * z) ** 2) + b2


def quad_chi1(q: float, w2: float) -> float:
    """χ_1 = σ_w² ∫Dz sech⁴(√q z) by quadrature."""
    return w2 * gauss_quad(lambda z: np.cosh(np.sqrt(q) * z) ** -4.0)


def quad_q_star(w2: float, b2: float) -> float:
    """q* = V(q*) by brentq on the quadrature length map (0 < q* ≤ σ_w² + σ_b², since tanh² < 1)."""
    from scipy.optimize import brentq

    return brentq(lambda q: quad_length_map(q, w2, b2) - q, 1e-6, w2 + b2 + 1.0, xtol=1e-15, rtol=1e-15)


def quad_c_map(c: float, w2: float, b2: float, q: float) -> float:
    """C(c) by nested scipy quadrature: ∫Dz_1 tanh(√q z_1) ∫Dz_2 tanh(√q (c z_1 + √(1−c²) z_2))."""
    from scipy.integrate import quad

    s, r = np.sqrt(q), np.sqrt(1 - c * c)
    pdf = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731

    def inner(z1: float) -> float:
        return quad(lambda z2: pdf(z2) * np.tanh(s * (c * z1 + r * z2)), -12, 12, points=[-c * z1 / r],
                    epsabs=1e-13, epsrel=1e-12, limit=200)[0]

    outer = quad(lambda z1: pdf(z1) * np.tanh(s * z1) * inner(z1), -12, 12, points=[0.0], epsabs=1e-13,
                 epsrel=1e-12, limit=200)[0]
    return (w2 * outer + b2) / q


def gh_bivariate(c: float, q: float, derivative: bool = False) -> float:
    """∫Dz_1Dz_2 f(u_1) f(u_2), u_1 = √q z_1, u_2 = √q (c z_1 + √(1−c²) z_2), f = tanh (or sech² with
    ``derivative``), by the tensor 200 × 200 Gauss–Hermite rule: exact to ~1e-15 for q ≲ 2 (tanh is analytic in a
    strip of half-width π/(2√q) ≥ 1), ~3e-8 relative at q = 6.3 (checked against ``quad_c_map``)."""
    f = (lambda u: np.cosh(u) ** -2.0) if derivative else np.tanh
    return pair_expectation(f, q, q, c)


# --- claims ---

def eoc_at_zero_bias(act_name: str = "tanh") -> float:
    """σ_w² on the edge of chaos at σ_b² = 0 (``critical_sigma_w2``)."""
    from signalprop import critical_sigma_w2

    return critical_sigma_w2(act(act_name), 0.0)[0]


def fig1_q_stars(w2_scale: float = 1.0) -> np.ndarray:
    """The stable fixed points q* of the length map at the Fig. 1A points, σ_w² times ``w2_scale``
    (``fixed_points``; one each)."""
    from signalprop import fixed_points

    out = []
    for sw in SIGMA_WS:
        (point,) = fixed_points(tanh(), sw**2 * w2_scale, SIGMA_B**2).stable
        out.append(point.q_star)
    return np.array(out)


def fig1_q_stars_quad() -> np.ndarray:
    return np.array([quad_q_star(sw**2, SIGMA_B**2) for sw in SIGMA_WS])


def fig2_slopes(w2_scale: float = 1.0) -> np.ndarray:
    """C'(1) of the correlation map (the 2-D engine's σ_w² E[φ'(u_1)φ'(u_2)] at c = 1) and C(1), at the Fig. 2A
    points, σ_w² times ``w2_scale``."""
    from signalprop import correlation_map, correlation_map_slope, propagation

    slopes, ones = [], []
    for sw in SIGMA_WS:
        w2 = sw**2 * w2_scale
        q = propagation(tanh(), w2, SIGMA_B**2).q_star
        slopes.append(float(correlation_map_slope(tanh(), 1.0, w2, q)))
        ones.append(float(correlation_map(tanh(), 1.0, w2, SIGMA_B**2, q)))
    return np.array(slopes + ones)


def fig2_slopes_quad() -> np.ndarray:
    chis = [quad_chi1(quad_q_star(sw**2, SIGMA_B**2), sw**2) for sw in SIGMA_WS]
    return np.array(chis + [1.0] * len(SIGMA_WS))


def boundary_sigma_w(b2_scale: float = 1.0) -> np.ndarray:
    """σ_w on the χ_1 = 1 boundary at the rows σ_b of BOUNDARY_SIGMA_BS, σ_b² times ``b2_scale``
    (``critical_sigma_w2``)."""
    from signalprop import critical_sigma_w2

    return np.array([np.sqrt(critical_sigma_w2(tanh(), sb**2 * b2_scale)[0]) for sb in BOUNDARY_SIGMA_BS])


def quad_critical(b2: float) -> tuple[float, float]:
    """(σ_w², q*) on the χ_1 = 1 boundary at σ_b² = b2, from the paper's two conditions by quadrature: along the
    boundary σ_w²(q) = 1/∫Dz sech⁴(√q z) and σ_b²(q) = q − σ_w²(q) ∫Dz tanh²(√q z); q solves σ_b²(q) = b2 (brentq)."""
    from scipy.optimize import brentq

    def bias2(q: float) -> float:
        return q - quad_length_map(q, 1 / quad_chi1(q, 1.0), 0.0)

    q = brentq(lambda q: bias2(q) - b2, 1e-6, 100.0, xtol=1e-14, rtol=1e-15)
    return 1 / quad_chi1(q, 1.0), q


def boundary_sigma_w_quad() -> np.ndarray:
    return np.array([np.sqrt(quad_critical(sb**2)[0]) for sb in BOUNDARY_SIGMA_BS])


def fig2_c_stars(w2_scale: float = 1.0) -> np.ndarray:
    """c* at the two chaotic Fig. 2A points σ_w = 2.5, 4.0, σ_w² times ``w2_scale`` (``propagation``)."""
    from signalprop import propagation

    return np.array([propagation(tanh(), sw**2 * w2_scale, SIGMA_B**2).c_star for sw in SIGMA_WS[1:]])


def fig2_c_stars_quad() -> np.ndarray:
    """The root c* ∈ (0, 1) of C(c) = c with C by nested quadrature (brentq on [0, 0.5]; C(0) > 0, C(0.5) < 0.5)."""
    from scipy.optimize import brentq

    out = []
    for sw in SIGMA_WS[1:]:
        w2, b2 = sw**2, SIGMA_B**2
        q = quad_q_star(w2, b2)
        out.append(brentq(lambda c: quad_c_map(c, w2, b2, q) - c, 0.0, 0.5, xtol=1e-12))
    return np.array(out)


ZERO_BIAS_W2 = (1.5, 2.5, 4.0)


def c_stars_zero_bias(sigma_b2: float = 0.0) -> np.ndarray:
    """c* in the chaotic phase at σ_w² = 1.5, 2.5, 4 and σ_b² = ``sigma_b2`` (``propagation``)."""
    from signalprop import propagation

    return np.array([propagation(tanh(), w2, sigma_b2).c_star for w2 in ZERO_BIAS_W2])


MC_SIGMA_W, MC_WIDTH, MC_DEPTH, MC_ENSEMBLE, MC_C0 = 2.5, 1000, 16, 40, 0.8   # N_l = 1000 as in the paper


def mc_dynamics(seed: int = 0, w2_scale: float = 1.0) -> Measured:
    """c^l and q^l, l = 0 … 15 (the 16 hidden layers' pre-activations; the readout unit is dropped), of two inputs
    of cosine 0.8 in 40 random tanh networks of width 1000 at σ_w = 2.5, σ_b = 0.3 (Fig. 2B's middle curve), σ_w²
    times ``w2_scale``; each ± its standard error over the 40 networks (``measure_c``: pooled moments, delta
    method; ``measure_q``). Gaussian weights by the exact-law fast path (each layer's pre-activations drawn from
    their law given the previous layer: the same distribution as explicit weights, O(N) instead of O(N²) a layer)."""
    from theory.mc_cli import two_inputs
    from theory.montecarlo import NetworkSpec, forward, measure_c, measure_q

    spec = NetworkSpec(tanh(), MC_WIDTH, MC_DEPTH, MC_SIGMA_W**2 * w2_scale, SIGMA_B**2, ensemble=MC_ENSEMBLE, seed=seed,
                       outputs=1)
    X = two_inputs(MC_C0)
    fwd = forward(spec, X, progress=False, fast=True)
    comps = [measure_c(spec, X, fwd), measure_q(spec, X, fwd)]
    keep = slice(0, MC_DEPTH)
    return Measured.join([Measured.of(m, keep) for m in comps])


def mc_theory() -> np.ndarray:
    """The paper's maps iterated from the first layer, independently of the toolkit: q^0 = σ_w² + σ_b²,
    c^0 = (0.8 σ_w² + σ_b²)/q^0; q^{l+1} = V(q^l) (scipy quad), c^{l+1} = (σ_w² ∫Dz_1Dz_2 tanh(u_1)tanh(u_2) + σ_b²)/q^{l+1}
    with u at (q^l, c^l) (``gh_bivariate``; both inputs have the same q^l). Returns (c^0 … c^15, q^0 … q^15)."""
    w2, b2 = MC_SIGMA_W**2, SIGMA_B**2
    q, c = [w2 + b2], [(MC_C0 * w2 + b2) / (w2 + b2)]
    for _ in range(MC_DEPTH - 1):
        q_next = quad_length_map(q[-1], w2, b2)
        c.append((w2 * gh_bivariate(c[-1], q[-1]) + b2) / q_next)
        q.append(q_next)
    return np.array(c + q)


MC_BIAS = ("finite-width bias bounded: the O(1/N) shift of c^l, measured against mc_theory with 6000 networks at "
           "widths 32, 64, 128 (N·bias ≤ 1.6, decreasing with N), is ≤ 0.0016 at N = 1000, ≤ 0.2 s.e. of the 40-network "
           "mean (s.e. of c ≈ 0.002 at layer 0 rising to ≈ 0.01 from layer 5, where the bias sits); that of q^l is "
           "not resolved there (|N·bias| ≲ 2): ≤ 0.002 ≤ 0.1 s.e.")
MC_NOTE = ("Width 1000 (the paper's N_l), 40 networks, 16 hidden layers, seed 0 (~0.5 s once compiled). The bias was "
           "measured with a scratch script (theory.montecarlo forward(..., fast=True), dtype float64, seeds 123 and 7) "
           "against mc_theory, which is independent of the toolkit (it agrees with iterate_maps to 1e-7). Seeds 0–7 "
           "pass (checked by hand).")


W2_MUTANT = "σ_w² 1 % larger (w2_scale = 1.01)"
CLAIMS = [
    Claim("poole2016.tanh_eoc_sigma_b0", PAPER, "Sec. 3 and Fig. 2D (the χ_1 = 1 boundary meets the σ_b = 0 axis)",
          "For tanh at σ_b = 0, q* = 0 is a fixed point with χ_1 = σ_w² φ'(0)² = σ_w², so the order-to-chaos boundary "
          "meets σ_b = 0 at σ_w² = 1: ordered below, chaotic above.",
          eoc_at_zero_bias, 1.0, "σ_w² = 1/φ'(0)² = 1 for tanh (exact)",
          relative(2.3e-16, "an exact result: at σ_b² = 0 critical_sigma_w2 returns 1/φ'(0)² (q* = 0) in closed form, "
                            "and φ'(0) = 1 for tanh; one float64 rounding at most"),
          "analytic", provenance="derived",
          notes="Derived here from the length map at σ_b = 0 (q* = 0, χ_1 = σ_w² φ'(0)²); the figure shows the boundary "
                "reaching σ_b = 0 but prints no number. " + NOT_READ,
          mutant=partial(eoc_at_zero_bias, "erf"), mutation="erf in place of tanh (φ'(0) = 2/√π: σ_w² = π/4)"),
    Claim("poole2016.length_map_fixed_points_fig1", PAPER, "Fig. 1A (stars: fixed points q* of the length map) and Sec. 2",
          "At σ_b = 0.3 and σ_w = 1.3, 2.5, 4.0 the length map q ↦ σ_w²∫Dz tanh(√q z)² + σ_b² has a single stable "
          "fixed point q* ≈ 0.6070, 4.0791, 12.604.",
          fig1_q_stars, fig1_q_stars_quad, "q* = V(q*), V by scipy quad, root by brentq",
          relative(1e-10, "both sides solve q* to ~1e-14 with moments good to ~1e-13; 1e-10 leaves margin"),
          "numerical", provenance="formula", notes=NOTE_FIGS,
          mutant=partial(fig1_q_stars, 1.01), mutation=W2_MUTANT),
    Claim("poole2016.chi1_slope_of_c_map", PAPER, "Sec. 3 (definition of χ_1) and Fig. 2D caption ('the slope of the C-map at 1, χ_1')",
          "The slope of the C-map at c = 1 equals χ_1 = σ_w²∫Dz φ'(√q* z)², and C(1) = 1, at the Fig. 2A points: "
          "χ_1 = 0.9398 (σ_w = 1.3, ordered), 1.5852 and 2.3673 (σ_w = 2.5, 4.0, chaotic).",
          fig2_slopes, fig2_slopes_quad, "(χ_1 = σ_w²∫Dz sech⁴(√q* z) by scipy quad) × 3, then C(1) = 1 × 3",
          relative(1e-10, "the 2-D engine at c = 1 against 1-D scipy quad; both good to ~1e-12"), "analytic",
          provenance="formula", notes=NOTE_FIGS, mutant=partial(fig2_slopes, 1.01), mutation=W2_MUTANT),
    Claim("poole2016.order_chaos_boundary_fig2d", PAPER, "Fig. 2D (black dotted line χ_1 = 1)",
          "The χ_1 = 1 boundary of Fig. 2D passes through σ_w = 1.2522, 1.5497, 2.3250, 3.0366 at σ_b = 0.15, 0.5, 2, 4 "
          "(q* and χ_1 = 1 solved together).",
          boundary_sigma_w, boundary_sigma_w_quad, "σ_w with V(q*) = q* and σ_w²∫Dz sech⁴(√q* z) = 1, by scipy quad",
          relative(1e-9, "two root solves on moments good to ~1e-13; conditioning of q* in σ_b² costs a few digits"),
          "numerical", provenance="formula", notes=NOTE_FIGS,
          mutant=partial(boundary_sigma_w, 1.01), mutation="σ_b² 1 % larger (b2_scale = 1.01)"),
    Claim("poole2016.c_star_fig2", PAPER, "Fig. 2A (stars: fixed points c*) and Fig. 2C (c* heat map)",
          "In the chaotic phase the C-map has a stable fixed point c* < 1: c* = 0.12210 at σ_w = 2.5 and 0.029696 at "
          "σ_w = 4.0 (σ_b = 0.3).",
          fig2_c_stars, fig2_c_stars_quad, "root of C(c) = c, C by nested scipy quad",
          absolute(1e-9, "nested quadrature good to ~1e-12, brentq to 1e-12; the root is well conditioned (1 − χ_c ≥ 0.2)"),
          "numerical", provenance="formula",
          notes=NOTE_FIGS + " A plain Gauss–Hermite reference is not accurate enough at σ_w = 4 (q* = 12.6: tanh is "
                            "nearly a step), hence nested adaptive quadrature.",
          mutant=partial(fig2_c_stars, 1.01), mutation=W2_MUTANT),
    Claim("poole2016.c_star_zero_sigma_b0", PAPER, "Fig. 2C (σ_b = 0 edge of the chaotic region)",
          "For odd φ and σ_b = 0, C(0) = 0, so in the chaotic phase (σ_w² > 1) the stable correlation fixed point is "
          "c* = 0: inputs decorrelate completely (σ_w² = 1.5, 2.5, 4).",
          c_stars_zero_bias, np.zeros(3), "c* = 0 (exact, by the odd symmetry of tanh)",
          absolute(1e-12, "the toolkit's root polish lands within ~1e-14 of 0"), "analytic", provenance="derived",
          notes="Derived here (C(0) = σ_b²/q* for odd φ); the heat map prints no number. " + NOT_READ,
          mutant=partial(c_stars_zero_bias, 0.01), mutation="σ_b² = 0.01 instead of 0 (C(0) = σ_b²/q* > 0)"),
    Claim("poole2016.mc_correlation_dynamics_fig2b", PAPER, "Fig. 2B (C-map dynamics, theory vs simulation) and Fig. 1B",
          "In random tanh networks (σ_w = 2.5, σ_b = 0.3) the correlation of two inputs (c^0 from cosine 0.8) follows "
          "the iterated C-map down towards c* = 0.122, and q^l follows the iterated length map to q* = 4.079, "
          "layer by layer (16 hidden layers).",
          partial(mc_dynamics, 0), mc_theory,
          "the paper's length and C-maps iterated from the first layer (scipy quad, 200 × 200 Gauss–Hermite; not the toolkit)",
          mc_sigmas(2 * MC_DEPTH, MC_ENSEMBLE, extra=MC_BIAS), "mc", provenance="simulation_vs_theory",
          notes=MC_NOTE, mutant=partial(mc_dynamics, 0, 0.9), mutation="σ_w² 10 % smaller in the simulated networks",
          seeded=mc_dynamics),
]


# --- figure ---

def _heat(ax, grid, values, title: str) -> None:
    import matplotlib.pyplot as plt

    sw, sb = grid
    im = ax.pcolormesh(sw, sb, values, shading="auto", cmap="viridis")
    plt.colorbar(im, ax=ax)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("σ_w")
    ax.set_ylabel("σ_b")


def figure(path: str | Path) -> Path:
    """Figs. 1A, 2A and 2C–D re-drawn: the length map and the C-map at σ_b = 0.3, σ_w = 1.3, 2.5, 4.0 with their
    fixed points (stars), and heat maps of c* and χ_1 over (σ_w, σ_b) with the χ_1 = 1 contour and the exact
    boundary (``edge_of_chaos``). The heat maps stop at σ_b = 1 (the paper's go to 4; the grid's c* near the
    boundary at large q* costs ~20 s here; ``phase_diagram`` on the paper's full grid works, in a notebook)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from signalprop import correlation_map, edge_of_chaos, length_map, phase_diagram, propagation

    act = tanh()
    fig, axes = plt.subplots(2, 2, figsize=(10, 8))
    qs = np.linspace(0.01, 15.0, 150)
    cs = np.linspace(-1.0, 1.0, 81)
    colors = ("C0", "C1", "C2")
    for sw, col in zip(SIGMA_WS, colors):
        p = propagation(act, sw**2, SIGMA_B**2)
        axes[0, 0].plot(qs, length_map(act, qs, sw**2, SIGMA_B**2), color=col, label=f"σ_w = {sw}")
        axes[0, 0].plot(p.q_star, p.q_star, "*", color=col, ms=12)
        axes[0, 1].plot(cs, correlation_map(act, cs, sw**2, SIGMA_B**2, p.q_star), color=col, label=f"σ_w = {sw}")
        axes[0, 1].plot(p.c_star, p.c_star, "*", color=col, ms=12)
    axes[0, 0].plot(qs, qs, "k--", lw=1)
    axes[0, 1].plot(cs, cs, "k--", lw=1)
    axes[0, 0].set(xlabel="$q^{l-1}$", ylabel="$q^l$", title="Fig. 1A: length map, σ_b = 0.3", xlim=(0, 15), ylim=(0, 15))
    axes[0, 1].set(xlabel="$c^{l-1}$", ylabel="$c^l$", title="Fig. 2A: C-map, σ_b = 0.3")
    for ax in axes[0]:
        ax.legend(fontsize=8)
        ax.title.set_fontsize(9)
    sw, sb = np.linspace(1, 5, 41), np.linspace(0, 1, 21)
    pd = phase_diagram(act, sw**2, sb**2)
    e = edge_of_chaos(act, np.geomspace(1e-4, 400, 300))
    for ax, values, title in ((axes[1, 0], pd.c_star, "Fig. 2C: c*"), (axes[1, 1], pd.chi1, "Fig. 2D: χ_1 (χ_1 = 1 dotted)")):
        _heat(ax, (sw, sb), values, title)
        ax.contour(sw, sb, pd.chi1, levels=[1.0], colors="k", linestyles=":")
        ax.plot(np.sqrt(e.sigma_w2), np.sqrt(e.sigma_b2), "w-", lw=1, label="edge_of_chaos (exact)")
        ax.plot(SIGMA_WS, [SIGMA_B] * 3, "r*", ms=9, label="Fig. 1A/2A points")
        ax.set_xlim(1, 5)
        ax.set_ylim(0, 1)
    axes[1, 1].legend(fontsize=7, loc="upper left")
    fig.suptitle("Poole et al. 2016: tanh networks, order to chaos (toolkit)", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, dpi=100)
