"""Everything mean-field theory says about one initialization (σ_w², σ_b²): the fixed point q*
reached from the inputs' variance, c*, χ_1, χ_c, the depth scales and the phase (Schoenholz et al.
2017). Variances, standard parameterization (shared/FORMULAS.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .correlation import c_star, correlation_map_slope, xi_c
from .maps import FixedPoints, chi1, depth_scale, fixed_points, length_map

CRITICAL_BAND = 1e-9  # |χ_1 − 1| below this is reported as critical


@dataclass(frozen=True)
class Propagation:
    """Signal propagation at (σ_w², σ_b²) for inputs of variance q0.

    phase: "ordered" (χ_1 < 1: correlations → 1), "chaotic" (χ_1 > 1: c → c* < 1), "critical"
    (χ_1 = 1), or "unbounded" (no stable q* attracts q0: the variance grows without bound).
    ξ_q = −1/ln|V'(q*)| (V'(q*) < 0: lengths alternate around q*); ξ_c = −1/ln χ_c(c*); ξ_∇ = −1/ln χ_1
    (gradient depth scale, Schoenholz et al. eq. 11: ordered phase only; in the chaotic phase gradients
    explode at rate χ_1 per layer)."""

    sigma_w2: float
    sigma_b2: float
    q0: float
    q_star: float | None
    c_star: float | None
    chi1: float | None
    chi_c: float | None
    xi_q: float | None
    xi_c: float | None
    xi_grad: float | None
    phase: str
    fixed_points: FixedPoints

    @property
    def note(self) -> str:
        """Why the phase is "unbounded": no fixed point at all, or q0 beyond the basin of the stable ones."""
        if self.phase != "unbounded":
            return ""
        stable = [p.q_star for p in self.fixed_points.stable]
        if not stable:
            return ("the length map has no stable fixed point here: q^l grows without bound from every input "
                    "(beyond the saddle-node where the ordered phase ends, see `critical`)")
        above = [p.q_star for p in self.fixed_points.points if p.q_star > max(stable)]
        edge = f" below the repelling fixed point {min(above):.6g}" if above else ""
        return (f"q0 = {self.q0:g} lies above the basin of the stable fixed point q* = {max(stable):.6g}: q^l grows without "
                f"bound from it; inputs with q0{edge} reach q*")

    def as_dict(self) -> dict:
        def clean(v):
            return v if v is None or math.isfinite(v) else None

        return {
            "sigma_w2": self.sigma_w2, "sigma_b2": self.sigma_b2, "q0": self.q0,
            "q_star": self.q_star, "c_star": self.c_star, "chi1": clean(self.chi1), "chi_c": clean(self.chi_c),
            "xi_q": clean(self.xi_q), "xi_c": clean(self.xi_c), "xi_grad": clean(self.xi_grad), "phase": self.phase,
            "note": self.note,
            "fixed_points": [{"q_star": p.q_star, "slope": p.slope, "stable": p.stable, "tangent": p.tangent,
                              "alternating": p.alternating} for p in self.fixed_points.points],
            "convention": "variances sigma_w2, sigma_b2 (standard parameterization); null depth scale = infinite",
        }


def attracting_fixed_point(act, fps: FixedPoints, q0: float, sigma_w2: float, sigma_b2: float) -> float | None:
    """The fixed point that q^l = V(q^{l−1}) reaches from q0: the nearest fixed point above q0 if
    V(q0) > q0 (None if there is none: q^l grows without bound), the nearest below if V(q0) < q0; q0
    itself on a continuum of fixed points (ReLU at σ_w² = 2, σ_b² = 0). Exact where V is increasing
    between q0 and that point (iterates move monotonically). Where V decreases (cos, the Gaussian bump)
    the iterates alternate around the fixed point; with a single fixed point that is still the one
    reached, because V'(q*) ≥ −1/2 (``signalprop.maps``) rules out a flip."""
    if fps.continuum:
        return q0
    gap = float(length_map(act, q0, sigma_w2, sigma_b2)) - q0
    pts = sorted(p.q_star for p in fps.points)
    if gap > 0:
        return next((p for p in pts if p > q0), None)
    if gap < 0:
        return max((p for p in pts if p < q0), default=None)
    return q0


def propagation(act, sigma_w2: float, sigma_b2: float, q0: float = 1.0) -> Propagation:
    """Fixed points, χ_1, c*, χ_c, ξ_q, ξ_c, ξ_∇ and the phase at (σ_w², σ_b²) (inputs of variance q0)."""
    if not q0 > 0:
        raise ValueError(f"q0 (the inputs' pre-activation variance) must be > 0, got {q0}")
    fps = fixed_points(act, sigma_w2, sigma_b2)
    q = attracting_fixed_point(act, fps, q0, sigma_w2, sigma_b2)
    if q is None:
        return Propagation(sigma_w2, sigma_b2, q0, None, None, None, None, None, None, None, "unbounded", fps)
    if q == 0.0:  # q* = 0 (σ_b² = 0, φ(0) = 0): the limit q → 0 of χ_1 is σ_w² φ'(0)², c* from the linearized map
        slope = next(p.slope for p in fps.points if p.q_star == 0.0)
        chi = slope
        c = 1.0 if chi <= 1.0 else 0.0
        chic = chi
        xq = depth_scale(slope)
    else:
        chi = float(chi1(act, q, sigma_w2))
        c = c_star(act, sigma_w2, sigma_b2, q, chi if abs(chi - 1.0) > CRITICAL_BAND else 1.0)
        chic = chi if c == 1.0 else float(correlation_map_slope(act, c, sigma_w2, q))
        point = next((p for p in fps.points if p.q_star == q), None)
        xq = point.xi_q if point is not None else math.inf  # q0 on a continuum: V'(q*) = 1
    phase = "critical" if abs(chi - 1.0) <= CRITICAL_BAND else ("ordered" if chi < 1.0 else "chaotic")
    xgrad = depth_scale(chi)  # inf for χ_1 ≥ 1: no gradient depth scale outside the ordered phase
    return Propagation(sigma_w2, sigma_b2, q0, q, c, chi, chic, xq, xi_c(chic), xgrad, phase, fps)
