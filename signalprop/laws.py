"""Layer laws: what one layer does to second moments at infinite width, the one abstraction the maps consume.

A layer maps pre-activations of variance q (correlation c between two inputs) to outputs whose per-unit second
moments are all that mean-field theory needs (variances, standard parameterization; z ~ N(0, 1)):

  M(q)            = E[g²]                                 (length map V = σ_w² M + σ_b²; E[g⁴] too, for 1/N theory)
  M'(q)                                                   (slope of the length map, over σ_w²)
  G(q)            = Σ_b E[(∂g/∂u_b)²]                     (χ_1 = σ_w² G; the sum runs over the unit's inputs)
  K(q1, q2, c)    = E[g(x1) g(x2)]                        (dual: NNGP layer map, correlation map)
  K̇(q1, q2, c)    = Σ_b E[∂_b g(x1) ∂_b g(x2)]            (χ_c = σ_w² K̇; the NTK's derivative kernel)

* ``Pointwise`` (one activation φ, g = φ(u)): M = E[φ(√q z)²], M' by Stein's lemma
  (E[(z² − 1) φ(√q z)²]/(2q): exact for kinked φ), G = E[φ'²], K and K̇ from the exact bivariate engine, with the
  Dirac terms of a discontinuous φ (``correlation`` docstring).
* ``MixtureLaw`` (each unit draws its law once, with probabilities p_i): every quantity above is linear in the
  single-unit law, so it is Σ p_i (component's), never the map of an averaged function.
* ``GatedLaw`` (g = φ(u)·ψ(v), u and v independent with the same variance and correlation: two weight matrices
  and biases with the same σ_w², σ_b²): M = M_φ M_ψ, M' = M_φ' M_ψ + M_φ M_ψ', G = G_φ M_ψ + M_φ G_ψ,
  K = K_φ K_ψ, K̇ = K̇_φ K_ψ + K_φ K̇_ψ (both branches' weights feed the NTK).
* ``GroupLaw`` (groupsort, householder, maxout: a function of k iid pre-activations; per output unit): M = m₂ q
  with m₂ = 1 for the norm-preserving groupsort and householder and m₂ = M_k = E[(max of k standard normals)²] for
  maxout; G = 1 (the Jacobian is a permutation, a reflection, or one-hot); for pairs (k = 2, every kind) the dual
  is K = k/2 + (√(q1 q2)/π)(√(1 − c²) + c arcsin c) with k = c√(q1 q2) the covariance, and K̇ = 1/2 + arcsin(c)/π:
  with s = (a + b)/√2, d = (a − b)/√2, MaxMin gives max·max' + min·min' = s s' + |d||d'|, E|d||d'| is the
  arc-cosine kernel of |x|; householder is (|z₁|, z₂) after rotating v to e₁ (the pair's law is rotation invariant,
  so v does not matter); maxout's E[max max'] equals MaxMin's average (E[min min'] = E[max max'] by u → −u).
  Larger groups (maxout with k ≥ 3 pieces, groupsort with k ≥ 3): K = √(q1 q2) κ(c), K̇ = κ̇(c) from 2-D integrals
  (``group_duals``: the argmax / rank-coincidence probability, integrated in c by Price's theorem).

``layer_law(x)`` turns an Activation, a Mixture, a GatedUnit, a GroupUnit or a law into its law; the maps call it
once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from functools import lru_cache

from symbolic import Activation, GatedUnit, GroupUnit, disk_cache
from symbolic.derive import at_origin, value_jumps

from .bivariate import bivariate_moment
from .gaussian import gaussian_moment, growth_rates, integrate_gaussian
from .group_duals import group_dual
from .mixing import Mixture


class UnsupportedLayerError(ValueError):
    """A computation that does not handle this kind of layer (yet); the message says which and what works."""


def require_elementwise(act, what: str) -> None:
    """Raise UnsupportedLayerError unless ``act`` is an element-wise activation or a mixture of them."""
    parts = act.components() if isinstance(act, Mixture) else [(act, 1.0)]
    if any(isinstance(a, (GatedUnit, GroupUnit)) for a, _ in parts):
        kind = "gated" if any(isinstance(a, GatedUnit) for a, _ in parts) else "group"
        raise UnsupportedLayerError(
            f"{what} is not available for {kind} units yet ({act.label}); critical, maps and show handle them (README: "
            "layer laws)")


@dataclass(frozen=True)
class Origin:
    """M near q = 0: ``m0`` = M(0) and, when m0 = 0, ``slope`` = lim M(q)/q (V'(0)/σ_w²) and ``gradient`` = lim G(q)
    (χ_1(0)/σ_w²) at the fixed point q* = 0 of σ_b² = 0; equal for element-wise and gated units, not for maxout."""

    m0: float
    slope: float
    gradient: float

    @property
    def zero(self) -> bool:
        return self.m0 == 0.0


def _scalar_like(q, out, *more):
    """``out`` as given when any of q, *more is an array, else as a float."""
    return out if any(np.ndim(v) for v in (q, *more)) else float(np.asarray(out).reshape(-1)[0])


class Pointwise:
    """The law of one element-wise activation φ."""

    def __init__(self, act: Activation):
        self.act = act

    name = property(lambda self: self.act.name)
    label = property(lambda self: self.act.label)

    def jumps(self) -> list[tuple[float, float]]:
        """(position, size) of the jumps of φ (each puts a Dirac term into φ')."""
        return [(float(sp.N(j.at)), float(sp.N(j.value))) for j in value_jumps(self.act)]

    def second_moment(self, q):
        return gaussian_moment(self.act, q, k=0, p=2)

    def fourth_moment(self, q):
        """E[g⁴] (the finite-width four-point vertex needs Var(g²) = E[g⁴] − M²)."""
        return gaussian_moment(self.act, q, k=0, p=4)

    def second_moment_slope(self, q):
        """M'(q) = E[(z² − 1) φ(√q z)²]/(2q) (Stein's lemma; no derivative of φ needed)."""
        qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
        f, act = self.act.numpy(0), self.act
        rn, rp = growth_rates(act, 2)
        vals = integrate_gaussian(lambda x: f(x) ** 2, qs, 0.0, act.breakpoints, rn, rp, z_poly=lambda z: z * z - 1.0)
        return _scalar_like(q, vals / (2.0 * qs))

    def gradient_moment(self, q):
        """E[φ'(√q z)²] (+inf for a discontinuous φ)."""
        if self.jumps():
            return np.full(np.shape(q), math.inf) if np.ndim(q) else math.inf
        return gaussian_moment(self.act, q, k=1, p=2)

    def dual(self, q1, q2, c):
        """E[φ(u1) φ(u2)]; where c = 1 and q1 = q2 it is the 1-D E[φ(u)²] (graded at singular ends)."""
        q1b, q2b, cb = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (q1, q2, c)))
        same = (cb == 1.0) & (q1b == q2b)
        if not same.any():
            return bivariate_moment(self.act, q1, q2, c)
        out = np.empty(cb.shape)
        out[same] = gaussian_moment(self.act, q1b[same], k=0, p=2)
        if (~same).any():
            out[~same] = bivariate_moment(self.act, q1b[~same], q2b[~same], cb[~same])
        return _scalar_like(c, out, q1, q2)

    def dual_derivative(self, q1, q2, c):
        """E[φ'(u1) φ'(u2)], with the Dirac terms of a discontinuous φ for |c| < 1 (+inf at |c| = 1)."""
        q1b, q2b, cb = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (q1, q2, c)))
        inner = np.abs(cb) < 1
        out = np.empty(cb.shape)
        jumps = self.jumps()
        if jumps:
            out[~inner] = math.inf
        elif (~inner).any():  # E[φ'(u)²] where both are one variable: the 1-D moment (graded at singular ends)
            same = ~inner & (cb == 1.0) & (q1b == q2b)
            if same.any():
                out[same] = gaussian_moment(self.act, q1b[same], k=1, p=2)
            rest = ~inner & ~same
            if rest.any():
                out[rest] = bivariate_moment(self.act, q1b[rest], q2b[rest], cb[rest], k=(1, 1))
        if inner.any():
            out[inner] = bivariate_moment(self.act, q1b[inner], q2b[inner], cb[inner], k=(1, 1))
            if jumps:
                out[inner] += self._dirac_terms(q1b[inner], q2b[inner], cb[inner], jumps)
        return _scalar_like(c, out, q1, q2)

    def _dirac_terms(self, q1: np.ndarray, q2: np.ndarray, c: np.ndarray, jumps) -> np.ndarray:
        """The δ parts of E[φ'(u1) φ'(u2)] (|c| < 1, one common variance): J_b E[δ(u1 − b) φ'(u2)] twice (mirror
        terms) and J_b J_b' p(b, b') (the bivariate density)."""
        q = float(q1.flat[0])
        if np.any(q1 != q) or np.any(q2 != q):
            raise ValueError("the Dirac terms of a discontinuous activation are implemented for one common variance only")
        act = self.act
        d1 = act.numpy(1)
        rn, rp = growth_rates(act, 1)
        s2 = q * (1 - c * c)
        out = np.zeros_like(c)
        for b, jb in jumps:
            density = math.exp(-b * b / (2 * q)) / math.sqrt(2 * math.pi * q)
            cond = np.array([integrate_gaussian(d1, float(v), float(cc * b), act.breakpoints, rn, rp) for v, cc in zip(s2, c)])
            out += 2 * jb * density * cond
            for b2, jb2 in jumps:
                quad = (b * b - 2 * c * b * b2 + b2 * b2) / (2 * q * (1 - c * c))
                out += jb * jb2 * np.exp(-quad) / (2 * math.pi * q * np.sqrt(1 - c * c))
        return out

    def origin(self) -> Origin:
        """M(0) = φ(0)² and, when φ(0) = 0, lim M(q)/q = (φ'(0−)² + φ'(0+)²)/2."""
        phi0, left, right = _origin_values(self.act)
        slope = (left**2 + right**2) / 2
        return Origin(phi0**2, slope, slope)


@lru_cache(maxsize=256)
def _origin_values(act: Activation) -> tuple[float, float, float]:
    """(φ(0), φ'(0−), φ'(0+)) as floats (``symbolic.derive.at_origin``), kept in the persistent cache: a warm phase
    diagram then needs no symbolic derivative."""
    def build() -> dict[str, np.ndarray]:
        phi0, sides = at_origin(act)
        return {"values": np.array([float(phi0), *(float(v) for v in sides)])}

    def restore(arrays) -> tuple[float, float, float]:
        values = disk_cache.checked(arrays, "values", 1, finite=False)
        if values.shape != (3,) or np.isnan(values).any():
            raise ValueError("origin values must be three numbers")
        return tuple(float(v) for v in values)

    return disk_cache.cached("origin", disk_cache.expression_key(act), build, restore)


class MixtureLaw:
    """Σ p_i (law of component i): a quenched mixture (``signalprop.mixing``)."""

    def __init__(self, laws: list, weights: list[float], name: str, label: str):
        self.laws, self.weights, self.name, self.label = laws, weights, name, label

    def _sum(self, method: str, *args):
        return sum(w * np.asarray(getattr(law, method)(*args)) for law, w in zip(self.laws, self.weights))

    def jumps(self):
        return [j for law in self.laws for j in law.jumps()]

    def second_moment(self, q):
        return _scalar_like(q, self._sum("second_moment", q))

    def fourth_moment(self, q):
        return _scalar_like(q, self._sum("fourth_moment", q))

    def second_moment_slope(self, q):
        return _scalar_like(q, self._sum("second_moment_slope", q))

    def gradient_moment(self, q):
        return _scalar_like(q, self._sum("gradient_moment", q))

    def dual(self, q1, q2, c):
        return _scalar_like(c, self._sum("dual", q1, q2, c), q1, q2)

    def dual_derivative(self, q1, q2, c):
        return _scalar_like(c, self._sum("dual_derivative", q1, q2, c), q1, q2)

    def origin(self) -> Origin:
        parts = [law.origin() for law in self.laws]
        return Origin(*(sum(w * getattr(o, f) for o, w in zip(parts, self.weights)) for f in ("m0", "slope", "gradient")))


class GatedLaw:
    """g = φ(u)·ψ(v) with u, v independent (module docstring): products of the two branches' laws."""

    def __init__(self, unit: GatedUnit):
        self.unit = unit
        self.gate, self.value = Pointwise(unit.gate), Pointwise(unit.value)

    name = property(lambda self: self.unit.name)
    label = property(lambda self: self.unit.label)

    def jumps(self):
        return self.gate.jumps() + self.value.jumps()

    def second_moment(self, q):
        return _scalar_like(q, np.asarray(self.gate.second_moment(q)) * self.value.second_moment(q))

    def fourth_moment(self, q):
        return _scalar_like(q, np.asarray(self.gate.fourth_moment(q)) * self.value.fourth_moment(q))

    def second_moment_slope(self, q):
        a, b = np.asarray(self.gate.second_moment(q)), np.asarray(self.value.second_moment(q))
        da, db = np.asarray(self.gate.second_moment_slope(q)), np.asarray(self.value.second_moment_slope(q))
        return _scalar_like(q, da * b + a * db)

    def gradient_moment(self, q):
        a, b = np.asarray(self.gate.second_moment(q)), np.asarray(self.value.second_moment(q))
        ga, gb = np.asarray(self.gate.gradient_moment(q)), np.asarray(self.value.gradient_moment(q))
        return _scalar_like(q, ga * b + a * gb)

    def dual(self, q1, q2, c):
        return _scalar_like(c, np.asarray(self.gate.dual(q1, q2, c)) * self.value.dual(q1, q2, c), q1, q2)

    def dual_derivative(self, q1, q2, c):
        ka, kb = np.asarray(self.gate.dual(q1, q2, c)), np.asarray(self.value.dual(q1, q2, c))
        da, db = np.asarray(self.gate.dual_derivative(q1, q2, c)), np.asarray(self.value.dual_derivative(q1, q2, c))
        return _scalar_like(c, da * kb + ka * db, q1, q2)

    def origin(self) -> Origin:
        """M(0) = φ(0)²ψ(0)²; when it is 0, M(q)/q → φ(0)² s_ψ + ψ(0)² s_φ (s the components' slopes at 0: one of
        φ(0), ψ(0) is 0, and M = (φ(0)² + O(q))(s_ψ q + O(q²)) when it is ψ(0))."""
        a, b = self.gate.origin(), self.value.origin()
        return Origin(a.m0 * b.m0, a.m0 * b.slope + b.m0 * a.slope, a.m0 * b.gradient + b.m0 * a.gradient)


def max_moment(k: int, p: int) -> float:
    """E[(max of k iid standard normals)^p] = ∫ x^p k φ(x) Φ(x)^{k−1} dx (scipy quad, split at 0; ~1e-14)."""
    from scipy.integrate import quad
    from scipy.stats import norm

    def f(x):
        return x**p * k * norm.pdf(x) * norm.cdf(x) ** (k - 1)

    return float(sum(quad(f, a, b, epsabs=0, epsrel=2e-14, limit=200)[0] for a, b in ((-40, 0), (0, 40))))


class GroupLaw:
    """Groupsort, householder and maxout (module docstring), per output unit."""

    def __init__(self, unit: GroupUnit):
        self.unit = unit
        # groupsort/householder and maxout with k = 2 (max² + min² = a² + b², E[max^p] = E[min^p] for even p): the
        # moments of one standard normal, 1 and 3; maxout with k >= 3: those of the largest of k
        moments = unit.kind == "maxout" and unit.k > 2
        self.m2 = max_moment(unit.k, 2) if moments else 1.0
        self.m4 = max_moment(unit.k, 4) if moments else 3.0

    name = property(lambda self: self.unit.name)
    label = property(lambda self: self.unit.label)

    def jumps(self):
        return []

    def second_moment(self, q):
        return _scalar_like(q, self.m2 * np.asarray(q, dtype=np.float64))

    def fourth_moment(self, q):
        return _scalar_like(q, self.m4 * np.asarray(q, dtype=np.float64) ** 2)

    def second_moment_slope(self, q):
        return _scalar_like(q, np.full(np.shape(q), self.m2))

    def gradient_moment(self, q):
        return _scalar_like(q, np.ones(np.shape(q)))

    def _unit_dual(self):
        """κ, κ̇ of groups larger than pairs (``group_duals``), or refuse sizes beyond its range."""
        try:
            return group_dual(self.unit.kind, self.unit.k, self.m2)
        except ValueError as err:
            raise UnsupportedLayerError(f"the dual kernel of {self.unit.label}: {err}") from None

    def dual(self, q1, q2, c):
        """K(q1, q2, c) = √(q1 q2) κ(c): the pair closed form for k = 2, ``group_duals`` for larger groups; the
        diagonal K(q, q, 1) = m₂ q exactly."""
        q1b, q2b, cb = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (q1, q2, c)))
        if np.all(cb == 1.0) and np.array_equal(q1b, q2b):  # one input: a length, no correlation needed
            return _scalar_like(c, self.m2 * q1b, q1, q2)
        cb = np.clip(cb, -1.0, 1.0)
        kappa = (cb / 2 + (np.sqrt(1 - cb * cb) + cb * np.arcsin(cb)) / np.pi if self.unit.k == 2
                 else self._unit_dual().value(cb))
        return _scalar_like(c, np.sqrt(q1b * q2b) * kappa, q1, q2)

    def dual_derivative(self, q1, q2, c):
        """K̇ = κ̇(c) (degree 0): 1/2 + arcsin(c)/π for pairs, ``group_duals`` for larger groups."""
        _, _, cb = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (q1, q2, c)))
        cb = np.clip(cb, -1.0, 1.0)
        return _scalar_like(c, 0.5 + np.arcsin(cb) / np.pi if self.unit.k == 2 else self._unit_dual().derivative(cb),
                            q1, q2)

    def origin(self) -> Origin:
        return Origin(0.0, self.m2, 1.0)


Law = Pointwise | MixtureLaw | GatedLaw | GroupLaw


def layer_law(x) -> Law:
    """The law of an Activation, a Mixture (of activations or units), a GatedUnit or a GroupUnit; a law as is."""
    if isinstance(x, (Pointwise, MixtureLaw, GatedLaw, GroupLaw)):
        return x
    if isinstance(x, Activation):
        return Pointwise(x)
    if isinstance(x, GatedUnit):
        return GatedLaw(x)
    if isinstance(x, GroupUnit):
        return _group_law(x)
    if isinstance(x, Mixture):
        parts = x.components()
        if any(getattr(a, "group", 1) > 1 for a, _ in parts):
            raise UnsupportedLayerError(f"{x.label}: groupsort and householder act on groups of units of one layer, so a "
                                        "quenched per-unit mixture cannot hold them")
        return MixtureLaw([layer_law(a) for a, _ in parts], [w for _, w in parts], x.name, x.label)
    raise TypeError(f"no layer law for {type(x).__name__}: give an Activation, a Mixture or a GatedUnit")


@lru_cache(maxsize=64)
def _group_law(unit: GroupUnit) -> GroupLaw:
    return GroupLaw(unit)  # cached: maxout's M_k and E[max⁴] are quadratures
