"""A paper's result as an executable check: what the paper says, where, how this toolkit computes it,
what it must equal, within which tolerance and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

import numpy as np

KINDS = ("analytic", "numerical", "mc")
Kind = Literal["analytic", "numerical", "mc"]
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
    """A Monte-Carlo estimate: ``value`` ± ``stderr`` (arrays of the same shape, or scalars)."""

    value: float | np.ndarray
    stderr: float | np.ndarray


@dataclass(frozen=True)
class Tolerance:
    """How computed and published must agree, and why that much.

    * ``relative``: max |computed − published| / |published| ≤ value;
    * ``absolute``: max |computed − published| ≤ value;
    * ``sigmas``: max |computed − published| / stderr ≤ value (Monte-Carlo claims);
    * ``at_least`` / ``at_most``: computed ≥ published − value / computed ≤ published + value (an inequality
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


def sigmas(value: float, reason: str = "a Monte-Carlo estimate agrees within this many standard errors "
                                          "(4: a correct claim fails by chance in < 1e-4 of runs)") -> Tolerance:
    return Tolerance(value, "sigmas", reason)


def at_least(reason: str, slack: float = 0.0) -> Tolerance:
    return Tolerance(slack, "at_least", reason)


def at_most(reason: str, slack: float = 0.0) -> Tolerance:
    return Tolerance(slack, "at_most", reason)


Number = float | Sequence[float] | np.ndarray


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a paper.

    ``compute`` evaluates it with this toolkit (a number, an array, or a ``Measured`` for Monte-Carlo
    claims). ``published`` is the number printed in the paper, or — when the paper's statement is a
    formula — a function evaluating that formula independently of ``compute``; ``published_text`` says
    which (the number as printed, or the formula).
    """

    id: str
    paper: Paper
    where: str
    statement: str
    compute: Callable[[], Number | Measured]
    published: Number | Callable[[], Number]
    published_text: str
    tolerance: Tolerance
    kind: Kind
    notes: str = ""
    labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"claim kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not self.id.startswith(self.paper.id + "."):
            raise ValueError(f"a claim id starts with its paper's id and a dot ({self.paper.id}.…), got {self.id!r}")
        if (self.kind == "mc") != (self.tolerance.mode == "sigmas"):
            raise ValueError(f"{self.id}: Monte-Carlo claims, and only they, are judged in standard errors")

    def published_value(self) -> np.ndarray:
        value = self.published() if callable(self.published) else self.published
        return np.asarray(value, dtype=np.float64)
