"""The ``acttheory`` command line. Heavy modules are imported inside the commands, so ``--help``
answers at once. Every command prints a table for people or, with ``--json``, one JSON document on
stdout (messages and progress go to stderr)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from functools import partial
from typing import Sequence


class CLIError(Exception):
    """A user error: printed as 'error: ...' with exit status 2."""


@dataclass(frozen=True)
class Bounds:
    """The valid values of a numeric option: finite, an integer or not, in [low, high] (``low_open``:
    low excluded; high None: unbounded), ``what`` the value is (for the message)."""

    low: float
    high: float | None = None
    low_open: bool = False
    integer: bool = False
    what: str = ""
    high_open: bool = False

    def describe(self) -> str:
        """What is valid, e.g. 'an integer in [2, 2000]', '>= 0 and finite (a bias variance)'."""
        if self.high is not None:
            text = f"in {'(' if self.low_open else '['}{self.low}, {self.high}{')' if self.high_open else ']'}"
        else:
            text = f"{'>' if self.low_open else '>='} {self.low}" + ("" if self.integer else " and finite")
        text = f"an integer {text}" if self.integer else text
        return f"{text} ({self.what})" if self.what else text

    def contains(self, value: float | int) -> bool:
        """Whether ``value`` is valid (a Python int is exact and finite, whatever its size; a float must be finite)."""
        above = value > self.low if self.low_open else value >= self.low
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return (self.integer or math.isfinite(value)) and above and below

    def parse(self, flag: str, text: str) -> float | int:
        """``text`` as a value of option ``flag``; a CLIError (exit 2) names the option and what is valid."""
        try:
            value = int(text) if self.integer else float(text)
        except ValueError:
            value = None
        if value is None or not self.contains(value):
            raise CLIError(f"{flag} must be {self.describe()}, got {text!r}")
        return value


WEIGHT_VARIANCE = Bounds(0, low_open=True, what="a weight variance")
BIAS_VARIANCE = Bounds(0, what="a bias variance")
CORRELATION = Bounds(-1, 1, what="a correlation")
SEED = Bounds(0, 2**63 - 1, integer=True, what="a seed")
Q_STAR = Bounds(0, low_open=True, what="a length-map fixed point")


def add_number(p, flag: str, bounds: Bounds, **kwargs) -> None:
    """``p.add_argument(flag, ...)`` for a number within ``bounds``: NaN, ±inf and values out of range
    are refused while the command line is parsed (exit 2)."""
    p.add_argument(flag, type=partial(bounds.parse, flag), **kwargs)


def load_npy(path: str, flag: str):
    """The .npy array at ``path`` (no pickles), or a CLIError naming the option ``flag``."""
    import numpy as np

    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise CLIError(f"cannot read {flag} {path!r} as a .npy array: {err}") from err


def _parse_params(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        if "=" not in item:
            raise CLIError(f"--param expects k=v, got {item!r}")
        k, v = (part.strip() for part in item.split("=", 1))
        out[k] = v
    return out


def resolve_activation(args: argparse.Namespace):
    """The unit named NAME (an activation or a gated unit), defined by --expr FORMULA, or the gated pair
    --gate/--value, with --param values."""
    from symbolic import custom_activation, get_activation

    name, expr, values = args.name, args.expr, _parse_params(args.param)
    if args.gate is not None or args.value is not None:
        if name is not None or expr is not None:
            raise CLIError("give either NAME/--expr or --gate/--value, not both")
        return _gated_pair(args.gate, args.value, values)
    if expr is not None:
        if name is not None:
            raise CLIError("give either NAME or --expr, not both")
        return custom_activation(expr, name="custom", params=values)
    if name is None:
        raise CLIError("an activation NAME (see `acttheory zoo`), --expr FORMULA or --gate/--value is required")
    return get_activation(name, **values)


def _gated_pair(gate: str | None, value: str | None, values: dict[str, str]):
    """gated(gate, value): each a registered activation name or a formula in x (its constants written into it);
    --param gate.k=v / value.k=v, or a plain k declared by one registered component."""
    from symbolic import custom_activation, gated, get_activation, registered_names
    from symbolic.gated import split_params
    from symbolic.registry import normalize

    if gate is None or value is None:
        raise CLIError("a gated pair needs both --gate and --value (each a registered activation or a formula in x)")
    known = {normalize(n) for n in registered_names()}

    def component(text: str, role: str, params: dict):
        if normalize(text) in known:
            return get_activation(text, **params)
        if params:
            raise CLIError(f"the {role} {text!r} is a formula: write its constants into it instead of --param")
        return custom_activation(text, name=role)

    g_params, v_params = split_params(component(gate, "gate", {}), component(value, "value", {}), values)
    return gated(component(gate, "gate", g_params), component(value, "value", v_params))


def resolve_layer_activation(args: argparse.Namespace):
    """The unit of the network's neurons: NAME/--expr/--gate+--value, or a quenched mixture from --mix."""
    if not getattr(args, "mix", None):
        return resolve_activation(args)
    from signalprop import mixture
    from symbolic import get_activation

    if args.name is not None or args.expr is not None:
        raise CLIError("give either NAME/--expr or --mix, not both")
    names, weights = [], []
    for item in args.mix:
        try:
            name, value = item.split("=")
            weights.append(float(value))
        except ValueError:
            raise CLIError(f"--mix takes NAME=PROBABILITY (e.g. --mix tanh=0.5 --mix swish=0.5), got {item!r}") from None
        names.append(get_activation(name.strip(), **_parse_params(args.param)))
    try:
        return mixture(names, weights)
    except ValueError as err:
        raise CLIError(str(err)) from None


def _add_mixture_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mix", action="append", metavar="NAME=P",
                   help="a quenched mixture instead of NAME: each neuron draws NAME with probability P "
                        "(repeat; probabilities sum to 1)")


def _add_activation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="registered activation name (see `acttheory zoo`)")
    p.add_argument("--expr", metavar="FORMULA", help='a formula in x instead of NAME, e.g. "x*sigmoid(b*x)"')
    p.add_argument("--param", action="append", metavar="k=v",
                   help="parameter value (repeatable); with --expr it declares the formula's parameters; for a gated "
                        "unit gate.k=v or value.k=v")
    p.add_argument("--gate", metavar="NAME|FORMULA", help="a gated unit gate(u)*value(v): the gate (with --value)")
    p.add_argument("--value", metavar="NAME|FORMULA", help="the value branch of a gated unit (with --gate)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def _add_variance_args(p: argparse.ArgumentParser) -> None:
    """--sigma-w2 / --sigma-b2 with defaults 1 and 0 (kernel, spectrum and mc commands)."""
    add_number(p, "--sigma-w2", WEIGHT_VARIANCE, default=1.0, help="weight variance sigma_w^2 > 0 (default 1)")
    add_number(p, "--sigma-b2", BIAS_VARIANCE, default=0.0, help="bias variance sigma_b^2 >= 0 (default 0)")


def _add_residual_args(p: argparse.ArgumentParser) -> None:
    """A residual network instead of the plain chain (``signalprop.architecture``): maps, kernel."""
    g = p.add_argument_group("residual network (Yang & Schoenholz 2017: x <- x + alpha (V phi(W x + b) + a))")
    add_number(g, "--residual", Bounds(0, low_open=True, what="a branch scale"), metavar="ALPHA",
               help="residual blocks with branch scale alpha > 0 (1, or 1/sqrt(L) for the stable ResNet of Hayou et al. "
                    "2021); W, b: --sigma-w2, --sigma-b2")
    add_number(g, "--sigma-v2", WEIGHT_VARIANCE, default=1.0, help="the branch's output weight variance (default 1)")
    add_number(g, "--sigma-a2", BIAS_VARIANCE, default=0.0, help="the branch's output bias variance (default 0)")
    g.add_argument("--norm", choices=("layer", "rms"), help="LayerNorm or RMSNorm in every block")
    placement = g.add_mutually_exclusive_group()
    placement.add_argument("--pre-norm", dest="placement", action="store_const", const="pre",
                           help="x + alpha F(Norm(x)) (default with --norm)")
    placement.add_argument("--post-norm", dest="placement", action="store_const", const="post", help="Norm(x + alpha F(x))")


def residual_network(args: argparse.Namespace, act, depth: int, readout: bool):
    """The ``resnet`` the residual options describe (None without --residual), ``depth`` blocks and, with ``readout``,
    a readout Dense(σ_w², σ_b²)."""
    from signalprop.architecture import Dense, resnet

    if args.residual is None:
        if args.norm is not None or args.placement is not None:
            raise CLIError("--norm, --pre-norm and --post-norm describe residual blocks: give --residual ALPHA too")
        return None
    return resnet(act, depth, args.residual, args.sigma_w2, args.sigma_b2, args.sigma_v2, args.sigma_a2, args.norm,
                  args.placement or "pre", Dense(args.sigma_w2, args.sigma_b2) if readout else None)


def json_text(doc, indent: int | None = None) -> str:
    """``doc`` as strict JSON: commands give null for an infinite or undefined value, so a NaN or ±inf
    left in a result is a bug, reported as one rather than printed as the non-standard NaN/Infinity."""
    try:
        return json.dumps(doc, indent=indent, allow_nan=False)
    except ValueError as err:
        raise RuntimeError(f"the result holds NaN or an infinity where a finite number or null is documented ({err})") from None


def print_json(doc, indent: int | None = None) -> None:
    """One JSON document on stdout (``json_text``)."""
    print(json_text(doc, indent))


def _fmt(v, digits: int = 6) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def _derivation_dict(name: str) -> dict:
    from symbolic import get_activation
    from symbolic.derive import derivation_document

    return derivation_document(get_activation(name))


def cmd_zoo(args: argparse.Namespace) -> int:
    import os

    from symbolic import get_spec, registered_names
    from symbolic.zoo import NOT_POINTWISE

    from .progress import map_names

    names = [n for n in registered_names() if args.family is None or args.family.lower() in get_spec(n).family]
    jobs = args.jobs if args.jobs is not None else min(len(names), os.cpu_count() or 1)
    if args.critical:
        from .zoo_cli import zoo_critical

        return zoo_critical(args, names, jobs)
    rows, interrupted = map_names(_derivation_dict, names, jobs, not args.no_progress, "deriving")
    if args.json:
        print_json(rows, indent=1)
    else:
        header = ("name", "zoo#", "smoothness", "Lipschitz", "bounded", "monotone", "phi(0)", "phi'(0)", "growth")
        table = [
            (r["name"] + ("" if r["confirmed"] else " *"), _fmt(r["zoo_id"]), r["smoothness"], _fmt(r["lipschitz"]),
             {(True, True): "yes", (True, False): "below", (False, True): "above"}.get((r["bounded_below"], r["bounded_above"]), "no"),
             r["monotone_direction"] or "no", _fmt(r["phi0"]),
             _fmt(r["dphi0"]) if r["dphi0"] is not None else f"{_fmt(r['dphi0_left'], 3)}|{_fmt(r['dphi0_right'], 3)}",
             r["growth_text"])
            for r in rows
        ]
        print(_table(header, table))
        print("\n* formula is a reconstruction not confirmed against the paper (see `acttheory show NAME`).")
        print("phi'(0) a|b: one-sided derivatives at a kink. Lipschitz '-': unbounded or discontinuous.")
        from symbolic.gated import NAMED

        print("\nGated units g(u, v) = gate(u) * value(v) (`acttheory show NAME`; --gate/--value for any pair):")
        print(_table(("name", "zoo#", "gate", "value", "source"),
                     [(n, str(e.zoo_id), e.gate, e.value, e.source.split(",")[0]) for n, e in NAMED.items()]))
        import re

        from symbolic.group import NAMES as GROUPS
        from symbolic.group import SOURCES, ZOO_IDS

        print("\nGroup activations (functions of k pre-activations; `acttheory show NAME`, --param k=K or theta=ANGLE):")
        print(_table(("name", "zoo#", "kind", "default k", "source"),
                     [(n, str(ZOO_IDS.get(n, "-")), kind, str(k), re.match(r".*?\d{4}", SOURCES[kind]).group(0))
                      for n, (kind, k) in GROUPS.items()]))
        print("\nZoo entries not registered as pointwise functions, gated units or group activations:")
        print(_table(("zoo#", "entry", "why", "handled"), [(str(e.zoo_id), e.name, e.reason, e.handled) for e in NOT_POINTWISE]))
    return 130 if interrupted else 0


def cmd_show(args: argparse.Namespace) -> int:
    from symbolic import UnknownActivationError
    from symbolic.normalizers import is_normalizer

    try:
        act = resolve_activation(args)
    except UnknownActivationError:
        if args.name is None or not is_normalizer(args.name):
            raise
        from .attention_cli import show_normalizer

        return show_normalizer(args)
    if args.json:
        from symbolic import Activation
        from symbolic.derive import derivation_document

        # element-wise activations: the cached document; gated and group units derive their own (no expression)
        print_json(derivation_document(act) if isinstance(act, Activation) else act.derive().as_dict(), indent=1)
    else:
        print(act.derive())
    return 0


def cmd_critical(args: argparse.Namespace) -> int:
    from signalprop import critical_init

    act = resolve_activation(args)
    result = critical_init(act, sigma_b2=args.sigma_b2, q_star=args.q_star).as_dict()
    result = {"name": act.name, "label": act.label, **result}
    if args.json:
        print_json(result, indent=1)
    else:
        rows = [(k, _fmt(result[k], 12)) for k in ("sigma_w2", "sigma_b2", "q_star", "chi1", "length_map_slope", "xi_q", "xi_c")]
        rows.append(("stable", "yes" if result["stable"] else "no"))
        limit = result["ordered_limit"]
        if limit is not None:
            rows += [(f"ordered_limit.{k}", _fmt(limit[k], 12)) for k in ("sigma_w2", "q_star", "chi1")]
        print(f"critical initialization of {act.label}")
        print(_table(("quantity", "value"), rows))
        if result["note"]:
            print(f"note: {result['note']}")
        print(f"convention: {result['convention']}")
        print("('-': infinite depth scale)")
    return 0


def _eoc_stability_note(curve) -> str:
    """Where q* does not attract along the edge of chaos: it repels (V'(q*) > 1) or is tangent (V'(q*) = 1)."""
    tangent = int(curve.tangent.sum())
    repels = int((~curve.stable).sum()) - tangent
    where = ([f"repels (V'(q*) > 1) at {repels}"] if repels else []) + (
        [f"is tangent (V'(q*) = 1: it attracts from one side only) at {tangent}"] if tangent else [])
    return (f"q* {' and '.join(where)} of {len(curve.q_star)} points "
            "(lengths drift away from it there; 'stable' marks the attracting part)")


def cmd_eoc(args: argparse.Namespace) -> int:
    import numpy as np

    from signalprop import edge_of_chaos, universality_class

    act = resolve_activation(args)
    if args.q_min > args.q_max:
        raise CLIError(f"need --q-min <= --q-max, got {args.q_min:g} > {args.q_max:g}")
    curve = edge_of_chaos(act, np.geomspace(args.q_min, args.q_max, args.points))
    cls = universality_class(act)
    single = cls.name == "scale-invariant"
    doc = {
        "name": act.name, "label": act.label,
        "sigma_b2": curve.sigma_b2.tolist(), "sigma_w2": curve.sigma_w2.tolist(), "q_star": curve.q_star.tolist(),
        "length_map_slope": curve.slope.tolist(), "stable": curve.stable.tolist(), "tangent": curve.tangent.tolist(),
        "single_point": single,
        "convention": "variances; edge of chaos chi_1(q*) = 1 with q* the length-map fixed point",
    }
    if single:
        doc["note"] = f"ReLU-like: the edge of chaos is the single point sigma_b2 = 0, sigma_w2 = {cls.C_W:.12g}"
    elif not len(curve.q_star):
        doc["note"] = "no edge of chaos with sigma_b2 >= 0 in this q* range"
    elif not curve.stable.all():
        doc["note"] = _eoc_stability_note(curve)
    if args.output:
        from signalprop.figures import plot_edge_of_chaos

        print(f"figure written to {plot_edge_of_chaos(curve, act.label, args.output)}", file=sys.stderr)
    if args.json:
        print_json(doc)
    else:
        step = max(1, len(curve.q_star) // 20)
        rows = [(_fmt(q), _fmt(b), _fmt(w), _fmt(v), "yes" if st else "no") for q, b, w, v, st in
                zip(curve.q_star[::step], curve.sigma_b2[::step], curve.sigma_w2[::step], curve.slope[::step],
                    curve.stable[::step])]
        print(f"edge of chaos of {act.label} ({len(curve.q_star)} points, every {step}th shown)")
        print(_table(("q_star", "sigma_b2", "sigma_w2", "V'(q*)", "stable"), rows))
        if "note" in doc:
            print(f"note: {doc['note']}")
    return 0


def cmd_maps(args: argparse.Namespace) -> int:
    from signalprop import iterate_maps, propagation

    act = resolve_layer_activation(args)
    if args.residual is not None:
        return _residual_maps(args, act)
    residual_network(args, act, 0, False)  # refuses --norm without --residual
    doc = {"name": act.name, "label": act.label, **propagation(act, args.sigma_w2, args.sigma_b2, args.q0).as_dict()}
    if args.depth is not None:
        q, _, c = iterate_maps(act, args.q0, args.c0, args.sigma_w2, args.sigma_b2, args.depth)
        doc.update(depth=args.depth, c0=args.c0, q=q.tolist(), c=c.tolist())
    if args.json:
        print_json(doc, indent=1)
        return 0
    print(f"mean-field maps of {act.label} at sigma_w2 = {args.sigma_w2:g}, sigma_b2 = {args.sigma_b2:g} (inputs: q0 = {args.q0:g})")
    keys = ("phase", "q_star", "c_star", "chi1", "chi_c", "xi_q", "xi_c", "xi_grad")
    print(_table(("quantity", "value"), [(k, _fmt(doc[k], 10)) for k in keys]))
    fps = ", ".join(f"{p['q_star']:.6g} ({'stable' if p['stable'] else 'unstable'})" for p in doc["fixed_points"])
    print(f"fixed points of the length map: {fps or 'none'}")
    if doc["note"]:
        print(f"note: {doc['note']}")
    if args.depth is not None:
        print(_table(("layer", "q", "c"), [(str(i), _fmt(a, 10), _fmt(b, 10)) for i, (a, b) in enumerate(zip(doc["q"], doc["c"]))]))
    print("('-': infinite or undefined; xi_grad is infinite outside the ordered phase)")
    return 0


def _residual_maps(args: argparse.Namespace, act) -> int:
    """``maps --residual``: per block l = 0 … L the stream's length p^l (p^0 = --q0), the correlation c^l and the
    branch's pre-activation variance q^l (l ≥ 1: σ_w² p^{l−1} + σ_b², or σ_w² + σ_b² after a pre-norm); per block
    l = 1 … L the gradient factor χ_l and log Π χ; the local growth exponents between depths l and 2l."""
    from signalprop import depth_growth

    if args.depth is None:
        raise CLIError("a residual network has no fixed point to report in general (its length grows): give --depth L")
    net = residual_network(args, act, args.depth, False)
    try:
        g = depth_growth(net, args.q0, args.c0)
    except (ValueError, OverflowError) as err:
        raise CLIError(str(err)) from err
    doc = {"name": act.name, "label": act.label, "residual": args.residual, "sigma_w2": args.sigma_w2,
           "sigma_b2": args.sigma_b2, "sigma_v2": args.sigma_v2, "sigma_a2": args.sigma_a2, "norm": args.norm,
           "placement": (args.placement or "pre") if args.norm else None, "depth": args.depth, "c0": args.c0,
           "p": [args.q0, *g.p.tolist()], "q": g.q.tolist(), "c": [args.c0, *g.c.tolist()], "chi": g.chi.tolist(),
           "log_chi": g.log_chi.tolist(),
           "exponents": {"depth": g.doublings.tolist(), **{key: [None if math.isnan(v) else v for v in arr.tolist()] for key, arr in
                                                           (("p", g.p_exponent), ("one_minus_c", g.c_exponent),
                                                            ("log_chi", g.chi_exponent))}}}
    if args.json:
        print_json(doc, indent=1)
        return 0
    norm = f", {args.norm}norm ({doc['placement']})" if args.norm else ""
    print(f"residual network of {act.label}: x <- x + {args.residual:g} (V phi(W x + b) + a), sigma_w2 = {args.sigma_w2:g}, "
          f"sigma_b2 = {args.sigma_b2:g}, sigma_v2 = {args.sigma_v2:g}, sigma_a2 = {args.sigma_a2:g}{norm}")
    rows = [("0", _fmt(args.q0, 10), "-", _fmt(args.c0, 10), "-", "-")]
    rows += [(str(i + 1), _fmt(p, 10), _fmt(float(qq), 10), _fmt(c, 10), _fmt(x, 10), _fmt(lx, 10))
             for i, (p, qq, c, x, lx) in enumerate(zip(g.p, g.q, g.c, g.chi, g.log_chi))]
    print(_table(("block", "p (stream)", "q (branch)", "c", "chi", "log prod chi"), rows))
    if len(g.doublings):
        print("local growth exponents between depths l and 2l (p ~ l^e, 1 - c ~ l^e, log prod chi ~ l^e):")
        print(_table(("l", "p", "1 - c", "log prod chi"),
                     [(str(l), _fmt(a, 6), _fmt(b, 6), _fmt(x, 6)) for l, a, b, x in
                      zip(g.doublings, g.p_exponent, g.c_exponent, g.chi_exponent)]))
    return 0


def cmd_phase(args: argparse.Namespace) -> int:
    import numpy as np

    from signalprop.phase import PHASES

    if not (args.w_min < args.w_max and args.b_min < args.b_max):
        raise CLIError(f"need --sigma-w2-min < --sigma-w2-max and --sigma-b2-min < --sigma-b2-max, "
                       f"got [{args.w_min:g}, {args.w_max:g}] and [{args.b_min:g}, {args.b_max:g}]")
    if args.residual is not None or args.norm is not None or args.placement is not None:
        return _residual_phase(args, resolve_layer_activation(args))
    args.grid = args.grid or 200
    axes = np.linspace(args.w_min, args.w_max, args.grid), np.linspace(args.b_min, args.b_max, args.grid)
    diagram = _warm_phase(args, axes)
    if diagram is None:
        diagram = _cold_phase(args, axes)
    if args.output:
        from signalprop.figures import plot_phase_diagram

        print(f"figure written to {plot_phase_diagram(diagram, args.output)}", file=sys.stderr)
    if args.json:
        print_json(diagram.as_dict())
        return 0
    counts = np.bincount(diagram.phase.ravel(), minlength=len(PHASES))
    print(f"phase diagram of {diagram.activation}: {args.grid} x {args.grid} grid, sigma_w2 in [{args.w_min:g}, {args.w_max:g}], "
          f"sigma_b2 in [{args.b_min:g}, {args.b_max:g}]")
    print(_table(("phase", "grid points"), [(p, str(c)) for p, c in zip(PHASES, counts)]))
    step = max(1, args.grid // 6)
    rows = []
    for i in range(0, args.grid, step):
        for j in range(0, args.grid, step):
            values = (float(a[i, j]) for a in (diagram.q_star, diagram.chi1, diagram.xi_c))
            rows.append((_fmt(diagram.sigma_w2[j]), _fmt(diagram.sigma_b2[i]), PHASES[diagram.phase[i, j]],
                         *(_fmt(v if np.isfinite(v) else None) for v in values)))
    print(_table(("sigma_w2", "sigma_b2", "phase", "q_star", "chi1", "xi_c"), rows))
    print("('-': undefined where the variance is unbounded, infinite for xi_c at and beyond the edge of chaos)")
    return 0


def _phase_request(args: argparse.Namespace) -> str | None:
    """The identity of a plain ``phase NAME [--param k=v …]`` request (None for formulas, gated pairs, mixtures): the
    disk cache's note of which activation it gave (``disk_cache.remember_activation``)."""
    if args.name is None or args.expr is not None or args.gate is not None or args.value is not None or getattr(args, "mix", None):
        return None
    return json.dumps({"name": args.name, "params": sorted(_parse_params(args.param).items())})  # as resolved: last k=v wins


def _warm_phase(args: argparse.Namespace, axes):
    """The diagram from the disk cache alone (``warm_phase_diagram``), without building the activation (sympy), when
    this request was seen before and its tables are cached; else None."""
    from symbolic import disk_cache

    request = _phase_request(args)
    noted = None if request is None else disk_cache.remembered_activation(request)
    if noted is None:
        return None
    from signalprop.phase import warm_phase_diagram

    label, key = noted
    diagram = warm_phase_diagram(label, key, lambda: resolve_layer_activation(args), *axes, progress=not args.no_progress)
    if diagram is not None:
        print(f"phase tables of {label} read from the cache", file=sys.stderr)
    return diagram


def _cold_phase(args: argparse.Namespace, axes):
    from signalprop.phase import POINTWISE_GRID, phase_diagram, tabulable
    from symbolic import disk_cache

    act = resolve_layer_activation(args)
    tables = tabulable(act)
    if not tables and args.grid**2 > POINTWISE_GRID:
        raise CLIError(f"{act.label} has no phase tables: it is solved point by point (~0.1-0.5 s per point); use "
                       f"--grid {int(POINTWISE_GRID ** 0.5)} or less")
    print(f"tabulating E[phi^2], E[phi'^2] and Hermite coefficients of {act.label} ..." if tables
          else f"solving {act.label} point by point ({args.grid ** 2} points) ...", file=sys.stderr)
    request = _phase_request(args)
    if request is not None and tables:
        disk_cache.remember_activation(request, act)
    return phase_diagram(act, *axes, progress=not args.no_progress)


RESIDUAL_PHASE_GRID, RESIDUAL_PHASE_DEFAULT = 3600, 30
"""Grid points ``phase --residual`` accepts (each point solves its block's fixed points, ~0.1 s), and its default
points per axis."""


def _residual_phase(args: argparse.Namespace, act) -> int:
    """``phase --residual ALPHA --norm KIND --post-norm``: the phase diagram of post-norm residual blocks
    Norm(x + α F(x)) over the branch's (σ_w², σ_b²) (``signalprop.block_phase``). Blocks without a norm after the sum
    have no length fixed point, so no phase diagram: refused with where their growth laws are."""
    import numpy as np

    from signalprop.architecture import Serial, branch, post_norm_block
    from signalprop.block_phase import block_phase_diagram
    from signalprop.phase import PHASES

    if args.residual is None:
        raise CLIError("--norm, --pre-norm and --post-norm describe residual blocks: give --residual ALPHA too")
    if args.norm is None or args.placement != "post":
        raise CLIError("residual blocks without a normalization after the sum (no --norm, or --pre-norm) have no fixed "
                       "point of the stream's length: it grows without bound and every (sigma_w2, sigma_b2) sits at the "
                       "edge of chaos (Yang & Schoenholz 2017), so there is no phase diagram; their polynomial growth "
                       "laws are in `acttheory maps NAME --residual ALPHA --sigma-w2 W --sigma-b2 B --depth L` "
                       "(exponents). Give --norm layer|rms --post-norm for Norm(x + alpha F(x)) blocks")
    args.grid = args.grid or RESIDUAL_PHASE_DEFAULT
    if args.grid**2 > RESIDUAL_PHASE_GRID:
        raise CLIError(f"a residual phase diagram solves every point's fixed points (~0.1 s each): give --grid "
                       f"{int(RESIDUAL_PHASE_GRID ** 0.5)} or less, got {args.grid}")
    label = f"post-norm ({args.norm}) residual {act.label}, alpha = {args.residual:g}"

    def block_of(w2: float, b2: float):
        return Serial(post_norm_block(branch(act, w2, b2, args.sigma_v2, args.sigma_a2), args.residual, args.norm))

    try:
        diagram = block_phase_diagram(block_of, np.linspace(args.w_min, args.w_max, args.grid),
                                      np.linspace(args.b_min, args.b_max, args.grid), label,
                                      progress=not args.no_progress)
    except (ValueError, ArithmeticError, OverflowError) as err:
        raise CLIError(str(err)) from err
    if args.output:
        from signalprop.figures import plot_phase_diagram

        print(f"figure written to {plot_phase_diagram(diagram, args.output)}", file=sys.stderr)
    if args.json:
        doc = diagram.as_dict()
        doc.update(residual=args.residual, sigma_v2=args.sigma_v2, sigma_a2=args.sigma_a2, norm=args.norm,
                   placement="post")
        print_json(doc)
        return 0
    counts = np.bincount(diagram.phase[diagram.phase >= 0].ravel(), minlength=len(PHASES))
    print(f"phase diagram of {label}: {args.grid} x {args.grid} grid, sigma_w2 in [{args.w_min:g}, {args.w_max:g}], "
          f"sigma_b2 in [{args.b_min:g}, {args.b_max:g}], sigma_v2 = {args.sigma_v2:g}, sigma_a2 = {args.sigma_a2:g}"
          + (" (interrupted: the points not reached are left out)" if diagram.interrupted else ""))
    print(_table(("phase", "grid points"), [(p, str(c)) for p, c in zip(PHASES, counts)]))
    step = max(1, args.grid // 6)
    rows = []
    for i in range(0, args.grid, step):
        for j in range(0, args.grid, step):
            if diagram.phase[i, j] < 0:
                continue
            values = (float(a[i, j]) for a in (diagram.p_star, diagram.chi1, diagram.c_star, diagram.xi_c))
            rows.append((_fmt(diagram.sigma_w2[j]), _fmt(diagram.sigma_b2[i]), PHASES[diagram.phase[i, j]],
                         *(_fmt(v if np.isfinite(v) else None) for v in values)))
    print(_table(("sigma_w2", "sigma_b2", "phase", "p_star", "chi1", "c_star", "xi_c"), rows))
    print("(p_star: the stream's length after the norm; chi1: the block's correlation-map slope at c = 1; '-': infinite "
          "xi_c at the edge of chaos)")
    return 130 if diagram.interrupted else 0


def cmd_snn(args: argparse.Namespace) -> int:
    from signalprop import solve_selu

    doc = solve_selu().as_dict()
    doc["convention"] = "fixed point (mu, nu) = (0, 1) of the mean/variance map for omega = 0, tau = 1 (Klambauer et al. 2017)"
    if args.json:
        print_json(doc, indent=1)
    else:
        print(f"SELU constants: lambda = {doc['lambda']:.16g}, alpha = {doc['alpha']:.16g}")
        (a, b), (c, d) = doc["jacobian"]
        print(f"Jacobian of (mu, nu) -> (mu~, nu~) at (0, 1): [[{a:.6g}, {b:.6g}], [{c:.6g}, {d:.6g}]]")
        print(f"spectral norm: {doc['spectral_norm']:.6g} (< 1: (0, 1) is attracting)")
    return 0


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acttheory",
        description="The theory of activation functions: exact derivations, signal propagation, kernels, checks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    z = sub.add_parser("zoo", help="table of every registered activation and its derived properties")
    z.add_argument("--json", action="store_true", help="print a JSON list of derivations")
    z.add_argument("--family", help="only activations whose family contains this text")
    z.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_number(z, "--jobs", Bounds(1, integer=True), help="worker processes (default: one per core)")
    from .zoo_cli import add_critical_args

    add_critical_args(z)
    z.set_defaults(func=cmd_zoo)
    s = sub.add_parser("show", help="the derivation of one activation (derivatives, jumps, smoothness, ...)")
    _add_activation_args(s)
    add_number(s, "--tokens", Bounds(1, integer=True, what="the number of tokens n"), default=2,
               help="for an attention normalizer (softmax, sparsemax, ...): the row length of its Lipschitz constant")
    s.set_defaults(func=cmd_show)
    c = sub.add_parser("critical", help="critical initialization (edge of chaos) at a bias variance or a q*")
    _add_activation_args(c)
    which = c.add_mutually_exclusive_group()
    add_number(which, "--sigma-b2", BIAS_VARIANCE, help="bias variance sigma_b^2 >= 0 (default 0)")
    add_number(which, "--q-star", Q_STAR, help="fixed point q* > 0 of the length map instead")
    c.set_defaults(func=cmd_critical)
    e = sub.add_parser("eoc", help="the edge-of-chaos curve sigma_w2(sigma_b2), parameterized by q*")
    _add_activation_args(e)
    e.add_argument("-o", "--output", help="write a figure (PNG/PDF/SVG by extension)")
    add_number(e, "--q-min", Q_STAR, default=1e-3, help="smallest q* > 0 (default 1e-3)")
    add_number(e, "--q-max", Q_STAR, default=1e2, help="largest q* (default 100)")
    add_number(e, "--points", Bounds(1, 100_000, integer=True), default=120, help="number of q* values (default 120)")
    e.set_defaults(func=cmd_eoc)
    m = sub.add_parser("maps", help="q*, c*, chi_1, depth scales and phase at (sigma_w2, sigma_b2); per-layer q, c")
    _add_activation_args(m)
    add_number(m, "--sigma-w2", WEIGHT_VARIANCE, required=True, help="weight variance sigma_w^2 > 0")
    add_number(m, "--sigma-b2", BIAS_VARIANCE, required=True, help="bias variance sigma_b^2 >= 0")
    add_number(m, "--depth", Bounds(0, 10_000, integer=True), help="also iterate q^l, c^l for layers 0..DEPTH (<= 10000)")
    add_number(m, "--q0", Bounds(0, low_open=True, what="a pre-activation variance"), default=1.0,
               help="the inputs' pre-activation variance q^0 > 0 (default 1)")
    add_number(m, "--c0", CORRELATION, default=0.5, help="the inputs' correlation c^0 in [-1, 1] for --depth (default 0.5)")
    _add_mixture_arg(m)
    _add_residual_args(m)
    m.set_defaults(func=cmd_maps)
    ph = sub.add_parser("phase", help="order-to-chaos phase diagram: q*, chi_1, xi_c on a (sigma_w2, sigma_b2) grid")
    _add_activation_args(ph)
    ph.add_argument("-o", "--output", help="write the figure (PNG/PDF/SVG by extension)")
    add_number(ph, "--grid", Bounds(2, 2000, integer=True),
               help="grid points per axis, 2 to 2000 (default 200; with --residual 30, at most 60)")
    add_number(ph, "--sigma-w2-min", WEIGHT_VARIANCE, dest="w_min", default=0.1, help="default 0.1")
    add_number(ph, "--sigma-w2-max", WEIGHT_VARIANCE, dest="w_max", default=5.0, help="default 5")
    add_number(ph, "--sigma-b2-min", BIAS_VARIANCE, dest="b_min", default=0.0, help="default 0")
    add_number(ph, "--sigma-b2-max", BIAS_VARIANCE, dest="b_max", default=0.4, help="default 0.4")
    ph.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_mixture_arg(ph)
    _add_residual_args(ph)
    ph.set_defaults(func=cmd_phase)
    n = sub.add_parser("snn", help="solve SELU's (lambda, alpha); Jacobian of the mean/variance map at (0, 1)")
    n.add_argument("--json", action="store_true", help="print one JSON document")
    n.set_defaults(func=cmd_snn)
    from .attention_cli import add_attention_command
    from .cache_cli import add_cache_command
    from .kernel_cli import add_kernel_command, add_spectrum_command
    from .mc_cli import add_mc_command
    from .shape_cli import add_shape_command
    from .verify_cli import add_verify_command

    add_kernel_command(sub)
    add_spectrum_command(sub)
    add_mc_command(sub)
    add_shape_command(sub)
    add_verify_command(sub)
    add_attention_command(sub)
    add_cache_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)  # numeric options are checked here (``add_number``)
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C: stop cleanly (commands that can keep partial results catch it themselves)
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except CLIError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as err:  # unknown names, bad parameters, unsafe formulas
        from signalprop import DivergentExpectationError, NoCriticalPointError, QuadratureError
        from signalprop.laws import UnsupportedLayerError
        from symbolic import DecompositionError, FormulaError, ParameterError, UnknownActivationError
        from signalprop.gaussian_qmc import CovarianceError
        from symbolic.normalizers import AttentionError, UnknownNormalizerError

        user_errors = (DecompositionError, FormulaError, ParameterError, UnknownActivationError,
                       DivergentExpectationError, NoCriticalPointError, QuadratureError, UnsupportedLayerError,
                       UnknownNormalizerError, AttentionError, CovarianceError)
        if isinstance(err, user_errors):
            print(f"error: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
