"""Yang & Schoenholz 2017, "Mean Field Residual Networks: On the Edge of Chaos" (arXiv:1712.08969, NeurIPS 2017).

A full residual network x ← x + V φ(W x + b) + a (W ~ N(0, σ_w²/N), V ~ N(0, σ_v²/N), b, a with variances σ_b², σ_a²)
adopts subexponential, in many cases polynomial, forward and backward dynamics (the abstract). Mean field:
q^l = σ_w² p^{l−1} + σ_b², p^l = p^{l−1} + σ_v² E[φ(√q^l z)²] + σ_a², and a gradient's squared length is multiplied per
block by χ_l = 1 + σ_v²σ_w² E[φ'(√q^l z)²] (``signalprop.block_chis``).

Derived here for tanh (the paper's exponents could not be read): E[f(√q z)] = φ(0)/√q (M₀ − M₂/(2q) + M₄/(8q²) − …)
with M_k = ∫u^k f(u) du and φ(0) = 1/√(2π), for f = sech² (M₀ = 2) and sech⁴ (M₀ = 4/3). Hence the length's increment
σ_v² + σ_a² − σ_v² E[sech²(√q z)] tends to σ_v² + σ_a² (p^l = Θ(l), with a −Θ(√l) correction) and χ_l − 1 =
σ_v²σ_w² E[sech⁴(√q z)] ≈ (4/3)σ_v²σ_w²/√(2π q^l), so log Π χ_l ≈ 2·(4/3)σ_v²σ_w² √L/√(2π σ_w²(σ_v² + σ_a²)): the gradient
grows like exp(Θ(√L)), as the authors' follow-up (ICLR 2018 submission, abstract) states, against exp(Θ(L)) for ReLU,
whose χ_l = 1 + σ_v²σ_w²/2 exactly. The moments M_k come from mpmath quadrature, q^l from an independent recursion
(scipy quad), never the toolkit.

α-ReLU φ = max(0, x)^α (the paper's family; a formula here, ``custom_activation``), 1/2 < α < 1, derived here: with
c_β = E[z₊^{2β}] = 2^{β−1}Γ(β + 1/2)/√π, E[φ(√q z)²] = c_α q^α and E[φ'(√q z)²] = α² c_{α−1} q^{α−1}, so
p^{l+1} − p^l ≈ σ_v² c_α (σ_w² p^l)^α gives p^l ~ (K(1 − α) l)^{1/(1−α)}, K = σ_v² c_α σ_w^{2α} (polynomial, exponent
1/(1 − α)), and χ_l − 1 ≈ α² c_{α−1}/((1 − α) c_α l) = α²/((1 − α)(2α − 1) l) (c_{α−1}/c_α = 1/(2α − 1)): the gradient
grows polynomially, ‖∇‖² ~ L^{α²/((1−α)(2α−1))}, whatever σ_w², σ_v². φ' ~ x^{α−1} is singular at 0; the toolkit's 1-D
engine integrates it on panels graded as x = h t^m (m the exponent's denominator), exactly to rounding.
"""

from __future__ import annotations

import math
from functools import cache, partial
from pathlib import Path

import mpmath
import numpy as np

from .claim import Claim, Measured, Paper, mc_sigmas, relative
from .figures import save_figure
from .reference import gauss_quad, stream_inputs

PAPER = Paper("yang2017", "Mean Field Residual Networks: On the Edge of Chaos", "G. Yang, S. S. Schoenholz", 2017,
              arxiv="1712.08969")
WHERE = "Abstract (residual networks adopt subexponential, in many cases polynomial, forward and backward dynamics)"
NOT_READ = ("Only the abstract could be read here; the asymptotic forms are derived here (the authors' follow-up abstract "
            "states gradient growth exp(Θ(√L)) for tanh and exp(Θ(L)) for ReLU residual networks).")
W2, B2, V2, A2, P0 = 1.5, 0.1, 1.2, 0.05, 1.0
DEPTHS = (64, 256)


@cache
def _moments(power: int) -> tuple[float, float, float]:
    """M₀, M₂, M₄ of sech^power by mpmath at 30 digits."""
    with mpmath.workdps(30):
        return tuple(float(mpmath.quad(lambda u: u ** k * mpmath.sech(u) ** power, [-mpmath.inf, 0, mpmath.inf]))
                     for k in (0, 2, 4))


def _expansion(power: int, q: np.ndarray) -> np.ndarray:
    """E[sech^power(√q z)] to O(q^{-7/2})."""
    m0, m2, m4 = _moments(power)
    return (m0 - m2 / (2 * q) + m4 / (8 * q * q)) / np.sqrt(2 * math.pi * q)


@cache
def independent_q(depth: int = DEPTHS[-1]) -> np.ndarray:
    """q^1 … q^depth of the tanh full residual network by scipy quad (not the toolkit)."""
    p, qs = P0, []
    for _ in range(depth):
        q = W2 * p + B2
        qs.append(q)
        p += V2 * gauss_quad(lambda z: np.tanh(math.sqrt(q) * z) ** 2) + A2
    return np.array(qs)


def _network(unit: str, depth: int, v2: float = V2):
    from signalprop import resnet
    from symbolic import get_activation

    return resnet(get_activation(unit), depth, 1.0, W2, B2, v2, A2)


def length_increments(v2: float = V2) -> np.ndarray:
    """p^l − p^{l−1} at l = 64, 256 (toolkit maps)."""
    from signalprop import maps

    p = maps(_network("tanh", DEPTHS[-1], v2), P0).p
    return np.array([p[L - 1] - p[L - 2] for L in DEPTHS])


def length_increments_asymptotic() -> np.ndarray:
    q = independent_q()[[L - 1 for L in DEPTHS]]
    return V2 + A2 - V2 * _expansion(2, q)


def gradient_factors(v2: float = V2) -> np.ndarray:
    """χ_l − 1 at l = 64, 256 of the tanh network (toolkit block χ)."""
    from signalprop import block_chis

    chis = block_chis(_network("tanh", DEPTHS[-1], v2), P0)
    return np.array([chis[L - 1] - 1 for L in DEPTHS])


def gradient_factors_asymptotic() -> np.ndarray:
    q = independent_q()[[L - 1 for L in DEPTHS]]
    return V2 * W2 * _expansion(4, q)


ALPHA = 0.75
ALPHA_DEPTH = 64
EXPONENT_DEPTH = 1024  # local exponents between blocks l and 2l


def _c(beta: float) -> float:
    """E[z₊^{2β}] = 2^{β−1} Γ(β + 1/2)/√π (z standard normal, z₊ = max(z, 0))."""
    return 2 ** (beta - 1) * math.gamma(beta + 0.5) / math.sqrt(math.pi)


def alpha_relu(alpha: float = ALPHA):
    from fractions import Fraction

    from symbolic.custom import custom_activation

    frac = Fraction(alpha).limit_denominator(64)
    return custom_activation(f"max(0, x)^({frac.numerator}/{frac.denominator})", name=f"alpha_relu[{frac}]")


def alpha_relu_toolkit(alpha: float = ALPHA) -> np.ndarray:
    """[p^64, log Π_{l ≤ 64} χ_l] of the α-ReLU full residual network (toolkit: one-input ``propagate``, ``block_chis``)."""
    from signalprop import block_chis
    from signalprop.architecture import KernelState, propagate, resnet

    net = resnet(alpha_relu(alpha), ALPHA_DEPTH, 1.0, W2, B2, V2, A2)
    p = propagate(net, KernelState(np.array([[P0]]), np.array([P0]), np.array([P0]), None, math.nan, True, True))
    return np.array([p.sigma[0, 0], float(np.sum(np.log(block_chis(net, P0))))])


def alpha_relu_closed_form(alpha: float = ALPHA, depth: int = ALPHA_DEPTH) -> np.ndarray:
    """The same by the recursion with the Γ-function moments (derived here), and the lists of p^l, log Π χ."""
    p, log_chi = P0, 0.0
    for _ in range(depth):
        q = W2 * p + B2
        log_chi += math.log1p(V2 * W2 * alpha**2 * _c(alpha - 1) * q ** (alpha - 1))
        p += V2 * _c(alpha) * q**alpha + A2
    return np.array([p, log_chi])


def alpha_relu_exponents(alpha: float = ALPHA) -> np.ndarray:
    """Local exponents between blocks l = 1024 and 2l of p^l (log₂ p^{2l}/p^l) and of the gradient (Σ_{l<k≤2l} log χ_k
    / log 2), iterating the mean-field recursion on the toolkit's moments E[φ²], E[φ'²] (``layer_law``)."""
    from signalprop import layer_law

    law = layer_law(alpha_relu(alpha))
    p, log_chi, marks = P0, 0.0, {}
    for l in range(1, 2 * EXPONENT_DEPTH + 1):
        q = W2 * p + B2
        log_chi += math.log1p(V2 * W2 * law.gradient_moment(q))
        p += V2 * law.second_moment(q) + A2
        if l in (EXPONENT_DEPTH, 2 * EXPONENT_DEPTH):
            marks[l] = (p, log_chi)
    (p1, g1), (p2, g2) = marks[EXPONENT_DEPTH], marks[2 * EXPONENT_DEPTH]
    return np.array([math.log2(p2 / p1), (g2 - g1) / math.log(2)])


MC_DEPTH, MC_WIDTH, MC_NETWORKS = 16, 256, 200
MC_LAYERS = (1, 4, 8, 12)


def mc_gradient_growth(seed: int = 0, v2: float = V2) -> Measured:
    """‖∂f/∂x^l‖² after blocks l = 1, 4, 8, 12 of 16 tanh full residual blocks and a readout Dense(1, 0) (width 256,
    200 networks, explicit weights, autodiff; ``theory.montecarlo.networks``), ± standard error."""
    from signalprop import Dense, resnet
    from symbolic import get_activation
    from theory.montecarlo.networks import run_networks

    net = resnet(get_activation("tanh"), MC_DEPTH, 1.0, W2, B2, v2, A2, readout=Dense(1.0, 0.0))
    run = run_networks(net, stream_inputs(MC_WIDTH, P0, 2017), MC_WIDTH, ensemble=MC_NETWORKS, seed=seed, ntk=False, gradients=True)
    return Measured.mean_of(run.gradients[:, [l - 1 for l in MC_LAYERS], 0])


def gradient_growth_reference() -> np.ndarray:
    """Π_{l < k ≤ 16} χ_k, χ_k = 1 + σ_v²σ_w² E[sech⁴(√q^k z)] (q^k from the scipy-quad recursion, E by scipy quad)."""
    q = independent_q(MC_DEPTH)
    chi = np.array([1 + V2 * W2 * gauss_quad(lambda z, qk=qk: np.cosh(math.sqrt(qk) * z) ** -4.0) for qk in q])
    return np.array([np.prod(chi[l:]) for l in MC_LAYERS])


def relu_gradient_factors() -> np.ndarray:
    from signalprop import block_chis

    return block_chis(_network("relu", 8), P0)


CLAIMS = [
    Claim("yang2017.tanh_length_linear", PAPER, WHERE,
          f"In a tanh full residual network (σ_w² = {W2}, σ_b² = {B2}, σ_v² = {V2}, σ_a² = {A2}) the length grows linearly: "
          "its increment per block tends to σ_v² + σ_a² as σ_v² + σ_a² − σ_v² E[sech²(√q z)], E[sech²(√q z)] = "
          "(2 − (π²/6)/(2q) + …)/√(2πq) (checked at blocks 64 and 256).",
          length_increments, length_increments_asymptotic,
          "the asymptotic expansion (derived here; moments by mpmath) at q^l from an independent recursion (scipy quad)",
          relative(1e-6, "the expansion stops at O(q^{-7/2}): 3.4e-8 of the increment at q^64 ≈ 103 (measured)"),
          "numerical", notes=NOT_READ, labels=tuple(f"p^{L} - p^{L - 1}" for L in DEPTHS), provenance="derived",
          mutant=lambda: length_increments(V2 * 1.01), mutation="σ_v² 1 % larger"),
    Claim("yang2017.tanh_gradient_sqrt_depth", PAPER, WHERE,
          "In the same network a gradient's squared length grows per block by χ_l = 1 + σ_v²σ_w² E[sech⁴(√q z)] ≈ 1 + "
          "(4/3)σ_v²σ_w²/√(2πq^l), so over L blocks like exp(Θ(√L)) (checked at blocks 64 and 256).",
          gradient_factors, gradient_factors_asymptotic,
          "the asymptotic expansion of E[sech⁴(√q z)] (derived here; moments by mpmath) at q^l from an independent recursion",
          relative(1e-6, "the expansion stops at O(q^{-7/2}): 1.6e-8 of χ_l − 1 at q^64 ≈ 103 (measured)"),
          "numerical", notes=NOT_READ, labels=tuple(f"chi_{L} - 1" for L in DEPTHS), provenance="derived",
          mutant=lambda: gradient_factors(V2 * 1.01), mutation="σ_v² 1 % larger"),
    Claim("yang2017.relu_gradient_exponential", PAPER, WHERE,
          "In a ReLU full residual network every block multiplies a gradient's squared length by 1 + σ_v²σ_w²/2 (E[relu'²] = "
          "1/2 at every length): exp(Θ(L)) growth.",
          relu_gradient_factors, np.full(8, 1 + V2 * W2 / 2), "E[1{z > 0}] = 1/2 (derived here)",
          relative(1e-13, "exact in float64"), "analytic", notes=NOT_READ, labels=tuple(f"chi_{l}" for l in range(1, 9)),
          provenance="derived", mutant=lambda: relu_gradient_factors() * 1.001, mutation="χ 0.1 % larger"),
    Claim("yang2017.alpha_relu_recursion", PAPER, WHERE,
          f"The α-ReLU (α = {ALPHA}) full residual network's mean field: after {ALPHA_DEPTH} blocks its length p^L and log "
          "Π χ_l follow the recursion with E[φ²] = c_α q^α and E[φ'²] = α² c_{α−1} q^{α−1} (φ' is singular at 0).",
          alpha_relu_toolkit, alpha_relu_closed_form, "the recursion with Γ-function moments c_β = 2^{β−1}Γ(β+1/2)/√π "
          "(derived here)", relative(1e-12, "float64 rounding over 64 blocks; the graded quadrature is exact to rounding"),
          "numerical", notes=NOT_READ, labels=("p^64", "log prod chi"), provenance="derived",
          mutant=lambda: alpha_relu_toolkit(0.7), mutation="α = 0.7"),
    Claim("yang2017.alpha_relu_exponents", PAPER, WHERE,
          f"α-ReLU residual networks (α = {ALPHA}) have polynomial dynamics: p^l ~ l^{{1/(1−α)}} and a gradient's squared "
          "length ~ L^{α²/((1−α)(2α−1))} (4 and 4.5 here), independent of σ_w² and σ_v² (local exponents between blocks "
          f"{EXPONENT_DEPTH} and {2 * EXPONENT_DEPTH}).",
          alpha_relu_exponents, [1 / (1 - ALPHA), ALPHA**2 / ((1 - ALPHA) * (2 * ALPHA - 1))],
          "the asymptotic exponents derived here", relative(2e-3, "the local exponents approach the limit as O(log l / "
                                                                "l): the Γ-function recursion gives 4.2e-4 (length) "
                                                                "and 2.5e-4 (gradient) between blocks 1024 and 2048"),
          "numerical", notes=NOT_READ, labels=("p exponent", "gradient exponent"), provenance="derived",
          mutant=lambda: alpha_relu_exponents(0.7), mutation="α = 0.7 (exponents 3.33 and 4.08)"),
    Claim("yang2017.mc_gradient_growth", PAPER, WHERE,
          f"In finite tanh full residual networks ({MC_DEPTH} blocks, width {MC_WIDTH}, {MC_NETWORKS} networks) a gradient's "
          "squared length grows through the blocks by the mean-field factors χ_l = 1 + σ_v²σ_w² E[sech⁴(√q^l z)] "
          "(gradient independence): ‖∂f/∂x^l‖² after blocks 1, 4, 8, 12.",
          partial(mc_gradient_growth, 0), gradient_growth_reference,
          "products of χ_l from the scipy-quad recursion for q^l (not the toolkit)",
          mc_sigmas(len(MC_LAYERS), MC_NETWORKS, extra="finite-width corrections to gradient independence are O(1/N); at "
                                                        "width 256 the measured means sit within 2 standard errors"),
          "mc", notes=NOT_READ, labels=tuple(f"|df/dx^{l}|^2" for l in MC_LAYERS), provenance="simulation_vs_theory",
          seeded=mc_gradient_growth, mutant=partial(mc_gradient_growth, 0, V2 * 1.3), mutation="σ_v² 30 % larger"),
]


def draw_figure():
    """log Π χ_l against √L for tanh and ReLU residual networks: a straight line (exp Θ(√L)) and a parabola in √L."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from signalprop import block_chis

    L = DEPTHS[-1]
    tanh = np.cumsum(np.log(block_chis(_network("tanh", L), P0)))
    relu = np.cumsum(np.log(block_chis(_network("relu", 64), P0)))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(np.sqrt(np.arange(1, L + 1)), tanh, label="tanh: log gradient growth ~ √L")
    ax.plot(np.sqrt(np.arange(1, 65)), relu, label="ReLU: log gradient growth ~ L")
    slope = 2 * (4 / 3) * V2 * W2 / math.sqrt(2 * math.pi * W2 * (V2 + A2))
    ax.plot([0, math.sqrt(L)], [0, slope * math.sqrt(L)], "k:", lw=0.8, label="asymptotic slope (derived)")
    ax.set(xlabel="√L", ylabel="log Π χ_l", title="Yang & Schoenholz 2017: residual gradient growth")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
