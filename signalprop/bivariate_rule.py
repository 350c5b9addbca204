"""Fixed (non-adaptive) product Gauss–Legendre rule for E[f(u1) g(u2)], |c| < 1, with a self-check:
the fast path of ``bivariate``, which sends every value the check rejects to its adaptive engine.

Variables as in ``bivariate``: u1 = √q1 (α x + β y), u2 = √q2 (α x − β y), α = √((1+|c|)/2),
β = √((1−|c|)/2). The outer y-integral is cut where two kink lines cross, the inner x-integral where
f or g changes piece (so each panel holds an analytic integrand). Both windows (10 beyond the
integrand's peak: Gaussian mass outside < 1e-21) are split into equal panels no wider than 2, and
cut again by panels doubling in width (up to 2) away from the lines where f's and g's arguments vanish (x =
∓βy/α; y = 0 where they cross), starting at ℓ ∝ w/(√q α) in x and w/(√q β) in y for the sharpest
feature width w of f, g (``feature_width``). Activations have their sharp features (and the complex
singularities nearest the real axis: tanh, sigmoid) at argument 0, so a panel at distance d from
it is ~d from the nearest singularity and the rule converges geometrically on every panel, at any q.
Every panel gets 16 Gauss–Legendre points and, as a second estimate, 10 on the same panels; where the
two agree to 1e-12 relative (or 1e-14 of the Cauchy–Schwarz bound √(E f² E g²), for near-cancelling
values) the 16-point value, whose error is far smaller (geometric convergence: the order ratio 32/20
exceeds that of the 24/16 pair), is accepted. This is tried with the first graded panel ℓ = 8w/(√q α)
(usually uniform panels only) and with ℓ sixteen times smaller; values still rejected get 24 points
against the 16 already computed, finest grading first; then they are left to the adaptive engine.
Before any of this, where the outer integrand is analytic on each half-line (all kink crossings at y = 0
or outside the window; c near 1 for one kink at 0) and slow on the scale of the coarsest graded panel,
y is integrated by a Gauss rule for the weight e^{−y²/2} on [0, ∞) on each side (the same pairs of
orders: 16 against 10, then 24 against 16), instead of ~10 panels.
For f = g and q1 = q2 (the dual activation on the sphere, and every dual table) the outer integrand
is even in y and only y ≥ 0 is integrated. Accuracy is tested against the mpmath
reference through ``bivariate_moment`` (tests/test_bivariate.py) and against the adaptive engine
(tests/test_dual_table.py).
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np

from symbolic import disk_cache

W_RULE = 10.0  # window half-width beyond the peak (standard-normal units)
H_MAX = 2.0  # widest panel
FEATURE_PANELS = (8.0, 0.5)  # first graded panel, in feature widths, tried in turn
MAX_LEVELS = 24  # graded panels per side of a feature (first panel ≥ 2^-24 of the window)
ACCEPT_REL, ACCEPT_ABS = 1e-12, 1e-14
NODES_PER_CHUNK = 4_000_000  # bounds memory: rows are processed in chunks of about this many points
PAIRS = ((16, 10), (24, 16))  # (fine, check) Gauss–Legendre points per panel, tried in turn (module docstring)
_RULES = {n: np.polynomial.legendre.leggauss(n) for n in (10, 16, 24)}
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

Rates = tuple[float, float]


def windows(s1, s2, alpha, beta, rates_f: Rates, rates_g: Rates, half_width: float):
    """(x_lo, x_hi, y_lo, y_hi): ``half_width`` beyond the peak of f(√q1(αx + βy)) g(√q2(αx − βy))
    in each variable, for f, g growing like e^{a|u|} (numbers, arrays or mpmath values)."""
    return (-half_width - (rates_f[0] * s1 + rates_g[0] * s2) * alpha,
            half_width + (rates_f[1] * s1 + rates_g[1] * s2) * alpha,
            -half_width - (rates_f[0] * s1 + rates_g[1] * s2) * beta,
            half_width + (rates_f[1] * s1 + rates_g[0] * s2) * beta)


def crossings(bps_f: np.ndarray, bps_g: np.ndarray, s1, s2, beta) -> np.ndarray:
    """y where a cut of f meets a cut of g (origins included): (b_f/√q1 − b_g/√q2)/(2β)."""
    bf = np.concatenate([[0.0], bps_f])[None, :, None] / s1[:, None, None]
    bg = np.concatenate([[0.0], bps_g])[None, None, :] / s2[:, None, None]
    with np.errstate(divide="ignore"):
        return ((bf - bg) / (2 * beta[:, None, None])).reshape(len(s1), -1)


def _split(lo: np.ndarray, hi: np.ndarray, n: int, cuts: np.ndarray) -> np.ndarray:
    """Edges (rows × (n + 1 + cuts)): each row's [lo, hi] in n equal panels, cut again at ``cuts``
    (clipped to the window)."""
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n + 1)[None, :]
    return np.sort(np.concatenate([grid, np.clip(cuts, lo[:, None], hi[:, None])], axis=1), axis=1)


def _nodes(edges: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre abscissae and weights on every panel of ``edges`` (…, K) → (…, (K−1)·len(x))."""
    half = 0.5 * (edges[..., 1:] - edges[..., :-1])
    mid = 0.5 * (edges[..., 1:] + edges[..., :-1])
    shape = (*edges.shape[:-1], -1)
    return (mid[..., None] + half[..., None] * x).reshape(shape), (half[..., None] * w).reshape(shape)


def _doubling_cuts(origin: np.ndarray, first: np.ndarray, levels: int) -> np.ndarray:
    """Cuts origin ± first·2^j, j < levels (shape origin.shape + (2·levels,)): panels that double in
    width away from a point where the functions have their sharpest features."""
    offsets = first[..., None] * 2.0 ** np.arange(levels)
    return np.concatenate([origin[..., None] - offsets, origin[..., None] + offsets], axis=-1)


@lru_cache(maxsize=4)
def half_range_gauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss rule for ∫_0^∞ h(y) e^{−y²/2} dy (``_half_range_gauss``), kept in the
    persistent cache (``symbolic.disk_cache``): 0.05 s of 50-digit arithmetic per rule, once."""
    def restore(arrays) -> tuple[np.ndarray, np.ndarray]:
        y, w = (disk_cache.checked(arrays, name, 1) for name in ("nodes", "weights"))
        if y.shape != (n,) or w.shape != (n,) or not (np.all(np.diff(y) > 0) and y[0] > 0 and np.all(w > 0)):
            raise ValueError("not a half-range Gauss rule")
        return y, w

    return disk_cache.cached("half_range_gauss", str(n), lambda: dict(zip(("nodes", "weights"), _half_range_gauss(n))),
                             restore)


def _half_range_gauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss rule for ∫_0^∞ h(y) e^{−y²/2} dy: the recurrence
    √b_{k+1} p_{k+1} = (y − a_k) p_k − √b_k p_{k−1} of its orthonormal polynomials from the exact
    moments μ_k = 2^{(k−1)/2} Γ((k+1)/2) by Chebyshev's algorithm (ill-conditioned, hence mpmath at
    50 digits); the nodes are the zeros of p_n (float64 eigenvalues of the Jacobi matrix, Golub–Welsch,
    polished by Newton steps on the recurrence at 50 digits) and the weights the Christoffel numbers
    1/Σ_{j<n} p_j(y)² (Gautschi, *Orthogonal Polynomials*, 2004, §2.1 and §3.1). O(n²) multiprecision
    operations: milliseconds, once per n."""
    with mpmath.workdps(50):
        mu = [mpmath.mpf(2) ** (mpmath.mpf(k - 1) / 2) * mpmath.gamma(mpmath.mpf(k + 1) / 2) for k in range(2 * n)]
        alpha, beta = [mu[1] / mu[0]], [mu[0]]
        prev, cur = [mpmath.mpf(0)] * (2 * n), list(mu)
        for k in range(1, n):
            nxt = [mpmath.mpf(0)] * (2 * n)
            for m in range(k, 2 * n - k):
                nxt[m] = cur[m + 1] - alpha[k - 1] * cur[m] - beta[k - 1] * prev[m]
            alpha.append(nxt[k + 1] / nxt[k] - cur[k] / cur[k - 1])
            beta.append(nxt[k] / cur[k - 1])
            prev, cur = cur, nxt
        roots = [mpmath.sqrt(b) for b in beta]
        off = np.array([float(r) for r in roots[1:]])
        jacobi = np.diag([float(a) for a in alpha]) + np.diag(off, 1) + np.diag(off, -1)
        guess = np.linalg.eigvalsh(jacobi)  # n ≤ 24: numpy's dense solver, without importing scipy.linalg (0.1 s)
        nodes, weights = [], []
        for y0 in np.sort(guess):
            y = mpmath.mpf(float(y0))
            for _ in range(_NEWTON_STEPS):
                p, dp, squares = _orthonormal(y, alpha, roots, n)
                y -= p / dp
            nodes.append(float(y))
            weights.append(float(1 / _orthonormal(y, alpha, roots, n)[2]))
    return np.array(nodes), np.array(weights)


_NEWTON_STEPS = 4  # from a float64 eigenvalue (relative error ≲ 1e-14) quadratic convergence passes 50 digits in 3


def _orthonormal(y, alpha: list, roots: list, n: int) -> tuple:
    """(p_n(y), p_n'(y), Σ_{j<n} p_j(y)²) of the orthonormal polynomials with recurrence
    coefficients a_k = ``alpha`` and √b_k = ``roots`` (p_0 = 1/√b_0, b_0 = μ_0)."""
    p_prev, p = mpmath.mpf(0), 1 / roots[0]
    d_prev, d = mpmath.mpf(0), mpmath.mpf(0)
    squares = p * p
    for k in range(n):
        below = roots[k] if k else mpmath.mpf(0)
        p_next = ((y - alpha[k]) * p - below * p_prev) / roots[k + 1] if k + 1 < n else (y - alpha[k]) * p - below * p_prev
        d_next = (p + (y - alpha[k]) * d - below * d_prev) / (roots[k + 1] if k + 1 < n else 1)
        p_prev, p, d_prev, d = p, p_next, d, d_next
        if k + 1 < n:
            squares += p * p
    return p, d, squares


def _estimate(f, g, s1, s2, alpha, beta, bps_f, bps_g, x_grid, yn, yw, x_first, levels: int,
              x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The product rule: outer nodes ``yn`` with weights ``yw`` (the y density e^{−y²/2} included),
    ``x``/``w`` Gauss–Legendre points on every inner panel; one value per row."""
    shift = beta[:, None] * yn
    a = alpha[:, None, None]
    first = np.broadcast_to(x_first[:, None], yn.shape)
    cuts = np.concatenate([(bps_f[None, None, :] / s1[:, None, None] - shift[..., None]) / a,
                           (bps_g[None, None, :] / s2[:, None, None] + shift[..., None]) / a,
                           _doubling_cuts(-shift / alpha[:, None], first, levels), _doubling_cuts(shift / alpha[:, None], first, levels)], axis=2)
    grid = np.broadcast_to(x_grid[:, None, :], (*yn.shape, x_grid.shape[1]))
    cuts = np.clip(cuts, grid[..., :1], grid[..., -1:])
    xn, xw = _nodes(np.sort(np.concatenate([grid, cuts], axis=2), axis=2), x, w)  # (rows, Ny, Nx)
    # the arithmetic of s1 (u + βy), s2 (u − βy) and e^{−x²/2}, in place: no more temporaries of the nodes' size
    u = a * xn
    first_arg = u + shift[..., None]
    first_arg *= s1[:, None, None]
    second_arg = np.subtract(u, shift[..., None], out=u)
    second_arg *= s2[:, None, None]
    # a new float64 array (f and g may return their input, or integers)
    vals = np.multiply(f(first_arg.ravel()), g(second_arg.ravel()), dtype=np.float64).reshape(xn.shape)
    density = np.multiply(-0.5, xn, out=first_arg)
    density *= xn
    vals *= np.exp(density, out=density)
    vals *= xw
    inner = np.sum(vals, axis=2)
    return np.sum(inner * yw, axis=1) * (_INV_SQRT_2PI * _INV_SQRT_2PI)


def _panel_nodes(y_edges: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    yn, yw = _nodes(y_edges, x, w)
    return yn, yw * np.exp(-0.5 * yn * yn)


def _half_range_nodes(rows: int, n: int, even: bool) -> tuple[np.ndarray, np.ndarray]:
    """The half-range rule on both half-lines, or on y > 0 with doubled weights for an ``even`` outer
    integrand."""
    y, w = half_range_gauss(n)
    if even:
        return np.tile(y, (rows, 1)), np.tile(2.0 * w, (rows, 1))
    return np.tile(np.concatenate([-y[::-1], y]), (rows, 1)), np.tile(np.concatenate([w[::-1], w]), (rows, 1))


def _upper_half(edges: np.ndarray) -> np.ndarray:
    """The panels on y ≥ 0 of edges symmetric about 0 (0 among them), with doubled weight implied:
    for an even outer integrand."""
    half = edges[:, (edges.shape[1] - 1) // 2:].copy()
    half[:, 0] = 0.0
    return half


def _levels(first: np.ndarray) -> int:
    """Doublings needed for graded panels starting at ``first`` to reach the uniform width H_MAX."""
    return int(np.clip(np.ceil(np.log2(H_MAX / np.min(first))), 0, MAX_LEVELS))


def fixed_rule(f, g, s1: np.ndarray, s2: np.ndarray, cabs: np.ndarray, bps_f: np.ndarray, bps_g: np.ndarray,
               rates_f: Rates, rates_g: Rates, widths: tuple[float, float], bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, accepted) for E[f(u1) g(u2)] at |c| = ``cabs`` < 1 (see the module docstring);
    ``bound`` is √(E f² E g²) per value. Rejected values are NaN. For f = g and q1 = q2 (the dual
    activation on equal variances) the outer integrand is even in y: only y ≥ 0 is integrated."""
    out = np.full(len(s1), np.nan)
    ok = np.zeros(len(s1), dtype=bool)
    if min(widths) <= 0.0:  # arbitrarily sharp features: only the adaptive engine can be trusted
        return out, ok
    alpha, beta = np.sqrt(0.5 * (1 + cabs)), np.sqrt(0.5 * (1 - cabs))
    x_lo, x_hi, y_lo, y_hi = windows(s1, s2, alpha, beta, rates_f, rates_g, W_RULE)
    nx = int(np.ceil(np.max(x_hi - x_lo) / H_MAX))
    ny = int(np.ceil(np.max(y_hi - y_lo) / H_MAX))
    crosses = crossings(bps_f, bps_g, s1, s2, beta)
    even = f is g and np.array_equal(s1, s2)  # y → −y swaps the two factors

    sixteen: dict[tuple[bool, float], np.ndarray] = {}  # 16-point estimates per (half-range, grading), reused

    def attempt(rows: np.ndarray, y_nodes, x_first: np.ndarray, lx: int, pair: tuple[int, int], key) -> None:
        """The rule pair (fine, check) for ``rows`` (y_nodes(rows, x, w, n) → outer nodes and weights); accept."""
        x_grid = _split(x_lo[rows], x_hi[rows], nx, np.empty((len(rows), 0)))

        def estimate(n: int) -> np.ndarray:
            x, w = _RULES[n]
            with np.errstate(all="ignore"):
                return _estimate(f, g, s1[rows], s2[rows], alpha[rows], beta[rows], bps_f, bps_g, x_grid, *y_nodes(rows, x, w, n),
                                 x_first[rows], lx, x, w)

        memo = sixteen.setdefault(key, np.full(len(s1), np.nan))
        fine = estimate(pair[0])
        coarse = memo[rows] if pair[1] == 16 and not np.isnan(memo[rows]).any() else estimate(pair[1])
        if pair[0] == 16:
            memo[rows] = fine
        good = np.isfinite(fine) & (np.abs(fine - coarse) <= np.maximum(ACCEPT_REL * np.abs(fine), ACCEPT_ABS * bound[rows]))
        out[rows[good]] = fine[good]
        ok[rows[good]] = True

    def chunks(rows: np.ndarray, per_row: int):
        step = max(1, NODES_PER_CHUNK // per_row)
        return (rows[i:i + step] for i in range(0, len(rows), step))

    inside = np.abs(crosses) < np.maximum(-y_lo, y_hi)[:, None]
    # y varies slowly on the scale of the coarsest graded panel: the half-range rule may be tried
    smooth_y = np.all(~inside | (crosses == 0.0), axis=1) & (FEATURE_PANELS[0] * min(widths) / np.maximum(s1, s2) >= H_MAX * beta)
    levels: dict[tuple[bool, float], tuple[int, int]] = {}  # graded levels per (half-range, grading), kept across pairs
    for half_range in (True, False):
        for stage, pair in enumerate(PAIRS):  # the cheap pair with every grading first; then the finest grading first
            for per_feature in FEATURE_PANELS if stage == 0 else FEATURE_PANELS[::-1]:
                key = (half_range, per_feature)
                scale = per_feature * min(widths) / np.maximum(s1, s2)  # first graded panel, in units of u/√q
                x_first, y_first = np.minimum(H_MAX, scale / alpha), np.minimum(H_MAX, scale / beta)
                # half-range: the outer integral by one Gauss rule per half-line (weight e^{−y²/2} on [0, ∞)) where it
                # is smooth on each: every kink crossing at y = 0 or outside the window, nothing to grade in y
                todo = np.nonzero(~ok & smooth_y if half_range else ~ok)[0]
                if not todo.size:
                    continue
                lx, ly = levels.setdefault(key, (_levels(x_first[todo]), _levels(y_first[todo])))
                if half_range:
                    for r in chunks(todo, 48 * (nx + 4 * lx + len(bps_f) + len(bps_g)) * 24):
                        attempt(r, lambda rr, _x, _w, n: _half_range_nodes(len(rr), n, even), x_first, lx, pair, key)
                    continue

                def panels(rr, xq, wq, _n, ly=ly, y_first=y_first):
                    y_cuts = np.concatenate([crosses[rr], _doubling_cuts(np.zeros(len(rr)), y_first[rr], ly)], axis=1)
                    edges = _split(y_lo[rr], y_hi[rr], ny, y_cuts)
                    if even:
                        yn, yw = _panel_nodes(_upper_half(edges), xq, wq)
                        return yn, 2.0 * yw
                    return _panel_nodes(edges, xq, wq)

                for r in chunks(todo, (ny + 2 * ly + crosses.shape[1]) * (nx + 4 * lx + len(bps_f) + len(bps_g)) * 24 * 24):
                    attempt(r, panels, x_first, lx, pair, key)
    return out, ok
