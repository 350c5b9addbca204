"""Dual kernels between inputs of unequal variances by Mehler's series, with a certified tail:

  E[φ(u_i) φ(u_j)] = Σ_{n<N} a_n(q_i) a_n(q_j) cⁿ + R,  |R| ≤ |c|^N √(T_N(q_i) T_N(q_j)),

a_n(q) = E[φ(√q z) He_n(z)]/√n! and T_N(q) = E[φ(√q z)²] − Σ_{n<N} a_n(q)² (Cauchy–Schwarz on the
dropped terms; FORMULAS.md, "Unequal norms"). Per input O(N) coefficients, per pair a polynomial in
c: O(n·N + n²·N) per layer instead of a 2-D quadrature per pair. The coefficients come from the 1-D
engine (``hermite_coefficients``) at Chebyshev points in t = ln q over the inputs' range, interpolated
(nested extreme points, degree doubled until the trailing coefficients are below 1e-14 of the largest), and T_N from the 1-D
second moment. Entries whose bound exceeds TOL·√(E_i E_j) — c next to ±1 for kinked φ, whose a_n
decay only algebraically — are returned as not done (the caller uses the 2-D engine there).
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import chebyshev as C

from signalprop import gaussian_moment, hermite_coefficients

from signalprop.dual_table import chebyshev_coefficients, extrema, to_unit

from .closed_forms import correlation

N_TERMS = 128
N_TERMS_ONE = 256  # at a single variance (inputs on a sphere) more terms cost little
TOL = 1e-13
FLOOR = 4e-16  # relative rounding of E − Σ a_n² (the tail estimate cannot go below it)
DEGREES = (8, 16, 32, 64)
INTERP_TOL = 1e-14  # trailing Chebyshev coefficients: of a_n relative to the largest, of ln E absolute


def coefficients(act, q: np.ndarray, derivative: bool = False, n_terms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(a (len(q) × n_terms), E = E[φ^(k)(√q z)²]) for k = 1 if ``derivative`` else 0: from the 1-D engine
    at Chebyshev extreme points in t = ln q (nested: values are reused as the degree doubles),
    interpolated; directly at every q when there are few or the interpolant does not settle."""
    k, n_terms = (1 if derivative else 0), n_terms or N_TERMS
    t = np.log(q)
    lo, hi = float(t.min()), float(t.max())

    def direct(qs):
        return np.column_stack([hermite_coefficients(act, qs, n_terms, k=k).reshape(len(qs), n_terms), np.log(gaussian_moment(act, qs, k=k))])

    if hi - lo < 1e-13 or len(q) <= DEGREES[-1] + 1:
        vals = direct(q)
        return vals[:, :-1], np.exp(vals[:, -1])
    top = DEGREES[-1]
    lattice = np.exp(lo + (hi - lo) * (extrema(top) + 1) / 2)
    known: dict[int, np.ndarray] = {}
    for deg in DEGREES:
        idx = np.arange(deg + 1) * (top // deg)
        todo = [i for i in idx if i not in known]
        known.update(zip(todo, direct(lattice[todo])))
        coefs = chebyshev_coefficients(np.array([known[i] for i in idx]), axes=(0,))  # (deg + 1, n_terms + 1)
        tail_a = np.max(np.abs(coefs[-2:, :-1])) / max(np.max(np.abs(coefs[:, :-1])), 1e-300)
        if tail_a <= INTERP_TOL and np.max(np.abs(coefs[-2:, -1])) <= INTERP_TOL:
            out = C.chebval(to_unit(t, (lo, hi)), coefs).T
            return out[:, :-1], np.exp(out[:, -1])
    vals = direct(q)  # the range is too wide for one interpolant: every input directly
    return vals[:, :-1], np.exp(vals[:, -1])


def tails(a: np.ndarray, second: np.ndarray) -> np.ndarray:
    """T_N per input: the second moment left after the first N Hermite terms (≥ its rounding floor)."""
    return np.maximum(second - np.sum(a * a, axis=1), 0.0) + FLOOR * second


def mehler(a_i: np.ndarray, a_j: np.ndarray, t_i: np.ndarray, t_j: np.ndarray, e_i: np.ndarray, e_j: np.ndarray,
           q_i: np.ndarray, q_j: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, certified) for the block of pairs (rows i, columns j): Horner in c on the outer products
    a_n(q_i) a_n(q_j), and the tail bound against TOL·√(E_i E_j)."""
    c = correlation(q_i[:, None], q_j[None, :], k)
    out = np.zeros(k.shape)
    term = np.empty(k.shape)
    for n in range(a_i.shape[1] - 1, -1, -1):
        out *= c
        out += np.multiply.outer(a_i[:, n], a_j[:, n], out=term)
    bound = np.abs(c) ** a_i.shape[1] * np.sqrt(np.outer(t_i, t_j))
    return out, bound <= TOL * np.sqrt(np.outer(e_i, e_j))


def n_terms_needed(a_i: np.ndarray, e_i: np.ndarray, a_j: np.ndarray, e_j: np.ndarray, c_max: float) -> int:
    """Fewest terms N at which c_max^N · max T_N/E ≤ TOL on both sides (then every pair with |c| ≤ c_max
    is certified, since √(T_i T_j/(E_i E_j)) ≤ max T/E), capped at the number computed."""
    worst = np.maximum(*(np.max(e[:, None] - np.cumsum(a * a, axis=1), axis=0) / np.min(e) for a, e in ((a_i, e_i), (a_j, e_j))))
    n = np.arange(1, a_i.shape[1] + 1)
    ok = c_max**n * (np.maximum(worst, 0.0) + FLOOR) <= TOL
    return int(n[np.argmax(ok)]) if ok.any() else a_i.shape[1]
