"""Independent mpmath reference (30 digits) for the mean-field theory of gated units.

A gated unit is g(u, v) = phi(u) * psi(v) with u, v independent N(0, q) (standard
parameterization).  With z ~ N(0, 1) and every expectation taken at variance q,

    A(q)  = E[phi(sqrt(q) z)^2],   B(q)  = E[psi(sqrt(q) z)^2],
    A1(q) = E[phi'(sqrt(q) z)^2],  B1(q) = E[psi'(sqrt(q) z)^2],

    M(q)     = A(q) B(q),                       length map   V(q)  = sigma_w2 M(q) + sigma_b2,
    G(q)     = A1(q) B(q) + A(q) B1(q),         chi_1(q)     = sigma_w2 G(q),
    M'(q)    = A'(q) B(q) + A(q) B'(q),         slope        V'(q) = sigma_w2 M'(q),

and the variance derivative is taken from Stein's lemma,

    d/dq E[f(sqrt(q) z)^2] = E[(z^2 - 1) f(sqrt(q) z)^2] / (2 q).

Two curves in the (sigma_w2, sigma_b2) plane, both parameterized by the fixed point q*:

    chi_1 = 1 point:  V(q*) = q*, chi_1(q*) = 1   =>  sigma_w2 = 1/G(q*),  sigma_b2 = q* - M(q*)/G(q*),
    saddle-node:      V(q*) = q*, V'(q*) = 1      =>  sigma_w2 = 1/M'(q*), sigma_b2 = q* - M(q*)/M'(q*).

Relation between G and M'.  Since d/dq E[f(sqrt(q) z)] = E[f''(sqrt(q) z)]/2, with f = phi^2
one gets A'(q) = A1(q) + E[phi phi''], hence

    M'(q) - G(q) = B(q) E[phi phi''] + A(q) E[psi psi''].

* Identity and relu have phi phi'' = 0 (for relu, x delta(x) = 0), so for bilinear (u v),
  reglu (relu(u) v) and drelu (relu(u) relu(v)) G = M' exactly: M = q^2, q^2/2, q^2/4 and
  G = M' = 2q, q, q/2.  The chi_1 = 1 point and the saddle-node coincide (a tangent fixed
  point) at q* = 2 sigma_b2, sigma_w2 = 1/M'(2 sigma_b2).
* geglu and swiglu: for gelu, phi phi'' = x Phi(x) (2 - x^2) pdf(x); E[phi phi''] > 0 at
  small and moderate q and < 0 at large q.  The sign change (G = M', where the two curves
  cross) is at q = 3.56155281280883 (numerically (3 + sqrt 17)/2 to 29 digits; sigma_b2 =
  1.82508259276, sigma_w2 = 0.285324600867) for geglu and at q = 14.320173618 (sigma_b2 =
  7.30161589616, sigma_w2 = 0.0707847688642) for swiglu.  Below it M' > G: the chi_1 = 1
  point is a repelling fixed point (V' = M'/G > 1) and the saddle-node has chi_1 = G/M' < 1;
  above it the roles swap.
* glu (sigmoid gate): sigmoid'' is odd and opposite in sign to sigmoid - 1/2, so
  E[phi phi''] < 0 and M' < G: the chi_1 = 1 point is an attracting fixed point
  (V' < 1) and the saddle-node has chi_1 > 1.

Integrals are mpmath.quad of the Gaussian average split at z = 0, with the halves folded
onto one interval: E[f(sqrt(q) z)] = int_0^z_max (f(sqrt(q) z) + f(-sqrt(q) z)) pdf(z) dz, so
kinks at 0 and the sharp sigmoid step at large q sit at an endpoint; z_max = sqrt(2 (dps + 8) ln 10)
cuts a Gaussian tail below 10^-(dps + 8).  The relu and identity moments use closed forms
(E[relu^2] = q/2, E[relu'^2] = 1/2, E[x^2] = q, E[1] = 1).  Expectations are cached on
(function, moment, exact bits of q, precision).  Every public function works at mp.dps = 30
inside a workdps context (the caller's precision is left alone) and returns mpf.

Roots are bracketed on a uniform grid in t = ln q (6 nodes per decade by default, the whole
grid scanned at 15 digits so that every sign change is found), each bracket is re-checked at
30 digits and refined with the Anderson-Bjorck solver (mpmath.findroot, 'anderson') on the
residual divided by q, which is O(1) over the whole range, to 1e-27 in ln q (checked against
a 45-digit run: q* agrees to 26 digits or better).  The scan sees sign changes only: two
roots in one grid cell, or a tangency, are missed by chi1_point and saddle_node (their curves
sigma_b2(q*) are increasing on [1e-6, 1e4] for all units here, so each has at most one root).
fixed_points avoids this by splitting [q_min, q_max] at the roots of V'(q) = 1 first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mpmath import mp, mpf

DPS = 30
SCAN_DPS = 15  # precision of the bracketing scan; every bracket is re-checked at DPS
ROOT_TOL = mpf(10) ** -27  # bracket width in ln q: ~27 correct digits of q*
RESIDUAL_TOL = mpf(10) ** -22  # accepted |residual| after refinement

Function = Callable[[mpf], mpf]


def _sigmoid(x: mpf) -> mpf:
    return 1 / (1 + mp.exp(-x))


def _sigmoid_prime(x: mpf) -> mpf:
    s = _sigmoid(x)
    return s * (1 - s)


def _swish(x: mpf) -> mpf:
    return x * _sigmoid(x)


def _swish_prime(x: mpf) -> mpf:
    s = _sigmoid(x)
    return s * (1 + x * (1 - s))


def _ncdf(x: mpf) -> mpf:
    """Phi(x) = erfc(-x / sqrt 2) / 2 (exact erf form)."""
    return mp.erfc(-x / mp.sqrt(2)) / 2


def _gelu(x: mpf) -> mpf:
    return x * _ncdf(x)


def _gelu_prime(x: mpf) -> mpf:
    return _ncdf(x) + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


# Closed forms (c, d): E[f^2] = c q, E[f'^2] = d, d/dq E[f^2] = c.
_CLOSED: dict[str, tuple[mpf, mpf]] = {"identity": (mpf(1), mpf(1)), "relu": (mpf(1) / 2, mpf(1) / 2)}
# By quadrature: (f, f').
_QUAD: dict[str, tuple[Function, Function]] = {
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "swish": (_swish, _swish_prime),
    "gelu": (_gelu, _gelu_prime),
}

UNITS: dict[str, tuple[str, str]] = {
    "glu": ("sigmoid", "identity"),
    "sigmoid_gate": ("sigmoid", "identity"),
    "bilinear": ("identity", "identity"),
    "reglu": ("relu", "identity"),
    "geglu": ("gelu", "identity"),
    "swiglu": ("swish", "identity"),
    "drelu": ("relu", "relu"),
}


def _expectation(f: Function, q: mpf) -> mpf:
    """E[f(sqrt(q) z)] at the working precision (see gaussian_expectation)."""
    s = mp.sqrt(q)
    c = 1 / mp.sqrt(2 * mp.pi)
    z_max = mp.sqrt(2 * (mp.dps + 8) * mp.log(10))
    return mp.quad(lambda z: (f(s * z) + f(-s * z)) * mp.exp(-z * z / 2) * c, [0, z_max])


def gaussian_expectation(f: Function, q: mpf) -> mpf:
    """E[f(sqrt(q) z)], z ~ N(0, 1), for f of at most polynomial growth.

    The two halves z < 0 and z > 0 of the split (-inf, 0, inf) are folded onto one quad over
    [0, z_max] of (f(sqrt(q) z) + f(-sqrt(q) z)) pdf(z), so a kink or step at 0 is an endpoint;
    z_max = sqrt(2 (dps + 8) ln 10) drops a Gaussian tail below 10^-(dps + 8).
    """
    with mp.workdps(DPS):
        return _expectation(f, mpf(q))


@functools.lru_cache(maxsize=None)
def _quad_moment(fname: str, kind: str, qkey: tuple, prec: int) -> mpf:
    """Quadrature moment of _QUAD[fname] at variance q = mpf(qkey); prec (the working precision) keys the cache."""
    q = mpf(qkey)
    f, fp = _QUAD[fname]
    if kind == "second":
        return _expectation(lambda x: f(x) ** 2, q)
    if kind == "prime":
        return _expectation(lambda x: fp(x) ** 2, q)
    f0sq = f(mpf(0)) ** 2  # E[z^2 - 1] = 0: subtracting f(0)^2 removes the O(1) cancellation at small q
    return _expectation(lambda x: (x * x / q - 1) * (f(x) ** 2 - f0sq), q) / (2 * q)


def _moment(fname: str, kind: str, q: mpf) -> mpf:
    """kind 'second': E[f^2]; 'prime': E[f'^2]; 'slope': d/dq E[f^2] (Stein); all at variance q."""
    if fname in _CLOSED:
        c, d = _CLOSED[fname]
        return {"second": c * q, "prime": d, "slope": c}[kind]
    return _quad_moment(fname, kind, q._mpf_, mp.prec)


def _M(name: str, q: mpf) -> mpf:
    gate, value = UNITS[name]
    return _moment(gate, "second", q) * _moment(value, "second", q)


def _M_slope(name: str, q: mpf) -> mpf:
    gate, value = UNITS[name]
    return (_moment(gate, "slope", q) * _moment(value, "second", q)
            + _moment(gate, "second", q) * _moment(value, "slope", q))


def _G(name: str, q: mpf) -> mpf:
    gate, value = UNITS[name]
    return (_moment(gate, "prime", q) * _moment(value, "second", q)
            + _moment(gate, "second", q) * _moment(value, "prime", q))


def moments(name: str, q: mpf) -> tuple[mpf, mpf, mpf, mpf]:
    """(A, B, A1, B1) = (E[phi^2], E[psi^2], E[phi'^2], E[psi'^2]) at variance q."""
    with mp.workdps(DPS):
        gate, value = UNITS[name]
        q = mpf(q)
        return (_moment(gate, "second", q), _moment(value, "second", q),
                _moment(gate, "prime", q), _moment(value, "prime", q))


def M(name: str, q: mpf) -> mpf:
    """M(q) = E[phi^2] E[psi^2]."""
    with mp.workdps(DPS):
        return _M(name, mpf(q))


def M_slope(name: str, q: mpf) -> mpf:
    """M'(q) = A'(q) B(q) + A(q) B'(q), A' and B' by Stein's lemma (closed form for relu/identity)."""
    with mp.workdps(DPS):
        return _M_slope(name, mpf(q))


def G(name: str, q: mpf) -> mpf:
    """G(q) = E[phi'^2] E[psi^2] + E[phi^2] E[psi'^2], so that chi_1 = sigma_w2 G."""
    with mp.workdps(DPS):
        return _G(name, mpf(q))


def chi1(name: str, q: mpf, sigma_w2: mpf) -> mpf:
    """chi_1(q) = sigma_w2 (E[phi'^2] E[psi^2] + E[phi^2] E[psi'^2])."""
    with mp.workdps(DPS):
        return mpf(sigma_w2) * _G(name, mpf(q))


def _refine(r: Callable[[mpf], mpf], t0: mpf, t1: mpf) -> mpf:
    """Root of r in the sign-changing bracket [t0, t1] (Anderson-Bjorck), to ROOT_TOL, checked."""
    t = mp.findroot(r, (t0, t1), solver="anderson", tol=ROOT_TOL, verify=False, maxsteps=200)
    if not (t0 <= t <= t1 and abs(r(t)) < RESIDUAL_TOL):
        raise ArithmeticError(f"root refinement failed in ln q in [{t0}, {t1}]: t = {t}, r = {r(t)}")
    return t


def _roots_log_grid(residual: Callable[[mpf], mpf], q_min: mpf, q_max: mpf, per_decade: int) -> list[mpf]:
    """All sign changes of residual(q) on a uniform ln q grid over [q_min, q_max], refined to ROOT_TOL.

    The scan runs at SCAN_DPS; a node where the scan gives exactly 0 is re-evaluated at DPS and
    kept as a root if |residual| < RESIDUAL_TOL there; every bracket is re-checked and refined at DPS.
    """
    t_min, t_max = mp.log(q_min), mp.log(q_max)
    n = int(mp.nint(per_decade * mp.log10(q_max / q_min)))
    ts = [t_min + (t_max - t_min) * k / n for k in range(n + 1)]

    def r(t: mpf) -> mpf:
        return residual(mp.exp(t))

    with mp.workdps(SCAN_DPS):
        signs = [mp.sign(r(t)) for t in ts]
    roots = []
    for k, t in enumerate(ts):
        if signs[k] == 0:
            value = r(t)
            signs[k] = 0 if abs(value) < RESIDUAL_TOL else mp.sign(value)
            if signs[k] == 0:
                roots.append(t)
    for k in range(n):
        t0, t1 = ts[k], ts[k + 1]
        if signs[k] * signs[k + 1] < 0:
            if mp.sign(r(t0)) != signs[k] or mp.sign(r(t1)) != signs[k + 1]:
                raise ArithmeticError(f"scan sign not confirmed at {DPS} digits near ln q = {t0}; change per_decade")
            roots.append(_refine(r, t0, t1))
    return [mp.exp(t) for t in sorted(roots)]


def _curve(name: str, sigma_b2: mpf, rate: Callable[[str, mpf], mpf], q_min: mpf, q_max: mpf,
           per_decade: int) -> list[tuple[mpf, mpf]]:
    """(q*, sigma_w2) where V(q*) = q* and sigma_w2 rate(q*) = 1 at the given sigma_b2: the roots of
    q - M(q)/rate(q) = sigma_b2 on [q_min, q_max], with sigma_w2 = 1/rate(q*)."""
    sigma_b2 = mpf(sigma_b2)

    def residual(q: mpf) -> mpf:
        return 1 - _M(name, q) / (q * rate(name, q)) - sigma_b2 / q

    return [(q, 1 / rate(name, q)) for q in _roots_log_grid(residual, mpf(q_min), mpf(q_max), per_decade)]


def chi1_point(name: str, sigma_b2: mpf, q_min: mpf = mpf("1e-6"), q_max: mpf = mpf("1e4"),
               per_decade: int = 6) -> list[dict[str, mpf]]:
    """All points with V(q*) = q* and chi_1(q*) = 1 at the given sigma_b2, sorted by q*.

    Solves q - M(q)/G(q) = sigma_b2 for q in [q_min, q_max]; then sigma_w2 = 1/G(q*) and the
    fixed point's slope is V'(q*) = sigma_w2 M'(q*).  An empty list means sigma_b2 is not
    reached on that range.  Each dict: q_star, sigma_w2, slope, chi1 (= 1).
    """
    with mp.workdps(DPS):
        return [dict(q_star=q, sigma_w2=w2, slope=w2 * M_slope(name, q), chi1=chi1(name, q, w2))
                for q, w2 in _curve(name, sigma_b2, _G, q_min, q_max, per_decade)]


def saddle_node(name: str, sigma_b2: mpf, q_min: mpf = mpf("1e-6"), q_max: mpf = mpf("1e4"),
                per_decade: int = 6) -> list[dict[str, mpf]]:
    """All points with V(q*) = q* and V'(q*) = 1 at the given sigma_b2, sorted by q*.

    Solves q - M(q)/M'(q) = sigma_b2 for q in [q_min, q_max]; then sigma_w2 = 1/M'(q*).  Where
    M grows faster than linearly, sigma_w2 just below this value leaves a stable fixed point under
    a repelling one near q*, and just above it both are gone.  Each dict: q_star, sigma_w2, chi1.
    """
    with mp.workdps(DPS):
        return [dict(q_star=q, sigma_w2=w2, chi1=chi1(name, q, w2))
                for q, w2 in _curve(name, sigma_b2, _M_slope, q_min, q_max, per_decade)]


def fixed_points(name: str, sigma_w2: mpf, sigma_b2: mpf, q_min: mpf = mpf("1e-8"), q_max: mpf = mpf("1e6"),
                 per_decade: int = 6) -> list[dict[str, mpf]]:
    """All roots of V(q) = q on [q_min, q_max], sorted; each dict: q_star, slope = V'(q*), chi1.

    The roots of V'(q) = 1 are found first (grid scan); between consecutive ones V(q) - q is
    monotone, so each such piece holds at most one fixed point, bracketed by its ends.  Two
    fixed points close to a saddle-node are therefore both found, and a point with V'(q) = 1
    where |V(q) - q|/q < RESIDUAL_TOL is reported once, as a tangent (double) fixed point.
    """
    with mp.workdps(DPS):
        sigma_w2, sigma_b2 = mpf(sigma_w2), mpf(sigma_b2)
        q_min, q_max = mpf(q_min), mpf(q_max)

        def r(t: mpf) -> mpf:
            q = mp.exp(t)
            return sigma_w2 * _M(name, q) / q + sigma_b2 / q - 1

        critical = _roots_log_grid(lambda q: sigma_w2 * _M_slope(name, q) - 1, q_min, q_max, per_decade)
        ts = [mp.log(q_min)] + [mp.log(q) for q in critical] + [mp.log(q_max)]
        values = [r(t) for t in ts]
        roots = [t for t, v in zip(ts[1:-1], values[1:-1]) if abs(v) < RESIDUAL_TOL]
        for (t0, v0), (t1, v1) in zip(zip(ts, values), zip(ts[1:], values[1:])):
            if min(abs(v0), abs(v1)) >= RESIDUAL_TOL and v0 * v1 < 0:
                roots.append(_refine(r, t0, t1))
        return [dict(q_star=q, slope=sigma_w2 * _M_slope(name, q), chi1=sigma_w2 * _G(name, q))
                for q in (mp.exp(t) for t in sorted(roots))]


if __name__ == "__main__":
    import time

    SIGMA_B2 = mpf("0.05")

    def fmt(x: mpf) -> str:
        return mp.nstr(x, 15)

    total = time.perf_counter()
    for unit in ("swiglu", "geglu", "reglu", "drelu", "glu", "bilinear"):
        start = time.perf_counter()
        crit = chi1_point(unit, SIGMA_B2)
        middle = time.perf_counter()
        saddle = saddle_node(unit, SIGMA_B2)
        end = time.perf_counter()
        print(f"{unit}  (sigma_b2 = 0.05; chi1_point {middle - start:.2f} s, saddle_node {end - middle:.2f} s)")
        for p in crit:
            print(f"  chi_1 = 1 point: q* = {fmt(p['q_star'])}  sigma_w2 = {fmt(p['sigma_w2'])}"
                  f"  V'(q*) = {fmt(p['slope'])}")
        if not crit:
            print("  chi_1 = 1 point: none for q* in [1e-6, 1e4]")
        for p in saddle:
            print(f"  saddle-node:     q* = {fmt(p['q_star'])}  sigma_w2 = {fmt(p['sigma_w2'])}"
                  f"  chi_1 = {fmt(p['chi1'])}")
        if not saddle:
            print("  saddle-node:     none for q* in [1e-6, 1e4]")
    print(f"total {time.perf_counter() - total:.2f} s")
