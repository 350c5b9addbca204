"""Noci, Anagnostidis, Biggio, Orvieto, Singh & Lucchi 2022, "Signal Propagation in Transformers: Theoretical
Perspectives and the Role of Rank Collapse" (NeurIPS 2022, arXiv:2206.03126): rank collapse — all tokens alike — makes
the gradients of the queries and keys vanish, which stalls training; at initialization with small logits attention is
close to uniform, and scaling the residual branches by 1/√L keeps the tokens apart with depth.

Checked here: (i) the queries' and keys' gradients of a finite multi-head softmax attention layer (JAX) are exactly zero
when its input tokens are identical — the softmax Jacobian annihilates the constant vector, ∂p/∂s · 1 = 0 — while
the values' are not; (ii) derived here, at infinite width: the query/key part of the attention NTK,
σ_OV² E[Σ J K J' Λ], vanishes on a rank-1 token kernel for softmax (rows sum to 1) but not for sigmoid attention
(no normalization: J = diag σ'), so the statement is softmax's; (iii) derived here: with small σ_QK² the kernel is
uniform attention plus the O(σ_QK²) correction of ``small_qk_expansion`` (QMC against the closed form); (iv) derived
here, the residual scaling under uniform attention (their initialization regime): post-norm blocks Norm(x + α Attn x)
on T exchangeable tokens of length 1 map the correlation deficit u = 1 − ρ to u/(1 + α² (ρ + (1 − ρ)/T)) (uniform
attention puts the mean token on every token), so a fixed α collapses the rank geometrically while α² = c/L gives,
as L → ∞, the depth-independent limit of du/dt = −c u (1 − (1 − 1/T) u):
u(1) = u₀ e^{−c}/(1 − (1 − 1/T) u₀ (1 − e^{−c})) — the toolkit's token maps (σ_QK² = 0) against both.

Source caveat: only the abstract and introduction could be read here.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import numpy as np

from .claim import Claim, Paper, absolute, at_most, relative
from .figures import curves_figure, save_figure

PAPER = Paper("noci2022", "Signal Propagation in Transformers: Theoretical Perspectives and the Role of Rank Collapse",
              "L. Noci, S. Anagnostidis, L. Biggio, A. Orvieto, S. P. Singh, A. Lucchi", 2022, arxiv="2206.03126",
              venue="NeurIPS 2022")
NOT_READ = "Only the abstract and introduction could be read; (ii) and (iii) are derived here."
T, D, HEADS, DK = 4, 8, 4, 16


def qk_gradient_ratio(spread: float = 0.0, seed: int = 0) -> float:
    """‖∂f/∂(W_Q, W_K)‖ / ‖∂f/∂W_V‖ of f = Σ outputs of one softmax attention layer (JAX, float64) on T tokens equal
    to one random vector plus ``spread`` times noise."""
    from theory.montecarlo.backend import jax_modules, precision

    jax, jnp = jax_modules()
    rng = np.random.default_rng(seed)
    x = np.tile(rng.normal(size=(1, D)), (T, 1)) + spread * rng.normal(size=(T, D))
    with precision("float64"):
        keys = jax.random.split(jax.random.PRNGKey(seed), 4)
        params = [jax.random.normal(k, s, jnp.float64) for k, s in
                  zip(keys, [(HEADS, D, DK), (HEADS, D, DK), (HEADS, D, DK), (HEADS, DK)])]

        def f(p):
            wq, wk, wv, wo = p
            q, k, v = (jnp.einsum("te,hec->htc", jnp.asarray(x), w) / math.sqrt(D) for w in (wq, wk, wv))
            att = jax.nn.softmax(jnp.einsum("htc,hsc->hts", q, k) / math.sqrt(DK), axis=-1)
            return jnp.sum(jnp.einsum("hts,hsc,hc->t", att, v, wo))

        g = jax.grad(f)(params)
        qk = math.sqrt(float(jnp.sum(g[0] ** 2) + jnp.sum(g[1] ** 2)))
        return qk / math.sqrt(float(jnp.sum(g[2] ** 2)))


def qk_ntk_part(name: str, rho: float = 1.0) -> float:
    """max |Θ' − 2Σ'| (the query/key part, the inputs untrained) of one attention layer on T exchangeable tokens of
    correlation ρ, relative to max Σ'."""
    from signalprop import Attention, attention_kernel, exchangeable_kernel
    from symbolic.normalizers import get_normalizer

    r = attention_kernel(Attention(get_normalizer(name), 1.0, 1.0), exchangeable_kernel(T, 1.0, rho))
    return float(np.max(np.abs(r.ntk - 2 * r.nngp)) / np.max(np.abs(r.nngp)))


def expansion_gap(sigma_qk2: float = 5e-4, scale: float = 1.0) -> float:
    """max |QMC kernel − small_qk_expansion| − the QMC error bar, for two sequences of 4 tokens (≤ 0 passes)."""
    from signalprop import Attention, attention_nngp, small_qk_expansion
    from symbolic.normalizers import get_normalizer

    x = np.random.default_rng(2).normal(size=(8, 5))
    K = x @ x.T / 5
    r = attention_nngp(Attention(get_normalizer("softmax"), sigma_qk2, 1.0), K, tokens=4, points=1024)
    return float(np.max(np.abs(r.nngp - scale * small_qk_expansion(K, sigma_qk2, tokens=4)) - r.error))


UT, URHO0, UC = 8, 0.2, 2.0


def uniform_deficit(blocks: int, alpha2: float) -> float:
    """1 − ρ after ``blocks`` post-norm attention blocks with uniform attention (σ_QK² = 0), toolkit token maps."""
    from signalprop import token_maps, transformer
    from symbolic.normalizers import get_normalizer

    net = transformer(get_normalizer("softmax"), None, blocks, math.sqrt(alpha2), "layer", "post", 0.0, mlp=False)
    return float(1 - token_maps(net, tokens=UT, rho0=URHO0).rho[-1])


def uniform_recursion(blocks: int, alpha2: float) -> float:
    """The same by u ← u/(1 + α²(ρ + (1 − ρ)/T)) (module docstring), plain floats."""
    u = 1 - URHO0
    for _ in range(blocks):
        u = u / (1 + alpha2 * (1 - u + u / UT))
    return u


def scaled_limit() -> float:
    """u(1) of du/dt = −c u (1 − (1 − 1/T) u), u(0) = 1 − ρ0: the L → ∞ limit of α² = c/L."""
    a, u0 = 1 - 1 / UT, 1 - URHO0
    return u0 * math.exp(-UC) / (1 - a * u0 * (1 - math.exp(-UC)))


CLAIMS = [
    Claim("noci2022.vanishing_qk_gradients", PAPER, "Thm. 3.2 (rank collapse: the queries' and keys' gradients vanish)",
          f"With {T} identical input tokens the gradients of W_Q and W_K of a softmax attention layer ({HEADS} heads) are "
          "zero, relative to the values' gradient.",
          qk_gradient_ratio, 0.0, "0 (exactly: J·1 = 0)", absolute(1e-14, "float64 roundings"), "analytic",
          notes=NOT_READ, provenance="formula", mutant=partial(qk_gradient_ratio, 1e-3),
          mutation="tokens spread by 1e-3 (no longer collapsed)"),
    Claim("noci2022.qk_ntk_vanishes", PAPER, "Derived here (infinite width: the query/key NTK of a collapsed input)",
          "On a rank-1 token kernel the query/key part of softmax attention's NTK is 0 (relative to Σ').",
          partial(qk_ntk_part, "softmax"), 0.0, "0", absolute(1e-12, "J·1 = 0 sample by sample in the QMC"),
          "numerical", notes=NOT_READ, provenance="derived", mutant=partial(qk_ntk_part, "sigmoid"),
          mutation="sigmoid attention (rows not normalized: the part is 0.6 Σ')"),
    Claim("noci2022.uniform_attention", PAPER, "Sec. 3 (small logits: attention close to uniform) — expansion derived here",
          "With σ_QK² = 5e-4 the softmax attention kernel equals uniform attention plus its O(σ_QK²) correction within "
          "the O(σ_QK⁴) remainder (bounded by 1e-6).",
          expansion_gap, 1e-6, "1e-6 (the O(σ⁴) remainder)", at_most("gap beyond the QMC error bar; measured 2e-7 (σ⁴ = 2.5e-7)"),
          "numerical", notes=NOT_READ, provenance="derived",
          mutant=partial(expansion_gap, 5e-4, 1.001), mutation="the expansion scaled by 1.001"),
    Claim("noci2022.uniform_residual_map", PAPER, "Sec. 4 (uniform attention at initialization) — map derived here",
          f"Under uniform attention {UT} exchangeable tokens through post-norm blocks follow u ← u/(1 + α²(ρ + (1 − ρ)/T)): "
          "1 − ρ after 32 blocks at α² = 2/32 and after 16 blocks at α = 1.",
          lambda: [uniform_deficit(32, UC / 32), uniform_deficit(16, 1.0)],
          lambda: [uniform_recursion(32, UC / 32), uniform_recursion(16, 1.0)], "the recursion in plain floats",
          relative(1e-10, "roundings of the LayerNorms; 1 − ρ = 4e-5 (16 blocks, α = 1) loses 5 digits to cancellation"),
          "analytic", notes=NOT_READ, provenance="derived",
          mutant=lambda: [uniform_deficit(32, 1.01 * UC / 32), uniform_deficit(16, 1.0)], mutation="α² 1 % higher"),
    Claim("noci2022.depth_independent_scaling", PAPER, "Sec. 4 (residual scaling 1/√L prevents rank collapse)",
          f"With α² = {UC}/L the deficit after L = 512 blocks is the depth-independent limit "
          "u₀ e^{−c}/(1 − (1 − 1/T) u₀ (1 − e^{−c})), while a fixed α = 1 collapses it below 1e-3 within 64 blocks.",
          lambda: [uniform_deficit(512, UC / 512), min(uniform_deficit(64, 1.0), 1.0)],
          lambda: [scaled_limit(), 0.0], "the ODE's closed-form solution; 0",
          absolute(0.002, "the O(1/L) correction: 1.5/L relative (0.3 % at L = 512); the collapsed deficit is ~1e-6"),
          "numerical", notes=NOT_READ, provenance="derived",
          mutant=lambda: [uniform_deficit(512, 1.5 * UC / 512), uniform_deficit(64, 1.0)], mutation="c = 3 instead of 2"),
]


def draw_figure():
    """The ratio of query/key to value gradients against the tokens' spread (finite layer)."""
    spreads = np.geomspace(1e-4, 1, 9)
    return curves_figure([("", spreads, [qk_gradient_ratio(s) for s in spreads], "o-")], "token spread",
                         "|grad W_Q,K| / |grad W_V|", "Rank collapse stalls queries and keys", "log", "log")


def figure(path: str | Path) -> Path:
    return save_figure(draw_figure(), path)
