"""Reference recursions for checks (tests, benchmarks): the depth-L NNGP and NTK of one input pair
with every layer's duals from ``dual`` on single entries — the 2-D engine for numerical activations,
independent of the Mehler and θ-series routes that the kernel matrices use."""

from __future__ import annotations

import numpy as np

from .dual import dual


def engine_pair(act, x: np.ndarray, y: np.ndarray, depth: int, sigma_w2: float, sigma_b2: float) -> tuple[float, float]:
    """(Σ^L(x, y), Θ^L(x, y)) in the NTK parameterization (conventions of ``kernels``)."""
    d = len(x)
    qx, qy, k = (sigma_w2 * float(u @ v) / d + sigma_b2 for u, v in ((x, x), (y, y), (x, y)))
    th = k
    for _ in range(depth):
        kk, dk = (float(dual(act, qx, qy, k, derivative=der)) for der in (False, True))
        qx, qy = (sigma_w2 * float(dual(act, q, q, q)) + sigma_b2 for q in (qx, qy))
        k = sigma_w2 * kk + sigma_b2
        th = k + sigma_w2 * dk * th
    return k, th
