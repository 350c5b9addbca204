"""``acttheory zoo --critical``: the critical initialization of every registered activation at chosen bias
variances (or why there is none), in parallel with a progress bar, as a table, JSON or CSV; and a figure of
the edge-of-chaos curves of chosen activations side by side."""

from __future__ import annotations

import argparse
import csv
import sys
from functools import partial

from .cli import CLIError, _fmt, _table, print_json

DEFAULT_SIGMA_B2 = "0,0.05,0.1"
DEFAULT_EOC = "tanh,erf,elu,selu,gelu,swish"
COLUMNS = ("name", "sigma_b2", "status", "sigma_w2", "q_star", "chi1", "length_map_slope", "xi_q",
           "ordered_limit_sigma_w2", "reason")


def add_critical_args(z: argparse.ArgumentParser) -> None:
    z.add_argument("--critical", action="store_true",
                   help="the critical initialization of every activation (or why there is none) instead of the derivations")
    z.add_argument("--sigma-b2", default=None, metavar="B2[,B2...]",
                   help=f"with --critical: bias variances >= 0, comma-separated (default {DEFAULT_SIGMA_B2})")
    z.add_argument("--csv", action="store_true", help="with --critical: print CSV (one row per activation and sigma_b2)")
    z.add_argument("--plot", metavar="PNG", help="with --critical: write the edge-of-chaos curves of the --eoc activations")
    z.add_argument("--eoc", default=None, metavar="NAME[,NAME...]",
                   help=f"with --plot: the activations whose curves are drawn side by side (default {DEFAULT_EOC})")


def _bias_variances(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise CLIError(f"--sigma-b2 takes comma-separated numbers >= 0, e.g. {DEFAULT_SIGMA_B2}; got {text!r}") from None
    bad = [v for v in values if not (v >= 0 and v < float("inf"))]
    if bad or not values:
        raise CLIError(f"--sigma-b2 values must be finite bias variances >= 0, got {bad[0] if bad else text!r}")
    return values


def critical_entry(name: str, sigma_b2s: tuple[float, ...]) -> dict:
    """The zoo table's row of one registered activation (module level: runs in worker processes)."""
    from signalprop import critical_row
    from symbolic import get_activation, get_spec

    act, spec = get_activation(name), get_spec(name)
    return {"name": name, "label": act.label, "zoo_id": spec.zoo_id, "family": spec.family,
            "entries": critical_row(act, sigma_b2s)}


def _short(reason: str, width: int = 70) -> str:
    first = reason.split(";")[0].split(" (")[0]
    return first if len(first) <= width else first[: width - 3] + "..."


def zoo_critical(args: argparse.Namespace, names: list[str], jobs: int) -> int:
    from .progress import map_names

    if args.json and args.csv:
        raise CLIError("give --json or --csv, not both")
    sigma_b2s = _bias_variances(args.sigma_b2 or DEFAULT_SIGMA_B2)
    eoc_names = _eoc_names(args) if args.plot else []
    rows, interrupted = map_names(partial(critical_entry, sigma_b2s=sigma_b2s), names, jobs, not args.no_progress,
                                  "critical initializations")
    if args.plot:
        from signalprop import edge_of_chaos
        from signalprop.figures import plot_edge_of_chaos_curves
        from symbolic import get_activation
        import numpy as np

        curves = {}
        for name in eoc_names:
            act = get_activation(name)
            curves[name] = edge_of_chaos(act, np.geomspace(1e-3, 1e2, 120))
        print(f"figure written to {plot_edge_of_chaos_curves(curves, args.plot)}", file=sys.stderr)
    flat = [{"name": r["name"], **e} for r in rows for e in r["entries"]]
    if args.json:
        print_json({"sigma_b2": list(sigma_b2s), "activations": rows,
                    "statuses": "critical, unstable, tangent, marginal, continuum, none, divergent, failed "
                                "(signalprop.zoo_critical)",
                    "convention": "variances; chi_1(q*) = 1 at the length map's fixed point q*"}, indent=1)
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if e[k] is None else e[k]) for k in COLUMNS} for e in flat)
    else:
        header = ("name", "sigma_b2", "status", "sigma_w2", "q_star", "chi1", "V'(q*)", "xi_q", "why / note")
        print(_table(header, [(e["name"], _fmt(e["sigma_b2"]), e["status"], _fmt(e["sigma_w2"], 8), _fmt(e["q_star"], 6),
                               _fmt(e["chi1"], 6), _fmt(e["length_map_slope"], 4), _fmt(e["xi_q"], 4), _short(e["reason"]))
                              for e in flat]))
        print("\nstatus: critical = attracting q* with chi_1 = 1; unstable = q* repels (V'(q*) > 1); tangent = half-stable "
              "q*; marginal = q* = 0 (K* = 0 class); continuum = ReLU-like, critical for every q* at sigma_b2 = 0; "
              "none / divergent / failed: no critical point (why / note). '-': undefined or infinite.")
    return 130 if interrupted else 0


def _eoc_names(args: argparse.Namespace) -> list[str]:
    from symbolic import get_activation

    names = [n.strip() for n in (args.eoc or DEFAULT_EOC).split(",") if n.strip()]
    for n in names:
        get_activation(n)  # unknown names fail here, with suggestions, before the table is computed
    return names
