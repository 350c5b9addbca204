"""NNGP + NTK of depth-10 fully connected networks on n random inputs: this toolkit against
neural-tangents (the ``nt`` extra), side by side in one run, with errors against independent references.

run: .venv/bin/python benchmarks/bench_ntk.py [--n 1024] [--pairs 12] [--nt-numerical swish] [--activations relu,erf,swish,tanh,elu]

Inputs: n × 16 Gaussian vectors, either as drawn ("general": unequal norms) or scaled onto the sphere
‖x‖² = d ("sphere"); σ_w² = 2.2, σ_b² = 0.04 (ReLU: σ_w² = 2, σ_b² = 0.01), NTK parameterization.
- closed-form activations (ReLU, erf): ``ntk.final_kernels`` (Σ^L, Θ^L) vs neural-tangents' analytic layers
  (``nt.batch``, batch 256);
- numerical activations (swish, tanh, ELU): ``ntk.final_kernels`` vs neural-tangents'
  ``ElementwiseNumerical`` with 25 Gauss–Hermite nodes (run for the activations in --nt-numerical
  only: it takes minutes);
- times: ours on the first call ("ours 1st": includes the activation's one-time symbolic analysis and,
  for unequal norms, its Hermite tables, cached for later calls) and warm (best of 3 repeats);
  neural-tangents warm (after a call on 256 other inputs that compiles its batch kernels). "nt/ours"
  compares warm with warm, "nt/1st" neural-tangents warm with our first call;
- errors: largest |K − K_ref| / max|K_ref| over ``pairs`` random input pairs and 4 diagonal entries, for NNGP and NTK, where
  K_ref is the depth-10 recursion on that pair alone from the papers' closed forms in 30-digit mpmath
  (ReLU: arc-cosine; erf: Williams) or from the 2-D engine on single entries (numerical activations:
  independent of the Mehler and θ-series routes under test).
"""

from __future__ import annotations

import argparse
import time
import warnings

import mpmath
import numpy as np

from ntk import final_kernels
from ntk.reference import engine_pair
from symbolic import get_activation

DEPTH = 10
D_IN = 16


def _inputs(n: int, sphere: bool, seed: int = 0) -> np.ndarray:
    X = np.random.default_rng(seed).normal(size=(n, D_IN))
    return X * np.sqrt(D_IN) / np.linalg.norm(X, axis=1, keepdims=True) if sphere else X


def _mp_pair(name: str, x, y, w2: float, b2: float) -> tuple[float, float]:
    """(Σ^L, Θ^L) for one pair from the written-out closed forms at 30 digits."""
    with mpmath.workdps(30):
        w2, b2 = mpmath.mpf(w2), mpmath.mpf(b2)
        dot = lambda a, b: mpmath.fsum(mpmath.mpf(float(u)) * mpmath.mpf(float(v)) for u, v in zip(a, b))  # noqa: E731
        qx, qy, k = (w2 * dot(a, b) / D_IN + b2 for a, b in ((x, x), (y, y), (x, y)))
        th = k
        same = x is y or np.array_equal(x, y)
        for _ in range(DEPTH):
            if name == "relu":
                t = mpmath.mpf(0) if same else mpmath.acos(k / mpmath.sqrt(qx * qy))
                kk = mpmath.sqrt(qx * qy) * (mpmath.sin(t) + (mpmath.pi - t) * mpmath.cos(t)) / (2 * mpmath.pi)
                dk = (mpmath.pi - t) / (2 * mpmath.pi)
                qx, qy = w2 * qx / 2 + b2, w2 * qy / 2 + b2
            else:  # erf, Williams
                s = mpmath.sqrt((1 + 2 * qx) * (1 + 2 * qy))
                kk = 2 / mpmath.pi * mpmath.asin(2 * k / s)
                dk = 4 / mpmath.pi / mpmath.sqrt((1 + 2 * qx) * (1 + 2 * qy) - 4 * k * k)
                qx, qy = (w2 * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)) + b2 for q in (qx, qy))
            k = w2 * kk + b2
            th = k + w2 * dk * th
        return float(k), float(th)


def _errors(mats, refs, pairs) -> tuple[float, float]:
    out = []
    for m, col in zip(mats, (0, 1)):
        ref = np.array([r[col] for r in refs])
        got = np.array([m[i, j] for i, j in pairs])
        out.append(float(np.max(np.abs(got - ref)) / np.max(np.abs(ref))))
    return out[0], out[1]


def _nt(act, X, w2, b2, numerical):
    """neural-tangents' warm time (after a call on 256 other inputs, which compiles its batch kernels)
    and its (NNGP, NTK)."""
    import neural_tangents as nt

    from ntk.bridge import stax_network

    kernel_fn = nt.batch(stax_network(act, DEPTH, w2, b2, numerical=numerical)[2], batch_size=256)
    kernel_fn(_inputs(256, False, seed=2), None, ("nngp", "ntk"))
    t = time.perf_counter()
    k = kernel_fn(X, None, ("nngp", "ntk"))
    nngp, ntk_ = np.asarray(k.nngp), np.asarray(k.ntk)
    return time.perf_counter() - t, nngp, ntk_


def _ours(act, X, w2, b2):
    """(first-call time, warm time: best of 3 repeats, (NNGP, NTK)). The first call on a new activation
    includes its one-time symbolic analysis and (unequal norms) the cached Hermite tables."""
    t = time.perf_counter()
    mats = final_kernels(act, X, depth=DEPTH, sigma_w2=w2, sigma_b2=b2)
    first = time.perf_counter() - t
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        final_kernels(act, X, depth=DEPTH, sigma_w2=w2, sigma_b2=b2)
        warm.append(time.perf_counter() - t)
    return first, min(warm), mats


def main() -> None:
    warnings.simplefilter("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--pairs", type=int, default=12)
    ap.add_argument("--nt-numerical", default="swish", help="comma-separated numerical activations to run through ElementwiseNumerical")
    ap.add_argument("--activations", default="relu,erf,swish,tanh,elu", help="comma-separated activations to run")
    args = ap.parse_args()
    nt_numerical = [s for s in args.nt_numerical.split(",") if s]
    rng = np.random.default_rng(1)
    pairs = [tuple(rng.choice(args.n, 2, replace=False)) for _ in range(args.pairs)]
    pairs += [(i, i) for i in rng.choice(args.n, 4, replace=False)]  # the diagonal (c = 1), where θ is ill-conditioned
    print(f"n = {args.n}, d = {D_IN}, depth {DEPTH}; errors: max |K - K_ref| / max |K_ref| over {args.pairs} pairs + 4 diagonal entries")
    print(f"{'activation':10} {'inputs':7} {'ours 1st':>8} {'ours':>6} {'nt':>7} {'nt/ours':>7} {'nt/1st':>6} {'our err NNGP':>12} "
          f"{'our err NTK':>11} {'nt err NNGP':>11} {'nt err NTK':>10}  nt layer")
    for name in [s for s in args.activations.split(",") if s]:
        act = get_activation(name)
        w2, b2 = (2.0, 0.01) if name == "relu" else (2.2, 0.04)
        closed = name in ("relu", "erf")
        for sphere in (False, True):
            X = _inputs(args.n, sphere)
            first, ours, mats = _ours(act, X, w2, b2)
            refs = [(_mp_pair(name, X[i], X[j], w2, b2) if closed else engine_pair(act, X[i], X[j], DEPTH, w2, b2)) for i, j in pairs]
            e_ours = _errors(mats, refs, pairs)
            row = f"{name:10} {'sphere' if sphere else 'general':7} {first:8.2f} {ours:6.2f} "
            if closed or name in nt_numerical:
                t_nt, n_nngp, n_ntk = _nt(act, X, w2, b2, None if closed else 25)
                e_nt = _errors((n_nngp, n_ntk), refs, pairs)
                row += f"{t_nt:7.2f} {t_nt / ours:7.1f} {t_nt / first:6.1f} {e_ours[0]:12.1e} {e_ours[1]:11.1e} {e_nt[0]:11.1e} {e_nt[1]:10.1e}  "
                row += "analytic" if closed else "ElementwiseNumerical(25)"
            else:
                row += f"{'-':>7} {'-':>7} {'-':>6} {e_ours[0]:12.1e} {e_ours[1]:11.1e} {'-':>11} {'-':>10}"
            print(row, flush=True)

if __name__ == "__main__":
    main()
