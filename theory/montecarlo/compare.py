"""Measured against theory: per point a measurement with its standard error (and the skewness of its sampling
distribution), the theory value, the z-score and a verdict at a stated number of standard errors; JSON and a plot.

Skewness. An estimate from n networks is a mean of per-network values (or, by the delta method, approximately the
mean of their linearised "influence" values ψ); when the ψ are skewed (γ = E[(ψ − Eψ)³]/sd³, e.g. the right-skewed
per-network q̂² behind a relative variance), the studentised z = (estimate − theory)/stderr is skewed the other way
at order γ/√n: P(z ≤ x) = Φ(x) + (γ/(6√n))(2x² + 1)φ(x) + O(1/n) (Edgeworth; Hall 1992, "The Bootstrap and
Edgeworth Expansion", §2.6), which makes its far tail, where a 4σ verdict lives, fatter than the Gaussian's. The
verdict uses Hall's monotone transform z + a z² + a² z³/3 + a/2 with a = γ/(3√n) (Hall 1992, "On the removal of
skewness by transformation", JRSS B 54), which is N(0, 1) to O(1/n), with γ estimated from the same ψ. It corrects the
skewness of the linear term only (not the delta method's curvature, O(1/√n) in the bias). The sample skewness of
heavy-tailed per-network values is itself noisy (its sign can flip between runs), so the verdict takes the corrected z
only where it is smaller in magnitude than the plain one (``judged_z``): the correction widens the acceptance region in
the tail the skewness makes heavy and never narrows it, so a noisy skewness cannot create a failure. Each claim's
false-failure rate is still measured over many seeds (``benchmarks/bench_claims_mc.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

N_SIGMA = 4.0  # agreement within this many standard errors (so that honest checks do not flake)


@dataclass
class Comparison:
    """One measured quantity along ``index`` (layers, or widths): ``measured`` ± ``stderr`` against
    ``theory``; ``label`` says what it is, ``index_name`` what the index counts."""

    label: str
    index: np.ndarray
    measured: np.ndarray
    stderr: np.ndarray
    theory: np.ndarray
    index_name: str = "layer"
    n_sigma: float = N_SIGMA
    notes: dict = field(default_factory=dict)
    skew: np.ndarray | None = None

    @property
    def z(self) -> np.ndarray:
        """(measured − theory)/stderr (0 where both the difference and the error vanish)."""
        return z_score(self.measured - self.theory, self.stderr)

    @property
    def z_corrected(self) -> np.ndarray:
        """The judged z: ``judged_z`` of ``z`` (``z`` itself where the skewness is unknown)."""
        return judged_z(self.z, self.skew)

    @property
    def passed(self) -> bool:
        """|z_corrected| ≤ n_sigma wherever there is a theory value (NaN: none, e.g. outside its assumptions)."""
        known = np.isfinite(self.theory)
        return bool(np.all(np.abs(self.z_corrected[known]) <= self.n_sigma))

    def to_json(self) -> dict:
        skew = None if self.skew is None else np.broadcast_to(self.skew, self.measured.shape).tolist()
        return {"label": self.label, "index_name": self.index_name, "index": self.index.tolist(),
                "measured": self.measured.tolist(), "stderr": self.stderr.tolist(), "skew": skew,
                "theory": self.theory.tolist(), "z": self.z.tolist(), "z_corrected": self.z_corrected.tolist(),
                "n_sigma": self.n_sigma, "passed": self.passed, **self.notes}


def z_score(diff, stderr) -> np.ndarray:
    """diff/stderr, 0 where the difference vanishes (also with a zero error), ±inf where only the error does."""
    diff = np.asarray(diff, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(diff == 0, 0.0, diff / stderr)


def hall_z(z, skew) -> np.ndarray:
    """Hall's (1992) skewness-removing transform of a studentised statistic: z + a z² + a² z³/3 + a/2 with
    a = ``skew``/3, ``skew`` = γ/√n the skewness of the estimate's sampling distribution (``skew_of_mean``);
    monotone in z (its derivative is (1 + a z)²), N(0, 1) to O(1/n) when z is a studentised mean (module docstring)."""
    z, a = np.asarray(z, dtype=np.float64), np.asarray(skew, dtype=np.float64) / 3
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(z), z + a * z * z + a * a * z**3 / 3 + a / 2, z)


def judged_z(z, skew) -> np.ndarray:
    """The z a verdict uses: Hall's ``hall_z`` where it is smaller in magnitude than the plain z, else the plain z
    (and the plain z when ``skew`` is None): the correction only ever widens the acceptance region (module docstring)."""
    z = np.asarray(z, dtype=np.float64)
    if skew is None:
        return z
    corrected = hall_z(z, skew)
    return np.where(np.abs(corrected) < np.abs(z), corrected, z)


def skew_of_mean(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """γ/√n: the skewness of the mean of n independent ``values`` along ``axis`` (their sample skewness
    g₁ = m₃/m₂^{3/2} over √n; 0 where the values are all equal)."""
    n = values.shape[axis]
    centred = values - values.mean(axis=axis, keepdims=True)
    m2, m3 = (centred**2).mean(axis=axis), (centred**3).mean(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(m2 > 0, m3 / np.where(m2 > 0, m2, 1.0) ** 1.5, 0.0) / np.sqrt(n)


def mean_and_error(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and its standard error over independent samples along ``axis``."""
    n = samples.shape[axis]
    return samples.mean(axis=axis), samples.std(axis=axis, ddof=1) / np.sqrt(n)


def mean_error_skew(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``mean_and_error`` over the networks (axis 0) and ``skew_of_mean``."""
    return *mean_and_error(samples), skew_of_mean(samples)


def influence(samples: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """The linearised per-network values ψ_e = ∇f · (s_e − s̄) of f(means): ``samples`` (E, P, …) are
    independent per-network values of P quantities, ``gradient`` (P, …) the gradient of f at their means;
    f(means) − f(E s) ≈ mean(ψ) to first order (the delta method)."""
    return np.einsum("p...,ep...->e...", gradient, samples - samples.mean(axis=0))


def delta_method(samples: np.ndarray, gradient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard error of f(means) by the delta method and the skewness of its sampling distribution
    (``skew_of_mean`` of the influence values); arguments as ``influence``."""
    psi = influence(samples, gradient)
    return psi.std(axis=0, ddof=1) / np.sqrt(psi.shape[0]), skew_of_mean(psi)


def plot_comparisons(comparisons: list[Comparison], path: str | Path, title: str = "") -> Path:
    """Theory as a line, measurements as points with error bars (±1 standard error), one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(comparisons), figsize=(4.2 * len(comparisons), 3.4), squeeze=False)
    for ax, comp in zip(axes[0], comparisons):
        ax.plot(comp.index, comp.theory, "-", color="black", lw=1.2, label="theory (infinite width)")
        ax.errorbar(comp.index, comp.measured, yerr=comp.stderr, fmt="o", ms=3, capsize=2, label="measured")
        ax.set_xlabel(comp.index_name)
        ax.set_title(comp.label, fontsize=9)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
