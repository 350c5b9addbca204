"""Mehler's series between inputs of unequal norms (``ntk.mehler``): the cached coefficient pieces
against the 1-D engine at the same variances, the banded/blocked/pairwise evaluation against the
plain full sum, and many-input kernels (past every threshold: pieces, bands, pairwise terms, input
sorting) against the 2-D engine pair by pair."""

import importlib

import numpy as np
import pytest

from ntk import final_kernels, kernel_layers
from ntk.reference import engine_pair
from symbolic import get_activation

mehler = importlib.import_module("ntk.mehler")


def _spread_inputs(n, d=6, seed=3):
    """Gaussian inputs with norms spread over a factor ~8 (variances over ~60, several ln q pieces)."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * np.exp(rng.uniform(-1.0, 1.1, size=(n, 1)))


@pytest.mark.parametrize("name,derivative", [("swish", False), ("swish", True), ("elu", True), ("gelu", False)])
def test_pieces_match_engine(name, derivative):
    """Interpolated coefficients (q over several aligned pieces in ln q) against the 1-D engine at the
    same q: a_n to 1e-13 of √E, E to 1e-13 relative (the pieces settle at 1e-14 of their largest value)."""
    act = get_activation(name)
    q = np.exp(np.linspace(-2.7, 2.3, 80))
    assert len(q) > mehler.DIRECT_MAX
    a, e = mehler.coefficients(act, q, derivative)
    probe = q[::9]
    a_ref, e_ref = mehler.coefficients(act, probe, derivative, n_terms=mehler.N_TERMS)  # directly
    assert np.max(np.abs(e[::9] / e_ref - 1)) <= 1e-13
    assert np.max(np.abs(a[::9] - a_ref) / np.sqrt(e_ref)[:, None]) <= 1e-13


def _plain_sum(a_i, a_j, c):
    out = np.zeros(c.shape)
    for n in range(a_i.shape[1] - 1, -1, -1):
        out = out * c + np.outer(a_i[:, n], a_j[:, n])
    return out


def _synthetic(symmetric):
    """Coefficients decaying geometrically, slower for larger q, on spread variances, and a block of correlations:
    (a_i, e_i, a_j, e_j, pairs)."""
    rng = np.random.default_rng(7)
    n, m = 90, (90 if symmetric else 70)
    q_i = np.sort(np.exp(rng.uniform(-1, 2, n)))
    q_j = q_i if symmetric else np.sort(np.exp(rng.uniform(-1, 2, m)))
    decay = lambda q: np.exp(-np.arange(mehler.N_TERMS)[None, :] / (3.0 * q[:, None]))  # noqa: E731  slower for large q
    a_i = rng.normal(size=(n, mehler.N_TERMS)) * decay(q_i)
    a_j = a_i if symmetric else rng.normal(size=(m, mehler.N_TERMS)) * decay(q_j)
    # E = Σ a_n² plus a tail beyond the last coefficient, so that T_N never vanishes
    e_i = np.sum(a_i**2, axis=1) * (1 + 1e-9)
    e_j = e_i if symmetric else np.sum(a_j**2, axis=1) * (1 + 1e-9)
    x = rng.normal(size=(n, 4))
    y = x if symmetric else rng.normal(size=(m, 4))
    c = (x @ y.T) / np.outer(np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1))
    if symmetric:
        np.fill_diagonal(c, 1.0)
    k = c * np.sqrt(np.outer(q_i, q_j))
    return a_i, e_i, a_j, e_j, mehler.Pairs(q_i, q_j, k, symmetric)


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("gather_cost", [0.3, 10.0])
@pytest.mark.parametrize("block_entries", [500, 300])
def test_banded_evaluation_matches_plain_sum(symmetric, gather_cost, block_entries, monkeypatch):
    """Small blocks and bands (many lower-left corners, per-band shared terms, pairs finished one by one;
    a low gather cost sends most terms through the pair-by-pair pass) against the full 128-term sum:
    accepted pairs within TOL·√(E_i E_j) (exact coefficients here: the tail estimate is a bound); pairs
    near |c| = 1 whose coefficients decay slowly are left to the caller, never wrong. With 300 pairs per block the
    last band's last block holds only the last row, which has no pair right of the diagonal."""
    monkeypatch.setattr(mehler, "BLOCK_ENTRIES", block_entries)
    monkeypatch.setattr(mehler, "BANDS", 5)
    monkeypatch.setattr(mehler, "GATHER_COST", gather_cost)
    a_i, e_i, a_j, e_j, pairs = _synthetic(symmetric)
    out, done = mehler.mehler_matrix(a_i, e_i, a_j, e_j, pairs, block=1024)
    ref = _plain_sum(a_i, a_j, pairs.correlation())
    scale = np.sqrt(np.outer(e_i, e_j))
    wanted = np.triu(np.ones(pairs.shape, dtype=bool), k=1) if symmetric else np.ones(pairs.shape, dtype=bool)
    ok = done & wanted
    # the plain sum itself stops at 128 terms; its tail is below 1e-9 E (the E above), far under the check
    assert ok.sum() > 0.9 * wanted.sum()
    assert np.max(np.abs(out - ref)[ok] / scale[ok]) <= mehler.TOL
    assert not np.any(~done & ~wanted)  # the caller fills what is not wanted


@pytest.mark.parametrize("symmetric", [True, False])
def test_every_pair_gets_its_own_terms_whatever_its_band(symmetric, monkeypatch):
    """Each pair is summed with exactly the N terms its cell needs, by Horner from its last term, whatever the band's
    shared terms (which depend on the other pairs of the band): two very different band layouts agree with each other
    and with the plain sum truncated pair by pair at its N, to rounding (4e-16 of √(E_i E_j): the two routes differ
    only in fused multiply-adds). This is what makes a kernel computed block by block equal the whole matrix's."""
    a_i, e_i, a_j, e_j, pairs = _synthetic(symmetric)
    c = pairs.correlation()
    need = mehler.term_table(a_i, e_i, a_j, e_j, pairs).take(pairs.cells(c)).astype(int)
    truncated = np.zeros(pairs.shape)
    for n in range(mehler.N_TERMS - 1, -1, -1):
        truncated = truncated * c + np.outer(a_i[:, n], a_j[:, n]) * (n < need)
    layouts = []
    for block_entries, bands, gather_cost in ((500, 9, 0.3), (1 << 17, 1, 40.0)):
        monkeypatch.setattr(mehler, "BLOCK_ENTRIES", block_entries)
        monkeypatch.setattr(mehler, "BANDS", bands)
        monkeypatch.setattr(mehler, "GATHER_COST", gather_cost)
        layouts.append(mehler.mehler_matrix(a_i, e_i, a_j, e_j, pairs, block=1024))
    (first, done), (second, _) = layouts
    wanted = done & (np.triu(np.ones(pairs.shape, dtype=bool), k=1) if symmetric else True)
    scale = np.sqrt(np.outer(e_i, e_j))[wanted]
    assert np.ptp(need[wanted]) > 20  # pairs of very different needs share the bands
    assert np.max(np.abs(first - second)[wanted] / scale) <= 4e-16
    assert np.max(np.abs(first - truncated)[wanted] / scale) <= 4e-16


@pytest.mark.parametrize("name", ["swish", "tanh", "elu"])
def test_many_unequal_norms_match_engine(name):
    """150 inputs of spread norms, depth 4 (pieces, bands, pairwise terms, sorted inputs): 12 pairs
    and 3 diagonal entries against the engine recursion, 1e-12 of the largest entry (each layer's
    series is truncated at a tail estimate of 1e-13; the engine is good to ~1e-13)."""
    act = get_activation(name)
    X = _spread_inputs(150)
    K, T = final_kernels(act, X, depth=4, sigma_w2=1.8, sigma_b2=0.05)
    rng = np.random.default_rng(11)
    pairs = [tuple(rng.choice(150, 2, replace=False)) for _ in range(12)] + [(i, i) for i in (0, 77, 149)]
    ref = np.array([engine_pair(act, X[i], X[j], 4, 1.8, 0.05) for i, j in pairs])
    got = np.array([(K[i, j], T[i, j]) for i, j in pairs])
    assert np.max(np.abs(got[:, 0] - ref[:, 0])) <= 1e-12 * np.max(np.abs(K))
    assert np.max(np.abs(got[:, 1] - ref[:, 1])) <= 1e-12 * np.max(np.abs(T))
    assert np.array_equal(K, K.T) and np.array_equal(T, T.T)


def test_sorted_route_matches_layerwise_and_cross_block():
    """final_kernels (inputs sorted by norm, only the last layer kept) against kernel_layers (original
    order, every layer), and the cross block K(X, X2) against the joint kernel of X ∪ X2."""
    act = get_activation("gelu")
    X = _spread_inputs(120, seed=5)
    K, T = final_kernels(act, X, depth=3, sigma_w2=2.0, sigma_b2=0.1)
    layers = kernel_layers(act, X, depth=3, sigma_w2=2.0, sigma_b2=0.1)
    assert np.max(np.abs(K - layers.nngp[-1])) <= 1e-13 * np.max(np.abs(K))
    assert np.max(np.abs(T - layers.ntk[-1])) <= 1e-13 * np.max(np.abs(T))
    X1, X2 = X[:70], X[70:]
    K12, T12 = final_kernels(act, X1, X2, depth=3, sigma_w2=2.0, sigma_b2=0.1)
    assert np.max(np.abs(K12 - K[:70, 70:])) <= 1e-13 * np.max(np.abs(K))
    assert np.max(np.abs(T12 - T[:70, 70:])) <= 1e-13 * np.max(np.abs(T))
