"""Dual activations: K(q1, q2, k) = E[φ(u)φ(v)] and K̇(q1, q2, k) = E[φ'(u)φ'(v)] for centred Gaussian
(u, v) with Var u = q1, Var v = q2, Cov(u, v) = k (the NNGP and NTK layer maps; Cho & Saul 2009,
Lee et al. 2018, Jacot et al. 2018), for any activation or mixture (mixtures average the components'
duals: each neuron keeps its φ_i).

Routes, in order:
1. a closed form (``closed_forms``: arc-cosine, polynomial/Mehler, Gaussian integrals, Williams);
2. entries sharing one variance q1 = q2 = q (inputs on a sphere: every layer keeps them on one) — a
   Chebyshev series in θ = arccos c on the entries' θ range, from the 2-D engine at Chebyshev extreme
   points, degree doubled (16 … 512) until the last three coefficients are below 1e-14 of the largest.
   In θ the dual stays analytic at c = ±1 even for kinked φ, so the series converges geometrically;
3. a kernel matrix between inputs of unequal variances (``dual_matrices``): Mehler's series truncated
   where its tail estimate falls below 1e-13 (``mehler``), the 2-D engine on the entries where it does not;
4. otherwise the 2-D engine (``signalprop.bivariate_moment``, ~1e-13 relative) on every entry.

A discontinuous φ (sign, step) has Dirac masses in φ', so K̇ is infinite at c = 1 and the NTK does not
exist: ``NoTangentKernelError``.

A gated unit g = φ(u)·ψ(v) (u, v independent with the same covariance; ``signalprop.laws``) composes from its
components' duals: K = K_φ K_ψ and K̇ = K̇_φ K_ψ + K_φ K̇_ψ (both branches' weights feed the NTK), so each factor
keeps its own route and accuracy; a mixture holding gated units averages the units' duals. A group activation
(MaxMin, householder, maxout) takes its closed form from its layer law (``signalprop.laws.GroupLaw``).
"""

from __future__ import annotations

import contextvars
import operator
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial, reduce

import numpy as np
from numpy.polynomial import chebyshev as C

from signalprop import QuadratureError, bivariate_moment, gaussian_moment
from signalprop.dual_table import chebyshev_coefficients, extrema, to_unit, trailing
from signalprop.maps import dirac_jumps
from signalprop.mixing import Mixture, components
from signalprop.laws import layer_law
from symbolic import GatedUnit, GroupUnit

from . import mehler
from .closed_forms import angle, angles, closed_form, correlation

TABLE_TOL = 1e-14
TABLE_DEGREES = (16, 32, 64, 128, 256, 512)
EQUAL_RTOL = 1e-14  # variances this close count as one (the sphere route)
CHUNK = 2048  # 2-D engine values per call on the general route (the progress bar's step)


class NoTangentKernelError(ValueError):
    """E[φ'(u)φ'(v)] does not exist (φ jumps)."""


def check_derivative(act) -> None:
    """Raise NoTangentKernelError when φ (or a mixture component) jumps."""
    jumps = dirac_jumps(act)
    if jumps:
        where = ", ".join(f"x = {b:g}" for b, _ in jumps[:4])
        raise NoTangentKernelError(
            f"{act.label} jumps ({where}): φ' holds Dirac masses, so E[φ'(u)²] is infinite and the NTK does not exist; "
            "the NNGP does (use nngp), or choose a continuous activation")


def _composite(act) -> list | None:
    """[(unit, weight), …] when ``act`` is a gated unit or a mixture holding one, for which the duals below are
    composed (``_gated`` on one unit, the weighted sum over a mixture); None for element-wise activations and their
    mixtures (the engines of this module)."""
    if isinstance(act, GatedUnit):
        return [(act, 1.0)]
    if isinstance(act, Mixture) and any(isinstance(a, (GatedUnit, GroupUnit)) for a, _ in act.components()):
        layer_law(act)  # refuses mixtures that hold groupsort or householder (groups of units, not per-unit laws)
        return act.components()
    return None


def _group_kernels(unit: GroupUnit, q1, q2, k, derivative: bool):
    """(K, K̇ or None) of a group activation from its law's closed forms, on broadcast (q1, q2, covariance k)."""
    law, c = layer_law(unit), correlation(q1, q2, k)
    return law.dual(q1, q2, c), (law.dual_derivative(q1, q2, c) if derivative else None)


def _gated(unit: GatedUnit, kernel, derivative: bool):
    """(K, K̇ or None) of a gated unit from ``kernel(component) -> (K, K̇ or None)``: K_φ K_ψ, K̇_φ K_ψ + K_φ K̇_ψ."""
    (ka, da), (kb, db) = kernel(unit.gate), kernel(unit.value)
    return ka * kb, (da * kb + ka * db if derivative else None)


def _composed(parts: list, kernel, derivative: bool):
    """Σ_i w_i (K, K̇) of the units in ``parts``: a gated unit by ``_gated``, an element-wise one by ``kernel``."""
    total, dtotal = 0.0, (0.0 if derivative else None)
    for unit, w in parts:
        k, d = _gated(unit, kernel, derivative) if isinstance(unit, GatedUnit) else kernel(unit)
        total = total + w * k
        if derivative:
            dtotal = dtotal + w * d
    return total, dtotal


def _family(act, derivative: bool):
    """The closed-form family of φ's dual (of φ''s with ``derivative``), or None."""
    family = closed_form(act)
    return family.derivative() if family is not None and derivative else family


def method(act, derivative: bool = False) -> str:
    """How ``dual`` computes this activation's kernel: the closed form's name or "numerical" (a gated unit: its two
    factors', joined by " x ")."""
    if isinstance(act, GroupUnit):
        return "closed form (group law)" if act.k == 2 else "2-D quadrature, Chebyshev in theta (group law)"
    parts = _composite(act)
    if parts is not None:
        return " + ".join(sorted({f"{method(u.gate, derivative)} x {method(u.value, derivative)}" if isinstance(u, GatedUnit)
                                  else method(u, derivative) for u, _ in parts}))
    families = (_family(a, derivative) for a, _ in components(act))
    return " + ".join(sorted({f.name if f is not None else "numerical" for f in families}))


def _numerical(act, q1, q2, k, derivative, progress):
    """The 2-D engine on every entry (broadcast arrays of equal shape)."""
    c = correlation(q1, q2, k)
    order = (1, 1) if derivative else (0, 0)
    if _shared_variance(q1, q2):
        return _theta_series(act, float(q1.flat[0]), np.arccos(c), order)
    out = np.empty(c.size)
    flat = [a.ravel() for a in (q1, q2, c)]
    from tqdm import tqdm  # here: its import is 15 ms that a call without a bar never needs

    with tqdm(total=c.size, desc=f"{act.label}: dual kernel", disable=not progress or c.size < CHUNK, file=sys.stderr,
              leave=False) as bar:
        for start in range(0, c.size, CHUNK):
            sl = slice(start, start + CHUNK)
            out[sl] = bivariate_moment(act, flat[0][sl], flat[1][sl], flat[2][sl], k=order)
            bar.update(len(out[sl]))
    return out.reshape(c.shape)


def common_variance(*qs: np.ndarray) -> bool:
    """All variances in ``qs`` equal to the first within EQUAL_RTOL (inputs on one sphere)."""
    q = qs[0].flat[0]
    return all(bool(np.all(np.abs(v - q) <= EQUAL_RTOL * q)) for v in qs)


def _shared_variance(q1: np.ndarray, q2: np.ndarray) -> bool:
    """Entries enough for a θ-series, all at one variance."""
    return q1.size > TABLE_DEGREES[0] and common_variance(q1, q2)


def _theta_values(act, q: float, theta: np.ndarray, order: tuple[int, int], known: dict) -> np.ndarray:
    """The dual at Var = q and angles ``theta``: Mehler's series at this one q where its tail estimate
    |c|^N T_N is at most mehler.TOL_ONE·E (smooth φ: usually everywhere), the 2-D engine elsewhere.
    ``known``: the coefficients computed so far at this q, by number of terms (filled here)."""
    derivative = order == (1, 1)
    c = np.cos(theta)
    for n_terms in mehler.TERMS_ONE:  # more terms only if fewer leave values unaccepted
        if n_terms not in known:
            known[n_terms] = mehler.coefficients(act, np.array([q]), derivative, n_terms=n_terms)
        a, e = known[n_terms]
        ok = np.abs(c) ** a.shape[1] * mehler.tails(a, e)[0] <= mehler.TOL_ONE * e[0]
        if ok.all():
            break
    out = np.empty(theta.shape)
    out[ok] = np.polynomial.polynomial.polyval(c[ok], a[0] ** 2)
    if (~ok).any():
        out[~ok] = bivariate_moment(act, np.full(int((~ok).sum()), q), np.full(int((~ok).sum()), q), c[~ok], k=order)
    return out


def _theta_series(act, q: float, theta: np.ndarray, order: tuple[int, int]) -> np.ndarray:
    """E[φ^(k)(u)φ^(k)(v)] at Var = q and angles ``theta``: at θ = 0 exactly (collinear pairs, e.g. the
    diagonal) the 1-D second moment E[φ^(k)(√q z)²]; elsewhere a Chebyshev series in θ on the range of
    the other angles (which then stays away from c = 1, where Mehler's series needs the most terms)."""
    collinear = theta == 0.0
    if not collinear.any():
        return _series_in_theta(act, q, theta, order)
    out = np.empty(theta.shape)
    out[collinear] = gaussian_moment(act, q, k=order[0])
    if not collinear.all():
        out[~collinear] = _series_in_theta(act, q, theta[~collinear], order)
    return out


def _series_in_theta(act, q: float, theta: np.ndarray, order: tuple[int, int]) -> np.ndarray:
    """The dual at Var = q and angles ``theta`` from a Chebyshev series in θ on their range (values at
    nested extreme points reused as the degree doubles); many entries are evaluated through a cubic
    table on a fine uniform θ grid, checked against the series at 512 points."""
    lo, hi = float(theta.min()), float(theta.max())
    if hi - lo < 1e-12:
        return np.full(theta.shape, bivariate_moment(act, q, q, np.cos(lo), k=order))
    domain = (lo, hi)
    top = TABLE_DEGREES[-1]
    lattice = lo + (hi - lo) * (extrema(top) + 1) / 2
    values: dict[int, float] = {}
    known: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for deg in TABLE_DEGREES:
        idx = np.arange(deg + 1) * (top // deg)
        todo = [i for i in idx if i not in values]
        if todo:
            values.update(zip(todo, _theta_values(act, q, lattice[todo], order, known)))
        coefs = chebyshev_coefficients(np.array([values[i] for i in idx]))
        if trailing(coefs[:, None], 0) <= TABLE_TOL:
            return evaluate_series(coefs, domain, theta)
    raise QuadratureError(f"{act.label}: the θ-series of the dual kernel at q = {q:.6g} did not converge to {TABLE_TOL:g} "
                          f"by degree {top} (trailing coefficients {trailing(coefs[:, None], 0):.2e})")


TRIM = 1e-16  # trailing coefficients below this (relative to the largest) are rounding noise: dropped
SPLINE_MIN = 50_000  # entries from which the cubic table pays off (a degree-D series costs ~3D passes per entry)
SPLINE_CELLS = 1 << 16


def evaluate_series(coefs: np.ndarray, domain: tuple[float, float], theta: np.ndarray) -> np.ndarray:
    """The Chebyshev series Σ c_k T_k(x), x = θ mapped onto [−1, 1], at ``theta``; for many entries through
    piecewise cubic Hermite interpolation in φ = arccos x, where it is the cosine series g(φ) = Σ c_k cos kφ: its
    values and slopes g'(φ) = −Σ k c_k sin kφ on 2^16 uniform cells of [0, π] are two real FFTs (a DCT and a DST
    of the coefficients; chebval at 2^16 points would cost the degree times more). The error, ~h⁴/384 times g's
    fourth derivative (which, unlike the fourth x-derivative, does not grow like k⁸ at the ends), is checked at 512
    points between nodes against the series, which is used instead if the check fails."""
    significant = np.nonzero(np.abs(coefs) > TRIM * np.max(np.abs(coefs)))[0]
    coefs = coefs[: significant[-1] + 1] if significant.size else coefs[:1]
    if theta.size < SPLINE_MIN or len(coefs) <= 16:
        return C.chebval(to_unit(theta, domain), coefs)
    h = np.pi / SPLINE_CELLS
    f = np.fft.rfft(coefs, 2 * SPLINE_CELLS).real  # g(jh) = Σ c_k cos(k j π / M), j = 0 … M
    df = np.fft.rfft(np.arange(len(coefs)) * coefs, 2 * SPLINE_CELLS).imag * h  # g'(jh)·h
    table = (f[:-1], df[:-1], 3 * (f[1:] - f[:-1]) - 2 * df[:-1] - df[1:], 2 * (f[:-1] - f[1:]) + df[:-1] + df[1:])

    def cubic(t):
        s = np.arccos(np.clip(to_unit(t, domain), -1.0, 1.0))
        s /= h
        cell = np.clip(s.astype(np.intp), 0, SPLINE_CELLS - 1)
        s -= cell
        out = np.take(table[3], cell)
        for col in (2, 1, 0):  # Horner, in place
            out *= s
            out += np.take(table[col], cell)
        return out

    lo, hi = domain
    probe = lo + (np.arange(512) + 0.37) * (hi - lo) / 512
    if np.max(np.abs(cubic(probe) - C.chebval(to_unit(probe, domain), coefs))) > TABLE_TOL * np.max(np.abs(coefs)):
        return C.chebval(to_unit(theta, domain), coefs)
    return cubic(theta)


def dual(act, q1, q2, k, derivative: bool = False, progress: bool = False) -> np.ndarray:
    """K = E[φ(u)φ(v)] (``derivative``: K̇ = E[φ'(u)φ'(v)]) for Var u = q1 > 0, Var v = q2 > 0,
    Cov(u, v) = k (broadcast together; |k| ≤ √(q1 q2)). Mixtures: Σ p_i K_i."""
    q1, q2, k = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (q1, q2, k)))
    if np.any(~(q1 > 0)) or np.any(~(q2 > 0)):
        raise ValueError("the variances q1, q2 must be > 0 (a zero-norm input with sigma_b2 = 0 has no correlation)")
    if derivative:
        check_derivative(act)
    if isinstance(act, GroupUnit):
        value, dvalue = _group_kernels(act, q1, q2, k, derivative)
        return dvalue if derivative else value
    parts = _composite(act)
    if parts is not None:  # K of the units; K̇ of a gated unit needs its factors' K and K̇
        def kernel(a):
            return dual(a, q1, q2, k, False, progress), (dual(a, q1, q2, k, True, progress) if derivative else None)

        value, dvalue = _composed(parts, kernel, derivative)
        return dvalue if derivative else value
    total = np.zeros(q1.shape)
    for a, w in components(act):
        family = _family(a, derivative)
        part = family.value(q1, q2, k) if family is not None else _numerical(a, q1, q2, k, derivative, progress)
        total = total + w * np.asarray(part, dtype=np.float64)
    if not np.all(np.isfinite(total)):
        raise OverflowError(f"the dual kernel of {act.label} overflows float64 at variances up to {float(max(q1.max(), q2.max())):.4g}")
    return total


def second_moment(act, q: np.ndarray) -> np.ndarray:
    """E[φ(√q z)²] per variance q (the diagonal of K): closed forms, else the 1-D engine (interpolated
    in ln q for many variances, as on the diagonal of ``dual_matrices``)."""
    if isinstance(act, GroupUnit):
        return layer_law(act).second_moment(q)
    parts = _composite(act)
    if parts is not None:
        return _composed(parts, lambda a: (second_moment(a, q), None), False)[0]
    distinct, index = np.unique(q, return_inverse=True)  # e.g. inputs on a sphere: one variance
    total = np.zeros(distinct.shape)
    for a, w in components(act):
        family = _family(a, False)
        total += w * (family.value(distinct, distinct, distinct) if family is not None else mehler.coefficients(a, distinct)[1])
    return total[index.reshape(q.shape)]


def dual_matrices(act, qa: np.ndarray, qb: np.ndarray, k: np.ndarray, symmetric: bool, derivative: bool = True,
                  block: int = 1024, progress: bool = False, mirror: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """(K, K̇) on every entry of the covariance block k (n × m) between inputs of variances qa (n) and
    qb (m); K̇ only if ``derivative`` (else None). ``symmetric``: qb is qa and k is symmetric (the result
    is made exactly symmetric; ``mirror=False``: only its upper triangle and diagonal are meaningful).
    The angle θ is computed once for both kernels. Closed forms go
    ``block`` rows at a time; inputs sharing one variance take one θ-series per kernel; others
    Mehler's series per input, the 2-D engine on the entries whose tail estimate it cannot bring below 1e-13."""
    if derivative:
        check_derivative(act)
    if isinstance(act, GroupUnit):
        return _group_kernels(act, qa[:, None], qb[None, :], k, derivative)
    parts = _composite(act)
    if parts is not None:
        return _composed(parts, lambda a: dual_matrices(a, qa, qb, k, symmetric, derivative, block, progress, mirror),
                         derivative)
    orders = (False, True) if derivative else (False,)
    shared = qa.size + qb.size > TABLE_DEGREES[0] and common_variance(qa, qb)
    jobs = [(a, w, o, _family(a, order)) for a, w in components(act) for o, order in enumerate(orders)]
    closed = [job for job in jobs if job[3] is not None]
    numeric = [job for job in jobs if job[3] is None]
    theta = angle(qa[:, None], qb[None, :], k) if shared and numeric else None
    pairs = mehler.Pairs(qa, qb, k, symmetric) if numeric and not shared else None
    closed_out = [np.zeros(k.shape) for _ in closed]  # (symmetric: the lower triangle left of the row blocks is mirrored later)

    def closed_rows(rows: slice) -> None:  # every closed form on these rows (symmetric: from the diagonal on)
        cols = slice(rows.start if symmetric else 0, None)
        q1, q2, kb = qa[rows, None], qb[None, cols], k[rows, cols]
        geometry = angles(q1, q2, kb) if any(job[3].uses_angle for job in closed) else None  # shared by K and K̇
        for (_, w, _, family), out in zip(closed, closed_out):
            out[rows, cols] = w * family.value(q1, q2, kb, geometry)

    def numeric_part(job) -> np.ndarray:
        a, w, order, _ = job
        if shared:  # one θ-series on the whole block
            out = _theta_series(a, float(qa[0]), theta, (1, 1) if order else (0, 0))
        else:
            out = _mehler_matrix(a, qa, qb, k, pairs, bool(order), block, progress)
        if w != 1.0:
            out *= w
        return out

    step = max(1, min(block, CLOSED_ENTRIES // max(1, k.shape[1])))
    tasks = [partial(closed_rows, slice(r, r + step)) for r in range(0, len(qa), step)] if closed else []
    tasks += [partial(numeric_part, job) for job in numeric]
    with mehler.single_threaded_blas(), ThreadPoolExecutor(min(len(tasks), os.cpu_count() or 1)) as pool:
        contexts = [contextvars.copy_context() for _ in tasks]  # the caller's settings (mehler.interpolated) go along
        done = list(pool.map(lambda pair: pair[0].run(pair[1]), zip(contexts, tasks)))  # numpy and BLAS release the GIL
    parts = closed_out + done[len(tasks) - len(numeric):]
    totals = [reduce(operator.add, [p for p, job in zip(parts, closed + numeric) if job[2] == o]) for o in range(len(orders))]
    if symmetric and mirror:  # the upper triangle, mirrored (rounding can differ between (i, j) and (j, i))
        for total in totals:
            mirror_upper(total)
    return totals[0], (totals[1] if derivative else None)


CLOSED_ENTRIES = 1 << 16  # entries per task of the closed forms (row blocks spread over the threads)
MIRROR_TILE = 128


def mirror_upper(mat: np.ndarray) -> None:
    """Copy the upper triangle of the square ``mat`` onto its lower triangle, in place (tile by tile,
    so that the transposed reads stay in cache)."""
    n = len(mat)
    for r in range(0, n, MIRROR_TILE):
        rows = slice(r, r + MIRROR_TILE)
        tile = mat[rows, rows]
        np.copyto(tile, tile.T.copy(), where=np.tri(len(tile), k=-1, dtype=bool))
        for s in range(r + MIRROR_TILE, n, MIRROR_TILE):
            cols = slice(s, s + MIRROR_TILE)
            mat[cols, rows] = mat[rows, cols].T


def _mehler_matrix(act, qa, qb, k, pairs: mehler.Pairs, derivative, block, progress) -> np.ndarray:
    """Mehler's series on the accepted pairs, the 1-D engine on the diagonal (X2 = X), the 2-D engine on
    the rest (for X2 = X only in the upper triangle, which ``dual_matrices`` mirrors)."""
    a_i, e_i = mehler.coefficients(act, qa, derivative)
    a_j, e_j = (a_i, e_i) if pairs.symmetric else mehler.coefficients(act, qb, derivative)
    out, done = mehler.mehler_matrix(a_i, e_i, a_j, e_j, pairs, block, (act, derivative))
    if pairs.symmetric:
        np.fill_diagonal(out, e_i)  # E[φ(√q z)²]: the 1-D engine, interpolated in ln q to ~1e-14 for many inputs
    if not done.all():
        i, j = np.nonzero(~done)
        out[i, j] = dual(act, qa[i], qb[j], k[i, j], derivative, progress)
    return out  # symmetric: the caller mirrors the upper triangle
