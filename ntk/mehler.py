"""Dual kernels between inputs of unequal variances by Mehler's series, with a certified tail:

  E[φ(u_i) φ(u_j)] = Σ_{n<N} a_n(q_i) a_n(q_j) cⁿ + R,  |R| ≤ |c|^N √(T_N(q_i) T_N(q_j)),

a_n(q) = E[φ(√q z) He_n(z)]/√n! and T_N(q) = E[φ(√q z)²] − Σ_{n<N} a_n(q)² (Cauchy–Schwarz on the
dropped terms; FORMULAS.md, "Unequal norms"). Per input O(N) coefficients, per pair a polynomial in
c: O(n·N + n²·N) per layer instead of a 2-D quadrature per pair. The coefficients come from the 1-D
engine (``hermite_coefficients``) at Chebyshev points in t = ln q over the inputs' range, interpolated
(degree doubled until the trailing coefficients are below 1e-15 of the largest), and T_N from the 1-D
second moment. Entries whose bound exceeds TOL·√(E_i E_j) — c next to ±1 for kinked φ, whose a_n
decay only algebraically — are returned as not done (the caller uses the 2-D engine there).
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import chebyshev as C

from signalprop import gaussian_moment, hermite_coefficients

from .closed_forms import correlation

N_TERMS = 96
TOL = 1e-13
FLOOR = 4e-16  # relative rounding of E − Σ a_n² (the tail estimate cannot go below it)
DEGREES = (4, 8, 16, 32, 64)
INTERP_TOL = 1e-15


def _cheb_points(n: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(n + 1) + 0.5) / (n + 1))


def coefficients(act, q: np.ndarray, derivative: bool = False, n_terms: int = N_TERMS) -> tuple[np.ndarray, np.ndarray]:
    """(a (len(q) × n_terms), E = E[φ^(k)(√q z)²]) for k = 1 if ``derivative`` else 0."""
    k = 1 if derivative else 0
    t = np.log(q)
    lo, hi = float(t.min()), float(t.max())
    if hi - lo < 1e-13 or len(q) <= DEGREES[0] + 1:
        return hermite_coefficients(act, q, n_terms, k=k).reshape(len(q), n_terms), np.atleast_1d(gaussian_moment(act, q, k=k))
    for deg in DEGREES:
        nodes = _cheb_points(deg)
        qn = np.exp(lo + (hi - lo) * (nodes + 1) / 2)
        vals = np.column_stack([hermite_coefficients(act, qn, n_terms, k=k), np.log(gaussian_moment(act, qn, k=k))])
        fit = C.chebfit(nodes, vals, deg)  # (deg + 1, n_terms + 1)
        scale = np.max(np.abs(fit[:, :-1]))
        done = np.max(np.abs(fit[-2:, :-1])) <= INTERP_TOL * scale and np.max(np.abs(fit[-2:, -1])) <= INTERP_TOL
        if done:
            break
    x = np.clip((2 * t - lo - hi) / (hi - lo), -1.0, 1.0)
    out = C.chebval(x, fit).T  # (len(q), n_terms + 1)
    if not done:  # the range is too wide for interpolation at the largest degree: compute directly
        return hermite_coefficients(act, q, n_terms, k=k), gaussian_moment(act, q, k=k)
    return out[:, :-1], np.exp(out[:, -1])


def tails(a: np.ndarray, second: np.ndarray) -> np.ndarray:
    """T_N per input: the second moment left after the first N Hermite terms (≥ its rounding floor)."""
    return np.maximum(second - np.sum(a * a, axis=1), 0.0) + FLOOR * second


def mehler(a_i: np.ndarray, a_j: np.ndarray, t_i: np.ndarray, t_j: np.ndarray, e_i: np.ndarray, e_j: np.ndarray,
           q_i: np.ndarray, q_j: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, certified) for the block of pairs (rows i, columns j): Horner in c on the outer products
    a_n(q_i) a_n(q_j), and the tail bound against TOL·√(E_i E_j)."""
    c = correlation(q_i[:, None], q_j[None, :], k)
    out = np.zeros(k.shape)
    for n in range(a_i.shape[1] - 1, -1, -1):
        out *= c
        out += np.outer(a_i[:, n], a_j[:, n])
    bound = np.abs(c) ** a_i.shape[1] * np.sqrt(np.outer(t_i, t_j))
    return out, bound <= TOL * np.sqrt(np.outer(e_i, e_j))


def n_terms_needed(a: np.ndarray, second: np.ndarray) -> int:
    """Fewest terms whose tail is at TOL²·E for every input (so pairs at c = 1 pass), capped at the
    number computed: terms beyond it only cost time."""
    left = second[:, None] - np.cumsum(a * a, axis=1)
    ok = np.all(left <= (TOL * TOL + FLOOR) * second[:, None], axis=0)
    return int(np.argmax(ok)) + 1 if ok.any() else a.shape[1]

