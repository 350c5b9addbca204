"""Bivariate engine throughput and accuracy, side by side with the straightforward methods.

run: .venv/bin/python benchmarks/bench_bivariate.py

For ReLU (arc-cosine), erf (Williams) and sign (arcsin), which have closed forms, at 16 (q1, q2, c)
points including c near ±1: seconds per expectation and the largest relative error of
  - signalprop.bivariate_moment (vectorized over the 16 points, and one call per point),
  - scipy.integrate.dblquad on z1, z2 ∈ [−10, 10] (default tolerances; 2 of the points: it is slow),
  - a 25×25 Gauss–Hermite product rule (what neural-tangents' numerical fallback does).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
from scipy.integrate import dblquad

from signalprop import bivariate_moment
from symbolic import get_activation


def _arccos1(q1, q2, c):
    th = math.acos(c)
    return math.sqrt(q1 * q2) / (2 * math.pi) * (math.sin(th) + (math.pi - th) * c)


CLOSED = {
    "relu": _arccos1,
    "erf": lambda q1, q2, c: 2 / math.pi * math.asin(2 * c * math.sqrt(q1 * q2) / math.sqrt((1 + 2 * q1) * (1 + 2 * q2))),
    "sign": lambda q1, q2, c: 2 / math.pi * math.asin(c),
}

RNG = np.random.default_rng(0)
Q1 = 10.0 ** RNG.uniform(-2, 2, 16)
Q2 = 10.0 ** RNG.uniform(-2, 2, 16)
C = np.concatenate([RNG.uniform(-1, 1, 12), [0.999, -0.999, 1 - 1e-8, 0.0]])


def _dblquad(f, q1, q2, c):
    s = math.sqrt(1 - c * c)

    def integrand(z2, z1):
        return f(math.sqrt(q1) * z1) * f(math.sqrt(q2) * (c * z1 + s * z2)) * math.exp(-(z1 * z1 + z2 * z2) / 2) / (2 * math.pi)

    return dblquad(integrand, -10, 10, -10, 10)[0]


def _hermite(f, q1, q2, c, n=25):
    x, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()
    z1, z2 = np.meshgrid(x, x, indexing="ij")
    s = math.sqrt(1 - c * c)
    vals = f(math.sqrt(q1) * z1) * f(math.sqrt(q2) * (c * z1 + s * z2))
    return float(w @ vals @ w)


def main() -> None:
    warnings.simplefilter("ignore")  # dblquad's IntegrationWarnings on kinks: its errors are in the table
    print(f"{'activation':10} {'method':26} {'s/expectation':>14} {'max error':>12}  (relative; absolute/1e-6 where |ref| < 1e-6)")
    for name, closed in CLOSED.items():
        act = get_activation(name)
        f = act.numpy(0)
        ref = np.array([closed(a, b, c) for a, b, c in zip(Q1, Q2, C)])
        bivariate_moment(act, 1.0, 1.0, 0.5)  # warm the callables' caches

        def err(vals, ref=ref):  # relative; absolute where |reference| < 1e-6 (e.g. odd φ at c = 0)
            return float(np.max(np.abs(vals - ref) / np.maximum(np.abs(ref), 1e-6)))

        t = time.perf_counter()
        vec = bivariate_moment(act, Q1, Q2, C)
        rows = [("signalprop, vectorized", (time.perf_counter() - t) / len(C), err(vec))]
        t = time.perf_counter()
        one = np.array([bivariate_moment(act, a, b, c) for a, b, c in zip(Q1, Q2, C)])
        rows.append(("signalprop, one by one", (time.perf_counter() - t) / len(C), err(one)))
        t = time.perf_counter()  # dblquad takes seconds to minutes per value: a subsample of 2
        dq = np.array([_dblquad(f, Q1[i], Q2[i], C[i]) for i in range(2)])
        rows.append(("scipy dblquad (2 points)", (time.perf_counter() - t) / 2, err(dq, ref[:2])))
        t = time.perf_counter()
        gh = np.array([_hermite(f, a, b, c) for a, b, c in zip(Q1, Q2, C)])
        rows.append(("Gauss-Hermite 25x25", (time.perf_counter() - t) / len(C), err(gh)))
        for method, secs, e in rows:
            print(f"{name:10} {method:26} {secs:14.2e} {e:12.1e}")


if __name__ == "__main__":
    main()
