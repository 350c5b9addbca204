"""Hayou, Doucet & Rousseau 2019, "On the Impact of the Activation Function on Deep Neural Networks Training".

Setting (Poole et al. 2016's mean field): q^l = V(q^{l−1}) = σ_w² E[φ(√q z)²] + σ_b² → q*, correlation map
C(c) = (σ_w² E[φ(u_1)φ(u_2)] + σ_b²)/q*, χ_1 = σ_w² E[φ'(√q* z)²]. The edge of chaos (EOC) is the set of
(σ_b, σ_w) with χ_1 = 1 at q = q*; parameterized by q*: σ_w² = 1/E[φ'(√q* z)²], σ_b² = q* − σ_w² E[φ(√q* z)²].

* ReLU-like φ (slope λ on x > 0, β on x < 0; leaky ReLU: λ = 1, β = α): E[φ'²] = (λ² + β²)/2 for every q, and
  σ_b² = q* − σ_w² (λ² + β²) q*/2 = 0, so the EOC is the single point (σ_b, σ_w) = (0, √(2/(λ²+β²))): (0, √2) for
  ReLU (Sec. 3, ReLU-like activations; Fig. 3 caption: "the EOC is a curve ... while it is reduced to a single
  point for ReLU").
* ReLU at the EOC: C(c) = (1/π)[√(1−c²) + c(π − arccos c)] (Cho & Saul's J_1), and with c = cos θ,
  C = cos θ + (sin θ − θ cos θ)/π = cos θ + θ³/(3π) + O(θ⁵), so 1 − C(1 − x) = x − (2√2/(3π)) x^{3/2} + O(x^{5/2}).
  Then θ_{l+1} = θ_l − θ_l²/(3π) + …, θ_l ~ 3π/l and 1 − c_l ~ 9π²/(2l²) (Sec. 3: the ReLU network on the EOC
  "acts as a residual network"; polynomial, not exponential, convergence). The correction is O(log l / l):
  l²(1 − c_l) is still ~9 % below 9π²/2 at l = 300.
* Smooth φ (Proposition 3): on the EOC C'(1) = χ_1 = 1 and C''(1) = σ_w² q* E[φ''(√q* z)²], so
  1 − c_l ~ β_q/l with β_q = 2/C''(1) = 2 E[φ'(√q z)²]/(q E[φ''(√q z)²]): a 1/l convergence, slower than ReLU's
  1/l², i.e. deeper information propagation (the paper's argument for swish/ELU-type activations).

What could be read here: the abstract, introduction (it names Proposition 3 for the smooth class) and the Fig. 3
caption, from ar5iv/deepai excerpts. The propositions' full statements and their numbering in the ICML version
could not be read; the constants 9π²/2 and β_q are checked as derived above (the analytic statements), not as
read numbers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, relative, sigmas
from .figures import save_figure
from .reference import gauss_quad

PAPER = Paper("hayou2019", "On the Impact of the Activation Function on Deep Neural Networks Training",
              "S. Hayou, A. Doucet, J. Rousseau", 2019, arxiv="1902.06853",
              venue="International Conference on Machine Learning (ICML 2019), PMLR 97")

SMOOTH = ("tanh", "elu", "swish")          # drawn in the figure
CHECKED = ("tanh", "elu")                  # whose EOC has an attracting q* (see the swish note)
BETA_CHECKED = ("tanh",)                   # φ'' continuous (see ELU_NOTE)
EOC_B2 = (0.05, 0.3)                     # σ_b² at which the EOC curves are checked
LEAKY_SLOPES = (0.01, 0.1, 0.3)
RELU_DEPTHS = (25, 50, 100, 200)
RATE_B2 = 0.1                            # σ_b² of the smooth-rate check
NOTE = "Proposition numbers of the ICML version not verified (only abstract, intro and Fig. 3 caption readable)."


def act(name: str, **params):
    from symbolic import get_activation

    return get_activation(name, **params)


# --- independent references (numpy closed forms, scipy quad + brentq) ---

def relu_c_map(c: float) -> float:
    """ReLU correlation map at the EOC (σ_w² = 2, σ_b² = 0): (1/π)[√(1−c²) + c(π − arccos c)]."""
    return (np.sqrt(max(1 - c * c, 0.0)) + c * (np.pi - np.arccos(min(c, 1.0)))) / np.pi


def relu_iterate(c0: float, depth: int) -> np.ndarray:
    """c_0 … c_depth by the arc-cosine closed form (pure numpy)."""
    cs = [c0]
    for _ in range(depth):
        cs.append(relu_c_map(cs[-1]))
    return np.array(cs)


NUMPY = {"tanh": (np.tanh, lambda x: np.cosh(x) ** -2.0, lambda x: -2 * np.tanh(x) * np.cosh(x) ** -2.0),
         "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
                 lambda x: np.where(x > 0, 0.0, np.exp(np.minimum(x, 0)))),
         "swish": (lambda x: x / (1 + np.exp(-x)),
                   lambda x: 1 / (1 + np.exp(-x)) + x * np.exp(-x) / (1 + np.exp(-x)) ** 2,
                   lambda x: (2 * np.exp(-x) * (1 + np.exp(-x)) + x * np.exp(-x) * (np.exp(-x) - 1)) / (1 + np.exp(-x)) ** 3)}


def quad_q_star(name: str, w2: float, b2: float) -> float:
    """The attracting fixed point of V(q) = σ_w² E[φ(√q z)²] + σ_b²: first downward crossing of V(q) − q."""
    from scipy.optimize import brentq

    phi = NUMPY[name][0]
    gap = lambda q: w2 * gauss_quad(lambda z: phi(np.sqrt(q) * z) ** 2) + b2 - q  # noqa: E731
    qs = np.geomspace(1e-3, 1e3, 25)
    g = [gap(q) for q in qs]
    i = next((k for k in range(len(qs) - 1) if g[k] > 0 >= g[k + 1]), None)
    if i is None:                           # q^l grows without bound (σ_w² above the ReLU-like slope 2)
        return np.inf
    return brentq(gap, qs[i], qs[i + 1], xtol=1e-14, rtol=1e-14)


def quad_chi1(name: str, w2: float, b2: float) -> float:
    q = quad_q_star(name, w2, b2)
    if not np.isfinite(q):
        return np.inf
    return w2 * gauss_quad(lambda z: NUMPY[name][1](np.sqrt(q) * z) ** 2)


@cache
def quad_eoc(name: str, b2: float) -> tuple[float, float]:
    """(σ_w², q*) with χ_1(q*(σ_w²)) = 1 at this σ_b²: brentq over σ_w² (bracket by a scan of [1, 6])."""
    from scipy.optimize import brentq

    ws = np.linspace(1.0, 6.0, 11)
    g = [quad_chi1(name, w, b2) - 1 for w in ws]
    i = next(k for k in range(len(ws) - 1) if g[k] < 0 <= g[k + 1])
    w2 = brentq(lambda w: quad_chi1(name, w, b2) - 1, ws[i], ws[i + 1], xtol=1e-13, rtol=1e-13)
    return w2, quad_q_star(name, w2, b2)


def quad_beta(name: str, q: float) -> float:
    """β_q = 2 E[φ'(√q z)²]/(q E[φ''(√q z)²]) (Proposition 3's constant) by scipy quad."""
    _, d1, d2 = NUMPY[name]
    s = np.sqrt(q)
    return 2 * gauss_quad(lambda z: d1(s * z) ** 2) / (q * gauss_quad(lambda z: d2(s * z) ** 2))


# --- toolkit side ---

def relu_eoc() -> np.ndarray:
    """(σ_w², σ_b²) from ``eoc_parameters`` for ReLU at q* = 0.01, 1, 100, flattened: the same point for every q*."""
    from signalprop import eoc_parameters

    w2, b2 = eoc_parameters(act("relu"), np.array([0.01, 1.0, 100.0]))
    return np.ravel(np.column_stack([w2, b2]))


def leaky_eoc() -> np.ndarray:
    """σ_w² on the (single-point) EOC of leaky ReLU with slopes LEAKY_SLOPES (``eoc_parameters`` at q* = 1)."""
    from signalprop import eoc_parameters

    return np.array([float(np.ravel(eoc_parameters(act("leaky_relu", slope=a), 1.0)[0])[0]) for a in LEAKY_SLOPES])


def leaky_eoc_bias() -> np.ndarray:
    from signalprop import eoc_parameters

    return np.array([float(np.ravel(eoc_parameters(act("leaky_relu", slope=a), q)[1])[0]) for a in LEAKY_SLOPES
                     for q in (0.1, 10.0)])


def smooth_eoc() -> np.ndarray:
    """(σ_w², q*) on the EOC of tanh and ELU at σ_b² = 0.05, 0.3 (``critical_sigma_w2``), flattened."""
    from signalprop import critical_sigma_w2

    return np.ravel([critical_sigma_w2(act(n), b2) for n in CHECKED for b2 in EOC_B2])


def smooth_eoc_quad() -> np.ndarray:
    return np.ravel([quad_eoc(n, b2) for n in CHECKED for b2 in EOC_B2])


def relu_depth_profile() -> np.ndarray:
    """l²(1 − c_l) at RELU_DEPTHS from ``iterate_maps`` (ReLU, σ_w² = 2, σ_b² = 0, q_0 = 1, c_0 = 0.5)."""
    from signalprop import iterate_maps

    L = max(RELU_DEPTHS)
    c = iterate_maps(act("relu"), 1.0, 0.5, 2.0, 0.0, L)[2]
    d = np.array(RELU_DEPTHS)
    return d**2 * (1 - c[d])


def relu_depth_profile_numpy() -> np.ndarray:
    c = relu_iterate(0.5, max(RELU_DEPTHS))
    d = np.array(RELU_DEPTHS)
    return d**2 * (1 - c[d])


def relu_rate_constant() -> float:
    """lim l²(1 − c_l) = 4/a², a = lim_{x→0} [C(1−x) − (1−x)]/x^{3/2} from the toolkit's ReLU correlation map
    (Richardson over x = 1e-5, 2.5e-6: the remainder is O(x))."""
    from signalprop import correlation_map

    def a(x: float) -> float:
        return (float(np.ravel(correlation_map(act("relu"), 1 - x, 2.0, 0.0, 1.0))[0]) - (1 - x)) / x**1.5

    x = 1e-5
    a0 = (4 * a(x / 4) - a(x)) / 3
    return 4 / a0**2


def smooth_betas() -> np.ndarray:
    """β = 2/C''(1) on the EOC at σ_b² = 0.1 for tanh and ELU: C''(1) from the toolkit's slope
    χ_c(c) = C'(c) (``correlation_map_slope``) by a Richardson difference at c = 1, 1 − h, 1 − h/2."""
    from signalprop import correlation_map_slope, critical_sigma_w2

    out = []
    for n in BETA_CHECKED:
        a = act(n)
        w2, q = critical_sigma_w2(a, RATE_B2)
        h = 1e-3
        s = np.ravel(correlation_map_slope(a, np.array([1.0, 1 - h, 1 - h / 2]), w2, q))
        d1, d2 = (s[0] - s[1]) / h, (s[0] - s[2]) / (h / 2)
        out.append(2 / (2 * d2 - d1))
    return np.array(out)


def smooth_betas_quad() -> np.ndarray:
    return np.array([quad_beta(n, quad_eoc(n, RATE_B2)[1]) for n in BETA_CHECKED])


@cache
def smooth_iterated(name: str, depth: int = 400) -> np.ndarray:
    """1 − c_l on the EOC at σ_b² = 0.1 (``iterate_maps`` from q_0 = q*, c_0 = 0.5)."""
    from signalprop import critical_sigma_w2, iterate_maps

    a = act(name)
    w2, q = critical_sigma_w2(a, RATE_B2)
    return 1 - iterate_maps(a, q, 0.5, w2, RATE_B2, depth)[2]


def tanh_rate() -> float:
    """l(1 − c_l)/β_q for tanh at l = 400 (the 1/l law with its O(log l/l) correction)."""
    return 400 * smooth_iterated("tanh")[400] / smooth_betas()[0]


MC_WIDTH, MC_DEPTH, MC_NETWORKS, MC_LAYERS = 1024, 12, 100, (2, 4, 8, 11)   # 12: the single readout unit


def mc_relu(seed: int = 0) -> Measured:
    """c_l of two inputs (c_0 = 0.5) through finite ReLU networks at the EOC (width 1024, depth 12, 100 networks,
    σ_w² = 2, σ_b² = 0; ``theory.montecarlo``, exact-law fast path), at hidden layers 2, 4, 8, 11."""
    from theory.montecarlo import NetworkSpec, forward, measure_c

    d = 16
    X = np.zeros((2, d))
    X[0, 0] = 1.0
    X[1, 0], X[1, 1] = 0.5, np.sqrt(0.75)
    X *= np.sqrt(d / 2.0)                   # q_0 = σ_w² ‖x‖²/d = 1
    spec = NetworkSpec(act("relu"), MC_WIDTH, MC_DEPTH, 2.0, 0.0, ensemble=MC_NETWORKS, seed=seed)
    comp = measure_c(spec, X, forward(spec, X, progress=False, fast=True))
    idx = list(MC_LAYERS)
    return Measured(comp.measured[idx], comp.stderr[idx])


def mc_relu_theory() -> np.ndarray:
    """The infinite-width c_l: the arc-cosine map iterated l times from c_0 = 0.5 (``measure_c`` index l ↔ c_l)."""
    return relu_iterate(0.5, MC_DEPTH)[list(MC_LAYERS)]


def swish_attracting_onset() -> float:
    """σ_b² where the toolkit's swish EOC turns attracting: the q* with V'(q*) = 1 along ``edge_of_chaos``
    (Brent in ln q*), mapped to σ_b² by ``eoc_parameters``."""
    from scipy.optimize import brentq
    from signalprop import edge_of_chaos, eoc_parameters

    swish = act("swish")
    u = brentq(lambda t: edge_of_chaos(swish, [np.exp(t)]).slope[0] - 1.0, np.log(2.0), np.log(60.0), xtol=1e-13)
    return float(eoc_parameters(swish, np.exp(u))[1])


def half_stable_sigma_b2() -> float:
    """C_b of swish's half-stable critical point by quadrature (Roberts, Yaida & Hanin 2022, §5.3.4)."""
    from .roberts2022 import quad_critical_point

    return quad_critical_point("swish")[1]


SWISH_NOTE = ("Swish is left out of the checks: at σ_b² = 0.05 and 0.3 the toolkit's EOC point (σ_w², q*) = (2.729, 0.827) "
              "and (2.079, 5.66) has χ_1 = 1 at a REPELLING fixed point of the length map (V − q crosses upward; "
              "the attracting q* ≈ 0.24 resp. 1.5 has χ_1 ≈ 0.82 resp. 0.85), so iterating q never reaches it; "
              "scanning σ_w², χ_1 at the attracting q* jumps across 1 where that fixed point disappears. ")
ELU_NOTE = ("ELU (α = 1) is left out: its φ'' jumps at 0, so C'(1 − h) = 1 − C''(1)h + O(h^{3/2}) and the finite "
            "difference converges like √h (4.65 at h = 1e-4 against β_q = 4.597); l(1 − c_l) is 5.31 at l = 400. ")
SEC3 = "Sec. 3 (ReLU-like activations; Fig. 3b)"
CLAIMS = [
    Claim("hayou2019.relu_eoc_point", PAPER, SEC3,
          "For ReLU, χ_1 = 1 at the fixed point forces σ_w² = 2 and σ_b² = 0 whatever q*: the EOC is the single point "
          "(σ_b, σ_w) = (0, √2) (toolkit eoc_parameters at q* = 0.01, 1, 100).",
          relu_eoc, [2.0, 0.0] * 3, "(σ_w², σ_b²) = (2, 0) at every q*",
          absolute(1e-12, "exact Gaussian moments of a piecewise-linear φ in float64"), "analytic", notes=NOTE),
    Claim("hayou2019.leaky_relu_eoc", PAPER, SEC3,
          "Leaky ReLU with slope α: EOC σ_w² = 2/(1 + α²), σ_b = 0 (α = 0.01, 0.1, 0.3).",
          leaky_eoc, lambda: np.array([2 / (1 + a * a) for a in LEAKY_SLOPES]), "σ_w² = 2/(1 + α²)",
          relative(1e-12, "exact moments, float64"), "analytic", notes=NOTE),
    Claim("hayou2019.leaky_relu_zero_bias", PAPER, SEC3,
          "Along the leaky-ReLU 'curve' σ_b² = q* − σ_w² E[φ²] vanishes at every q* (q* = 0.1, 10): no EOC point with σ_b > 0.",
          leaky_eoc_bias, [0.0] * 6, "σ_b² = 0", absolute(1e-12, "cancellation of q* ≤ 10 in float64"), "analytic",
          notes=NOTE),
    Claim("hayou2019.smooth_eoc_curves", PAPER, "Sec. 3–4, Fig. 3a/3c (EOC curves of smooth activations)",
          "For tanh and ELU the EOC is a curve: at σ_b² = 0.05 and 0.3 the critical (σ_w², q*) of the toolkit "
          "equal an independent solve of χ_1(q*(σ_w²)) = 1 (scipy quad for V and χ_1, brentq for q* and for σ_w²).",
          smooth_eoc, smooth_eoc_quad, "χ_1 = 1 at q* = V(q*) (paper's EOC definition), solved by quad + brentq",
          relative(1e-8, "two root-finders on 1-D Gaussian integrals (quad ~1e-13); q* is conditioned ~1e3 worse than χ_1"),
          "numerical", notes=SWISH_NOTE + NOTE),
    Claim("hayou2019.relu_depth_profile", PAPER, SEC3,
          "ReLU at the EOC: l²(1 − c_l) at l = 25, 50, 100, 200 (c_0 = 0.5) from the toolkit's iterated maps equals the "
          "arc-cosine closed form iterated in numpy (approaching 9π²/2 ≈ 44.41 from below, with an O(log l/l) correction).",
          relu_depth_profile, relu_depth_profile_numpy, "c_{l+1} = (1/π)[√(1−c_l²) + c_l(π − arccos c_l)]",
          relative(1e-9, "two float64 recursions of 200 steps; 1 − c_l ~ 1e-3 loses ~1e-13/1e-3 relative"),
          "numerical", notes=NOTE),
    Claim("hayou2019.relu_rate_constant", PAPER, SEC3 + ", ReLU on the EOC",
          "1 − c_l ~ 9π²/(2l²): the constant 4/a², a the x^{3/2} coefficient of C(1 − x) − (1 − x) in the toolkit's "
          "ReLU correlation map, equals 9π²/2.",
          relu_rate_constant, 9 * np.pi**2 / 2, "9π²/2 = 44.413",
          relative(1e-6, "Richardson remainder O(x²) = 1e-10 and cancellation ~1e-16/x^{3/2} ~ 3e-9 at x = 2.5e-6"),
          "analytic", notes=NOTE),
    Claim("hayou2019.smooth_beta", PAPER, "Proposition 3 (smooth activations on the EOC)",
          "1 − c_l ~ β_q/l, β_q = 2E[φ'(√q z)²]/(q E[φ''(√q z)²]) (= 2/C''(1)): for tanh at σ_b² = 0.1 the "
          "toolkit's C''(1) (from its χ_c) gives the paper's β_q evaluated by scipy quad.",
          smooth_betas, smooth_betas_quad, "β_q = 2E[φ'²]/(q E[φ''²]) at the EOC's q*",
          relative(2e-5, "Richardson difference of χ_c with h = 1e-3 (remainder O(h²) ~ 1e-6) and the 2-D engine's 1e-10 "
                         "over h"), "numerical", notes=ELU_NOTE + NOTE),
    Claim("hayou2019.tanh_rate", PAPER, "Proposition 3",
          "tanh on the EOC (σ_b² = 0.1): l(1 − c_l)/β_q at l = 400 from the toolkit's iterated maps is near 1 — the 1/l law "
          "(slower than ReLU's 1/l²), up to its O(log l/l) correction.",
          tanh_rate, 1.0, "l(1 − c_l) → β_q",
          absolute(0.02, "the O(log l / l) correction of the 1/l law at l = 400 (measured 0.8 %: 4.042 against β_q = 4.0096)"), "numerical",
          notes=NOTE),
    Claim("hayou2019.swish_attracting_eoc", PAPER, "Sec. 4 (smooth activations; Fig. 3c, swish)",
          "Along swish's χ_1 = 1 curve the fixed point q* attracts (V'(q*) = 1 + σ_w² E[φφ''] < 1) only for σ_b² above "
          "0.55514, where the curve meets swish's half-stable critical point (Roberts, Yaida & Hanin 2022, §5.3.4: "
          "E[φφ''] = 0 at q* = 14.3202); below it the variance map is driven away from q*.",
          swish_attracting_onset, half_stable_sigma_b2, "C_b of the root of E[φφ''](K*) = 0 by scipy quad (roberts2022)",
          relative(1e-8, "two root solves (Brent, ~1e-13) on quadratures good to ~1e-12; the onset is a simple root"),
          "numerical",
          notes="A consistency check across two papers rather than a number printed by Hayou et al. (their Fig. 3c could "
                "not be read). At small σ_b χ_1 = 1 sits at a repelling q* (e.g. σ_b = 0.2, σ_w ≈ 1.68 has "
                "q* = 0.83 with V'(q*) = 1.10; the attracting q* = 0.23 has χ_1 = 0.86). " + NOTE),
    Claim("hayou2019.mc_relu_correlation", PAPER, SEC3,
          "Finite ReLU networks at the EOC (width 1024, 100 networks): the correlation of two inputs at layers 2, 4, 8, 11 "
          "follows the infinite-width arc-cosine recursion that converges to 1 polynomially.",
          mc_relu, mc_relu_theory, "c_l of the arc-cosine recursion from c_0 = 0.5", sigmas(4), "mc",
          notes="The finite-width bias of c_l grows like l/N (≈ 3σ at width 256, layer 5): hence width 1024 and l ≤ 11. "
                "GPU setting: width 4096, 1000 networks, depth 200 resolves the 1/l² tail. " + NOTE),
]


def draw_figure():
    """(a) EOC curves (σ_b, σ_w) of tanh, ELU, swish with ReLU's single point; (b) 1 − c_l against l for ReLU
    (slope −2) and tanh/ELU at σ_b² = 0.1 (slope −1), log-log. The swish curve is the toolkit's χ_1 = 1 locus at any
    fixed point q*, dashed where that q* repels (V'(q*) > 1, see SWISH_NOTE)."""
    import matplotlib.pyplot as plt
    from signalprop import edge_of_chaos

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.8))
    qs = np.geomspace(1e-3, 30, 80)
    for n in SMOOTH:
        e = edge_of_chaos(act(n), qs)
        keep = e.sigma_b2 <= 1.0
        line, = ax.plot(np.sqrt(e.sigma_b2[keep & e.stable]), np.sqrt(e.sigma_w2[keep & e.stable]), "-", label=n)
        if not e.stable[keep].all():
            ax.plot(np.sqrt(e.sigma_b2[keep & ~e.stable]), np.sqrt(e.sigma_w2[keep & ~e.stable]), "--",
                    color=line.get_color(), label=f"{n}: q* repels (V'(q*) > 1)")
    ax.plot([0], [np.sqrt(2)], "ko", label="ReLU (single point)")
    ax.set_xlabel("σ_b")
    ax.set_ylabel("σ_w")
    ax.set_xlim(0, 1)
    ax.set_title("Edge of chaos", fontsize=9)
    ax.legend(fontsize=7)
    L = 400
    ls = np.arange(1, L + 1)
    bx.loglog(ls, 1 - relu_iterate(0.5, L)[1:], "k", label="ReLU")
    bx.loglog(ls, 9 * np.pi**2 / (2 * ls**2), "k:", lw=1, label="9π²/(2l²)")
    for n in CHECKED:
        bx.loglog(ls, smooth_iterated(n)[1:], label=f"{n} (σ_b²=0.1)")
    bx.set_xlabel("layer l")
    bx.set_ylabel("1 − c_l")
    bx.set_title("Convergence of c_l on the EOC", fontsize=9)
    bx.legend(fontsize=7)
    fig.suptitle("Hayou et al. 2019 (toolkit mean field)", fontsize=10)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
