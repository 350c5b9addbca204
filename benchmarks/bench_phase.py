"""400×400 phase diagrams (q*, χ_1, ξ_c) against the straightforward method, and both against mpmath.

run: .venv/bin/python benchmarks/bench_phase.py [--grid 400] [--sample 6]

Per activation (tanh, swish, gelu, elu, relu) on σ_w² ∈ [0.1, 5], σ_b² ∈ [0, 0.4]:
  - signalprop.phase_diagram: time to build the Chebyshev tables (once per activation) and to fill
    the grid;
  - straightforward: scipy.integrate.quad for E[φ²] inside a fixed-point iteration q ← V(q) from
    q0 = 1 (until |Δq| < 1e-12 q, at most 2000 layers), then quad for χ_1, on a random subsample of
    grid points; its time per point × grid size is the extrapolated full-grid time;
  - error of both in q* and χ_1 against a 25-digit mpmath reference (mpmath.findroot on
    σ_w² E[φ²] + σ_b² − q with the 1-D mpmath engine) at the ordered/chaotic subsample points;
  - ξ_c next to the edge of chaos: the chaotic grid points closest to it (ξ_c from 10² to 10⁵)
    against the point-by-point route (``propagation``: the 2-D engine at c*), and the time of the
    (ln q, θ) table those points need (first call; cached afterwards), reported separately.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import mpmath
import numpy as np
from scipy.integrate import quad

from signalprop import gaussian_moment_mp, phase_diagram, propagation, q_tables
from symbolic import get_activation

NAMES = ("tanh", "swish", "gelu", "elu", "relu")


def _quad_moment(f, q):
    s = math.sqrt(q)
    return quad(lambda z: f(s * z) ** 2 * math.exp(-z * z / 2) / math.sqrt(2 * math.pi), -np.inf, np.inf, limit=200)[0]


def _straightforward(act, w2, b2):
    f, df = act.numpy(0), act.numpy(1)
    f1 = lambda x: float(f(np.array([x]))[0])  # noqa: E731
    d1 = lambda x: float(df(np.array([x]))[0])  # noqa: E731
    q = 1.0
    for _ in range(2000):
        new = w2 * _quad_moment(f1, q) + b2
        if not math.isfinite(new) or new > 1e8:
            return math.nan, math.nan
        done = abs(new - q) < 1e-12 * q
        q = new
        if done or q < 1e-12:
            break
    if q < 1e-12:
        return 0.0, math.nan
    return q, w2 * _quad_moment(d1, q)


def _reference(act, w2, b2, q_guess):
    with mpmath.workdps(25):
        root = mpmath.findroot(lambda q: w2 * gaussian_moment_mp(act, float(q), dps=25) + b2 - q, mpmath.mpf(q_guess), tol=1e-20)
        q = float(root)
        return q, float(w2 * gaussian_moment_mp(act, q, k=1, dps=25))


def _xi_c_error(act, d, W, B, points: int = 4) -> float:
    """Largest relative ξ_c error of the grid against ``propagation`` at chaotic points with ξ_c in
    [1e2, 1e5], spread over that range (nan if the grid has none)."""
    sel = np.argwhere((d.phase == 1) & (d.xi_c > 1e2) & (d.xi_c < 1e5))
    if not len(sel):
        return math.nan
    order = np.argsort(d.xi_c[sel[:, 0], sel[:, 1]])
    worst = 0.0
    for k in order[np.linspace(0, len(order) - 1, points).astype(int)]:
        i, j = sel[k]
        p = propagation(act, W[j], B[i])
        worst = max(worst, abs(d.xi_c[i, j] / p.xi_c - 1))
    return worst


def main() -> None:
    warnings.simplefilter("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", type=int, default=400)
    ap.add_argument("--sample", type=int, default=6)
    args = ap.parse_args()
    W = np.linspace(0.1, 5.0, args.grid)
    B = np.linspace(0.0, 0.4, args.grid)
    rng = np.random.default_rng(1)
    print("speed-up: straightforward full-grid time / our first-call time (tables + grid + EOC table)")
    print(f"{'activation':10} {'tables s':>9} {'grid s':>7} {'EOC table s':>12} {'quad s/pt':>10} {'quad full s':>12} "
          f"{'first call s':>13} {'speed-up':>9} {'err q* ours':>12} {'err q* quad':>12} {'err chi1 ours':>14} {'err chi1 quad':>14} {'err xi_c EOC':>13}")
    for name in NAMES:
        act = get_activation(name)
        t = time.perf_counter()
        q_tables(act)
        t_tab = time.perf_counter() - t
        t = time.perf_counter()
        d = phase_diagram(act, W, B)
        t_first = time.perf_counter() - t
        t = time.perf_counter()
        d = phase_diagram(act, W, B)
        t_grid = time.perf_counter() - t
        t_table = t_first - t_grid  # the near-edge-of-chaos tables built by the first call
        xi_err = _xi_c_error(act, d, W, B)
        pts = [(i, j) for i, j in zip(rng.integers(0, args.grid, 40), rng.integers(0, args.grid, 40))
               if d.phase[i, j] in (0, 1) and d.q_star[i, j] > 1e-3][: args.sample]
        errs = {"ours_q": 0.0, "quad_q": 0.0, "ours_c": 0.0, "quad_c": 0.0}
        t_quad = 0.0
        for i, j in pts:
            t = time.perf_counter()
            qq, cq = _straightforward(act, W[j], B[i])
            t_quad += time.perf_counter() - t
            qr, cr = _reference(act, W[j], B[i], d.q_star[i, j])
            errs["ours_q"] = max(errs["ours_q"], abs(d.q_star[i, j] - qr) / qr)
            errs["quad_q"] = max(errs["quad_q"], abs(qq - qr) / qr)
            errs["ours_c"] = max(errs["ours_c"], abs(d.chi1[i, j] - cr) / cr)
            errs["quad_c"] = max(errs["quad_c"], abs(cq - cr) / cr)
        per = t_quad / max(len(pts), 1)
        full = per * args.grid**2
        print(f"{name:10} {t_tab:9.2f} {t_grid:7.2f} {t_table:12.2f} {per:10.3f} {full:12.0f} {t_tab + t_first:13.2f} {full / (t_tab + t_first):9.0f} "
              f"{errs['ours_q']:12.1e} {errs['quad_q']:12.1e} {errs['ours_c']:14.1e} {errs['quad_c']:14.1e} {xi_err:13.1e}")


if __name__ == "__main__":
    main()
