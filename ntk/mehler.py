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


N_TERMS = 128
TERMS_ONE = (96, 256)  # at a single variance (inputs on a sphere): 256 terms only where 96 leave values uncertified
TOL_ONE = 1e-15  # the tail allowed there (relative to E): errors compound over layers, and terms are cheap at one q
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


TIERS = (24, 48)  # terms of the first passes; entries still uncertified get the next tier's extra terms


def mehler(a_i: np.ndarray, a_j: np.ndarray, e_i: np.ndarray, e_j: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, certified) for the block of pairs (rows i, columns j): Horner in c on the outer products
    a_n(q_i) a_n(q_j) and the tail bound |c|^N √(T_N(q_i) T_N(q_j)) ≤ TOL·√(E_i E_j), in tiers: every
    entry gets the first TIERS[0] terms; only entries not yet certified get the terms up to the next
    tier (|c| small needs few terms), up to all the columns of a; c is the block of correlations."""
    total = a_i.shape[1]
    tiers = [n for n in TIERS if n < total] + [total]
    scale = TOL * np.sqrt(np.outer(e_i, e_j))
    out = np.zeros(c.shape)
    term = np.empty(c.shape)
    for n in range(tiers[0] - 1, -1, -1):  # first tier on the whole block
        out *= c
        out += np.multiply.outer(a_i[:, n], a_j[:, n], out=term)
    done = np.abs(c) ** tiers[0] * np.sqrt(np.outer(tails(a_i[:, :tiers[0]], e_i), tails(a_j[:, :tiers[0]], e_j))) <= scale
    for lo, hi in zip(tiers, tiers[1:]):
        ii, jj = np.nonzero(~done)
        if not ii.size:
            break
        cc = c[ii, jj]
        extra = np.zeros(ii.size)
        for n in range(hi - 1, lo - 1, -1):  # Σ_{lo ≤ n < hi} a_n a_n c^{n − lo}, then times c^lo
            extra *= cc
            extra += a_i[ii, n] * a_j[jj, n]
        out[ii, jj] += extra * cc**lo
        done[ii, jj] = np.abs(cc) ** hi * np.sqrt(tails(a_i[:, :hi], e_i)[ii] * tails(a_j[:, :hi], e_j)[jj]) <= scale[ii, jj]
    return out, done


def n_terms_needed(a_i: np.ndarray, e_i: np.ndarray, a_j: np.ndarray, e_j: np.ndarray, c_max: float) -> int:
    """Fewest terms N at which c_max^N · max T_N/E ≤ TOL on both sides (then every pair with |c| ≤ c_max
    is certified, since √(T_i T_j/(E_i E_j)) ≤ max T/E), capped at the number computed."""
    worst = np.maximum(*(np.max(e[:, None] - np.cumsum(a * a, axis=1), axis=0) / np.min(e) for a, e in ((a_i, e_i), (a_j, e_j))))
    n = np.arange(1, a_i.shape[1] + 1)
    ok = c_max**n * (np.maximum(worst, 0.0) + FLOOR) <= TOL
    return int(n[np.argmax(ok)]) if ok.any() else a_i.shape[1]
