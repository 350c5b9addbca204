"""What holds for a group activation (``symbolic.group``), derived once for each kind.

* groupsort / householder: the output is a permutation (a reflection) of the group's input, so ‖out‖ = ‖in‖ and
  the Jacobian (a permutation matrix, or I − 2vvᵀ) is orthogonal almost everywhere: norm- and gradient-norm-
  preserving, 1-Lipschitz in ℓ2; continuous (on vᵀz = 0 both branches agree) and piecewise linear (C0).
* maxout: |max u − max u'| ≤ max_i |u_i − u'_i| ≤ ‖u − u'‖₂, so 1-Lipschitz; its gradient is one-hot (norm 1).
* all: positively homogeneous of degree 1 (sorting, reflecting and the max commute with scaling by λ > 0).
* infinite width (k iid N(0, q) pre-activations per group): groupsort/householder preserve the second moment,
  E[g²] = q; maxout has E[g²] = q M_k with M_k = E[max of k standard normals²] (M_2 = 1); every kind has
  Σ_b E[(∂g/∂u_b)²] = 1 per output unit. For pairs (MaxMin, householder with any v, maxout with k = 2) the dual is
  K = k/2 + (√(q1 q2)/π)(√(1 − c²) + c arcsin c) and K̇ = 1/2 + arcsin(c)/π (``signalprop.laws``); larger groups'
  duals are 2-D integrals (``signalprop.group_duals``).
"""

from __future__ import annotations

from dataclasses import dataclass

PROPERTIES = {
    "groupsort": ("norm preserving (a permutation of each group)", "gradient-norm preserving (Jacobian a permutation)"),
    "householder": ("norm preserving (z or its reflection)", "gradient-norm preserving (Jacobian I or I - 2 v v^T)"),
    "maxout": ("not norm preserving (k inputs, one output)", "gradient one-hot: norm 1 per output unit"),
}


@dataclass(frozen=True)
class GroupDerivation:
    unit: object

    def as_dict(self) -> dict:
        u = self.unit
        norm, grad = PROPERTIES[u.kind]
        return {"name": u.name, "label": u.label, "kind": "group", "group_kind": u.kind, "k": u.k,
                "theta": u.theta if u.kind == "householder" else None, "source": u.source,
                "inputs_per_output": u.inputs_per_output, "group": u.group, "smoothness": "C0",
                "lipschitz": {"global": True, "constant": 1.0, "norm": "l2", "reason": "module docstring"},
                "norm": norm, "gradient": grad, "homogeneity_degree": 1, "piecewise_linear": True,
                "mean_field": ("E[g^2] = q" if u.kind != "maxout" else f"E[g^2] = q M_{u.k}") +
                              "; sum_b E[(dg/du_b)^2] = 1 per output unit"}

    def __str__(self) -> str:
        d = self.as_dict()
        where = (f"groups of {d['group']} pre-activations" if self.unit.kind != "maxout"
                 else f"{d['inputs_per_output']} pre-activations per output unit")
        return "\n".join([
            f"{d['label']}  [group activation: {where}]",
            f"  source      : {d['source']}",
            "  smoothness  : C0 (continuous, piecewise linear)",
            "  Lipschitz   : 1 in l2",
            f"  norm        : {d['norm']}",
            f"  gradient    : {d['gradient']}",
            "  homogeneous : degree 1",
            f"  mean field  : {d['mean_field']}",
        ])
