"""Hayou, Doucet & Rousseau 2019, "On the Impact of the Activation Function on Deep Neural Networks Training".

Setting (Poole et al. 2016's mean field): q^l = V(q^{l−1}) = σ_w² E[φ(√q z)²] + σ_b² → q*, correlation map
C(c) = (σ_w² E[φ(u_1)φ(u_2)] + σ_b²)/q*, χ_1 = σ_w² E[φ'(√q* z)²]. The edge of chaos (EOC) is the set of
(σ_b, σ_w) with χ_1 = 1 at q = q*; parameterized by q*: σ_w² = 1/E[φ'(√q* z)²], σ_b² = q* − σ_w² E[φ(√q* z)²].

* ReLU-like φ (slope λ on x > 0, β on x < 0; leaky ReLU: λ = 1, β = α): E[φ'²] = (λ² + β²)/2 for every q, and
  σ_b² = q* − σ_w² (λ² + β²) q*/2 = 0, so the EOC is the single point (σ_b, σ_w) = (0, √(2/(λ²+β²))): (0, √2) for
  ReLU (Sec. 3, ReLU-like activations; the Fig. 3 caption says the EOC is a curve for smooth activations and a
  single point for ReLU).
* ReLU at the EOC: C(c) = (1/π)[√(1−c²) + c(π − arccos c)] (Cho & Saul's J_1), and with c = cos θ,
  C = cos θ + (sin θ − θ cos θ)/π = cos θ + θ³/(3π) + O(θ⁵), so 1 − C(1 − x) = x − (2√2/(3π)) x^{3/2} + O(x^{5/2}).
  Then θ_{l+1} = θ_l − θ_l²/(3π) + …, θ_l ~ 3π/l and 1 − c_l ~ 9π²/(2l²) (Sec. 3: the ReLU network on the EOC
  "acts as a residual network"; polynomial, not exponential, convergence). The correction is O(log l / l):
  l²(1 − c_l) is still ~9 % below 9π²/2 at l = 300.
* Smooth φ (Proposition 3): on the EOC C'(1) = χ_1 = 1 and C''(1) = σ_w² q* E[φ''(√q* z)²], so
  1 − c_l ~ β_q/l with β_q = 2/C''(1) = 2 E[φ'(√q z)²]/(q E[φ''(√q z)²]): a 1/l convergence, slower than ReLU's
  1/l², i.e. deeper information propagation (the paper's argument for swish/ELU-type activations).

What could be read here: the abstract, the introduction (it names Proposition 3 for the smooth class) and the Fig. 3
caption, from stored excerpts; the propositions' statements, their numbering in the ICML version and any number the
paper prints could not. So every reference below is derived here (the constants 9π²/2 and β_q, the EOC points, the
swish onset) and evaluated independently of the toolkit (numpy closed forms, scipy quad + brentq); provenance
"derived".
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, mc_sigmas, relative
from .figures import save_figure
from .reference import gauss_quad

PAPER = Paper("hayou2019", "On the Impact of the Activation Function on Deep Neural Networks Training",
              "S. Hayou, A. Doucet, J. Rousseau", 2019, arxiv="1902.06853",
              venue="International Conference on Machine Learning (ICML 2019), PMLR 97")

SMOOTH = ("tanh", "elu", "swish")          # drawn in the figure
CHECKED = ("tanh", "elu")                  # whose EOC has an attracting q* (see the swish note)
BETA_CHECKED = ("tanh",)                   # φ'' continuous (see ELU_NOTE)
EOC_B2 = (0.1, 0.3)                      # σ_b² at which the EOC curves are checked (tanh at 0.05: schoenholz2017)
LEAKY_SLOPES = (0.01, 0.1, 0.3)
RELU_DEPTHS = (25, 50, 100, 200)
RATE_B2 = 0.1                            # σ_b² of the smooth-rate check
NOTE = ("Derived here: only the abstract, introduction and Fig. 3 caption could be read, so proposition numbers of the "
        "ICML version are not verified.")


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


def quad_moment(name: str, q: float, k: int = 0, other: int | None = None) -> float:
    """E[φ^(k)(√q z) φ^(other)(√q z)] (other = k by default) by scipy quad, φ^(k) from NUMPY."""
    f, g = NUMPY[name][k], NUMPY[name][k if other is None else other]
    s = np.sqrt(q)
    return gauss_quad(lambda z: f(s * z) * g(s * z))


def quad_q_star(name: str, w2: float, b2: float) -> float:
    """The attracting fixed point of V(q) = σ_w² E[φ(√q z)²] + σ_b²: first downward crossing of V(q) − q."""
    from scipy.optimize import brentq

    gap = lambda q: w2 * quad_moment(name, q) + b2 - q  # noqa: E731
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
    return w2 * quad_moment(name, q, 1)


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
    return 2 * quad_moment(name, q, 1) / (q * quad_moment(name, q, 2))


def quad_half_stable_b2(name: str = "swish") -> float:
    """σ_b² where the EOC's fixed point turns from repelling to attracting: along the EOC V'(q*) = χ_1 +
    σ_w² E[φφ''] (Stein's lemma) = 1 + σ_w² E[φ(√q* z)φ''(√q* z)], so the onset is the root q* of E[φφ''] = 0
    (brentq on [1, 100]), mapped to σ_b² = q* − E[φ²]/E[φ'²] (scipy quad)."""
    from scipy.optimize import brentq

    q = brentq(lambda q: quad_moment(name, q, 0, 2), 1.0, 100.0, xtol=1e-13, rtol=1e-14)
    return q - quad_moment(name, q) / quad_moment(name, q, 1)


# --- toolkit side ---

def relu_eoc(name: str = "relu", **params) -> np.ndarray:
    """(σ_w², σ_b²) from ``eoc_parameters`` for ReLU (or ``name``) at q* = 0.01, 1, 100, flattened: the same point
    for every q*."""
    from signalprop import eoc_parameters

    w2, b2 = eoc_parameters(act(name, **params), np.array([0.01, 1.0, 100.0]))
    return np.ravel(np.column_stack([w2, b2]))


def leaky_eoc(slope_scale: float = 1.0) -> np.ndarray:
    """σ_w² on the (single-point) EOC of leaky ReLU with slopes LEAKY_SLOPES times ``slope_scale``
    (``eoc_parameters`` at q* = 1)."""
    from signalprop import eoc_parameters

    return np.array([float(np.ravel(eoc_parameters(act("leaky_relu", slope=a * slope_scale), 1.0)[0])[0])
                     for a in LEAKY_SLOPES])


def leaky_eoc_bias(name: str = "leaky_relu", param: str = "slope") -> np.ndarray:
    """σ_b² from ``eoc_parameters`` at q* = 0.1, 10 for leaky ReLU (or ``name`` with ``param``) at LEAKY_SLOPES."""
    from signalprop import eoc_parameters

    return np.array([float(np.ravel(eoc_parameters(act(name, **{param: a}), q)[1])[0]) for a in LEAKY_SLOPES
                     for q in (0.1, 10.0)])


def smooth_eoc(b2_scale: float = 1.0) -> np.ndarray:
    """(σ_w², q*) on the EOC of tanh and ELU at σ_b² = 0.1, 0.3 times ``b2_scale`` (``critical_sigma_w2``), flattened."""
    from signalprop import critical_sigma_w2

    return np.ravel([critical_sigma_w2(act(n), b2 * b2_scale) for n in CHECKED for b2 in EOC_B2])


def smooth_eoc_quad() -> np.ndarray:
    return np.ravel([quad_eoc(n, b2) for n in CHECKED for b2 in EOC_B2])


def relu_depth_profile(c0: float = 0.5) -> np.ndarray:
    """l²(1 − c_l) at RELU_DEPTHS from ``iterate_maps`` (ReLU, σ_w² = 2, σ_b² = 0, q_0 = 1, from ``c0``)."""
    from signalprop import iterate_maps

    L = max(RELU_DEPTHS)
    c = iterate_maps(act("relu"), 1.0, c0, 2.0, 0.0, L)[2]
    d = np.array(RELU_DEPTHS)
    return d**2 * (1 - c[d])


def relu_depth_profile_numpy() -> np.ndarray:
    c = relu_iterate(0.5, max(RELU_DEPTHS))
    d = np.array(RELU_DEPTHS)
    return d**2 * (1 - c[d])


def relu_rate_constant(w2: float = 2.0) -> float:
    """lim l²(1 − c_l) = 4/a², a = lim_{x→0} [C(1−x) − (1−x)]/x^{3/2} from the toolkit's ReLU correlation map at
    σ_w² = ``w2``, σ_b² = 0, q = 1 (Richardson over x = 1e-5, 2.5e-6: the remainder is O(x))."""
    from signalprop import correlation_map

    def a(x: float) -> float:
        return (float(np.ravel(correlation_map(act("relu"), 1 - x, w2, 0.0, 1.0))[0]) - (1 - x)) / x**1.5

    x = 1e-5
    a0 = (4 * a(x / 4) - a(x)) / 3
    return 4 / a0**2


def smooth_betas(b2: float = RATE_B2) -> np.ndarray:
    """β = 2/C''(1) on the EOC at σ_b² = ``b2`` for tanh: C''(1) from the toolkit's slope χ_c(c) = C'(c)
    (``correlation_map_slope``) by a Richardson difference at c = 1, 1 − h, 1 − h/2."""
    from signalprop import correlation_map_slope, critical_sigma_w2

    out = []
    for n in BETA_CHECKED:
        a = act(n)
        w2, q = critical_sigma_w2(a, b2)
        h = 1e-3
        s = np.ravel(correlation_map_slope(a, np.array([1.0, 1 - h, 1 - h / 2]), w2, q))
        d1, d2 = (s[0] - s[1]) / h, (s[0] - s[2]) / (h / 2)
        out.append(2 / (2 * d2 - d1))
    return np.array(out)


def smooth_betas_quad() -> np.ndarray:
    return np.array([quad_beta(n, quad_eoc(n, RATE_B2)[1]) for n in BETA_CHECKED])


@cache
def smooth_iterated(name: str, depth: int = 400, w2_scale: float = 1.0) -> np.ndarray:
    """1 − c_l on the EOC at σ_b² = 0.1 (``iterate_maps`` from q_0 = q*, c_0 = 0.5), σ_w² times ``w2_scale``."""
    from signalprop import critical_sigma_w2, iterate_maps

    a = act(name)
    w2, q = critical_sigma_w2(a, RATE_B2)
    return 1 - iterate_maps(a, q, 0.5, w2 * w2_scale, RATE_B2, depth)[2]


def tanh_rate(w2_scale: float = 1.0) -> float:
    """l(1 − c_l)/β_q for tanh at l = 400 (the 1/l law with its O(log l/l) correction), σ_w² times ``w2_scale``."""
    return 400 * smooth_iterated("tanh", 400, w2_scale)[400] / smooth_betas()[0]


MC_WIDTH, MC_DEPTH, MC_NETWORKS, MC_LAYERS, MC_C0 = 8192, 12, 50, (2, 4, 8, 11), 0.5   # 12: the single readout unit


def mc_relu(seed: int = 0, c0: float = MC_C0) -> Measured:
    """c_l of two inputs of cosine ``c0`` through finite ReLU networks at the EOC (width 8192, depth 12, 50 networks,
    σ_w² = 2, σ_b² = 0; ``theory.montecarlo``, exact-law fast path), at hidden layers 2, 4, 8, 11, each ± its
    standard error over the networks (``measure_c``: pooled moments, delta method)."""
    from theory.montecarlo import NetworkSpec, forward, measure_c

    d = 16
    X = np.zeros((2, d))
    X[0, 0] = 1.0
    X[1, 0], X[1, 1] = c0, np.sqrt(1 - c0 * c0)
    X *= np.sqrt(d / 2.0)                   # q_0 = σ_w² ‖x‖²/d = 1
    spec = NetworkSpec(act("relu"), MC_WIDTH, MC_DEPTH, 2.0, 0.0, ensemble=MC_NETWORKS, seed=seed)
    comp = measure_c(spec, X, forward(spec, X, progress=False, fast=True))
    return Measured.of(comp, list(MC_LAYERS))


def mc_relu_theory() -> np.ndarray:
    """The infinite-width c_l: the arc-cosine map iterated l times from c_0 = 0.5 (``measure_c`` index l ↔ c_l)."""
    return relu_iterate(MC_C0, MC_DEPTH)[list(MC_LAYERS)]


def swish_attracting_onset(beta: float = 1.0) -> float:
    """σ_b² where the toolkit's swish (gate sharpness ``beta``) EOC turns attracting: the q* with V'(q*) = 1 along
    ``edge_of_chaos`` (Brent in ln q*), mapped to σ_b² by ``eoc_parameters``."""
    from scipy.optimize import brentq
    from signalprop import edge_of_chaos, eoc_parameters

    swish = act("swish", beta=beta)
    u = brentq(lambda t: edge_of_chaos(swish, [np.exp(t)]).slope[0] - 1.0, np.log(2.0), np.log(60.0), xtol=1e-13)
    return float(eoc_parameters(swish, np.exp(u))[1])


SWISH_NOTE = ("Swish is left out of the checks: at σ_b² = 0.05 and 0.3 the toolkit's EOC point (σ_w², q*) = (2.729, 0.827) "
              "and (2.079, 5.66) has χ_1 = 1 at a REPELLING fixed point of the length map (V − q crosses upward; "
              "the attracting q* ≈ 0.24 resp. 1.5 has χ_1 ≈ 0.82 resp. 0.85), so iterating q never reaches it; "
              "scanning σ_w², χ_1 at the attracting q* jumps across 1 where that fixed point disappears. ")
ELU_NOTE = ("ELU (α = 1) is left out: its φ'' jumps at 0, so C'(1 − h) = 1 − C''(1)h + O(h^{3/2}) and the finite "
            "difference converges like √h (4.65 at h = 1e-4 against β_q = 4.597); l(1 − c_l) is 5.31 at l = 400. ")
MC_BIAS = ("finite-width bias bounded: the O(1/N) shift of c_l, measured against the recursion with 20000 networks at "
           "widths 32 and 64 and 10000 at 128 (N·bias ≈ 0, −0.41, −1.30, −1.84 at layers 2, 4, 8, 11, the same at every "
           "width), is ≤ 2.3e-4 at N = 8192, ≤ 0.22 s.e. of the 50-network mean (at width 1024 and 100 networks it was "
           "0.86 s.e. at layer 11)")
SEC3 = "Sec. 3 (ReLU-like activations; Fig. 3b)"
CLAIMS = [
    Claim("hayou2019.relu_eoc_point", PAPER, SEC3,
          "For ReLU, χ_1 = 1 at the fixed point forces σ_w² = 2 and σ_b² = 0 whatever q*: the EOC is the single point "
          "(σ_b, σ_w) = (0, √2) (toolkit eoc_parameters at q* = 0.01, 1, 100).",
          relu_eoc, [2.0, 0.0] * 3, "(σ_w², σ_b²) = (2, 0) at every q* (derived: E[φ'²] = 1/2, E[φ²] = q/2)",
          absolute(1e-12, "exact Gaussian moments of a piecewise-linear φ in float64"), "analytic", provenance="derived",
          notes="The Fig. 3 caption states that the EOC reduces to a single point for ReLU; the point is derived. " + NOTE,
          mutant=partial(relu_eoc, "leaky_relu", slope=0.1), mutation="leaky ReLU (slope 0.1) in place of ReLU"),
    Claim("hayou2019.leaky_relu_eoc", PAPER, SEC3,
          "Leaky ReLU with slope α: EOC σ_w² = 2/(1 + α²), σ_b = 0 (α = 0.01, 0.1, 0.3).",
          leaky_eoc, lambda: np.array([2 / (1 + a * a) for a in LEAKY_SLOPES]), "σ_w² = 2/(1 + α²)",
          relative(1e-12, "exact moments, float64"), "analytic", provenance="derived", notes=NOTE,
          mutant=partial(leaky_eoc, 1.01), mutation="negative-side slopes 1 % larger"),
    Claim("hayou2019.leaky_relu_zero_bias", PAPER, SEC3,
          "Along the leaky-ReLU 'curve' σ_b² = q* − σ_w² E[φ²] vanishes at every q* (q* = 0.1, 10): no EOC point with σ_b > 0.",
          leaky_eoc_bias, [0.0] * 6, "σ_b² = 0", absolute(1e-12, "cancellation of q* ≤ 10 in float64"), "analytic",
          provenance="derived", notes=NOTE, mutant=partial(leaky_eoc_bias, "elu", "alpha"),
          mutation="ELU with α = the slope in place of leaky ReLU (a curved negative side)"),
    Claim("hayou2019.smooth_eoc_curves", PAPER, "Sec. 3–4, Fig. 3a/3c (EOC curves of smooth activations)",
          "For tanh and ELU the EOC is a curve: at σ_b² = 0.1 and 0.3 the critical (σ_w², q*) of the toolkit "
          "equal an independent solve of χ_1(q*(σ_w²)) = 1 (scipy quad for V and χ_1, brentq for q* and for σ_w²).",
          smooth_eoc, smooth_eoc_quad, "χ_1 = 1 at q* = V(q*) (Poole et al.'s EOC condition), solved by quad + brentq",
          relative(1e-8, "two root-finders on 1-D Gaussian integrals (quad ~1e-13); q* is conditioned ~1e3 worse than χ_1"),
          "numerical", provenance="formula",
          notes="The EOC condition is Poole et al.'s (their authors' code evaluates χ_1 and V; Hayou et al. follow that "
                "approach, as their introduction says); tanh at σ_b² = 0.05 is checked by "
                "schoenholz2017.critical_point_sigma_b2_0p05, hence 0.1 and 0.3 here. " + SWISH_NOTE + NOTE,
          mutant=partial(smooth_eoc, 1.01), mutation="σ_b² 1 % larger"),
    Claim("hayou2019.relu_depth_profile", PAPER, SEC3,
          "ReLU at the EOC: l²(1 − c_l) at l = 25, 50, 100, 200 (c_0 = 0.5) from the toolkit's iterated maps equals the "
          "arc-cosine closed form iterated in numpy (approaching 9π²/2 ≈ 44.41 from below, with an O(log l/l) correction).",
          relu_depth_profile, relu_depth_profile_numpy, "c_{l+1} = (1/π)[√(1−c_l²) + c_l(π − arccos c_l)]",
          relative(1e-9, "two float64 recursions of 200 steps; 1 − c_l ~ 1e-3 loses ~1e-13/1e-3 relative"),
          "numerical", provenance="derived", notes=NOTE,
          mutant=partial(relu_depth_profile, 0.51), mutation="c_0 = 0.51 instead of 0.5"),
    Claim("hayou2019.relu_rate_constant", PAPER, SEC3 + ", ReLU on the EOC",
          "1 − c_l ~ 9π²/(2l²): the constant 4/a², a the x^{3/2} coefficient of C(1 − x) − (1 − x) in the toolkit's "
          "ReLU correlation map, equals 9π²/2.",
          relu_rate_constant, 9 * np.pi**2 / 2, "9π²/2 = 44.413 (derived above from the arc-cosine map)",
          relative(1e-6, "Richardson remainder O(x²) = 1e-10 and cancellation ~1e-16/x^{3/2} ~ 3e-9 at x = 2.5e-6"),
          "analytic", provenance="derived", notes=NOTE,
          mutant=partial(relu_rate_constant, 2.02), mutation="σ_w² = 2.02, 1 % off the EOC (C(1) = 1.01)"),
    Claim("hayou2019.smooth_beta", PAPER, "Proposition 3 (smooth activations on the EOC)",
          "1 − c_l ~ β_q/l, β_q = 2E[φ'(√q z)²]/(q E[φ''(√q z)²]) (= 2/C''(1)): for tanh at σ_b² = 0.1 the "
          "toolkit's C''(1) (from its χ_c) gives β_q evaluated by scipy quad.",
          smooth_betas, smooth_betas_quad, "β_q = 2E[φ'²]/(q E[φ''²]) at the EOC's q* (scipy quad)",
          relative(2e-5, "Richardson difference of χ_c with h = 1e-3 (remainder O(h²) ~ 1e-6) and the 2-D engine's 1e-10 "
                         "over h"), "numerical", provenance="derived", notes=ELU_NOTE + NOTE,
          mutant=partial(smooth_betas, RATE_B2 * 1.01), mutation="σ_b² 1 % larger (another point of the EOC)"),
    Claim("hayou2019.tanh_rate", PAPER, "Proposition 3",
          "tanh on the EOC (σ_b² = 0.1): l(1 − c_l)/β_q at l = 400 from the toolkit's iterated maps is near 1 — the 1/l law "
          "(slower than ReLU's 1/l²), up to its O(log l/l) correction.",
          tanh_rate, 1.0, "l(1 − c_l) → β_q",
          absolute(0.02, "the O(log l / l) correction of the 1/l law at l = 400 (measured 0.8 %: 4.042 against β_q = 4.0096)"), "numerical",
          provenance="derived", notes=NOTE,
          mutant=partial(tanh_rate, 0.99), mutation="σ_w² 1 % below the EOC (ordered: exponential convergence)"),
    Claim("hayou2019.swish_attracting_eoc", PAPER, "Sec. 4 (smooth activations; Fig. 3c, swish)",
          "Along swish's χ_1 = 1 curve the fixed point q* attracts (V'(q*) = 1 + σ_w² E[φφ''] < 1) only for σ_b² above "
          "0.55514, where E[φφ''] = 0 (q* = 14.3202, the half-stable point of Roberts, Yaida & Hanin 2022, §5.3.4); "
          "below it the variance map is driven away from q*.",
          swish_attracting_onset, quad_half_stable_b2,
          "σ_b² = q* − E[φ²]/E[φ'²] at the root q* of E[φ(√q z)φ''(√q z)] = 0 (scipy quad, brentq)",
          relative(1e-8, "two root solves (Brent, ~1e-13) on quadratures good to ~1e-12; the onset is a simple root"),
          "numerical", provenance="derived",
          notes="Derived here, not a number printed by Hayou et al. (their Fig. 3c could not be read). At small σ_b "
                "χ_1 = 1 sits at a repelling q* (e.g. σ_b = 0.2, σ_w ≈ 1.68 has q* = 0.83 with V'(q*) = 1.10; the "
                "attracting q* = 0.23 has χ_1 = 0.86). The same value is roberts2022's half-stable point (that later "
                "claim carries same_as). " + NOTE,
          mutant=partial(swish_attracting_onset, 1.01), mutation="swish with gate sharpness β = 1.01 instead of 1"),
    Claim("hayou2019.mc_relu_correlation", PAPER, SEC3,
          "Finite ReLU networks at the EOC (width 8192, 50 networks): the correlation of two inputs at layers 2, 4, 8, 11 "
          "follows the infinite-width arc-cosine recursion that converges to 1 polynomially.",
          partial(mc_relu, 0), mc_relu_theory, "c_l of the arc-cosine recursion from c_0 = 0.5 (numpy closed form)",
          mc_sigmas(len(MC_LAYERS), MC_NETWORKS, extra=MC_BIAS), "mc", provenance="simulation_vs_theory",
          notes="Seed 0, ~1–3 s on 2 CPU cores (exact-law fast path: each layer's pre-activations drawn from their law "
                "given the previous layer, the distribution of explicit Gaussian weights). The bias was measured with a "
                "scratch script (forward(..., fast=True), dtype float64, seed 99). Seeds 0–7 pass (checked by hand). "
                "GPU setting: width 8192, 1000 networks, depth 200 resolves the 1/l² tail. " + NOTE,
          mutant=partial(mc_relu, 0, 0.55), mutation="inputs of cosine 0.55 instead of 0.5", seeded=mc_relu),
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
