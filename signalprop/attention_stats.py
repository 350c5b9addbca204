"""Statistics of attention weights at initialization: rows of n logits z_j, i.i.d. N(μ, q) (or with a given
covariance), through an attention normalizer p(z) (``symbolic.normalizers``).

* ``sum_sq`` = E[Σ_j p_j²] (1/sum_sq is the effective number of attended tokens),
* ``max_weight`` = E[max_j p_j],
* ``entropy`` = E[−Σ_j p̂_j log p̂_j] of the row normalized to sum 1, p̂ = p/Σp (p itself for softmax and sparsemax;
  a row whose weights are all 0 counts 0),
* ``row_sum`` = E[Σ_j p_j] (1 for softmax and sparsemax).

Route for i.i.d. logits and a ratio form p_j = w(z_j)/(ε + Σ_k v(z_k)) (softmax, Scalable-Softmax, softpick;
element-wise w(z_j)): the Laplace transform 1/A^k = Γ(k)⁻¹ ∫₀^∞ t^{k−1} e^{−tA} dt factors the row into one-logit
expectations, L(t) = E[e^{−t v(z)}]:

  E[Σ p_j²]          = n ∫ t e^{−tε} E[w² e^{−tv}] L(t)^{n−1} dt,
  E[Σ p_j]           = n ∫ e^{−tε} E[w e^{−tv}] L(t)^{n−1} dt,
  E[Σ w_j log A / A] = −n ∫ (log t + γ) e^{−tε} E[w e^{−tv}] L^{n−1} dt   (log A/A = −∫ (log t + γ) e^{−tA} dt),
  E[max_j p_j]       = n ∫ dF(z) w(z) ∫ e^{−tε} e^{−t v(z)} H(t, z)^{n−1} dt,  H(t, z) = E[e^{−t v(Z)}; w(Z) < w(z)],

and the entropy is E[Σ w log A/A] − E[Σ w log w/A] with v = w, ε = 0. Each is a 2-D integral, done by the trapezoid
rule in s = −log t and in a logit variable y (z = μ + c y; z = z₀ ± c log(1 + e^y) about a zero z₀ of w or v, so
that e^{−t v} is resolved at every t): both integrands are smooth and decay fast, so the rule converges
exponentially (Trefethen & Weideman 2014). H's cumulative sum carries Gregory's end corrections (error O(h⁶)).
L^{n−1} is exp((n − 1) log1p(−E[1 − e^{−tv}])), accurate for any n (10^50 included). The stated ``error`` is
|I_h − I_{2h}|, the change from halving the step: far above the error of I_h itself (the tests check against 30-digit
mpmath). Cost: O(n_y · n_s) ≈ 10^6–10^7 exponentials, whatever n.

Other mechanisms (sparsemax) and a given logit covariance: randomized QMC over the whole row (``gaussian_qmc``), with
99 % half-widths as ``error``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from symbolic.normalizers import AttentionError

from .gaussian_qmc import qmc_expectation

STATISTICS = ("sum_sq", "max_weight", "entropy", "row_sum")
EULER_GAMMA = 0.5772156649015329
Z_SPAN = 13.0  # logits within μ ± 13 σ (the Gaussian beyond: < 1e-37), and up to the largest of n: √(2 log n) σ + 9 σ
STEP = 0.1
MAX_CELLS = 4e8  # y-nodes × s-nodes refused beyond this (use the QMC route)


@dataclass(frozen=True)
class RowStatistics:
    """The four statistics (module docstring), their ``error`` bounds, the row length ``tokens``, the logits' variance
    ``q`` and mean (None for a given covariance), the ``mechanism`` and the ``method`` ("quadrature" or "qmc")."""

    sum_sq: float
    max_weight: float
    entropy: float
    row_sum: float
    error: dict = field(default_factory=dict)
    tokens: int = 0
    q: float | None = None
    mean: float | None = 0.0
    mechanism: str = ""
    method: str = ""

    def as_dict(self) -> dict:
        return {"mechanism": self.mechanism, "tokens": self.tokens, "q": self.q, "mean": self.mean,
                **{k: getattr(self, k) for k in STATISTICS}, "error": dict(self.error), "method": self.method}


def row_statistics(normalizer, n: int, q: float | None = None, mean: float = 0.0, cov=None, step: float = STEP,
                   points: int = 8192, scrambles: int = 16, seed: int = 0) -> RowStatistics:
    """The statistics of ``normalizer`` on rows of ``n`` logits, i.i.d. N(mean, q), or N(0, cov) with an n × n
    ``cov`` (module docstring). ``step``: the quadrature's step; ``points``/``scrambles``/``seed``: the QMC route."""
    from symbolic.normalizers import check_tokens

    n = check_tokens(n)
    if not math.isfinite(mean):
        raise AttentionError(f"the logits' mean must be a finite number, got {mean}")
    if cov is not None:
        if q is not None:
            raise AttentionError("give the logits' variance q or their covariance cov, not both")
        cov = np.asarray(cov, dtype=np.float64)
        if cov.shape != (n, n):
            raise AttentionError(f"the logits' covariance must be {n} x {n} (n tokens), got shape {cov.shape}")
        return _qmc(normalizer, n, cov, None, points, scrambles, seed)
    if q is None or not (math.isfinite(q) and q >= 0):
        raise AttentionError(f"the logits' variance q must be a finite number >= 0, got {q}")
    if q == 0:
        return _constant(normalizer, n, mean)
    form = normalizer.ratio_form(n)
    if form is None or not _ordered(form, n, q, mean):
        return _qmc(normalizer, n, q * np.eye(n), mean, points, scrambles, seed)
    fine = _quadrature(form, n, q, mean, step)
    coarse = _quadrature(form, n, q, mean, 2 * step)
    error = {k: abs(fine[k] - coarse[k]) + 4e-16 * abs(fine[k]) for k in STATISTICS}
    fine["max_weight"] += (fine["max_weight"] - coarse["max_weight"]) / 63  # Richardson on Gregory's O(h⁶)
    return RowStatistics(**fine, error=error, tokens=n, q=float(q), mean=float(mean), mechanism=normalizer.label,
                         method="quadrature")


def _ordered(form, n: int, q: float, mean: float) -> bool:
    """Whether the weights increase along the quadrature's family (the max weight's order); weights < 0 refused."""
    nodes = _nodes(form, n, q, mean, 4 * STEP)
    lw = form.log_w(np.concatenate([nodes.z, nodes.z0]))
    if np.isnan(lw).any():
        raise AttentionError("attention weights must be >= 0 for these statistics (the entropy is that of p / sum p); "
                             "this mechanism gives negative weights")
    lw = np.maximum(lw[:nodes.z.size][nodes.omega > 1e-300], -1e300)  # w = 0 first
    return bool(np.all(np.diff(lw) >= -1e-12 * np.maximum(1.0, np.abs(lw[1:]))))


def _row_values(normalizer, z: np.ndarray) -> np.ndarray:
    """(sum_sq, max, entropy, row_sum) of every row of z."""
    p = normalizer(z).astype(np.float64)
    if (p < 0).any():
        raise AttentionError("attention weights must be >= 0 for these statistics (the entropy is that of p / sum p); "
                             f"{normalizer.label} gives negative weights")
    total = p.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        hat = p / total[:, None]
        terms = np.where(hat > 0, -hat * np.log(hat), 0.0)
    entropy = np.where(total > 0, terms.sum(axis=1), 0.0)
    return np.column_stack([(p * p).sum(axis=1), p.max(axis=1), entropy, total])


def _constant(normalizer, n: int, mean: float) -> RowStatistics:
    """q = 0: every logit equals the mean."""
    values = _row_values(normalizer, np.full((1, n), mean, dtype=np.float64))[0]
    return RowStatistics(*map(float, values), error={k: 0.0 for k in STATISTICS}, tokens=n, q=0.0, mean=float(mean),
                         mechanism=normalizer.label, method="exact (constant logits)")


def _qmc(normalizer, n: int, cov: np.ndarray, mean, points: int, scrambles: int, seed: int) -> RowStatistics:
    est = qmc_expectation(lambda z: _row_values(normalizer, z), cov, mean, points, scrambles, seed)
    values = dict(zip(STATISTICS, map(float, est.value)))
    error = dict(zip(STATISTICS, map(float, est.error)))
    iid = mean is not None
    return RowStatistics(**values, error=error, tokens=n, q=float(cov[0, 0]) if iid else None,
                         mean=float(mean) if iid else None, mechanism=normalizer.label,
                         method=f"qmc ({est.scrambles} x {est.points} points, 99% half-widths)")


@dataclass(frozen=True)
class _Nodes:
    """Quadrature nodes of one logit: ``z``/``omega`` of the ordered family with w > 0 (w increasing along it),
    ``z0``/``omega0`` of nodes with w = 0 < v, ``atom``: the mass where w = v = 0."""

    z: np.ndarray
    omega: np.ndarray
    z0: np.ndarray
    omega0: np.ndarray
    atom: float


def _density(z: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((z - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def _nodes(form, n: int, q: float, mean: float, h: float) -> _Nodes:
    from scipy.special import expit, ndtr

    sigma = math.sqrt(q)
    c = min(sigma, 1.0 / form.slope)
    span = max(Z_SPAN, math.sqrt(2 * math.log(n)) + 9) * sigma  # the row's largest logit matters: n φ(z) at the top
    empty = np.zeros(0)
    if form.zero is None:
        y = np.arange(-math.ceil(Z_SPAN * sigma / c / h), math.ceil(span / c / h) + 1) * h
        z = mean + c * y
        return _Nodes(z, _density(z, mean, sigma) * c * h, empty, empty, 0.0)

    # the log grid starts 1e-13 (relative to the zero's size) above the zero, where float64 still resolves z − z₀;
    # the sliver below it (w ~ 0 there, mass < 1e-13 φ) joins the atom
    y_min = math.log(1e-13 * max(1.0, abs(form.zero)) / c)

    def side(sign: int):  # a mirrored pair of sides shares one grid (the farther reach)
        reach = max(abs(mean - form.zero) if form.left == "mirror" else sign * (mean - form.zero), 0) + span
        y = y_min + h * np.arange(math.ceil((math.log(math.expm1(reach / c + 1)) - y_min) / h) + 1)
        z = form.zero + sign * c * np.logaddexp(0, y)
        return z, _density(z, mean, sigma) * c * expit(y) * h

    sliver = float(ndtr((form.zero + c * math.log1p(math.exp(y_min)) - mean) / sigma) - ndtr((form.zero - mean) / sigma))
    z, omega = side(1)
    if form.left == "mirror":
        return _Nodes(z, omega + side(-1)[1], empty, empty, 2 * sliver)
    if form.left == "nodes":
        return _Nodes(z, omega, *side(-1), 2 * sliver)
    return _Nodes(z, omega, empty, empty, float(ndtr((form.zero - mean) / sigma)) + sliver)


def _upper(F: np.ndarray) -> np.ndarray:
    """∫ from node m to the end of the family, along the last axis, for F_i = h f(y_i): the trapezoid's tail sum with
    Gregory's end corrections (Euler–Maclaurin: + h² f'/12 − h⁴ f'''/720, fourth-order differences)."""
    tail = np.cumsum(F[..., ::-1], axis=-1)[..., ::-1] - F
    P = np.pad(F, [(0, 0)] * (F.ndim - 1) + [(2, 2)])
    a, b, d, e = P[..., :-4], P[..., 1:-3], P[..., 3:-1], P[..., 4:]
    d1 = (-e + 8 * d - 8 * b + a) / 12
    d3 = (e - 2 * d + 2 * b - a) / 2
    return tail + F / 2 + d1 / 12 - d3 / 720


def _quadrature(form, n: int, q: float, mean: float, h: float) -> dict:
    nodes = _nodes(form, n, q, mean, h)
    lw = form.log_w(nodes.z)
    out = {}
    if form.log_v is None:  # element-wise: no denominator
        w = np.exp(lw)
        out["row_sum"] = n * float(np.sum(nodes.omega * w))
        out["sum_sq"] = n * float(np.sum(nodes.omega * w * w))
        above = np.clip(_upper(nodes.omega), 0, 1)
        with np.errstate(divide="ignore"):
            out["max_weight"] = n * float(np.sum(nodes.omega * w * np.exp((n - 1) * np.log1p(-above))))
    else:
        lv, lv0 = form.log_v(nodes.z), form.log_v(nodes.z0)
        out.update(_laplace(nodes, lw, lv, lv0, form.eps, n, h, maximum=True))
        if form.log_v is form.log_w and form.eps == 0 and not nodes.z0.size:
            return out  # p is its own normalized row (softmax): that pass's entropy is the one wanted
    entropy_nodes = _Nodes(nodes.z, nodes.omega, np.zeros(0), np.zeros(0), nodes.atom + float(np.sum(nodes.omega0)))
    out["entropy"] = _laplace(entropy_nodes, lw, lw, np.zeros(0), 0.0, n, h, maximum=False)["entropy"]
    return out


def _laplace(nodes: _Nodes, lw: np.ndarray, lv: np.ndarray, lv0: np.ndarray, eps: float, n: int, h: float,
             maximum: bool) -> dict:
    """The t-integrals of the module docstring on the grid s = −log t (step h), in blocks of s."""
    live = nodes.omega > 0
    finite = np.concatenate([lv[live & np.isfinite(lv)], lv0[np.isfinite(lv0)]])
    s_lo = min(float(finite.min()), math.log(eps) if eps > 0 else math.inf) - 6
    s_hi = max(float(finite.max()) + math.log(n), math.log(eps) if eps > 0 else -math.inf) + 40
    s_all = s_lo + h * np.arange(math.ceil((s_hi - s_lo) / h) + 1)
    if s_all.size * (lv.size + lv0.size) > MAX_CELLS:
        raise AttentionError(f"the logits' spread needs {s_all.size} x {lv.size} quadrature cells (> {MAX_CELLS:.0e}); "
                         "give a covariance (QMC route) or a smaller q")
    wlogw = np.where(np.isfinite(lw), lw, 0.0)
    acc = dict.fromkeys(("row_sum", "sum_sq", "wlogw", "wlogA", "max_weight"), 0.0)
    block = max(1, int(2e6 // max(lv.size, 1)))
    # log1p(−1) = −∞: L^{n−1} = 0 where every e^{−tv} = 0; e^{log v − s} = ∞: e^{−tv} = 0
    with np.errstate(divide="ignore", over="ignore"):
        for start in range(0, s_all.size, block):
            _accumulate(acc, s_all[start:start + block, None], nodes, lw, lv, lv0, wlogw, eps, n, h, maximum)
    return {"row_sum": n * acc["row_sum"], "sum_sq": n * acc["sum_sq"], "max_weight": n * acc["max_weight"],
            "entropy": n * (acc["wlogA"] - acc["wlogw"])}


def _accumulate(acc: dict, s: np.ndarray, nodes: _Nodes, lw, lv, lv0, wlogw, eps: float, n: int, h: float,
                maximum: bool) -> None:
    """Add one block of s (a column) to the t-integrals in ``acc``."""
    omega, omega0 = nodes.omega, nodes.omega0
    u = lv[None, :] - s
    ev = np.exp(u)
    kernel = np.exp(-ev)  # e^{−t v}
    miss = (omega * -np.expm1(-ev)).sum(axis=1)  # E[1 − e^{−tv}] over the family …
    if lv0.size:
        miss = miss + (omega0 * -np.expm1(-np.exp(lv0[None, :] - s))).sum(axis=1)  # … and the w = 0 nodes
    power = np.exp((n - 1) * np.log1p(-np.minimum(miss, 1.0))) if n > 1 else np.ones_like(miss)
    damp = np.exp(-eps * np.exp(-s[:, 0])) if eps > 0 else 1.0
    twk = np.exp(lw[None, :] - s - ev)  # t w e^{−tv}
    first = (omega * twk).sum(axis=1) * power * damp
    acc["row_sum"] += h * first.sum()
    acc["wlogA"] += h * ((s[:, 0] - EULER_GAMMA) * first).sum()
    acc["wlogw"] += h * ((omega * twk * wlogw).sum(axis=1) * power * damp).sum()
    acc["sum_sq"] += h * ((omega * np.exp(2 * (lw[None, :] - s) - ev)).sum(axis=1) * power * damp).sum()
    if maximum:
        above = _upper(omega * kernel)
        log_h = np.log1p(-np.minimum(miss[:, None] + above, 1.0))
        inner = (omega * twk * np.exp((n - 1) * log_h)).sum(axis=1) if n > 1 else (omega * twk).sum(axis=1)
        acc["max_weight"] += h * (inner * damp).sum()
