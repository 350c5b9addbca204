"""Giorlandino & Goldt 2025, "Two failure modes of deep transformers and how to avoid them: a unified theory of signal
propagation at initialisation" (ICLR 2026, arXiv:2505.24333): with query and key weights of std √β (log T)^{1/4}/√d
(logit variance β² log T q(q − p) for tokens of length q and overlap p), softmax attention over T → ∞ tokens is a
random energy model: uniform for β < β_c = √(2/(q(q − p))), frozen onto O(1) tokens above it, with E[Σ_j p_j²] →
Y² = max(0, 1 − β_c/β); the attention output then has length p + (q − p) Y² and overlap p. Through post-LN blocks
LN(α_A x + Attn x + b_V) → LN(α_M x + MLP x) (ReLU MLP, weights σ_w²/d, biases σ_b²) the tokens' correlation ρ runs
to 1 (rank collapse) unless the residual α_A is large; large β instead freezes the attention (entropy collapse).
"Gain-controlled" (centred) attention, p − 1/T, removes the shared part and keeps a fixed point ρ* < 1.

Checked here, the toolkit's general route — token maps through ``Attention(…, scaling="long")`` layers, LayerNorm,
Dense and ReLU layers (``signalprop.architecture``) — against the paper's block recursion written out below in plain
floats (the authors' ``theory_update_relu.py`` and ``Gain-controlled-propagation.ipynb``, github.com/aGiorlandino/
ICLR-Signal-Propagation-Transformers): Fig. 1's theory curves (σ_w² = σ_v² = 0.2, σ_b² = 4e-4, ρ₀ = 0.2; the authors'
script gives 0.23553359760 after one block at β = 0.5), the residual α_A = 4 slowing the collapse, gain control
stopping it; pre-LN blocks (derived here: the notebook evaluates β_c with the un-normalized stream's q, which the
pre-LN attention never sees; with β_c of the normalized tokens, as the toolkit composes it, the recursion agrees);
and the limit itself against the toolkit's exact finite-T statistics at logit variance β² log T (T up to 10¹⁰⁰) and
the overlap of two queries' rows vanishing with T (QMC).

Source caveat: the paper's body could not be read here; its equations are taken from the authors' code.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

from .claim import Claim, Paper, absolute, at_most, relative
from .figures import curves_figure, save_figure

PAPER = Paper("giorlandino2025", "Two failure modes of deep transformers and how to avoid them: a unified theory of "
              "signal propagation at initialisation", "A. Giorlandino, S. Goldt", 2025, arxiv="2505.24333",
              venue="ICLR 2026")
NOTES = ("The paper's body could not be read; the block recursion is the authors' code's "
         "(theory_update_relu.py, Gain-controlled-propagation.ipynb).")
FIG1 = {"sigma_w2": 0.2, "sigma_v2": 0.2, "sigma_b2": 4e-4, "value_b2": 4e-4}  # Fig. 1 (deep_prop_encoder.ipynb)
FIG4 = {"sigma_w2": 0.2, "sigma_v2": 1.0, "sigma_b2": 4e-4, "value_b2": 0.0}  # Fig. 4: values unit, no value bias
DEPTHS = (1, 5, 10, 20, 50)
RHO0 = 0.2


# --- the paper's recursion in plain floats (the reference) -------------------------------------------------------
def _relu_corr(c: float) -> float:
    """E[relu(u) relu(v)]/(q/2) for unit-correlation-c Gaussians of variance q: (√(1 − c²) + c(π − arccos c))/π."""
    return (math.sqrt(max(0.0, 1 - c * c)) + c * (math.pi - math.acos(min(1.0, c)))) / math.pi


def _attention(q: float, p: float, beta: float, centred: bool) -> tuple[float, float]:
    """(length, overlap) of the attention output on tokens (q, p) (β_c = √(2/(q(q − p))))."""
    y2 = 0.0 if q - p <= 0 else max(0.0, 1 - math.sqrt(2 / (q * (q - p))) / beta)
    return ((q - p) * y2, 0.0) if centred else (p + (q - p) * y2, p)


def _mlp(q: float, p: float, w2: float, b2: float) -> tuple[float, float]:
    q1, p1 = w2 * q + b2, w2 * p + b2
    return w2 * q1 / 2 + b2, w2 * q1 / 2 * _relu_corr(p1 / q1) + b2


def reference_rho(beta: float, alpha_a: float = 1.0, alpha_m: float = 1.0, sigma_w2: float = 0.2,
                  sigma_v2: float = 0.2, sigma_b2: float = 4e-4, value_b2: float = 4e-4, depths=DEPTHS,
                  centred: bool = False, placement: str = "post") -> list[float]:
    """ρ after each depth in ``depths`` of the paper's blocks from unit tokens of correlation ρ₀ (module docstring)."""
    q, p, out = 1.0, RHO0, []
    for layer in range(1, max(depths) + 1):
        if placement == "post":
            qa, pa = _attention(q, p, beta, centred)
            q, p = sigma_v2 * qa + value_b2 + alpha_a**2 * q, sigma_v2 * pa + value_b2 + alpha_a**2 * p
            q, p = 1.0, p / q
            qm, pm = _mlp(q, p, sigma_w2, sigma_b2)
            q, p = 1.0, (pm + alpha_m**2 * p) / (qm + alpha_m**2 * q)
        else:  # pre-LN: each branch sees the normalized stream (unit length, correlation p/q)
            qa, pa = _attention(1.0, p / q, beta, centred)
            q, p = sigma_v2 * qa + value_b2 + alpha_a**2 * q, sigma_v2 * pa + value_b2 + alpha_a**2 * p
            qm, pm = _mlp(1.0, p / q, sigma_w2, sigma_b2)
            q, p = qm + alpha_m**2 * q, pm + alpha_m**2 * p
        if layer in depths:
            out.append(p / q)
    return out


# --- the toolkit -------------------------------------------------------------------------------------------------
def _blocks(beta: float, alpha_a: float, alpha_m: float, sigma_w2: float, sigma_v2: float, sigma_b2: float,
            value_b2: float, mechanism: str, placement: str, depth: int):
    from signalprop.architecture import Dense, Nonlinear, Norm, Residual, Serial
    from signalprop.attention_kernel import Attention
    from symbolic import get_activation
    from symbolic.normalizers import get_normalizer

    att = (Attention(get_normalizer(mechanism), beta**2, sigma_v2, "long"), Dense(1.0, value_b2))
    mlp = (Dense(sigma_w2, sigma_b2), Nonlinear(get_activation("relu")), Dense(sigma_w2, sigma_b2))
    if placement == "post":
        block = [Residual(att, 1.0, alpha_a), Norm("layer"), Residual(mlp, 1.0, alpha_m), Norm("layer")]
    else:
        block = [Residual((Norm("layer"), *att), 1.0, alpha_a), Residual((Norm("layer"), *mlp), 1.0, alpha_m)]
    return Serial(*(block * depth)), len(block)


def toolkit_rho(beta: float, alpha_a: float = 1.0, alpha_m: float = 1.0, sigma_w2: float = 0.2, sigma_v2: float = 0.2,
                sigma_b2: float = 4e-4, value_b2: float = 4e-4, depths=DEPTHS, mechanism: str = "softmax",
                placement: str = "post") -> list[float]:
    """The same ρ from the toolkit's token maps (four representative tokens; the limit does not depend on them)."""
    from signalprop import token_maps

    net, per = _blocks(beta, alpha_a, alpha_m, sigma_w2, sigma_v2, sigma_b2, value_b2, mechanism, placement, max(depths))
    rho = token_maps(net, tokens=4, q0=1.0, rho0=RHO0).rho
    return [float(rho[per * d - 1]) for d in depths]


def fig1(**kw) -> list[float]:
    return [*toolkit_rho(0.5, **{**FIG1, **kw}), *toolkit_rho(3.0, **{**FIG1, **kw})]


def fig1_reference() -> list[float]:
    return [*reference_rho(0.5, **FIG1), *reference_rho(3.0, **FIG1)]


def residual(alpha_a: float = 4.0) -> list[float]:
    return [*toolkit_rho(0.5, alpha_a, **FIG1), *toolkit_rho(3.0, alpha_a, **FIG1)]


def gain_control(mechanism: str = "centred_softmax", placement: str = "post") -> list[float]:
    return [*toolkit_rho(3.0, mechanism=mechanism, placement=placement, depths=(1, 10, 50, 100), **FIG4),
            *toolkit_rho(0.1, mechanism=mechanism, placement=placement, depths=(1, 10, 50, 100), **FIG4)]


def gain_control_reference(centred: bool = True, placement: str = "post") -> list[float]:
    return [*reference_rho(3.0, centred=centred, placement=placement, depths=(1, 10, 50, 100), **FIG4),
            *reference_rho(0.1, centred=centred, placement=placement, depths=(1, 10, 50, 100), **FIG4)]


def finite_t_gap(beta: float = 3.0, tokens: int = 10**30, rho: float = RHO0, beta_limit: float | None = None) -> float:
    """The toolkit's exact E[Σ p²] at T tokens, logit variance β² log T (1 − ρ), minus the limit Y² (closed form, at
    ``beta_limit``, β by default)."""
    from signalprop import row_statistics
    from symbolic.normalizers import get_normalizer

    y2 = max(0.0, 1 - math.sqrt(2 / (1 - rho)) / (beta if beta_limit is None else beta_limit))
    return row_statistics(get_normalizer("softmax"), tokens, beta**2 * math.log(tokens) * (1 - rho)).sum_sq - y2


def overlap(tokens: int = 64, beta: float = 3.0, rho: float = RHO0) -> float:
    """E[Σ_j p_ij p_i'j] of two distinct queries at T tokens, logit variance β² log T (QMC): (Σ'_ii' − ρ)/(1 − ρ)."""
    from signalprop import Attention, attention_nngp, exchangeable_kernel
    from symbolic.normalizers import get_normalizer

    r = attention_nngp(Attention(get_normalizer("softmax"), beta**2 * math.log(tokens), 1.0),
                       exchangeable_kernel(tokens, 1.0, rho), points=2048, scrambles=8)
    return float((r.nngp[0, 1] - rho) / (1 - rho))


EXACT = relative(1e-12, "the same recursion composed from the toolkit's layers; float64 rounding over 50 blocks")
CLAIMS = [
    Claim("giorlandino2025.fig1_post_ln", PAPER, "Result 1, Fig. 1 (theory curves, post-LN encoder)",
          "From ρ₀ = 0.2, post-LN blocks with β = 0.5 (uniform attention) and β = 3 (frozen) give the tokens' "
          "correlation after 1, 5, 10, 20 and 50 blocks; both run to rank collapse (ρ_50 = 0.9996 and 0.9988).",
          fig1, fig1_reference, "the authors' block recursion (plain floats)", EXACT, "numerical", notes=NOTES,
          provenance="formula", mutant=lambda: fig1(sigma_b2=4.4e-4, value_b2=4.4e-4), mutation="σ_b² = 4.4e-4"),
    Claim("giorlandino2025.residual_slows_collapse", PAPER, "Result 1 (the residual strength α_A)",
          "With the attention residual α_A = 4 the correlation after 50 blocks stays at 0.51 (β = 0.5) and 0.46 "
          "(β = 3) instead of 0.9996 and 0.9988.",
          residual, lambda: [*reference_rho(0.5, 4.0, **FIG1), *reference_rho(3.0, 4.0, **FIG1)],
          "the authors' block recursion (plain floats)", EXACT, "numerical", notes=NOTES, provenance="formula",
          mutant=partial(residual, 3.96), mutation="α_A = 3.96"),
    Claim("giorlandino2025.gain_control", PAPER, "Fig. 4 (gain-controlled post-LN)",
          "Centred attention p − 1/T in post-LN blocks (Fig. 4's σ_w² = 0.2, σ_b² = 4e-4, unit values) keeps a fixed "
          "point ρ* = 0.0192 at β = 3 (no rank collapse) and slows the collapse at β = 0.1 (ρ_100 = 0.525).",
          gain_control, gain_control_reference, "the authors' centred block recursion (plain floats)", EXACT,
          "numerical", notes=NOTES, provenance="formula", mutant=partial(gain_control, "softmax"),
          mutation="plain softmax (ρ_100 = 1)"),
    Claim("giorlandino2025.pre_ln", PAPER, "Fig. 4 (pre-LN, plain and gain-controlled; derived here)",
          "Pre-LN blocks x + Attn(LN x), x + MLP(LN x) at β = 3 with β_c of the normalized tokens: plain softmax "
          "collapses slowly (ρ_100 = 0.950), centred attention goes to ρ = 0.017 after 100 blocks.",
          lambda: [*gain_control("softmax", "pre"), *gain_control("centred_softmax", "pre")],
          lambda: [*gain_control_reference(False, "pre"), *gain_control_reference(True, "pre")],
          "the pre-LN recursion with β_c of the normalized tokens (plain floats)", EXACT, "numerical",
          notes=NOTES + " The authors' notebook evaluates β_c = √(2/(q(q − p))) with the un-normalized stream's "
          "(q, p); with it plain pre-LN at β = 3 gives ρ_5 = 0.319 where this composition gives 0.424.",
          provenance="derived", mutant=lambda: [*gain_control("softmax", "post"), *gain_control("centred_softmax", "pre")],
          mutation="post-LN plain blocks"),
    Claim("giorlandino2025.limit_sum_sq", PAPER, "Sec. 3 (the attention update Y² = max(0, 1 − β_c/β))",
          "At β = 3, ρ = 0.2 the exact E[Σ_j p_j²] of T = 10³⁰ softmax weights of logit variance β² log T (1 − ρ) "
          "is within 0.015 of the limit Y² = 1 − β_c/β = 0.473 (the finite-T excess falls with log T: 0.018 at "
          "T = 10²⁰, 0.0125 at 10³⁰, 0.008 at 10⁵⁰, 0.0044 at 10¹⁰⁰).",
          finite_t_gap, 0.0, "Y² (closed form)", absolute(0.015, "the finite-T excess, 0.0125 at T = 10^30; it "
                                                          "falls as ~ (log log T)/log T"),
          "numerical", notes=NOTES, provenance="formula", mutant=partial(finite_t_gap, 3.3, beta_limit=3.0),
          mutation="β = 3.3 in the statistics (Y² kept at β = 3)"),
    Claim("giorlandino2025.overlap_vanishes", PAPER, "Sec. 3 (p_att = p: distinct queries attend to distinct tokens)",
          "At β = 3, ρ = 0.2 two distinct queries' weights overlap by E[Σ_j p_ij p_i'j] < 0.05 at T = 64 (0.31 at "
          "T = 4, 0.11 at T = 16, 0.038 at T = 64: it vanishes with T, so the attention output's overlap is p).",
          overlap, 0.05, "0.05", at_most("the overlap falls with T (0.038 at T = 64; QMC error 2e-3)"), "numerical",
          notes=NOTES, provenance="formula", mutant=partial(overlap, 16), mutation="T = 16 (overlap 0.11)"),
]


def draw_figure():
    """ρ against depth for Fig. 1's post-LN blocks (β = 0.5, 3) and centred attention, the toolkit's token maps."""
    depths = tuple(range(1, 51))
    curves = [(f"β = {b}", depths, toolkit_rho(b, depths=depths, **FIG1), "-") for b in (0.5, 3.0)]
    curves.append(("β = 3, α_A = 4", depths, toolkit_rho(3.0, 4.0, depths=depths, **FIG1), "--"))
    curves.append(("β = 3, centred", depths, toolkit_rho(3.0, mechanism="centred_softmax", depths=depths, **FIG4), ":"))
    return curves_figure(curves, "blocks", "token correlation ρ", "Rank collapse and its cures (T → ∞)")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)

