"""Measured against theory: per point a measurement with its standard error, the theory value, the
z-score and a verdict at a stated number of standard errors; JSON and a plot."""

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

    @property
    def z(self) -> np.ndarray:
        """(measured − theory)/stderr (0 where both the difference and the error vanish)."""
        diff = np.asarray(self.measured - self.theory, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(diff == 0, 0.0, diff / self.stderr)

    @property
    def passed(self) -> bool:
        """|z| ≤ n_sigma wherever there is a theory value (NaN: none, e.g. outside its assumptions)."""
        known = np.isfinite(self.theory)
        return bool(np.all(np.abs(self.z[known]) <= self.n_sigma))

    def to_json(self) -> dict:
        return {"label": self.label, "index_name": self.index_name, "index": self.index.tolist(),
                "measured": self.measured.tolist(), "stderr": self.stderr.tolist(), "theory": self.theory.tolist(),
                "z": self.z.tolist(), "n_sigma": self.n_sigma, "passed": self.passed, **self.notes}


def mean_and_error(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and its standard error over independent samples along ``axis``."""
    n = samples.shape[axis]
    return samples.mean(axis=axis), samples.std(axis=axis, ddof=1) / np.sqrt(n)


def delta_method(samples: np.ndarray, value: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Standard error of f(means) by the delta method: ``samples`` (E, P, …) are independent per-network
    values of P quantities, ``value`` = f at their means, ``gradient`` (P, …) its gradient there."""
    e = samples.shape[0]
    centred = samples - samples.mean(axis=0)
    cov = np.einsum("ep...,eq...->pq...", centred, centred) / (e - 1)
    var = np.einsum("p...,pq...,q...->...", gradient, cov, gradient)
    return np.sqrt(np.maximum(var, 0.0) / e)


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
