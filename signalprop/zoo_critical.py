"""The critical initialization of one activation at several bias variances, as table rows that say
why where there is none: the row the zoo-wide table (``acttheory zoo --critical``) holds per activation.

Each σ_b² gives one of
  critical   — χ_1(q*) = 1 at an attracting fixed point q* (|V'(q*)| < 1): the initialization to use;
  unstable   — χ_1 = 1 at a fixed point the lengths drift away from (V'(q*) > 1, e.g. swish and GELU at
               small σ_b², Roberts, Yaida & Hanin 2022 §5.3.4), with the ordered limit when there is one;
  tangent    — a half-stable q* (V'(q*) = 1: Price et al. 2024 for shifted ReLUs);
  marginal   — q* = 0 at σ_b² = 0 (the K* = 0 class): critical, lengths decay polynomially;
  continuum  — scale invariant (ReLU-like): critical for every q*, at σ_b² = 0 only;
  none       — no point of the edge of chaos at this σ_b² (discontinuous φ: χ_1 = ∞; a σ_b² the curve
               does not reach; a continuum that exists only at σ_b² = 0);
  divergent  — the Gaussian moments diverge, or leave float64 range, at the critical point itself (the curve
               search skips the q* where they do);
  failed     — the quadrature could not certify the moments (the reason is given).
All values are ``critical_init``'s (Poole et al. 2016, Schoenholz et al. 2017; conventions in FORMULAS.md).
"""

from __future__ import annotations

import math

from .criticality import critical_init
from .gaussian import DivergentExpectationError
from .maps import NoCriticalPointError
from .quadrature import QuadratureError

STATUSES = ("critical", "unstable", "tangent", "marginal", "continuum", "none", "divergent", "failed")
FIELDS = ("sigma_w2", "q_star", "chi1", "length_map_slope", "xi_q")


def _status(result) -> str:
    if result.note.startswith("ReLU-like"):
        return "continuum"
    if "tangent" in result.note:
        return "tangent"
    if result.q_star == 0.0:
        return "marginal"
    return "critical" if result.stable else "unstable"


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def critical_row(act, sigma_b2s: tuple[float, ...]) -> list[dict]:
    """One entry per σ_b² in ``sigma_b2s``: ``status`` (one of STATUSES), the critical σ_w², q*, χ_1,
    V'(q*), ξ_q (None where undefined or infinite), the ordered limit's σ_w² when the ordered phase ends
    in divergence first, and ``reason`` (the note or the error's message)."""
    out = []
    for b2 in sigma_b2s:
        entry = {"sigma_b2": float(b2), **dict.fromkeys(FIELDS), "ordered_limit_sigma_w2": None, "reason": ""}
        try:
            result = critical_init(act, sigma_b2=float(b2))
        except NoCriticalPointError as err:
            entry.update(status="none", reason=str(err))
        except DivergentExpectationError as err:
            entry.update(status="divergent", reason=str(err))
        except QuadratureError as err:
            entry.update(status="failed", reason=str(err))
        else:
            entry.update({k: _finite(getattr(result, k)) for k in FIELDS}, status=_status(result), reason=result.note)
            if result.ordered_limit is not None:
                entry["ordered_limit_sigma_w2"] = float(result.ordered_limit.sigma_w2)
        out.append(entry)
    return out
