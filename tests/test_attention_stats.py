"""Statistics of attention weights at initialization (``signalprop.attention_stats``) against 30-digit mpmath
(n = 2, where the row reduces to one logit difference), the one-dimensional Gaussian engine, Monte Carlo with
z-scores, their small-q expansions and the large-n limits the papers state; QMC error bars' coverage; bad input."""

import json
import math

import mpmath as mp
import numpy as np
import pytest

from signalprop import CovarianceError, attention_limits, gaussian_moment, row_statistics
from signalprop.attention_stats import STATISTICS, _row_values
from symbolic import get_activation
from symbolic.normalizers import AttentionError, elementwise_attention, get_normalizer
from theory.cli import main


def _pair_reference(p1, q: float) -> dict:
    """The four statistics of a 2-token row whose first weight is p1(D), D = z1 − z2 ~ N(0, 2q) (30 digits)."""
    with mp.workdps(30):
        s = mp.sqrt(2 * q)

        def expect(f):
            return mp.quad(lambda x: f(s * x) * mp.npdf(x), [-mp.inf, -1 / s, 0, 1 / s, mp.inf])

        def h(p):
            return -sum(v * mp.log(v) for v in (p, 1 - p) if v > 0)

        return {"sum_sq": expect(lambda d: p1(d) ** 2 + (1 - p1(d)) ** 2),
                "max_weight": expect(lambda d: max(p1(d), 1 - p1(d))), "entropy": expect(lambda d: h(p1(d))),
                "row_sum": mp.mpf(1)}


@pytest.mark.parametrize("kappa,q", [(1.0, 1.0), (1.0, 0.01), (1.0, 20.0), (math.log(2) * 0.8, 3.0)])
def test_softmax_pairs_against_mpmath(kappa, q):
    """n = 2: p1 = σ(κD). sum_sq, entropy, row_sum to 1e-14, max_weight to 1e-9; each within its stated error."""
    norm = get_normalizer("softmax") if kappa == 1.0 else get_normalizer("ssmax", s=0.8)
    stats = row_statistics(norm, 2, q)
    ref = _pair_reference(lambda d: 1 / (1 + mp.e ** (-kappa * d)), q)
    for key in STATISTICS:
        diff = abs(getattr(stats, key) - float(ref[key]))
        assert diff < (1e-9 if key == "max_weight" else 1e-14), key
        assert diff <= stats.error[key], key


def test_sparsemax_qmc_error_bars_cover():
    """Sparsemax (QMC route) on 2 tokens: p1 = clip((1 + D)/2, 0, 1). Over 40 seeds the 99 % half-widths cover the
    30-digit values at least 36 times each (a true 99 % rate falls below that with probability < 1e-3)."""
    ref = _pair_reference(lambda d: min(max((1 + d) / 2, 0), 1), 1.5)
    norm = get_normalizer("sparsemax")
    hits = dict.fromkeys(("sum_sq", "max_weight", "entropy"), 0)
    for seed in range(40):
        stats = row_statistics(norm, 2, 1.5, points=512, scrambles=8, seed=seed)
        assert stats.method.startswith("qmc")
        for key in hits:
            hits[key] += abs(getattr(stats, key) - float(ref[key])) <= stats.error[key]
    assert min(hits.values()) >= 36, hits


MC_CASES = [("softmax", {}, 8, 2.0, 0.0), ("ssmax", {"s": 1.0}, 64, 1.0, 0.0), ("softmax", {"temperature": 0.5}, 5, 1.0, 0.0),
            ("sigmoid", {}, 16, 1.0, 0.3), ("relu", {}, 8, 1.0, 0.0), ("abs", {"bias": 0.5}, 8, 1.0, 0.0),
            ("softpick", {"eps": 1e-3}, 8, 1.0, 0.0), ("sparsemax", {}, 6, 1.0, 0.0)]


@pytest.mark.parametrize("name,params,n,q,mean", MC_CASES)
def test_statistics_against_monte_carlo(name, params, n, q, mean):
    """Every statistic within 4.5 standard errors of 200,000 Monte-Carlo rows (32 tests: a false alarm ~1e-4)."""
    norm = get_normalizer(name, params)
    stats = row_statistics(norm, n, q, mean)
    z = np.random.default_rng(11).normal(mean, math.sqrt(q), size=(200_000, n))
    rows = _row_values(norm, z)
    m, se = rows.mean(axis=0), rows.std(axis=0, ddof=1) / math.sqrt(len(rows))
    for i, key in enumerate(STATISTICS):
        if se[i] < 1e-12:  # row_sum of normalized mechanisms: exactly 1
            assert getattr(stats, key) == pytest.approx(m[i], abs=1e-12)
        else:
            assert abs(getattr(stats, key) - m[i]) < 4.5 * se[i], (key, getattr(stats, key), m[i], se[i])


def test_elementwise_sums_against_the_gaussian_engine():
    """row_sum = n E[φ(z + b)] and sum_sq = n E[φ(z + b)²] equal ``gaussian_moment`` (adaptive quadrature) to 1e-12."""
    for name, bias, act in [("sigmoid", None, "sigmoid"), ("relu", 0.4, "relu"), ("abs", -0.3, "abs")]:
        norm = get_normalizer(name, {} if bias is None else {"bias": bias})
        n, q = 12, 1.7
        b = -math.log(n) if bias is None else bias
        stats = row_statistics(norm, n, q)
        phi = get_activation(act)
        assert stats.row_sum == pytest.approx(n * gaussian_moment(phi, q, 0, 1, mean=b), rel=1e-12)
        assert stats.sum_sq == pytest.approx(n * gaussian_moment(phi, q, 0, 2, mean=b), rel=1e-12)


def test_small_q_expansion_about_uniform_attention():
    """softmax with σ² → 0: E[Σ p²] = 1/n + (n − 1)σ²/n² + O(σ⁴) and entropy = log n − (n − 1)σ²/(2n) + O(σ⁴)
    (p_j ≈ (1 + z_j − z̄)/n): at σ² = 1e-4 within 10 σ⁴."""
    for n in (3, 10, 100):
        s2 = 1e-4
        stats = row_statistics(get_normalizer("softmax"), n, s2)
        assert abs(stats.sum_sq - (1 / n + (n - 1) * s2 / n**2)) < 10 * s2**2
        assert abs(stats.entropy - (math.log(n) - (n - 1) * s2 / (2 * n))) < 10 * s2**2
        assert abs(stats.max_weight - 1 / n) < 5 * math.sqrt(s2)


def test_sigmoid_row_sum_tends_to_exp_half_q():
    """Ramapuram et al. 2024: n E[σ(z − log n)] → e^{q/2}; the gap over its leading term −e^{2q}/n tends to 1."""
    norm = get_normalizer("sigmoid")
    ratios = []
    for n in (10**2, 10**4, 10**8):
        limit, correction = attention_limits.sigmoid_row_sum(n, 1.0)
        ratios.append((row_statistics(norm, n, 1.0).row_sum - limit) / correction)
    assert ratios[0] < ratios[1] < ratios[2] and abs(ratios[2] - 1) < 1e-6


def test_softmax_freezes_like_the_random_energy_model():
    """Entropy collapse at q_c = 2 log n (Derrida's REM): entropy/log n → 1 − q/q_c below it (within 0.001 at
    n = 1e20 for q/q_c = 1/4 and 1/2) and E[Σp²] decreases towards 1 − √(q_c/q) above it (n = 1e4, 1e10, 1e20)."""
    norm = get_normalizer("softmax")
    n = 10**20
    for r in (0.25, 0.5):
        q = r * attention_limits.freezing_variance(n)
        stats = row_statistics(norm, n, q)
        assert abs(stats.entropy / math.log(n) - (1 - r)) < 1e-3
        assert stats.entropy == pytest.approx(attention_limits.rem_entropy(n, q), rel=2e-3)
    frozen = []
    for n in (10**4, 10**10, 10**20):
        q = 2 * attention_limits.freezing_variance(n)
        frozen.append(row_statistics(norm, n, q).sum_sq - attention_limits.rem_sum_sq(n, q))
    assert frozen[0] > frozen[1] > frozen[2] > 0 and frozen[2] < 0.03


def test_scalable_softmax_keeps_the_top_weight_where_softmax_fades():
    """With N(0, 1) logits softmax's E[max p] falls towards 0 as n grows while Scalable-Softmax's (s = 1) grows."""
    soft = [row_statistics(get_normalizer("softmax"), n, 1.0).max_weight for n in (16, 256, 4096)]
    ss = [row_statistics(get_normalizer("ssmax"), n, 1.0).max_weight for n in (16, 256, 4096)]
    assert soft[0] > soft[1] > soft[2] and soft[2] < 0.01
    assert ss[0] < ss[1] < ss[2] and ss[2] > 0.68


def test_given_covariance_reduces_to_iid_and_constant_logits():
    """The QMC route with cov = q I agrees with the quadrature within its error bar; q = 0 gives uniform weights."""
    norm = get_normalizer("softmax")
    exact = row_statistics(norm, 4, 1.3)
    qmc = row_statistics(norm, 4, cov=1.3 * np.eye(4))
    for key in ("sum_sq", "max_weight", "entropy"):
        assert abs(getattr(qmc, key) - getattr(exact, key)) <= qmc.error[key]
    flat = row_statistics(norm, 5, 0.0)
    assert flat.sum_sq == pytest.approx(0.2) and flat.entropy == pytest.approx(math.log(5)) and flat.error["sum_sq"] == 0


def test_bad_input():
    norm = get_normalizer("softmax")
    with pytest.raises(AttentionError, match="integer >= 1"):
        row_statistics(norm, 0, 1.0)
    with pytest.raises(AttentionError, match="variance q must be a finite number >= 0"):
        row_statistics(norm, 3, -1.0)
    with pytest.raises(AttentionError, match="must be 3 x 3"):
        row_statistics(norm, 3, cov=np.eye(2))
    with pytest.raises(CovarianceError, match="not positive semidefinite"):
        row_statistics(norm, 2, cov=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(CovarianceError, match="symmetric"):
        row_statistics(norm, 2, cov=np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(AttentionError, match="weights must be >= 0"):
        row_statistics(elementwise_attention("x"), 4, 1.0)


def test_cli_attention_json_and_errors(capsys, tmp_path):
    """`acttheory attention softmax --tokens 8 --q 2 --json`: the four keys and their errors, equal to the API."""
    assert main(["attention", "softmax", "--tokens", "8", "--q", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    stats = row_statistics(get_normalizer("softmax"), 8, 2.0)
    for key in STATISTICS:
        assert isinstance(doc[key], float) and doc[key] == getattr(stats, key)
        assert doc["error"][key] == stats.error[key]
    assert doc["limits"]["freezing_q"] == pytest.approx(2 * math.log(8))
    bad = tmp_path / "bad.npy"
    np.save(bad, np.array([[1.0, 2.0], [2.0, 1.0]]))
    assert main(["attention", "softmax", "--tokens", "2", "--logit-cov", str(bad)]) == 2
    assert "not positive semidefinite" in capsys.readouterr().err
    assert main(["attention", "softmax", "--tokens", "3", "--q", "1", "--param", "temperature=-1"]) == 2
    assert "temperature" in capsys.readouterr().err
    assert main(["show", "sparsemax", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lipschitz"]["value"] == 1.0
    assert main(["show", "sigmoid", "--json"]) == 0  # the element-wise activation keeps its name
    assert "lipschitz" in json.loads(capsys.readouterr().out)
