"""The skewness correction of Monte-Carlo verdicts (``theory.montecarlo.compare``: Hall's transform of the
studentised z with the sample skewness of the per-network values) against simulation and exact cumulants."""

import numpy as np
import pytest

from theory.claims import Claim, Measured, Paper, sigmas
from theory.claims.check import judge
from theory.montecarlo.compare import Comparison, hall_z, judged_z, mean_error_skew, skew_of_mean


def test_hall_transform_restores_gaussian_tails_of_a_skewed_mean():
    """Means of n = 100 exponentials (skewness 2), 100,000 replicates: the plain studentised z exceeds 3.29 in
    ~4.7e-3 of replicates (4.7 × the Gaussian 1e-3, nearly all in the lower tail); Hall's transform brings it to
    ~1.5e-3, and so does the verdict's z (``judged_z``). Bounds: plain > 3e-3 and corrected < 2e-3 (the count of
    ~150 has a Poisson s.d. of ~12)."""
    rng = np.random.default_rng(1)
    mean, stderr, skew = mean_error_skew(rng.exponential(size=(100, 100_000)))
    z = (mean - 1.0) / stderr
    assert 0.16 < skew.mean() < 0.2  # γ/√n = 0.2; the sample skewness of 100 exponentials is ~10 % low on average
    plain, corrected = np.mean(np.abs(z) > 3.29), np.mean(np.abs(hall_z(z, skew)) > 3.29)
    assert plain > 3e-3 and corrected < 2e-3, (plain, corrected)
    assert np.mean(np.abs(judged_z(z, skew)) > 3.29) < 2e-3  # the verdict's z: corrected only where that shrinks it
    assert np.mean(z < -3.29) > 10 * np.mean(z > 3.29)  # the plain z's excess is the lower tail


def test_hall_transform_is_monotone_and_exact_without_skew():
    z = np.linspace(-8, 8, 1601)
    assert np.array_equal(hall_z(z, 0.0), z)
    for skew in (-0.5, 0.1, 0.3, 1.0):
        assert np.all(np.diff(hall_z(z, skew)) >= 0)
    # a = γ/(3√n) = 0.1 at z = −2: −2 + 0.4 − 0.008/3 + 0.05
    assert hall_z(-2.0, 0.3) == pytest.approx(-2 + 0.1 * 4 + 0.01 * -8 / 3 + 0.05, rel=1e-15)
    assert np.isinf(hall_z(np.inf, 0.3)) and hall_z(np.inf, 0.3) > 0


def test_skew_of_mean_matches_exact_cumulants():
    """skew_of_mean of values with the two-point law P(1) = p, P(0) = 1 − p taken exactly (n copies in the
    right proportion): γ = (1 − 2p)/√(p(1 − p)), over √n; constant values give 0."""
    p, n = 0.2, 1000
    values = np.r_[np.ones(int(p * n)), np.zeros(n - int(p * n))]
    assert skew_of_mean(values) == pytest.approx((1 - 2 * p) / np.sqrt(p * (1 - p)) / np.sqrt(n), rel=1e-12)
    assert skew_of_mean(np.full((10, 3), 2.5)).tolist() == [0.0, 0.0, 0.0]


def test_measured_combine_adds_cumulants():
    """2X − Y of independent means of n exponentials: variance 5/n, third cumulant 8·2/n² − 2/n² = 14/n²."""
    n = 50
    mean_of_n = Measured(1.0, np.sqrt(1 / n), 2 / np.sqrt(n))  # the exact law's stderr and skewness
    out = Measured.combine([2, -1], [mean_of_n, mean_of_n])
    assert out.value == 1.0 and out.stderr == pytest.approx(np.sqrt(5 / n), rel=1e-14)
    assert out.skew == pytest.approx(14 / n**2 / (5 / n) ** 1.5, rel=1e-12)
    assert Measured.combine([1, 1], [mean_of_n, Measured(0.0, 0.1)]).skew is None


def test_judge_and_comparison_use_the_corrected_z_only_where_it_widens_the_bound():
    """With skewness 0.15 a plain z of −5 is −3.76 after correction (passes 4σ); a plain +3.9 would be +4.73
    after it, but the judged z stays 3.9 (the correction never narrows the bound) and passes, while a plain 4.1
    fails; the Comparison's verdict and the claim judge agree."""
    claim = Claim("toy2000.skewed", Paper("toy2000", "A toy", "A. Author", 2000), "eq. (1)", "a toy statement.",
                  lambda: None, 1.0, "as printed", sigmas(4.0, "r"), "mc")
    assert not judge(claim, Measured(0.95, 0.01)).passed
    assert judge(claim, Measured(0.95, 0.01, 0.15)).passed
    assert hall_z(3.9, 0.15) > 4.7 and judge(claim, Measured(1.039, 0.01, 0.15)).error == pytest.approx(3.9)
    assert not judge(claim, Measured(1.041, 0.01, 0.15)).passed
    comp = Comparison("x", np.arange(2), np.array([0.95, 1.039]), np.array([0.01, 0.01]), np.ones(2), skew=np.array([0.15, 0.0]))
    assert comp.z_corrected[0] == pytest.approx(hall_z(-5.0, 0.15)) and comp.z_corrected[1] == pytest.approx(3.9)
    assert comp.passed and not Comparison("x", np.arange(2), comp.measured, comp.stderr, comp.theory).passed
