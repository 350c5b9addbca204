"""A paper's result as an executable check: what the paper says, where, how this toolkit computes it,
what it must equal (the reference, and where that reference comes from: its provenance), within which
tolerance and why, and a mutant of the computation that the check must reject."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

import numpy as np

KINDS = ("analytic", "numerical", "mc")
Kind = Literal["analytic", "numerical", "mc"]
PROVENANCES = {
    "printed": "a number printed in the paper (a table, the text, a value stated for a figure)",
    "formula": "the paper's own formula, evaluated independently of the toolkit (closed form, scipy quad, mpmath)",
    "derived": "a value derived here (the paper states the result qualitatively, or its body could not be read), "
               "evaluated independently of the toolkit",
    "simulation_vs_theory": "a Monte-Carlo simulation against theory evaluated independently of the toolkit",
    "simulation_vs_toolkit": "a Monte-Carlo simulation against the toolkit's own mean-field theory",
}
Provenance = Literal["printed", "formula", "derived", "simulation_vs_theory", "simulation_vs_toolkit"]
MODES = ("relative", "absolute", "sigmas", "at_least", "at_most")
Mode = Literal["relative", "absolute", "sigmas", "at_least", "at_most"]


@dataclass(frozen=True)
class Paper:
    """A paper whose results are checked; ``id`` is short and stable (``poole2016``)."""

    id: str
    title: str
    authors: str
    year: int
    arxiv: str | None = None
    venue: str = ""

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""

    @property
    def citation(self) -> str:
        source = f"arXiv:{self.arxiv}" if self.arxiv else self.venue
        return f"{self.authors} ({self.year}), {self.title}. {source}".strip()

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "authors": self.authors, "year": self.year, "arxiv": self.arxiv,
                "venue": self.venue, "url": self.url}


@dataclass(frozen=True)
class Measured:
    """A Monte-Carlo estimate: ``value`` ± ``stderr`` (arrays of the same shape, or scalars) and, when known, the
    skewness γ/√n of its sampling distribution (``theory.montecarlo.compare.skew_of_mean``), which the judge
    removes from the z-score where that widens the bound (``judged_z``)."""

    value: float | np.ndarray
    stderr: float | np.ndarray
    skew: float | np.ndarray | None = None

    @classmethod
    def of(cls, comparison, index=slice(None)) -> "Measured":
        """The entries ``index`` of a ``theory.montecarlo`` Comparison (measured, stderr, skew)."""
        skew = None if comparison.skew is None else np.broadcast_to(comparison.skew, comparison.measured.shape)[index]
        return cls(comparison.measured[index], comparison.stderr[index], skew)

    @classmethod
    def mean_of(cls, values: np.ndarray) -> "Measured":
        """The mean over independent networks (axis 0), its standard error and skewness (``mean_error_skew``)."""
        from theory.montecarlo.compare import mean_error_skew

        return cls(*(v if np.ndim(v) else float(v) for v in mean_error_skew(np.asarray(values, dtype=np.float64))))

    @classmethod
    def combine(cls, coefficients: Sequence[float], parts: Sequence["Measured"]) -> "Measured":
        """Σ c_i X_i of independent scalar estimates: variances add with c_i², third cumulants with c_i³
        (κ₃ = skew·stderr³), so the skewness is Σ c_i³ κ₃ᵢ / stderr³ (None if a part has none)."""
        c = np.asarray(coefficients, dtype=np.float64)
        value = float(c @ [float(p.value) for p in parts])
        se = np.array([float(p.stderr) for p in parts])
        stderr = float(np.sqrt(np.sum(c**2 * se**2)))
        if any(p.skew is None for p in parts) or stderr == 0:
            return cls(value, stderr)
        return cls(value, stderr, float(np.sum(c**3 * np.array([float(p.skew) for p in parts]) * se**3) / stderr**3))

    @classmethod
    def join(cls, parts: Sequence["Measured"]) -> "Measured":
        """Several estimates as one flat vector (the skewness only if every part has one)."""
        flat = lambda name: np.concatenate([np.ravel(getattr(p, name)) for p in parts])  # noqa: E731
        return cls(flat("value"), flat("stderr"), None if any(p.skew is None for p in parts) else flat("skew"))


@dataclass(frozen=True)
class Tolerance:
    """How computed and reference must agree, and why that much.

    * ``relative``: max |computed − reference| / |reference| ≤ value;
    * ``absolute``: max |computed − reference| ≤ value;
    * ``sigmas``: max |computed − reference| / stderr ≤ value (Monte-Carlo claims);
    * ``at_least`` / ``at_most``: computed ≥ reference − value / computed ≤ reference + value (an inequality
      the paper states, such as a positive smallest eigenvalue or a spectral norm below 1).
    """

    value: float
    mode: Mode
    reason: str

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"tolerance mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not self.value >= 0:
            raise ValueError(f"a tolerance is a non-negative number, got {self.value!r}")


def relative(value: float, reason: str) -> Tolerance:
    return Tolerance(value, "relative", reason)


def absolute(value: float, reason: str) -> Tolerance:
    return Tolerance(value, "absolute", reason)


def sigmas(value: float, reason: str = "a fixed number of standard errors; its false-failure rate is not derived") -> Tolerance:
    """A Monte-Carlo tolerance of ``value`` standard errors, with its reason (prefer ``mc_sigmas``, which
    derives the value from the number of components and of independent samples)."""
    return Tolerance(value, "sigmas", reason)


def mc_sigmas(components: int, samples: int, false_rate: float = 1e-4, extra: str = "") -> Tolerance:
    """The tolerance in standard errors for the largest of ``components`` z-scores, each a mean over
    ``samples`` independent networks divided by its estimated standard error: Student's t with samples − 1
    degrees of freedom (the standard error is itself estimated) and a Bonferroni bound over the components
    (P(max_i |t_i| > z) ≤ Σ_i P(|t_i| > z) = ``false_rate``, whatever their correlation). It assumes the
    per-network values are close to Gaussian and the finite-width bias is modelled or negligible; the
    measured false-failure rate over many seeds belongs in the claim's notes (``benchmarks/bench_claims_mc.py``).
    """
    from scipy.stats import t

    if components < 1 or samples < 2:
        raise ValueError(f"need at least one component and two samples, got {components}, {samples}")
    z = float(t.isf(false_rate / (2 * components), samples - 1))
    reason = (f"max over {components} component{'s' * (components > 1)} of |z|, Student t with {samples - 1} d.o.f. and "
              f"Bonferroni: a correct claim fails in ≤ {false_rate:g} of runs if the per-network values are Gaussian "
              f"(z corrected for their skewness where it is measured and the correction widens the bound, Hall 1992)"
              + (f"; {extra}" if extra else ""))
    return Tolerance(round(z, 2), "sigmas", reason)


def at_least(reason: str, slack: float = 0.0) -> Tolerance:
    return Tolerance(slack, "at_least", reason)


def at_most(reason: str, slack: float = 0.0) -> Tolerance:
    return Tolerance(slack, "at_most", reason)


Number = float | Sequence[float] | np.ndarray


Computation = Callable[[], "Number | Measured"]


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a paper.

    ``compute`` evaluates it with this toolkit (a number, an array, or a ``Measured`` for Monte-Carlo
    claims). ``reference`` is what it must equal: a number printed in the paper, or a function evaluating
    a formula independently of ``compute`` (closed form, scipy quad, mpmath — never the toolkit's own
    engines); ``reference_text`` says which, and ``provenance`` (a key of ``PROVENANCES``) says where the
    reference comes from. ``mutant`` is the same computation with one input perturbed (``mutation`` says
    which: the activation, σ_w² by 1 %, a sign …): the claim must reject it, which shows it can fail.
    Monte-Carlo claims give ``seeded(seed)``, their computation for any seed (``compute`` is seed 0), so
    their false-failure rate can be measured. ``same_as`` names an earlier claim that checks the same
    value (counted once).
    """

    id: str
    paper: Paper
    where: str
    statement: str
    compute: Computation
    reference: Number | Callable[[], Number]
    reference_text: str
    tolerance: Tolerance
    kind: Kind
    notes: str = ""
    labels: tuple[str, ...] = field(default=())
    provenance: Provenance | None = None
    mutant: Computation | None = None
    mutation: str = ""
    seeded: Callable[[int], Measured] | None = None
    same_as: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"claim kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not self.id.startswith(self.paper.id + "."):
            raise ValueError(f"a claim id starts with its paper's id and a dot ({self.paper.id}.…), got {self.id!r}")
        if (self.kind == "mc") != (self.tolerance.mode == "sigmas"):
            raise ValueError(f"{self.id}: Monte-Carlo claims, and only they, are judged in standard errors")
        if self.provenance is not None and self.provenance not in PROVENANCES:
            raise ValueError(f"{self.id}: provenance must be one of {', '.join(PROVENANCES)}, got {self.provenance!r}")
        if (self.kind == "mc") != self.provenance_is_simulation and self.provenance is not None:
            raise ValueError(f"{self.id}: Monte-Carlo claims, and only they, have a simulation provenance")
        if (self.mutant is None) != (not self.mutation):
            raise ValueError(f"{self.id}: a mutant comes with its description (mutation=...) and vice versa")

    @property
    def provenance_is_simulation(self) -> bool:
        return self.provenance is not None and self.provenance.startswith("simulation")

    def reference_value(self) -> np.ndarray:
        value = self.reference() if callable(self.reference) else self.reference
        return np.asarray(value, dtype=np.float64)
