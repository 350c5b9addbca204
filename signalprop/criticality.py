"""Critical initializations: (σ_w², σ_b²) on the edge of chaos, with q*, χ_1 and the depth scales
(Schoenholz et al. 2017; Hayou et al. 2019). Variances everywhere, standard parameterization."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .laws import Origin, layer_law
from .maps import (TANGENT_RTOL, NoCriticalPointError, OrderedLimit, _require_continuous, chi1, critical_sigma_w2, depth_scale,
                   eoc_parameters, is_tangent, length_map, length_map_slope, ordered_limit)
from .universality import universality_class

CONVENTION = (
    "standard parameterization: W_ij ~ N(0, sigma_w2/N), b_i ~ N(0, sigma_b2); variances, not standard "
    "deviations; q* is the fixed point of q -> sigma_w2 M(q) + sigma_b2, M(q) = E[phi(sqrt(q) z)^2] for one activation, "
    "E[phi(u)^2] E[psi(v)^2] for a gated unit phi(u) psi(v) (u, v independent, each with the weights and biases above), "
    "per output unit for a group activation (maxmin, householder: q; maxout: q E[max of k standard normals^2])"
)


@dataclass(frozen=True)
class CriticalInit:
    """A point of the edge of chaos: χ_1(q*) = 1 at the fixed point q* of the length map.

    ξ_c is infinite there (χ_c = χ_1 = 1); ξ_q = −1/ln|V'(q*)| is finite when |V'(q*)| < 1 (for
    V'(q*) < 0 the lengths approach q* alternating around it). ``length_map_slope`` is V'(q*) and ``stable``
    whether q* attracts (|V'(q*)| < 1, not tangent; at q* = 0 with σ_b² = 0, V'(0) = 1, whether small lengths
    decay to it: the K* = 0 class, polynomially): a repelling q* is not an initialization deep networks reach.
    ``saddle_node`` is where the stable fixed point at this σ_b² vanishes as σ_w² grows (lengths diverge beyond),
    when it does; ``ordered_limit`` is that point when χ_1 ≤ 1 there: the ordered phase ends in divergence before
    its fixed point reaches χ_1 = 1 (gated units such as SwiGLU; swish and GELU at small σ_b²)."""

    sigma_w2: float
    sigma_b2: float
    q_star: float
    chi1: float
    xi_q: float
    xi_c: float
    length_map_slope: float = math.nan
    stable: bool = False
    saddle_node: OrderedLimit | None = None
    convention: str = CONVENTION
    note: str = ""

    @property
    def ordered_limit(self) -> OrderedLimit | None:
        return self.saddle_node if self.saddle_node is not None and self.saddle_node.chi1 <= 1 + TANGENT_RTOL else None

    def as_dict(self) -> dict:
        d = asdict(self)
        for key in ("xi_q", "xi_c", "length_map_slope"):
            d[key] = d[key] if math.isfinite(d[key]) else None
        d["ordered_limit"] = None if self.ordered_limit is None else self.ordered_limit.as_dict()
        return d


def _critical_at_zero(act, cls, origin: Origin) -> CriticalInit:
    """σ_b² = 0 with φ(0) = 0: the edge of chaos ends at q* = 0, σ_w² = 2/(φ'(0−)² + φ'(0+)²)
    (Roberts–Yaida–Hanin K* = 0 analysis; a layer law: σ_w² = 1/lim G, and when lim M/q differs, as for maxout with
    k ≥ 3, q* = 0 attracts or repels geometrically at V'(0) = σ_w² lim M/q). In the K* = 0 class (a1 < 0) q* = 0 attracts, with
    q^l ~ 1/(−a1 l); with a1 ≥ 0 (swish, GELU) it is half-stable and q^l > 0 drifts away. For φ kinked
    at 0 (a breakpoint: no a1) the side is read off V(q) − q at q = 1e-6."""
    w2 = 1.0 / origin.gradient
    if cls.name == "K*=0":
        note = f"K* = 0 universality class (a1 = {cls.a1} < 0): critical at q* = 0, approached as q^l ~ 1/(-a1 l)"
    elif cls.a1 is not None:
        note = (f"half-stable: a1 = {cls.a1} >= 0, so q^l > 0 drifts away from q* = 0 (not in the K* = 0 class); "
                "its critical points with q* > 0 need sigma_b2 > 0 (see nonzero_critical_points)")
    else:
        q = 1e-6
        side = "attracts" if float(length_map(act, q, w2, 0.0)) < q else "repels"
        note = f"no K* = 0 expansion ({cls.reason}); q* = 0 {side} small q > 0 (V(q) - q at q = 1e-6)"
    slope = w2 * origin.slope  # V'(0): 1 unless M(q)/q and G differ at 0 (maxout with k >= 3)
    if abs(slope - 1.0) > TANGENT_RTOL:
        side = "attracts" if slope < 1 else "repels"
        note = (f"V'(0) = {slope:.6g} != chi_1(0) = 1 (M(q)/q and the gradient moment differ at 0): q* = 0 {side} small "
                f"q > 0 geometrically{', so the lengths grow as the layers go' if slope > 1 else ''}")
        return CriticalInit(w2, 0.0, 0.0, 1.0, depth_scale(slope), math.inf, slope, slope < 1, ordered_limit(act, 0.0),
                            note=note)
    attracts = cls.name == "K*=0" or (cls.a1 is None and side == "attracts")
    return CriticalInit(w2, 0.0, 0.0, 1.0, math.inf, math.inf, 1.0, attracts, ordered_limit(act, 0.0), note=note)


def critical_init(act, sigma_b2: float | None = None, q_star: float | None = None) -> CriticalInit:
    """The critical initialization of ``act`` at a given σ_b² (default 0) or a given q*.

    Raises NoCriticalPointError when there is none: a discontinuous φ (χ_1 = ∞ everywhere), a σ_b² the
    edge of chaos does not reach, a q* that would need σ_b² < 0 or σ_w² = ∞."""
    if sigma_b2 is not None and q_star is not None:
        raise ValueError("give sigma_b2 or q_star, not both")
    _require_continuous(act)
    if q_star is not None:
        if not (math.isfinite(q_star) and q_star > 0):
            raise ValueError(f"q_star must be a finite number > 0, got {q_star}")
        w2, b2 = eoc_parameters(act, q_star)
        if not math.isfinite(w2):
            raise NoCriticalPointError(
                f"no critical point of {act.label} has q* = {q_star}: E[phi'(sqrt(q*) z)^2] is 0 in double precision, "
                "so sigma_w2 = 1/E[phi'^2] would be infinite")
        if b2 < -1e-12 * q_star:
            raise NoCriticalPointError(
                f"no critical point of {act.label} has q* = {q_star}: it would need sigma_b2 = {b2:.6g} < 0"
            )
        b2, note = max(b2, 0.0), ""
    else:
        b2 = 0.0 if sigma_b2 is None else float(sigma_b2)
        if not (math.isfinite(b2) and b2 >= 0):
            raise ValueError(f"sigma_b2 must be a finite number >= 0 (a bias variance), got {b2}")
        cls = universality_class(act)
        if cls.name == "scale-invariant":  # σ_b² ≡ 0 along the whole edge of chaos
            if b2 > 0:
                raise NoCriticalPointError(
                    f"the edge of chaos of {act.label} is the single point sigma_b2 = 0, "
                    f"sigma_w2 = {cls.C_W:.12g} (scale invariant: {cls.reason})"
                )
            return CriticalInit(cls.C_W, 0.0, 0.0, 1.0, math.inf, math.inf, 1.0, False,
                                note="ReLU-like: critical for every q* (V(q) = q: marginal, lengths stay where they start)")
        origin = layer_law(act).origin()
        if b2 == 0.0 and origin.zero and origin.gradient > 0:
            return _critical_at_zero(act, cls, origin)
        w2, q_star = critical_sigma_w2(act, b2)
        note = ""
    chi = float(chi1(act, q_star, w2))
    slope = float(length_map_slope(act, q_star, w2))
    limit = ordered_limit(act, b2)
    if is_tangent(slope):
        note = (f"q* is a tangent (half-stable) fixed point of the length map (V'(q*) = {slope:.12g}, 1 within "
                f"{TANGENT_RTOL:g}): lengths approach it from one side only, polynomially, so xi_q is infinite "
                "(Price et al. 2024 for shifted ReLUs; a saddle-node of the length map: larger sigma_w2 diverges)")
        return CriticalInit(w2, b2, q_star, chi, math.inf, math.inf, slope, False, limit, note=note)
    if slope > 1.0:
        note = (f"q* is an unstable fixed point of the length map (V'(q*) = {slope:.6g} > 1): "
                "lengths drift away from it, so xi_q is undefined")
        if limit is not None and limit.chi1 < 1:
            note += (f"; the stable fixed point below it has chi_1 < 1 and vanishes at sigma_w2 = {limit.sigma_w2:.10g} "
                     f"(q* = {limit.q_star:.6g}, chi_1 = {limit.chi1:.6g}): the ordered phase ends there, beyond it the "
                     "lengths diverge (ordered_limit)")
    elif slope < 0.0:
        note = f"V'(q*) = {slope:.6g} < 0: lengths approach q* alternating around it, at the rate |V'(q*)| per layer"
    return CriticalInit(w2, b2, q_star, chi, depth_scale(slope), math.inf, slope, abs(slope) < 1, limit, note=note)
