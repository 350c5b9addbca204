"""Dual kernels between inputs of unequal variances by Mehler's series, truncated by a tail estimate:

  E[φ(u_i) φ(u_j)] = Σ_{n<N} a_n(q_i) a_n(q_j) cⁿ + R,  |R| ≤ |c|^N √(T_N(q_i) T_N(q_j)),

a_n(q) = E[φ(√q z) He_n(z)]/√n! and T_N(q) = E[φ(√q z)²] − Σ_{n<N} a_n(q)² (Cauchy–Schwarz on the
dropped terms). Per input O(N) coefficients, per pair a polynomial in c: O(n·N + n²·N) per layer
instead of a 2-D quadrature per pair.

The inequality holds for exact a_n and E. Here they are numerical — the 1-D engine (a_n to ~1e-15·√E,
E to ≤ 1e-13 relative), interpolated in ln q (to ~1e-14 of the largest coefficient), all three error
levels being estimates themselves — and T_N is their difference floored at FLOOR·E, the rounding of the
subtraction, not their error. So |c|^N √(T_N(q_i) T_N(q_j)) is a tail ESTIMATE, not a bound: an error
δ·E in T_N adds up to |c|^N δ √(E_i E_j) to the true tail. For smooth φ, whose true T_128 is ~0,
E − Σ a_n² comes out as low as −2e-15·E (δ ≈ 2e-15): far below TOL, but comparable to TOL_ONE, so the
single-variance series is as good as its coefficients (~1e-15 of E), not certified to TOL_ONE.

Coefficients: the 1-D engine (``hermite_coefficients``) at Chebyshev points in t = ln q on aligned
pieces of width SEGMENT (halved where degree 64 does not settle), interpolated (nested extreme
points, degree doubled until the trailing coefficients are below 1e-14 of the largest); the pieces
are cached, so every layer of a deep kernel and every later call reuse them. T_N from the 1-D second
moment, interpolated as ln E.

Terms: inputs are grouped into CLASSES by ln q, each with its tail profile r_g(N) = max T_N/E over
its inputs; a pair gets the fewest N with |c|^N √(r_g(N) r_h(N)) ≤ TOL, read off a table per pair of
classes at the upper edge of |c|'s grid cell. Rows go in BANDS (inputs sorted by variance, as
``final_kernels`` does, make a band homogeneous); in each band the first L terms go to every pair as
in-place BLAS rank-1 updates (dger) in row blocks, the rest pair by pair (the products of GATHER_TERMS
terms gathered at once), with L minimizing the measured cost. Every pair gets exactly its own N terms,
by Horner from its last term down: the terms above L pair by pair first, then the shared ones, whose
accumulator a pair with N < L enters at its term N − 1 (it is set to 0 there, dropping what the outer
products added above N). So a pair's value does not depend on the band around it, and a kernel computed
block by block equals the whole matrix's to rounding (``ntk.blocked``). Pairs whose tail estimate no N ≤ N_TERMS brings below TOL
— c next to ±1 for kinked φ, whose a_n decay only algebraically — are returned as not accepted (the
caller uses the 2-D engine there).
"""

from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from functools import cache, lru_cache

import numpy as np
from numpy.polynomial import chebyshev as C
from threadpoolctl import ThreadpoolController

from signalprop import gaussian_moment, hermite_coefficients
from signalprop.dual_table import chebyshev_coefficients, extrema, to_unit
from symbolic import disk_cache, moments_limit


N_TERMS = 128
TERMS_ONE = (96, 256)  # at a single variance (inputs on a sphere): 256 terms only where 96 leave values unaccepted
TOL_ONE = 1e-15  # the tail estimate allowed there (relative to E): errors compound over layers, and terms are cheap at one q
TOL = 1e-13  # the tail estimate allowed between unequal variances (relative to √(E_i E_j))
FLOOR = 4e-16  # relative rounding of E − Σ a_n² (the tail estimate cannot go below it; not the coefficients' error)
DEGREES = (8, 16, 32, 64)
INTERP_TOL = 1e-14  # trailing Chebyshev coefficients: of a_n relative to the largest, of ln E absolute
SEGMENT = 1.0  # width in t = ln q of the aligned pieces the coefficient interpolants live on
MIN_SEGMENT = 1.0 / 16  # pieces are halved down to this width where degree 64 does not settle
DIRECT_MAX = 64  # this many variances or fewer: the 1-D engine at each (cheaper than a piece's nodes)


_INTERPOLATE = contextvars.ContextVar("mehler_interpolate", default=False)


@contextmanager
def interpolated():
    """Within it, ``coefficients`` takes the cached interpolants for any number of variances (not the 1-D engine for
    DIRECT_MAX or fewer): a kernel computed block by block then uses the coefficients the whole matrix would."""
    token = _INTERPOLATE.set(True)
    try:
        yield
    finally:
        _INTERPOLATE.reset(token)


def _direct(act, q: np.ndarray, derivative: bool, n_terms: int) -> np.ndarray:
    """Columns a_0 … a_{n_terms − 1}, ln E of φ^(k) (k = 1 with ``derivative``) at each q, from the 1-D engine."""
    k = 1 if derivative else 0
    return np.column_stack([hermite_coefficients(act, q, n_terms, k=k).reshape(len(q), n_terms),
                            np.log(gaussian_moment(act, q, k=k))])


@lru_cache(maxsize=1024)
def _piece(act, derivative: bool, lo: float, hi: float) -> np.ndarray | None:
    """Chebyshev coefficients in t = ln q ∈ [lo, hi] of the columns of ``_direct`` (N_TERMS terms), or
    None when degree DEGREES[-1] does not settle (values at nested extreme points reused as it doubles);
    kept in memory and in the persistent cache (``symbolic.disk_cache``, keyed by the exact expression)."""
    key = f"{disk_cache.expression_key(act)} k={int(derivative)} on {float(lo).hex()},{float(hi).hex()}"

    def build() -> dict[str, np.ndarray]:
        coefs = _build_piece(act, derivative, lo, hi)
        return {"unsettled": np.zeros(0)} if coefs is None else {"coefs": coefs}

    def restore(arrays) -> np.ndarray | None:
        if "coefs" not in arrays:
            disk_cache.checked(arrays, "unsettled", 1)
            return None
        coefs = disk_cache.checked(arrays, "coefs", 2)
        if coefs.shape[1] != N_TERMS + 1:
            raise ValueError(f"a Mehler piece has {N_TERMS + 1} columns, got {coefs.shape[1]}")
        return coefs

    return disk_cache.cached("mehler_piece", key, build, restore)


def _build_piece(act, derivative: bool, lo: float, hi: float) -> np.ndarray | None:
    top = DEGREES[-1]
    lattice = np.exp(lo + (hi - lo) * (extrema(top) + 1) / 2)
    known: dict[int, np.ndarray] = {}
    for deg in DEGREES:
        idx = np.arange(deg + 1) * (top // deg)
        todo = [i for i in idx if i not in known]
        known.update(zip(todo, _direct(act, lattice[todo], derivative, N_TERMS)))
        coefs = chebyshev_coefficients(np.array([known[i] for i in idx]), axes=(0,))  # (deg + 1, N_TERMS + 1)
        tail_a = np.max(np.abs(coefs[-2:, :-1])) / max(np.max(np.abs(coefs[:, :-1])), 1e-300)
        if tail_a <= INTERP_TOL and np.max(np.abs(coefs[-2:, -1])) <= INTERP_TOL:
            return coefs
    return None


def _pieces(act, derivative: bool, t_min: float, t_max: float) -> list[tuple[float, float, np.ndarray | None]]:
    """Aligned pieces (lo, hi, coefficients or None: use the engine) covering [t_min, t_max]; pieces
    reaching the variance where E[φ²] diverges (φ ~ e^{b x²}) are never interpolated."""
    q_max = moments_limit(act)
    t_limit = math.log(q_max) if math.isfinite(q_max) else math.inf
    stack = [(k * SEGMENT, (k + 1) * SEGMENT) for k in range(math.floor(t_min / SEGMENT), math.floor(t_max / SEGMENT) + 1)]
    out = []
    while stack:
        lo, hi = stack.pop()
        if hi < t_min or lo > t_max:
            continue
        coefs = _piece(act, derivative, lo, hi) if hi < t_limit else None
        if coefs is None and hi - lo > MIN_SEGMENT:
            stack += [(lo, (lo + hi) / 2), ((lo + hi) / 2, hi)]
        else:
            out.append((lo, hi, coefs))
    return out


def coefficients(act, q: np.ndarray, derivative: bool = False, n_terms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(a (len(q) × n_terms), E = E[φ^(k)(√q z)²]) for k = 1 if ``derivative`` else 0: N_TERMS terms
    from the cached interpolants in ln q (module docstring); directly from the 1-D engine for few
    variances, for another ``n_terms``, and on pieces whose interpolant does not settle."""
    if n_terms is not None or (len(q) <= DIRECT_MAX and not _INTERPOLATE.get()):
        vals = _direct(act, q, derivative, n_terms or N_TERMS)
        return vals[:, :-1], np.exp(vals[:, -1])
    t = np.log(q)
    vals = np.empty((len(q), N_TERMS + 1))
    for lo, hi, coefs in _pieces(act, derivative, float(t.min()), float(t.max())):
        inside = np.nonzero((t >= lo) & (t <= hi))[0]  # a t on a shared edge: both pieces agree to ~1e-14
        if inside.size:
            vals[inside] = _direct(act, q[inside], derivative, N_TERMS) if coefs is None else C.chebvander(to_unit(t[inside], (lo, hi)), len(coefs) - 1) @ coefs
    return vals[:, :-1], np.exp(vals[:, -1])


def tails(a: np.ndarray, second: np.ndarray) -> np.ndarray:
    """T_N per input: the second moment left after the first N Hermite terms, E − Σ_{n<N} a_n², from the
    numerical a_n and E (an estimate: it carries their errors), at least its rounding floor FLOOR·E."""
    return np.maximum(second - np.sum(a * a, axis=1), 0.0) + FLOOR * second


CLASSES = 8  # inputs are grouped by ln q into this many classes, each with its own tail profile
CLASS_WIDTH = 0.125  # with interpolated coefficients: classes on this fixed lattice in ln q instead
PROFILE_POINTS = 9  # … each with its tail profile sampled at this many points of its interval
LEVELS = 1024  # |c| is read on this grid (by its cell's upper edge) to pick a pair's number of terms


def _classes(q: np.ndarray) -> tuple[np.ndarray, int]:
    """(class of each input, number of classes): equal widths in ln q."""
    t = np.log(q)
    span = float(t.max() - t.min())
    if span <= 0:
        return np.zeros(len(q), dtype=np.intp), 1
    return np.minimum(((t - t.min()) * (CLASSES / span)).astype(np.intp), CLASSES - 1), CLASSES


def _lattice(q: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """(class of each input, number of classes, their lattice indices): the cells of width CLASS_WIDTH in ln q that
    hold an input — the same cell for the same q whatever the other inputs (a kernel computed block by block then
    gives each pair the terms the whole matrix would)."""
    ids, cls = np.unique(np.floor(np.log(q) / CLASS_WIDTH).astype(np.int64), return_inverse=True)
    return cls.reshape(-1), len(ids), ids


def _left(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """T_N/E for N = 0 … n_terms per row (floored at 0)."""
    left = np.empty((len(e), a.shape[1] + 1))
    left[:, 0] = 1.0
    np.cumsum(a * a, axis=1, out=left[:, 1:])
    left[:, 1:] = np.maximum(1.0 - left[:, 1:] / e[:, None], 0.0)
    return left


@lru_cache(maxsize=4096)
def lattice_profile(act, derivative: bool, cell: int) -> np.ndarray:
    """r(N) of one lattice cell: max of T_N/E over PROFILE_POINTS variances spanning it (interpolated coefficients;
    T_N/E is smooth in ln q), plus the rounding floor."""
    t = (cell + np.linspace(0.0, 1.0, PROFILE_POINTS)) * CLASS_WIDTH
    with interpolated():
        a, e = coefficients(act, np.exp(t), derivative)
    return _left(a, e).max(axis=0) + FLOOR


def _tail_profiles(a: np.ndarray, e: np.ndarray, cls: np.ndarray, n_cls: int) -> np.ndarray:
    """r_g(N) = max over the inputs of class g of T_N/E, for N = 0 … n_terms (plus the rounding floor)."""
    left = _left(a, e)
    order = np.argsort(cls, kind="stable")
    starts = np.searchsorted(cls[order], np.arange(n_cls))
    prof = np.zeros((n_cls, left.shape[1]))
    present = np.bincount(cls, minlength=n_cls) > 0
    prof[present] = np.maximum.reduceat(left[order], starts[present], axis=0)
    return prof + FLOOR


class Pairs:
    """The pairs of a kernel block (rows i, columns j) for Mehler's series: c = k/√(q_i q_j) clipped to
    [−1, 1] (not snapped: the series is smooth in c, and pairs at c ≈ ±1 whose tail estimate stays
    above TOL go to the engine), and each pair's cell — the variance classes of its inputs and |c| on a grid of LEVELS —
    shared by the term tables of K and K̇. Both are made band by band where they are used (``correlation``,
    ``cells``: in cache, in the threads that sum K and K̇), not as whole matrices. ``symmetric``: the columns are
    the rows."""

    def __init__(self, q_i: np.ndarray, q_j: np.ndarray, k: np.ndarray, symmetric: bool):
        self.symmetric = symmetric
        self.k = k
        self.scale_i, self.scale_j = q_i**-0.5, q_j**-0.5
        # interpolated coefficients (many inputs, or a kernel block by block): classes on the lattice in ln q
        self.lattice = _INTERPOLATE.get() or min(len(q_i), len(q_j)) > DIRECT_MAX
        classes = (lambda q: _lattice(q)) if self.lattice else (lambda q: (*_classes(q), None))  # noqa: E731
        self.cls_i, self.n_i, self.ids_i = classes(q_i)
        self.cls_j, self.n_j, self.ids_j = (self.cls_i, self.n_i, self.ids_i) if symmetric else classes(q_j)
        self.index = np.int32 if self.n_i * self.n_j * (LEVELS + 1) < 2**31 else np.intp  # half the memory traffic
        self.offset_i = (self.cls_i * (self.n_j * (LEVELS + 1))).astype(self.index)
        self.offset_j = (self.cls_j * (LEVELS + 1)).astype(self.index)

    @property
    def shape(self) -> tuple[int, int]:
        return self.k.shape

    def correlation(self, rows: slice = slice(None), cols: slice = slice(None)) -> np.ndarray:
        """c of the pairs (rows, cols)."""
        c = np.outer(self.scale_i[rows], self.scale_j[cols])
        c *= self.k[rows, cols]
        return np.clip(c, -1.0, 1.0, out=c)

    def cells(self, c: np.ndarray, rows: slice = slice(None), cols: slice = slice(None)) -> np.ndarray:
        """The cells of the pairs (rows, cols) whose correlations are ``c``: an index into ``term_table``."""
        level = np.abs(c)
        level *= LEVELS  # level LEVELS: |c| = 1 exactly
        cells = level.astype(self.index)
        cells += self.offset_i[rows, None]
        cells += self.offset_j[None, cols]
        return cells


def term_table(a_i: np.ndarray, e_i: np.ndarray, a_j: np.ndarray, e_j: np.ndarray, pairs: Pairs,
               activation: tuple | None = None) -> np.ndarray:
    """Per cell of ``pairs``, the terms a pair needs: the fewest N with |c|^N √(r_g(N) r_h(N)) ≤ TOL for
    the classes g, h of its inputs (T_N/E ≤ r(N) on each side, so the pair's tail estimate is at most
    TOL·√(E_i E_j)) at the upper edge of |c|'s cell; n_terms + 1 where no N reaches TOL (int16). Lattice classes
    of an ``activation`` = (φ, derivative) take their rows from ``lattice_terms`` (r from ``lattice_profile``, the
    rows cached: deep kernels and later calls meet the same classes again), the others (and lattice classes of
    coefficients not tied to an activation) take r from their inputs."""
    if pairs.lattice and activation is not None:
        rows = [[lattice_terms(*activation, int(g), int(h)) for h in pairs.ids_j] for g in pairs.ids_i]
    else:
        log_i = np.log(_tail_profiles(a_i, e_i, pairs.cls_i, pairs.n_i))
        log_j = log_i if pairs.symmetric else np.log(_tail_profiles(a_j, e_j, pairs.cls_j, pairs.n_j))
        rows = [[_needs(lg, lh) for lh in log_j] for lg in log_i]
    return np.array(rows, dtype=np.int16).ravel()


_EDGES = np.minimum(np.arange(1, LEVELS + 2) / LEVELS, 1.0)  # upper edges of the |c| cells (the last: |c| = 1)


def _needs(log_g: np.ndarray, log_h: np.ndarray) -> np.ndarray:
    """Terms needed at each |c| cell's upper edge by the pairs of two classes with tail profiles e^log_g, e^log_h."""
    f = 0.5 * (log_g + log_h) - math.log(TOL)
    n = np.arange(len(f))
    # the largest |c| that N terms reach (|c|^N e^f ≤ 1), made monotone: N + 1 terms reach what N do
    reach = np.maximum.accumulate(np.where(f <= 0, 1.0, np.exp(-f / np.maximum(n, 1)) * (n > 0)))
    return np.searchsorted(reach, _EDGES).astype(np.int16)


@lru_cache(maxsize=16384)
def lattice_terms(act, derivative: bool, g: int, h: int) -> np.ndarray:
    """``_needs`` for the lattice cells g, h of φ^(k) (k = 1 with ``derivative``): a row of the term table."""
    return _needs(np.log(lattice_profile(act, derivative, g)), np.log(lattice_profile(act, derivative, h)))


GATHER_COST = 10.0  # a term added pair by pair (gathers, sorting) against one added to a whole block (measured)
BLOCK_ENTRIES = 1 << 17  # pairs per row block (measured: 1 << 15 … 1 << 20 within 10 %, 1 << 17 the fastest at n = 1,024 … 2,048)
GATHER_TERMS = 8  # terms whose products a_n(q_i) a_n(q_j) the pair-by-pair Horner gathers at once (fewer calls)
BANDS = 8  # row bands of a matrix, each with its own number of shared terms (inputs sorted by q make them homogeneous)


def _shared_terms(counts: np.ndarray) -> int:
    """L minimizing L·(pairs) + GATHER_COST·Σ_pairs max(N − L, 0) (counts[N]: pairs needing N terms):
    the terms every pair gets as outer products."""
    beyond = counts.sum() - np.cumsum(counts)  # beyond[L] = pairs with N > L
    left = beyond[::-1].cumsum()[::-1]  # left[L] = Σ_pairs max(N − L, 0)
    return int(np.argmin(np.arange(len(counts)) * counts.sum() + GATHER_COST * left))


def mehler_matrix(a_i: np.ndarray, e_i: np.ndarray, a_j: np.ndarray, e_j: np.ndarray, pairs: Pairs,
                  block: int, activation: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(values, accepted) of Mehler's series on every pair, each with the terms its tail estimate needs
    (module docstring; ``activation``: (φ, derivative) of lattice classes, ``term_table``), in bands of at most
    ``block`` rows. For symmetric ``pairs`` only the upper triangle (j > i) is computed, the rest returned as
    accepted for the caller to fill."""
    table = term_table(a_i, e_i, a_j, e_j, pairs, activation)
    rows_t, cols_t = np.ascontiguousarray(a_i.T), np.ascontiguousarray(a_j.T)
    out = np.zeros(pairs.shape)
    done = np.ones(pairs.shape, dtype=bool)
    n, m = pairs.shape
    band = max(1, min(block, -(-n // BANDS)))
    for r in range(0, n, band):
        rows = slice(r, min(r + band, n))
        cols = slice(r + 1 if pairs.symmetric else 0, None)  # symmetric: no pair of the band left of column r + 1 is wanted
        if cols.start < m:
            out[rows, cols], done[rows, cols] = _band(rows_t[:, rows], cols_t[:, cols], pairs, rows, cols, table)
    return out, done


@cache
def _blas() -> ThreadpoolController:
    """The BLAS thread pools (inspected once: a controller costs milliseconds). scipy's own BLAS, whose dger makes the
    rank-1 updates of ``_band``, is loaded first: a controller made before it is loaded does not see it, and its
    limit would leave dger threaded (measured: the warm ELU kernels 25 % slower)."""
    from scipy.linalg import blas  # noqa: F401

    return ThreadpoolController()


def single_threaded_blas():
    """Context: BLAS on one thread. Threaded BLAS makes the small rank-1 updates of ``mehler_matrix``
    2× slower; callers run independent kernels in threads of their own instead. (Process-wide: enter
    it once around the parallel region, not inside the threads.)"""
    return _blas().limit(limits=1, user_api="blas")


def _band(rows_t, cols_t, pairs: Pairs, band: slice, cols: slice, table) -> tuple[np.ndarray, np.ndarray]:
    """``mehler_matrix`` on the pairs (band, cols) of one band of rows (symmetric ``pairs``: cols start at the band's
    first row + 1, and only pairs with j > i are wanted)."""
    from scipy.linalg import blas

    c = pairs.correlation(band, cols)
    n_rows, n_cols = c.shape
    n_max = rows_t.shape[0]
    need = np.zeros(c.shape, dtype=np.int16)
    counts = np.zeros(n_max + 2, dtype=np.int64)
    blocks = []  # row blocks of about BLOCK_ENTRIES pairs (their arrays stay in cache), with their first column
    rows_per = max(1, BLOCK_ENTRIES // n_cols)
    for r in range(0, n_rows, rows_per):
        rows = slice(r, min(r + rows_per, n_rows))
        first = r if pairs.symmetric else 0  # (symmetric) the columns left of it are not wanted
        if first >= n_cols:  # (symmetric) a block of the last rows, with no pair right of the diagonal
            break
        block = table.take(pairs.cells(c[rows, first:], slice(band.start + rows.start, band.start + rows.stop),
                                       slice(cols.start + first, None)))
        if pairs.symmetric:  # the block's own lower-left corner (j ≤ i): nothing to add
            corner = block[:, : rows.stop - rows.start - 1]
            corner[np.tri(*corner.shape, k=-1, dtype=bool)] = 0
        need[rows, first:] = block
        block_counts = np.bincount(block.ravel(), minlength=n_max + 2)
        counts += block_counts
        # the block's pairs sorted by need (a radix sort: int16), and where each need's run starts
        blocks.append((rows, first, np.argsort(block.ravel(), kind="stable"),
                       np.concatenate([[0], np.cumsum(block_counts)])))
    shared = min(_shared_terms(counts), n_max)
    out = np.zeros(c.shape)
    tails = [np.zeros(0, dtype=np.intp)]
    for rows, first, order, starts in blocks:  # the pairs needing more than L terms, as row-major indices into the band
        i, j = np.divmod(order[starts[shared + 1]:], n_cols - first)
        tails.append((rows.start + i) * n_cols + first + j)
    tail = np.concatenate(tails)
    if tail.size:  # the terms beyond the shared ones first: Horner from each pair's last term down
        out.ravel()[tail] = _horner_pairs(c.ravel(), need.ravel(), tail, rows_t, cols_t, shared)
    for rows, first, order, starts in blocks:  # Horner on the outer products a_n(q_i) a_n(q_j), shared terms
        cb = np.ascontiguousarray(c[rows, first:])  # a strided view halves the speed of acc *= cb
        acc = np.ascontiguousarray(out[rows, first:])
        flat_acc = acc.reshape(-1)
        for n in range(shared - 1, -1, -1):
            if n + 1 < shared and starts[n + 2] > starts[n + 1]:
                # the pairs needing n + 1 < L terms start their Horner here: the terms above their own N that the outer
                # products gave them are dropped, at no cost per term
                flat_acc[order[starts[n + 1]:starts[n + 2]]] = 0.0
            acc *= cb
            blas.dger(1.0, cols_t[n, first:], rows_t[n, rows], a=acc.T, overwrite_a=True)  # acc += a_n(q_i) a_n(q_j), in place
        out[rows, first:] = acc
    return out, need <= n_max


def _horner_pairs(c, need, flat, rows_t, cols_t, stop: int) -> np.ndarray:
    """Σ_{stop ≤ n < N_p} a_n(i_p) a_n(j_p) c_p^{n − stop} on the pairs ``flat`` (row-major indices; N_p = their
    need, at most the number of terms: pairs whose tail estimate no N brings below TOL get all of them), by Horner
    from the last term down — the order the shared terms then continue — with the pairs sorted by N so that the ones
    still active are a prefix. Each pair's value so depends on its own terms alone, not on the band around it: a
    kernel computed block by block equals the whole matrix's to rounding."""
    n_max = rows_t.shape[0]
    n_pair = np.minimum(need[flat], n_max)
    order = np.argsort(-n_pair, kind="stable")
    n_pair, ordered = n_pair[order], flat[order]
    ii, jj = np.divmod(ordered, cols_t.shape[1])
    cc = c[ordered]
    active = np.searchsorted(-n_pair, -np.arange(n_max + 1), side="left")  # active[n]: pairs with N > n
    acc = np.zeros(flat.size)
    for top in range(int(n_pair[0]), stop, -GATHER_TERMS):  # terms top − 1 down to low, their products gathered at once
        low = max(stop, top - GATHER_TERMS)
        m = active[low]  # the pairs active at the group's lowest term: all that any of its terms needs
        terms = rows_t[low:top].take(ii[:m], axis=1)
        terms *= cols_t[low:top].take(jj[:m], axis=1)
        for n in range(top - 1, low - 1, -1):
            k = active[n]
            acc[:k] *= cc[:k]
            acc[:k] += terms[n - low, :k]
    out = np.empty(flat.size)
    out[order] = acc
    return out
