"""Price, Daultry Ball, Lam, Jones & Tanner 2024, "Deep Neural Network Initialization with Sparsity Inducing
Activations" (ICLR 2024): at the edge of chaos the variance map of a shifted ReLU or a soft threshold has a
tangent fixed point, which clipping the activation's magnitude makes stable.

Setting (standard parameterization, z ~ N(0, 1)): the variance map V(q) = σ_w² E[φ(√q z)²] + σ_b² and the
edge of chaos (EoC) parameterized by its fixed point q*: σ_w² = 1/E[φ'(√q* z)²], σ_b² = q* − σ_w² E[φ(√q* z)²]
(so V(q*) = q*, χ_1(q*) = 1). The activations, with t = τ/√q*:
  ReLU_τ(x) = max(0, x − τ),  ST_τ(x) = sign(x) max(|x| − τ, 0),  CReLU_τ,m(x) = min(max(x − τ, 0), m),
  CST_τ,m(x) = sign(x) min(max(|x| − τ, 0), m) (the clipped soft threshold: form reconstructed here).
Fraction of zeros at the EoC: 1 − E[φ'(√q* z)²] = 1 − 1/σ_w², i.e. Φ(t) (ReLU_τ) and 2Φ(t) − 1 (ST_τ).

The instability (derived here from the Stein form V'(q) = (σ_w²/2q) E[(z² − 1) φ(√q z)²]):
  V'(q) = σ_w² Φ̄(τ/√q) for ReLU_τ (2σ_w² Φ̄ for ST_τ), so at the EoC V'(q*) = χ_1(q*) = 1 exactly and
  V''(q*) = (τ / (2 q*^{3/2})) φ_N(t) / Φ̄(t) > 0 for both: q* is a tangent (double) fixed point, V(q) > q on
  both sides — iterates below q* creep up to it, iterates above it run away.
Clipping: for CReLU_τ,m the clip at τ + m (where φ = m ≠ 0) adds a boundary term,
  V'(q*) = 1 − σ_w² m φ_N((τ + m)/√q*)/√q* < 1,
so q* becomes attracting; m must also be small enough that no second fixed point appears just above q*
(for large m the map returns to the ReLU_τ tangency: a stable/unstable pair 1 ↔ 1.00008 at m = 4).

Finite width (derived here: Roberts–Yaida–Hanin's single-input O(1/N) recursion at the fixed point, where q^l = q*
for every l when q⁰ = q*): with M(q) = E[φ(√q z)²], Var(s²_{l+1}) = σ_w⁴ Var_z[φ(√q* z)²]/N + V'(q*)² Var(s²_l) and
E[q̂^l] = q* + δ_l, δ_{l+1} = V'(q*) δ_l + (σ_w²/2) M''(q*) Var(s²_l), Var(s²_0) = δ_0 = 0 (fixed input).

Source caveat: only the abstract (arXiv HTML opening, the first author's publication page) and third-party summaries
could be read (searched again in this session): no theorem, equation, figure or table of the body. The abstract
prints one number, the 85 % sparsity reached in training; it is an input here (the τ giving 85 % zeros), not an
output to check. Every reference below is therefore "derived": the paper's analytic statement (instability of
ReLU_τ / ST_τ at the EoC, stabilization by clipping) made quantitative here and evaluated by an independent route
(scipy's normal CDF/PDF, closed-form moments, brentq), not a printed number; theorem/figure numbers are not verified.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Measured, Paper, absolute, mc_sigmas, relative
from .figures import save_figure

PAPER = Paper("price2024", "Deep Neural Network Initialization with Sparsity Inducing Activations",
              "I. Price, N. Daultry Ball, S. C. H. Lam, A. C. Jones, J. Tanner", 2024, arxiv="2402.16184",
              venue="International Conference on Learning Representations (ICLR 2024)")

SPARSITY = 0.85  # the abstract's "fractional sparsity as high as 85 %"
Q_STARS = (0.5, 1.0, 4.0)  # EoC fixed points used with tau = 1
CLIPS = (0.25, 0.5, 1.0, 2.0, 4.0)  # clipping levels m for CReLU at 85 % sparsity, q* = 1
UNCLIPPED = ("shifted_relu", "soft_threshold")
NOT_READ = ("No full text of the paper could be read (abstract and third-party summaries only): the reference is derived "
            "here, not printed; theorem/figure numbers not verified.")
SW2 = "σ_w² × 1.01 (1 %) in the toolkit's map"


def tau_85() -> float:
    """τ for 85 % zeros of ReLU_τ at q* = 1: Φ(τ) = 0.85."""
    from scipy.stats import norm

    return float(norm.ppf(SPARSITY))


def act(name: str, **params):
    """A zoo activation with float parameters."""
    from symbolic import get_activation

    return get_activation(name, **params)


def eoc(name: str, q_star: float, **params) -> tuple[float, float]:
    """(σ_w², σ_b²) on the edge of chaos with fixed point q* (toolkit ``eoc_parameters``)."""
    from signalprop import eoc_parameters

    w2, b2 = eoc_parameters(act(name, **params), q_star)
    return float(w2), float(b2)


def clipped_moments(tau: float, m: float, q: float, two_sided: bool = False) -> tuple[float, float]:
    """Closed forms (scipy) of (E[φ(√q z)²], E[φ'(√q z)²]) for CReLU_τ,m (m = inf: ReLU_τ); ``two_sided``: the
    odd version (ST_τ / CST_τ,m), which doubles both. With s = √q, a = τ/s, b = (τ + m)/s:
    E[φ²] = s²[(Φ(b) − Φ(a)) + aφ_N(a) − bφ_N(b)] − 2sτ(φ_N(a) − φ_N(b)) + τ²(Φ(b) − Φ(a)) + m² Φ̄(b)."""
    from scipy.stats import norm

    s = math.sqrt(q)
    a, b = tau / s, (tau + m) / s
    mass = float(norm.cdf(b) - norm.cdf(a))
    pa, pb = float(norm.pdf(a)), (float(norm.pdf(b)) if math.isfinite(b) else 0.0)
    bpb = b * pb if math.isfinite(b) else 0.0
    tail = m * m * float(norm.sf(b)) if math.isfinite(m) else 0.0
    e2 = s * s * (mass + a * pa - bpb) - 2 * s * tau * (pa - pb) + tau * tau * mass + tail
    k = 2.0 if two_sided else 1.0
    return k * e2, k * mass


def closed_eoc(tau: float, m: float, q_star: float, two_sided: bool = False) -> tuple[float, float]:
    """(σ_w², σ_b²) at the EoC from the closed-form moments."""
    e2, d2 = clipped_moments(tau, m, q_star, two_sided)
    return 1.0 / d2, q_star - e2 / d2


# ---- the instability of ReLU_tau / ST_tau at the EoC -------------------------------------------------------


def eoc_slopes(sw2_scale: float = 1.0) -> np.ndarray:
    """V'(q*) at the EoC (toolkit Stein slope; σ_w² times ``sw2_scale``) for ReLU_τ, ST_τ (τ = 1) and q* ∈ Q_STARS."""
    from signalprop import length_map_slope

    return np.array([length_map_slope(act(n, tau=1), q, eoc(n, q, tau=1)[0] * sw2_scale) for n in UNCLIPPED for q in Q_STARS])


def eoc_curvatures(sw2_scale: float = 1.0, h: float = 1e-3) -> np.ndarray:
    """V''(q*) at the EoC: central difference (step h q*) of the toolkit's V'(q), ReLU_τ and ST_τ (τ = 1; σ_w² times
    ``sw2_scale``)."""
    from signalprop import length_map_slope

    out = []
    for n in UNCLIPPED:
        for q in Q_STARS:
            w2 = eoc(n, q, tau=1)[0] * sw2_scale
            d = h * q
            out.append((length_map_slope(act(n, tau=1), q + d, w2) - length_map_slope(act(n, tau=1), q - d, w2)) / (2 * d))
    return np.array(out)


def curvature_formula() -> np.ndarray:
    """V''(q*) = (τ/(2q*^{3/2})) φ_N(t)/Φ̄(t), t = τ/√q*, the same for ReLU_τ and ST_τ (τ = 1)."""
    from scipy.stats import norm

    vals = [1 / (2 * q**1.5) * norm.pdf(q**-0.5) / norm.sf(q**-0.5) for q in Q_STARS]
    return np.array(vals * len(UNCLIPPED))


def fixed_point_summary(fps) -> list[float]:
    """(number of fixed points, the first q* (0 if none), tangent, stable, diverges above) as floats."""
    first = fps.points[0] if fps.points else None
    return [len(fps.points), first.q_star if first else 0.0, float(bool(first and first.tangent)),
            float(bool(first and first.stable)), float(fps.diverges)]


def tangent_fixed_points(sw2_scale: float = 1.0) -> np.ndarray:
    """What the toolkit's ``fixed_points`` finds at the EoC of ReLU_τ / ST_τ (τ = 1, q* ∈ Q_STARS; (σ_w², σ_b²) from the
    closed form, σ_w² times ``sw2_scale``): ``fixed_point_summary`` per case, flattened."""
    from signalprop import fixed_points

    out = []
    for n, two in zip(UNCLIPPED, (False, True)):
        for q in Q_STARS:
            w2, b2 = closed_eoc(1.0, math.inf, q, two)
            out += fixed_point_summary(fixed_points(act(n, tau=1), w2 * sw2_scale, b2))
    return np.array(out)


def tangent_reference() -> np.ndarray:
    """One fixed point, q* itself, tangent, not stable, divergence above: (1, q*, 1, 0, 1) per case."""
    return np.array([[1.0, q, 1.0, 0.0, 1.0] for _ in UNCLIPPED for q in Q_STARS]).ravel()


# ---- sparsity ------------------------------------------------------------------------------------------------


def sparsity_thresholds(clip: float | None = None) -> np.ndarray:
    """τ/√q* giving 85 % zeros at the EoC, from the toolkit: root in q* (τ = 1) of 1 − 1/σ_w²(q*) = 0.85, returned as
    (τ/√q*, σ_w²) for ReLU_τ and ST_τ (or, with ``clip`` = m, for their clipped forms CReLU_τ,m, CST_τ,m)."""
    from scipy.optimize import brentq

    names, params = (UNCLIPPED, {}) if clip is None else (("crelu_tau_m", "cst_tau_m"), {"m": clip})
    out = []
    for n in names:
        q = brentq(lambda q: 1 - 1 / eoc(n, q, tau=1, **params)[0] - SPARSITY, 0.05, 20.0, xtol=1e-14, rtol=1e-14)
        out += [q**-0.5, eoc(n, q, tau=1, **params)[0]]
    return np.array(out)


def sparsity_formula() -> np.ndarray:
    """Φ(t) = 0.85 (ReLU_τ), 2Φ(t) − 1 = 0.85 (ST_τ); σ_w² = 1/(1 − 0.85) in both."""
    from scipy.stats import norm

    w2 = 1 / (1 - SPARSITY)
    return np.array([norm.ppf(SPARSITY), w2, norm.ppf((1 + SPARSITY) / 2), w2])


# ---- clipping ------------------------------------------------------------------------------------------------


def clipped_slopes(sw2_scale: float = 1.0) -> np.ndarray:
    """V'(q* = 1) of CReLU_τ,m at the EoC (toolkit; σ_w² times ``sw2_scale``), τ = Φ⁻¹(0.85), m ∈ CLIPS."""
    from signalprop import length_map_slope

    tau = tau_85()
    return np.array([length_map_slope(act("crelu_tau_m", tau=tau, m=m), 1.0,
                                      eoc("crelu_tau_m", 1.0, tau=tau, m=m)[0] * sw2_scale) for m in CLIPS])


def clipped_slope_formula() -> np.ndarray:
    """V'(q*) = 1 − σ_w² m φ_N((τ + m)/√q*)/√q* at q* = 1, σ_w² = 1/(Φ(τ + m) − Φ(τ)) (closed form)."""
    from scipy.stats import norm

    tau = tau_85()
    return np.array([1 - closed_eoc(tau, m, 1.0)[0] * m * norm.pdf(tau + m) for m in CLIPS])


CLIP_CASES = ((1.0, ((0.5, 2.0),)), (2.0, ((0.9, 1.1), (1.1, 2.0), (2.0, 5.0))),
              (4.0, ((0.99, 1.00004), (1.00004, 1.1), (20.0, 30.0))))


def padded(points: list[float], k: int = 3) -> list[float]:
    """The first k fixed points, padded with zeros (a fixed-size answer whatever their number)."""
    return (list(points) + [0.0] * k)[:k]


def clipped_fixed_points(sw2_scale: float = 1.0) -> np.ndarray:
    """All fixed points of CReLU_τ,m at the EoC (q* = 1, τ = Φ⁻¹(0.85); σ_w² times ``sw2_scale``) for m = 1, 2, 4, by
    the toolkit's ``fixed_points``, padded to 3 per m (m = 1: q* only; m = 2, 4: q*, an unstable partner, a stable
    upper point)."""
    from signalprop import fixed_points

    tau = tau_85()
    out = []
    for m, _ in CLIP_CASES:
        w2, b2 = closed_eoc(tau, m, 1.0)
        out += padded([p.q_star for p in fixed_points(act("crelu_tau_m", tau=tau, m=m), w2 * sw2_scale, b2).points])
    return np.array(out)


def clipped_fixed_points_closed() -> np.ndarray:
    """The same roots of V(q) = q from the closed-form map, each solved with brentq in a bracket found by hand."""
    from scipy.optimize import brentq

    tau, out = tau_85(), []
    for m, brackets in CLIP_CASES:
        w2, b2 = closed_eoc(tau, m, 1.0)
        out += padded([brentq(lambda q: w2 * clipped_moments(tau, m, q)[0] + b2 - q, lo, hi, xtol=1e-15, rtol=1e-14)
                       for lo, hi in brackets])
    return np.array(out)


# ---- Monte Carlo ---------------------------------------------------------------------------------------------

MC_WIDTH, MC_DEPTH, MC_NETWORKS, MC_CLIP = 256, 15, 40, 1.0
MC_LAYERS = (0, 5, 10, 14)
MC_SW2_MUTANT = 1.2


def mc_run(name: str, seed: int = 0, sw2_scale: float = 1.0, **params):
    """Finite networks (width 256, depth 15, 40 networks, float32) at the EoC with q⁰ = q* = 1 (σ_w² times ``sw2_scale``
    in every layer, the input rescaled to keep q⁰ = 1): the toolkit's forward pass; returns (spec, x, Forward)."""
    from theory.montecarlo import NetworkSpec, forward

    a = act(name, **params)
    w2, b2 = eoc(name, 1.0, **params)
    x = np.ones((1, 64)) * math.sqrt((1.0 - b2) / (w2 * sw2_scale))  # q⁰ = σ_w²|x|²/d + σ_b² = 1
    spec = NetworkSpec(a, MC_WIDTH, MC_DEPTH, w2 * sw2_scale, b2, ensemble=MC_NETWORKS, seed=seed)
    return spec, x, forward(spec, x, progress=False)


def mc_clipped(seed: int = 0, sw2_scale: float = 1.0) -> Measured:
    """Mean q^l (± standard error over the independent networks: per-network q̂ = ‖h‖²/N) of CReLU_τ,1 networks at
    layers MC_LAYERS."""
    from theory.montecarlo import measure_q

    spec, x, fwd = mc_run("crelu_tau_m", seed, sw2_scale, tau=tau_85(), m=MC_CLIP)
    c = measure_q(spec, x, fwd)
    return Measured.of(c, list(MC_LAYERS))


def finite_width_shift(m: float = MC_CLIP, depth: int = MC_DEPTH, width: int = MC_WIDTH) -> tuple[np.ndarray, np.ndarray]:
    """(δ_l, Var(s²_l)), l = 0 … depth − 1, for CReLU_τ,m at its EoC with q⁰ = q* = 1 (module docstring): V'(q*) by the
    closed form, M''(q*) by a central difference (step 1e-3) of the closed-form M, E[φ⁴] by scipy quad; no toolkit code."""
    from scipy.stats import norm

    from .reference import gauss_quad

    tau, q, h = tau_85(), 1.0, 1e-3
    w2, _ = closed_eoc(tau, m, q)
    slope = 1 - w2 * m * float(norm.pdf(tau + m))
    moment = [clipped_moments(tau, m, v)[0] for v in (q - h, q, q + h)]
    curvature = (moment[0] - 2 * moment[1] + moment[2]) / (h * h)
    spread = gauss_quad(lambda z: np.clip(z - tau, 0.0, m) ** 4) - moment[1] ** 2
    shift, var = [0.0], [0.0]
    for _ in range(depth - 1):
        shift.append(slope * shift[-1] + w2 / 2 * curvature * var[-1])
        var.append(w2 * w2 * spread / width + slope**2 * var[-1])
    return np.array(shift), np.array(var)


def mc_reference() -> np.ndarray:
    """E[q̂^l] = q* + δ_l = 1 + δ_l at MC_LAYERS."""
    return 1.0 + finite_width_shift()[0][list(MC_LAYERS)]


WHERE_INSTAB = "Sec. 2 (variance map of ReLU_τ and ST_τ at the edge of chaos; the instability result)"
WHERE_CLIP = "Sec. 3 (magnitude-clipped activations CReLU_τ,m / CST_τ,m; V'(q*) against m)"
CLAIMS = [
    Claim("price2024.eoc_slope_one", PAPER, WHERE_INSTAB,
          "At the edge of chaos the variance map of ReLU_τ and of ST_τ has slope exactly 1 at its fixed point, "
          "V'(q*) = χ_1(q*) = 1 (τ = 1, q* = 0.5, 1, 4): the fixed point is marginal, not attracting.",
          eoc_slopes, np.ones(2 * len(Q_STARS)), "V'(q*) = 1 (kink where φ = 0: the Stein slope equals χ_1)",
          absolute(1e-12, "Gaussian quadrature accuracy ~1e-13 on V' and 1/E[φ'²]"), "analytic",
          provenance="derived", mutant=partial(eoc_slopes, 1.01), mutation=SW2,
          notes=NOT_READ + " The identity is derived here: V'(q) = σ_w² Φ̄(τ/√q) (ReLU_τ), 2σ_w² Φ̄ (ST_τ)."),
    Claim("price2024.eoc_curvature", PAPER, WHERE_INSTAB,
          "The second derivative there is positive, V''(q*) = (τ/(2q*^{3/2})) φ_N(t)/Φ̄(t), t = τ/√q*, identical for "
          "ReLU_τ and ST_τ: V(q) > q on both sides of q*, so q* attracts from below and repels from above.",
          eoc_curvatures, curvature_formula, "(τ/(2q*^{3/2})) φ_N(t)/(1 − Φ(t)) (scipy), τ = 1, q* = 0.5, 1, 4",
          relative(2e-6, "central difference with step 1e-3 q*: O(h²) error ≤ 5.2e-7 relative"), "analytic",
          provenance="derived", mutant=partial(eoc_curvatures, 1.01), mutation=SW2,
          notes=NOT_READ + " Formula derived here (d/dq of σ_w² Φ̄(τ/√q)); the paper interprets V'(q*) and V''(q*)."),
    Claim("price2024.tangent_fixed_point", PAPER, WHERE_INSTAB,
          "The toolkit's fixed-point finder reports, at the EoC of ReLU_τ and ST_τ (τ = 1, q* = 0.5, 1, 4), exactly one "
          "fixed point: q*, tangent (a double root, not stable), with q^l diverging for q⁰ > q* — per case (number of "
          "fixed points, q*, tangent, stable, diverges) = (1, q*, 1, 0, 1).",
          tangent_fixed_points, tangent_reference,
          "q* itself (the EoC is parameterized by q*; σ_w², σ_b² from the closed-form moments), one point, tangent",
          relative(1e-9, "tangent point located as the root of V' − 1 (Brent, 1e-15); V'' ≥ 0.07 there; the flags exact"),
          "numerical", provenance="derived", mutant=partial(tangent_fixed_points, 1.01),
          mutation=SW2 + " (V > q everywhere: no fixed point left)",
          notes=NOT_READ + " Needed the tangent-root fix in signalprop.fixed_points (the sign-change search found nothing)."),
    Claim("price2024.sparsity_85", PAPER, "Abstract and Sec. 2 (85 % sparsity; zero fraction at the EoC)",
          "At the EoC the fraction of zeros is 1 − E[φ'(√q* z)²] = 1 − 1/σ_w²; 85 % zeros (the abstract's figure) needs "
          "τ/√q* = Φ⁻¹(0.85) = 1.0364 for ReLU_τ and Φ⁻¹(0.925) = 1.4395 for ST_τ, with σ_w² = 20/3 in both: "
          "(τ/√q*, σ_w²) for ReLU_τ, then ST_τ.",
          sparsity_thresholds, sparsity_formula, "Φ⁻¹(0.85), 1/0.15, Φ⁻¹(0.925), 1/0.15 (scipy); 85 % as printed",
          relative(1e-9, "root found to 1e-14 on moments accurate to ~1e-13"), "analytic",
          provenance="derived", mutant=partial(sparsity_thresholds, 2.0),
          mutation="the clipped forms (m = 2) in place of ReLU_τ and ST_τ (1 − E[φ'²] then also counts the clipped region)",
          notes=NOT_READ + " Only '85 %' is printed (abstract), as a level reached in training; the thresholds are derived here."),
    Claim("price2024.clipping_stabilizes", PAPER, WHERE_CLIP,
          "Clipping makes the EoC fixed point attracting: for CReLU_τ,m (τ = Φ⁻¹(0.85), q* = 1) "
          "V'(q*) = 1 − σ_w² m φ_N((τ + m)/√q*)/√q* < 1, i.e. 0.143, 0.302, 0.612, 0.947, 0.99997 for m = 0.25, 0.5, 1, 2, 4 "
          "— back to the marginal ReLU_τ value 1 as m → ∞.",
          clipped_slopes, clipped_slope_formula, "1 − σ_w² m φ_N(τ + m), σ_w² = 1/(Φ(τ + m) − Φ(τ)) (scipy)",
          absolute(1e-12, "Gaussian quadrature accuracy ~1e-13 on V' and σ_w²"), "analytic",
          provenance="derived", mutant=partial(clipped_slopes, 1.01), mutation=SW2,
          notes=NOT_READ + " Formula derived here: the clip at τ + m, where φ = m ≠ 0, is the only boundary term of the "
                           "Stein slope; the paper plots V'(q*) against m."),
    Claim("price2024.clip_level", PAPER, WHERE_CLIP + " (clip 'at a level prescribed by the shape of the variance map')",
          "Too large a clip brings the instability back: CReLU_τ,m at the EoC (q* = 1, τ = Φ⁻¹(0.85)) has q* as its only "
          "fixed point for m = 1, but for m = 2 an unstable fixed point 1.2348 and a stable 3.4765 appear above it, and for "
          "m = 4 the unstable partner sits at 1.00008 (a near-tangent pair) with the stable point at 25.77 (the fixed "
          "points per m, padded with zeros to 3).",
          clipped_fixed_points, clipped_fixed_points_closed,
          "roots of the closed-form V(q) = q (brentq, hand-chosen brackets)",
          relative(1e-9, "V' − 1 = −3e-5 at the m = 4 roots: a 1e-15 map error moves them ~3e-11"), "numerical",
          provenance="derived", mutant=partial(clipped_fixed_points, 1.01), mutation=SW2,
          notes=NOT_READ + " Values derived here. Before the fix of signalprop.fixed_points the m = 4 pair (in one grid "
                           "cell) was missed entirely."),
    Claim("price2024.mc_clipped", PAPER, "Sec. 4 (experiments: clipped activations train at 85 % sparsity)",
          "Finite CReLU_τ,1 networks at the EoC (85 % sparsity, q⁰ = q* = 1; width 256, depth 15, 40 networks) keep the mean "
          "pre-activation variance at q* = 1 up to its O(1/N) shift (layers 0, 5, 10, 14).",
          partial(mc_clipped, 0), mc_reference,
          "q* + δ_l: the EoC fixed point 1 and the O(1/N) mean shift (module docstring; closed forms and scipy quad)",
          mc_sigmas(len(MC_LAYERS), MC_NETWORKS,
                    extra="the O(1/N) shift δ_l is modelled (−0.0011 at layers 10 and 14, ≈ 0.05 s.e.); the O(1/N²) "
                          "remainder is smaller still; q̂ fluctuates about a stable fixed point (V' = 0.61), so its "
                          "relative s.d. stays ≈ 0.14 (theory and measurement) and its distribution close to Gaussian"),
          "mc", provenance="simulation_vs_theory", seeded=mc_clipped, mutant=partial(mc_clipped, 0, MC_SW2_MUTANT),
          mutation=f"σ_w² × {MC_SW2_MUTANT} in the networks, q⁰ = 1 kept (the fixed point moves to 1.27)",
          notes="Initialization-level counterpart of the paper's training experiments. ReLU_τ networks under the same "
                "setting drift upward (heavy-tailed: ~30 % of them reach q^14 > 2; a z-test on their mean is "
                "uninformative), so that side is shown in the notebook, not judged here. Standard errors: over the "
                "independent networks. Largest |z| of seeds 0–5: 1.55, 1.85, 1.69, 1.28, 1.72, 1.17; the mutant gives "
                "8.5. GPU setting: width 2048, depth 50, 1000 networks."),
]


def figure(path: str | Path) -> Path:
    """The variance maps at the edge of chaos (q* = 1), like the paper's figure: V(q) against q for ReLU_τ and ST_τ
    (τ = 0.5, 1, 1.5; tangent to the identity) and for CReLU_τ,m and CST_τ,m (τ = 1, m = 0.5, 1, 2; crossing it),
    with V(q) − q below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from signalprop import length_map

    qs = np.linspace(0.02, 3.0, 150)
    panels = [("shifted_relu", "ReLU_τ", [dict(tau=t) for t in (0.5, 1.0, 1.5)]),
              ("soft_threshold", "ST_τ", [dict(tau=t) for t in (0.5, 1.0, 1.5)]),
              ("crelu_tau_m", "CReLU_τ,m", [dict(tau=1.0, m=m) for m in (0.5, 1.0, 2.0)]),
              ("cst_tau_m", "CST_τ,m (reconstructed form)", [dict(tau=1.0, m=m) for m in (0.5, 1.0, 2.0)])]
    fig, axes = plt.subplots(2, 4, figsize=(13, 5.6), sharex=True)
    for col, (name, title, settings) in enumerate(panels):
        top, bottom = axes[0, col], axes[1, col]
        for params in settings:
            w2, b2 = eoc(name, 1.0, **params)
            v = length_map(act(name, **params), qs, w2, b2)
            label = ", ".join(f"{ {'tau': 'τ'}.get(k, k)} = {val:g}" for k, val in params.items())
            top.plot(qs, v, label=label)
            bottom.plot(qs, v - qs)
        top.plot(qs, qs, "k--", lw=1, label="V(q) = q")
        bottom.axhline(0, color="k", lw=1, ls="--")
        top.plot([1], [1], "ko", ms=4)
        top.set_title(title, fontsize=10)
        top.set_ylim(0, 3.5)
        bottom.set_ylim(-0.15, 0.15)
        bottom.set_xlabel("q")
        top.legend(fontsize=7, loc="upper left")
    axes[0, 0].set_ylabel("V(q)")
    axes[1, 0].set_ylabel("V(q) − q")
    fig.suptitle("Price et al. 2024: variance maps at the edge of chaos with q* = 1 (toolkit length_map)", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path)
