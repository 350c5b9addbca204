"""``acttheory shape``: the DKS or TAT transformation of an activation for a chain of L nonlinear layers
(signalprop.shaping; the parameters under the ``dks`` package's names)."""

from __future__ import annotations

import argparse

from .cli import Bounds, CLIError, _add_activation_args, _fmt, _table, add_number, print_json, resolve_activation


def cmd_shape(args: argparse.Namespace) -> int:
    from signalprop import shaping

    act = resolve_activation(args)
    if args.method == "dks" and (args.tau is not None or args.eta is not None):
        raise CLIError("--tau and --eta are TAT's targets; DKS takes --zeta (and --q-slope)")
    if args.method == "tat" and (args.zeta is not None or args.q_slope is not None):
        raise CLIError("--zeta and --q-slope are DKS's targets; TAT takes --tau (smooth activations) or --eta (leaky_relu)")
    leaky = getattr(act, "name", None) == "leaky_relu"
    if args.method == "tat" and leaky and args.tau is not None:
        raise CLIError("--tau is TAT's target for smooth activations; leaky_relu takes --eta (the network's C(0))")
    if args.method == "tat" and not leaky and args.eta is not None:
        raise CLIError("--eta is TAT's target for leaky_relu; smooth activations take --tau (the network's C''(1))")
    try:
        if args.method == "dks":
            result = shaping.dks(act, depth=args.depth, zeta=1.5 if args.zeta is None else args.zeta,
                                 q_slope=1.0 if args.q_slope is None else args.q_slope, progress=not args.json)
        else:
            result = shaping.tat(act, depth=args.depth, tau=0.3 if args.tau is None else args.tau,
                                 eta=0.9 if args.eta is None else args.eta, progress=not args.json)
    except (shaping.ShapingError, shaping.ShapingTargetError) as err:
        raise CLIError(str(err)) from err
    doc = {"depth": args.depth, **result.to_dict(), "formula": result.activation.spec.formula}
    if args.json:
        print_json(doc)
        return 0
    print(f"{result.method.upper()} transformation of {act.label} for a chain of {args.depth} nonlinear layers:")
    print("  phi_hat(x) = output_scale * (phi(input_scale * x + input_shift) + output_shift)")
    print(_table(("parameter", "value"), [(k, f"{v:.16g}") for k, v in result.params().items()]))
    print(_table(("target", "value"), [(k, _fmt(v, 12)) for k, v in result.targets.items()]))
    print(_table(("local map at q = 1", "value"), [(k, _fmt(v, 12)) for k, v in vars(result.local).items()
                                                      if v is not None and not k.startswith("output_")]))
    if result.note:
        print(f"note: {result.note}")
    if result.mirror:
        print("another solution exists (the mirrored one, with the same maps): "
              + ", ".join(f"{k} = {v:.16g}" for k, v in result.mirror.items()))
    return 0


def add_shape_command(sub) -> None:
    s = sub.add_parser("shape", help="kernel shaping: DKS or TAT parameters of an activation for a chain of L layers")
    _add_activation_args(s)
    add_number(s, "--depth", Bounds(1, 100_000, integer=True, what="nonlinear layers"), required=True,
               help="number of nonlinear layers L of the chain, 1 to 100000")
    s.add_argument("--method", choices=("dks", "tat"), default="dks", help="DKS (Martens et al. 2021) or TAT (Zhang et al. 2022)")
    add_number(s, "--zeta", Bounds(1, low_open=True, what="the network's C'(1)"), help="DKS: the network's C'(1) > 1 (default 1.5)")
    add_number(s, "--q-slope", Bounds(0, low_open=True, what="each layer's Q'(1)"), help="DKS: each layer's Q'(1) > 0 (default 1)")
    add_number(s, "--tau", Bounds(0, low_open=True, what="the network's C''(1)"),
               help="TAT, smooth activations: the network's C''(1) > 0 (default 0.3)")
    add_number(s, "--eta", Bounds(0, 1, low_open=True, high_open=True, what="the network's C(0)"), help="TAT, leaky_relu: the network's C(0) in (0, 1) (default 0.9)")
    s.set_defaults(func=cmd_shape)
