"""Running claims: each gives a ``ClaimResult`` (reference, computed, error, tolerance, passed); a claim
whose computation raises is a failure that carries the error message, never a crash of the run."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from ..montecarlo.compare import judged_z, z_score
from .claim import Claim, Measured
from .false_failures import current

ERROR_UNITS = {"relative": "relative error", "absolute": "absolute error", "sigmas": "standard errors",
               "at_least": "shortfall below the bound", "at_most": "excess over the bound"}


@dataclass
class ClaimResult:
    """The outcome of one claim. ``error`` is in the tolerance's unit (``error_unit``); for an
    inequality it is the largest violation (≤ 0 when the bound holds)."""

    claim: Claim
    reference: np.ndarray | None
    computed: np.ndarray | None
    stderr: np.ndarray | None
    error: float
    passed: bool
    seconds: float
    failure: str | None = None

    @property
    def error_unit(self) -> str:
        return ERROR_UNITS[self.claim.tolerance.mode]

    def to_json(self, records: dict[str, dict] | None = None) -> dict:
        """The result as JSON; ``records`` (``false_failures.recorded()``), read once by a caller that writes
        many results, else read here."""
        c = self.claim
        as_list = lambda a: None if a is None else (a.item() if a.ndim == 0 else a.tolist())  # noqa: E731
        return {"id": c.id, "paper": c.paper.id, "citation": c.paper.citation, "where": c.where, "statement": c.statement,
                "kind": c.kind, "provenance": c.provenance, "same_as": c.same_as, "reference": as_list(self.reference),
                "reference_text": c.reference_text,
                "computed": as_list(self.computed), "stderr": as_list(self.stderr), "labels": list(c.labels),
                "error": self.error if np.isfinite(self.error) else None, "error_unit": self.error_unit,
                "tolerance": c.tolerance.value, "tolerance_mode": c.tolerance.mode, "tolerance_reason": c.tolerance.reason,
                "passed": self.passed, "seconds": round(self.seconds, 3), "failure": self.failure, "notes": c.notes,
                "mutation": c.mutation, "false_failure": current(c, records) if c.kind == "mc" else None}


def _error(mode: str, computed: np.ndarray, reference: np.ndarray, stderr: np.ndarray | None, skew=None) -> float:
    diff = computed - reference
    if mode == "relative":
        scale = np.where(reference == 0, 1.0, np.abs(reference))
        return float(np.max(np.abs(diff) / scale))
    if mode == "absolute":
        return float(np.max(np.abs(diff)))
    if mode == "sigmas":
        z = z_score(diff, stderr)
        return float(np.max(np.abs(judged_z(z, skew))))
    if mode == "at_least":
        return float(np.max(-diff))
    return float(np.max(diff))  # at_most


def judge(claim: Claim, value, seconds: float = 0.0) -> ClaimResult:
    """Judge an already computed ``value`` (what ``claim.compute()`` returned) against the claim's reference."""
    reference = computed = stderr = skew = None
    try:
        reference = claim.reference_value()
        if isinstance(value, Measured):
            stderr = np.asarray(value.stderr, dtype=np.float64)
            skew = value.skew
            value = value.value
        elif claim.tolerance.mode == "sigmas":
            raise TypeError(f"{claim.id}: a Monte-Carlo claim must return Measured(value, stderr)")
        computed = np.asarray(value, dtype=np.float64)
        if computed.shape != reference.shape and reference.ndim != 0:
            raise ValueError(f"{claim.id}: computed shape {computed.shape} does not match reference shape {reference.shape}")
        if not (np.all(np.isfinite(computed)) and (stderr is None or np.all(np.isfinite(stderr)))):
            raise FloatingPointError(f"{claim.id}: the computation returned a non-finite value {computed}")
        error = _error(claim.tolerance.mode, computed, reference, stderr, skew)
        return ClaimResult(claim, reference, computed, stderr, error, error <= claim.tolerance.value, seconds)
    except Exception as err:
        return _failed(claim, err, reference, computed, stderr, seconds)


def _failed(claim: Claim, err: Exception, reference=None, computed=None, stderr=None, seconds: float = 0.0) -> ClaimResult:
    detail = "".join(traceback.format_exception_only(type(err), err)).strip()
    return ClaimResult(claim, reference, computed, stderr, float("nan"), False, seconds, detail)


def check(claim: Claim) -> ClaimResult:
    """Evaluate ``claim`` and judge it against its reference within its tolerance; a computation
    that raises is a failed claim carrying the error message."""
    start = time.perf_counter()
    try:
        value = claim.compute()
    except KeyboardInterrupt:
        raise
    except Exception as err:  # a claim that cannot be computed fails with its reason
        return _failed(claim, err, seconds=time.perf_counter() - start)
    return judge(claim, value, time.perf_counter() - start)


@dataclass
class Run:
    """The results of a run; ``interrupted`` when Ctrl-C stopped it (the claims done so far are kept)."""

    results: list[ClaimResult]
    interrupted: bool = False

    @property
    def passed(self) -> bool:
        return not self.interrupted and all(r.passed for r in self.results)


def run_claims(claims: Iterable[Claim], progress: bool = False) -> Run:
    """Check every claim in order, with a progress bar on stderr if ``progress``; Ctrl-C stops after
    the claim in flight and returns what is done."""
    from ..progress import progress as bar

    claims = list(claims)
    results: list[ClaimResult] = []
    items = bar(claims, desc="claims", disable=not progress)
    try:
        for claim in items:
            if progress:
                items.set_postfix_str(claim.id, refresh=False)
            results.append(check(claim))
    except KeyboardInterrupt:
        return Run(results, interrupted=True)
    return Run(results)
