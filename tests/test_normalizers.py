"""Attention normalizers: evaluation against closed forms and 40-digit mpmath, Jacobians against finite differences,
Lipschitz constants against sampled Jacobian norms, the three softmax algorithms on extreme logits, bad input."""

import math

import numpy as np
import pytest

from symbolic import FormulaError, ParameterError, parse_formula
from theory.claims.milakov2018 import softmax_mp
from symbolic.normalizers import (ALGORITHMS, AttentionError, UnknownNormalizerError, elementwise_attention,
                                  get_normalizer, normalizer_names, online, three_pass, top_weight, two_pass)

ROW = np.array([0.3, -1.2, 2.0, 0.1, -0.45, 1.1])


@pytest.mark.parametrize("name", normalizer_names())
def test_jacobian_matches_central_differences(name):
    """∂p/∂z to 1e-7 of a central difference (step 1e-6: its error ~1e-12 · p''', logits away from kinks)."""
    norm = get_normalizer(name)
    rng = np.random.default_rng(3)
    for z in (ROW, rng.normal(size=9) * 1.7):
        jac = norm.jacobian(z)
        fd = np.array([(norm(z + 1e-6 * e) - norm(z - 1e-6 * e)) / 2e-6 for e in np.eye(z.size)]).T
        assert np.max(np.abs(jac - fd)) < 1e-7


@pytest.mark.parametrize("name", normalizer_names())
def test_jax_version_equals_numpy_with_masks(name):
    """The JAX weights (used by the finite networks) equal the numpy ones in float64, masked positions 0."""
    jax = pytest.importorskip("jax")
    from theory.montecarlo.backend import precision

    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 5)) * 2
    mask = np.tril(np.ones((5, 5), dtype=bool))[[0, 1, 2, 3, 4, 4]]
    norm = get_normalizer(name)
    with precision("float64"):
        got = np.asarray(norm.jax()(jax.numpy.asarray(z), jax.numpy.asarray(mask)))
    assert np.allclose(got, norm(np.where(mask, z, -np.inf)), rtol=1e-13, atol=1e-15)


def test_softmax_and_scalable_softmax_against_mpmath():
    """softmax(z/τ) and softmax(s log(n) z) to (4 + max|z − max z|) ulp of 40-digit mpmath (below 4e-15 here)."""
    for tau in (1.0, 0.3, 2.5):
        p = get_normalizer("softmax", temperature=tau)(ROW)
        assert np.max(np.abs(p - softmax_mp(ROW / tau)) / softmax_mp(ROW / tau)) < 4e-15
    p = get_normalizer("ssmax", s=0.7)(ROW)
    ref = softmax_mp(0.7 * math.log(ROW.size) * ROW)
    assert np.max(np.abs(p - ref) / ref) < 3e-15


def test_sparsemax_is_the_simplex_projection():
    """KKT of argmin ‖p − z‖² on the simplex (p_i > 0 ⇒ z_i − p_i = τ; p_i = 0 ⇒ z_i <= τ), the n = 2 closed form
    clip((1 + z1 − z2)/2, 0, 1), and the orthogonal-projector Jacobian (Martins & Astudillo 2016)."""
    sp = get_normalizer("sparsemax")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(500, 7)) * 1.3
    p = sp(z)
    assert np.allclose(p.sum(axis=1), 1, atol=1e-14) and (p >= 0).all()
    tau = np.array([np.mean((zi - pi)[pi > 0]) for zi, pi in zip(z, p)])
    assert np.all(np.abs(np.where(p > 0, z - p - tau[:, None], 0)) < 1e-13)
    assert np.all(np.where(p == 0, z - tau[:, None], -1) <= 1e-13)
    d = rng.normal(size=200) * 2
    two = sp(np.column_stack([d, np.zeros_like(d)]))
    assert np.allclose(two[:, 0], np.clip((1 + d) / 2, 0, 1), atol=1e-15)
    jac = sp.jacobian(ROW)
    assert np.allclose(jac @ jac, jac, atol=1e-15) and np.allclose(jac, jac.T)


def test_elementwise_mechanisms():
    """Sigmoid attention's default bias is −log n: p_j = 1/(1 + n e^{−z_j}); ReLU and |·| as written."""
    n = ROW.size
    assert np.allclose(get_normalizer("sigmoid")(ROW), 1 / (1 + n * np.exp(-ROW)), rtol=1e-15)
    assert np.allclose(get_normalizer("sigmoid", bias=0.5)(ROW), 1 / (1 + np.exp(-ROW - 0.5)), rtol=1e-15)
    assert np.array_equal(get_normalizer("relu")(ROW), np.maximum(ROW, 0))
    assert np.array_equal(get_normalizer("abs", bias=-1)(ROW), np.abs(ROW - 1))
    custom = elementwise_attention("softplus(x)^2", bias=0.25)
    assert np.allclose(custom(ROW), np.log1p(np.exp(ROW + 0.25)) ** 2, rtol=1e-14)


def test_softpick_matches_its_formula_and_masks():
    """ReLU(e^z − 1)/(Σ|e^z − 1| + ε) to 1e-15, also with logits near 700 (evaluated scaled by e^{−max}); a masked
    position (−∞) gets 0 and leaves the denominator."""
    sp = get_normalizer("softpick", eps=1e-3)
    e = np.expm1(ROW)
    assert np.allclose(sp(ROW), np.maximum(e, 0) / (np.abs(e).sum() + 1e-3), rtol=1e-14)
    big = np.array([700.0, 699.0, -3.0])
    ref = np.array([np.exp(0.0), np.exp(-1.0), 0.0]) / (1 + np.exp(-1.0) + (1 - np.exp(-3.0) + 1e-3) * np.exp(-700.0))
    assert np.allclose(sp(big), ref, rtol=1e-15, atol=0)
    masked = sp(np.array([0.5, -np.inf, 1.0]))
    assert masked[1] == 0 and np.allclose(masked[[0, 2]], sp(np.array([0.5, 1.0])), rtol=1e-15)


def test_lipschitz_constants_bound_and_reach_the_jacobian_norm():
    """Exact constants are attained (softmax 1/(2τ) at two equal logits; sparsemax 1 on a support of two; sigmoid 1/4
    at z = −b) and bound ‖J‖₂ over 2000 random rows; softpick's bound holds and 1/ε is approached as z → 0+."""
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(2000, 5)) * rng.choice([0.01, 0.3, 1, 3, 10], size=(2000, 1))
    for name, params, attain in [("softmax", {"temperature": 0.5}, np.array([0.0, 0.0, -50, -50, -50])),
                                 ("ssmax", {"s": 2.0}, np.array([0.0, 0.0, -50, -50, -50])),
                                 ("sparsemax", {}, np.array([0.0, 0.1, -5, -5, -5])),
                                 ("sigmoid", {}, np.full(5, math.log(5))), ("relu", {}, np.ones(5)),
                                 ("softpick", {"eps": 0.01}, np.full(5, 1e-9))]:
        norm = get_normalizer(name, params)
        lip = norm.lipschitz(5)
        sampled = max(np.linalg.norm(norm.jacobian(z), 2) for z in rows)
        assert sampled <= lip.value * (1 + 1e-12), name
        assert np.linalg.norm(norm.jacobian(attain), 2) == pytest.approx(lip.lower, rel=1e-6), name
    assert get_normalizer("softmax", temperature=0.5).lipschitz(5).value == 1.0
    assert get_normalizer("ssmax", s=2.0).lipschitz(5).value == pytest.approx(math.log(5))
    assert get_normalizer("softmax").lipschitz(1).value == 0
    assert not get_normalizer("softpick").lipschitz(5).exact and get_normalizer("softpick").lipschitz(1).exact


@pytest.mark.parametrize("dtype,scale,tol_two_pass", [(np.float32, 1, 8), (np.float32, 30, 8), (np.float64, 1, 8),
                                                       (np.float64, 30, 8), (np.float64, 3e3, 8)])
def test_softmax_algorithms_agree_with_mpmath(dtype, scale, tol_two_pass):
    """Three-pass and online (Milakov & Gimelshein 2018) compute the same e^{z − max}: relative error within
    (4 + |z − max|) ulp (exp amplifies the rounding of z − max by |z − max|); the two-pass algorithm (Dukhan &
    Ablavatski 2020) reduces z itself exactly (Cody–Waite) and stays within a few ulp inside its range."""
    rng = np.random.default_rng(7)
    z = (rng.normal(size=(40, 16)) * scale).astype(dtype)
    z[:, 1] = z[:, 0] + dtype(0.5)  # a close competitor keeps two weights O(1)
    ref = np.array([softmax_mp(r) for r in z])
    ulp = np.finfo(dtype).eps
    keep = ref > 1e-30
    ref = np.where(keep, ref, 1.0)
    gap = (np.max(z, axis=1, keepdims=True) - z).astype(np.float64)
    for algorithm in (three_pass, online):
        p = algorithm(z)
        assert p.dtype == dtype
        assert np.all((np.abs(p - ref) / ref)[keep] <= (4 + gap[keep]) * ulp)
    p = two_pass(z)
    assert p.dtype == dtype and np.max((np.abs(p - ref) / ref)[keep]) <= tol_two_pass * ulp


def test_softmax_algorithms_on_overflowing_logits():
    """Logits at ±1e308 (float64) and ±3e38 (float32) give no NaN and the exact answer; two-pass refuses them by name
    (z/ln 2 overflows); masked rows; NaN and +inf are refused."""
    for dtype, big in ((np.float64, 1e308), (np.float32, 3e38)):
        z = np.array([[big, -big, 0, big * 0.5], [-big, -big, 0, -big]], dtype=dtype)
        for algorithm in (three_pass, online):
            p = algorithm(z)
            assert np.array_equal(p, np.array([[1, 0, 0, 0], [0, 0, 1, 0]], dtype=dtype))
        with pytest.raises(AttentionError, match="two_pass: logits must be below"):
            two_pass(z)
    masked = np.array([[0.0, -np.inf, 1.0]])
    for algorithm in ALGORITHMS.values():
        assert np.allclose(algorithm(masked), [[1 / (1 + math.e), 0, math.e / (1 + math.e)]], rtol=1e-15)
        with pytest.raises(AttentionError, match="every position masked"):
            algorithm(np.full((1, 3), -np.inf))
    with pytest.raises(AttentionError, match="NaN"):
        three_pass(np.array([0.0, np.nan]))
    with pytest.raises(AttentionError, match=r"\+inf"):
        get_normalizer("sparsemax")(np.array([0.0, np.inf]))
    with pytest.raises(AttentionError, match="at least one token"):
        get_normalizer("softmax")(np.zeros((3, 0)))


def test_top_weight_fades_for_softmax_and_survives_scalable_softmax():
    """One logit Δ above n − 1 equal ones (Nakanishi 2025): softmax e^Δ/(e^Δ + n − 1) ~ e^Δ/n; Scalable-Softmax
    n^{sΔ}/(n^{sΔ} + n − 1) → 1 when sΔ > 1 and → 0 when sΔ < 1."""
    soft, ss = get_normalizer("softmax"), get_normalizer("ssmax", s=1.0)
    for n in (10, 1000, 10**6):
        assert top_weight(soft, n, 2.0) == pytest.approx(math.exp(2) / (math.exp(2) + n - 1), rel=1e-14)
        for gap in (0.8, 1.5):
            assert top_weight(ss, n, gap) == pytest.approx(n**gap / (n**gap + n - 1), rel=1e-13)
    assert top_weight(ss, 10**6, 1.5) > 0.999 and top_weight(ss, 10**6, 0.8) < 0.07
    assert top_weight(soft, 10**6, 2.0) < 1e-5


def test_bad_names_and_parameters():
    with pytest.raises(UnknownNormalizerError, match="did you mean softmax"):
        get_normalizer("sofmax")
    with pytest.raises(ParameterError, match="temperature tau must be a finite number > 0"):
        get_normalizer("softmax", temperature=0)
    with pytest.raises(ParameterError, match="has no parameter beta"):
        get_normalizer("softmax", beta=1)
    with pytest.raises(ParameterError, match=r"eps must lie in \(0, 1\]"):
        get_normalizer("softpick", eps=2)
    with pytest.raises(AttentionError, match="integer >= 1"):
        get_normalizer("softmax").lipschitz(0)
    with pytest.raises(FormulaError):
        elementwise_attention("__import__('os')")


def test_power_operator_has_its_mathematical_precedence():
    """^ is the power with ** precedence: 2*x^2 = 2x², −x^2 = −x², x^2^3 = x^8 (it once parsed as XOR's precedence)."""
    x = parse_formula("x")
    assert parse_formula("2*x^2") == 2 * x**2
    assert parse_formula("-x^2") == -(x**2)
    assert parse_formula("x + 1^2") == x + 1
    assert parse_formula("x^2^3") == x**8
    assert np.isclose(float(elementwise_attention("exp(-x^2)")(np.array([1.0]))[0]), math.exp(-1))


def test_stablemax_is_its_formula_and_not_shift_invariant():
    """StableMax against the authors' s(x) (x + 1 for x >= 0, 1/(1 − x) below) in plain floats; masked positions get
    0; its Jacobian norm stays within the derived bound 2 over random rows and reaches 1/2 at two zero logits; adding
    a constant to a row changes it (so the kernels take the general route, not the shift-invariant diagonal)."""
    m = get_normalizer("stablemax")
    s = [x + 1 if x >= 0 else 1 / (1 - x) for x in ROW]
    assert np.allclose(m(ROW), np.array(s) / sum(s), rtol=1e-15)
    assert m(np.array([1.0, -np.inf]))[1] == 0 and m(np.array([1.0, -np.inf]))[0] == 1
    rng = np.random.default_rng(5)
    rows = rng.normal(size=(2000, 5)) * rng.choice([0.01, 0.3, 1, 3, 10], size=(2000, 1))
    assert max(np.linalg.norm(m.jacobian(z), 2) for z in rows) <= m.lipschitz(5).value
    assert np.linalg.norm(m.jacobian(np.zeros(2)), 2) == pytest.approx(m.lipschitz(2).lower, rel=1e-14)
    assert not np.allclose(m(ROW + 1.0), m(ROW)) and not m.shift_invariant
    assert get_normalizer("softmax").shift_invariant and get_normalizer("sparsemax").shift_invariant


def test_self_adjust_softmax_is_its_formula_and_refused_by_the_statistics():
    """z ⊙ softmax(z) against its definition; masked positions 0; its Lipschitz constant is reported as none (null in
    JSON); the row statistics (entropy of p/Σp) refuse its negative weights by name."""
    from signalprop import row_statistics

    m = get_normalizer("sa_softmax")
    e = np.exp(ROW - ROW.max())
    assert np.allclose(m(ROW), ROW * e / e.sum(), rtol=1e-15)
    assert m(np.array([1.0, -np.inf]))[1] == 0
    assert m.lipschitz(4).as_dict()["value"] is None and not m.normalized
    with pytest.raises(AttentionError, match="negative weights"):
        row_statistics(m, 4, 1.0)
