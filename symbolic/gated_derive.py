"""What holds for a gated unit g(u, v) = φ(u)·ψ(v), derived from its two components' derivations.

* smoothness: g is C^k on R² with k the smaller of the two orders (a product of C^k functions of separate variables;
  a jump of either component is a jump of g across a line).
* Lipschitz: ∇g = (φ'(u)ψ(v), φ(u)ψ'(v)). If ψ is unbounded and φ is not constant, |∂g/∂u| is unbounded (take u with
  φ'(u) ≠ 0 and v → ±∞), so g is not globally Lipschitz; the same with the roles swapped. If both are bounded and
  Lipschitz, |∇g| ≤ √(L_φ² ‖ψ‖∞² + ‖φ‖∞² L_ψ²) (a bound, attained when the suprema are reached together). On bounded
  sets g is Lipschitz when both components are (continuous with a locally bounded derivative).
* sign: g ≥ 0 everywhere iff φ, ψ ≥ 0 (or both ≤ 0); otherwise g takes both signs.
* homogeneity: g(λu, λv) = λ^(a+b) g(u, v) for λ > 0 when φ, ψ are positively homogeneous of degrees a, b (a
  component is, here, when its breakpoints lie in {0} and every piece is c·x^a).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .functions import X


def homogeneity_degree(act) -> int | None:
    """a with φ(λx) = λ^a φ(x) for λ > 0, read off the analytic pieces (breakpoints ⊂ {0}, pieces c·x^a); None if
    φ is not of that form (or is identically 0)."""
    form = act.form
    if any(b != 0 for b in form.breakpoints):
        return None
    degrees = set()
    for piece in form.pieces:
        piece = sp.expand(piece.subs({s: X for s in piece.free_symbols}))
        if piece == 0:
            continue
        if not piece.is_polynomial(X) or len(sp.Poly(piece, X).terms()) != 1:
            return None
        degrees.add(sp.Poly(piece, X).degree())
    return degrees.pop() if len(degrees) == 1 else None


def _order(d) -> float:
    """Smoothness order: inf for C^∞, −1 for discontinuous, else k."""
    return math.inf if d.smoothness_order is None else d.smoothness_order


def _locally_lipschitz(d) -> bool:
    return d.lipschitz is not None or _order(d) >= 1


def _constant(d) -> bool:
    return d.monotone_direction == "constant"


def _sup_abs(d) -> float:
    return max(abs(d.range_inf.value), abs(d.range_sup.value))


@dataclass(frozen=True)
class GatedDerivation:
    """The derivations of the gate φ and the value ψ, and what follows for g = φ(u)·ψ(v) (module docstring)."""

    unit: object
    gate: object
    value: object

    @property
    def smoothness(self) -> str:
        k = min(_order(self.gate), _order(self.value))
        return "Cinf" if k == math.inf else ("discontinuous" if k < 0 else f"C{int(k)}")

    def lipschitz(self) -> dict:
        g, v = self.gate, self.value
        for const, other, role in ((g, v, "gate"), (v, g, "value")):
            if _constant(const):  # g = c · (the other component): Lipschitz iff that one is, with |c| times its constant
                scale = abs(const.range_sup.value)
                lipschitz = None if other.lipschitz is None else scale * other.lipschitz
                return {"global": lipschitz is not None, "constant": lipschitz, "on_bounded_sets": _locally_lipschitz(other),
                        "reason": f"the {role} is the constant {scale:g}: g is that constant times the other component"}
        for a, b, da, db in (("phi", "psi", g, v), ("psi", "phi", v, g)):
            if not db.bounded and not _constant(da):
                return {"global": False, "constant": None, "on_bounded_sets": _locally_lipschitz(g) and _locally_lipschitz(v),
                        "reason": f"{b} is unbounded and {a} is not constant: |d g/d {'u' if a == 'phi' else 'v'}| is unbounded"}
        if g.lipschitz is None or v.lipschitz is None:
            return {"global": False, "constant": None, "on_bounded_sets": _locally_lipschitz(g) and _locally_lipschitz(v),
                    "reason": "a component is not globally Lipschitz"}
        bound = math.sqrt((g.lipschitz * _sup_abs(v)) ** 2 + (_sup_abs(g) * v.lipschitz) ** 2)
        return {"global": True, "constant": bound, "on_bounded_sets": True,
                "reason": "both components bounded and Lipschitz: |grad g| <= sqrt(L_phi^2 sup|psi|^2 + sup|phi|^2 L_psi^2) "
                          "(an upper bound)"}

    @property
    def sign(self) -> str:
        nonneg = [d.range_inf.value >= 0 for d in (self.gate, self.value)]
        nonpos = [d.range_sup.value <= 0 for d in (self.gate, self.value)]
        if all(nonneg) or all(nonpos):
            return "g >= 0 everywhere"
        if (nonneg[0] and nonpos[1]) or (nonpos[0] and nonneg[1]):
            return "g <= 0 everywhere"
        return "g takes both signs"

    @property
    def homogeneity_degree(self) -> int | None:
        a, b = homogeneity_degree(self.unit.gate), homogeneity_degree(self.unit.value)
        return None if a is None or b is None else a + b

    def as_dict(self) -> dict:
        u = self.unit
        return {"name": u.name, "label": u.label, "kind": "gated", "formula": u.formula, "source": u.source,
                "gate": self.gate.as_dict(), "value": self.value.as_dict(), "smoothness": self.smoothness,
                "lipschitz": self.lipschitz(), "sign": self.sign, "homogeneity_degree": self.homogeneity_degree,
                "mean_field": "M(q) = E[phi(u)^2] E[psi(v)^2], u, v independent N(0, q); dual K_phi K_psi; "
                              "chi_1 = sigma_w2 (E[phi'^2] E[psi^2] + E[phi^2] E[psi'^2])"}

    def __str__(self) -> str:
        u, lip = self.unit, self.lipschitz()
        degree = self.homogeneity_degree
        lines = [f"{u.name}  [gated unit g(u, v) = phi(u) psi(v); u, v independent pre-activations]",
                 f"  g(u, v)     = {u.formula}",
                 f"  source      : {u.source or '-'}",
                 f"  smoothness  : {self.smoothness} on R^2",
                 "  Lipschitz   : " + (f"yes, <= {lip['constant']:.6g}" if lip["global"] else "not globally")
                 + f" ({lip['reason']}); on bounded sets: {'yes' if lip['on_bounded_sets'] else 'no'}",
                 f"  sign        : {self.sign}",
                 "  homogeneous : " + (f"degree {degree} (g(lu, lv) = l^{degree} g(u, v), l > 0)" if degree is not None else "no"),
                 "  mean field  : M(q) = E[phi^2] E[psi^2]; chi_1 = sigma_w2 (E[phi'^2] E[psi^2] + E[phi^2] E[psi'^2])",
                 "", "gate phi:", str(self.gate), "", "value psi:", str(self.value)]
        return "\n".join(lines)


@lru_cache(maxsize=64)
def derive_gated(unit) -> GatedDerivation:
    return GatedDerivation(unit, unit.gate.derive(), unit.value.derive())
