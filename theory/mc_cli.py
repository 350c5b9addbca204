"""``acttheory mc``: Monte-Carlo measurements on finite random networks against the infinite-width
theory, with standard errors (theory/montecarlo)."""

from __future__ import annotations

import argparse
import math
import sys

from .cli import (CORRELATION, SEED, Bounds, CLIError, _add_activation_args, _add_mixture_arg, _add_residual_args,
                  _add_variance_args, _fmt, _table, add_number, json_text, print_json, residual_network,
                  resolve_layer_activation)

MEASURES = ("q", "c", "qvar", "kurtosis", "nngp", "grad", "ntk", "jacobian")


def two_inputs(correlation: float, d: int = 2):
    """Two inputs with ‖x‖²/d = 1 and cosine ``correlation`` (q^0 = σ_w² + σ_b²)."""
    import numpy as np

    if not -1 <= correlation <= 1:
        raise ValueError(f"the inputs' correlation must be in [-1, 1], got {correlation}")
    x1 = np.zeros(d)
    x1[0] = np.sqrt(d)
    x2 = np.zeros(d)
    x2[0], x2[1] = np.sqrt(d) * correlation, np.sqrt(d) * np.sqrt(1 - correlation**2)
    return np.stack([x1, x2])


def _measures(text: str) -> list[str]:
    names = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in names if m not in MEASURES]
    if bad or not names:
        raise CLIError(f"--measure takes a comma-separated list of {', '.join(MEASURES)}; got {text!r}")
    return names


def _widths(text: str) -> list[int]:
    try:
        widths = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CLIError(f"--widths takes comma-separated integers (e.g. 64,128,256,512), got {text!r}") from None
    if len(set(widths)) < 3 or min(widths) < 1:
        raise CLIError(f"--widths needs at least 3 distinct positive widths, got {text!r}")
    return widths


def comparison_json(comp) -> dict:
    """A Comparison as JSON with null in "theory", "z" and "z_corrected" where there is no theory (NaN; '-' in
    the table), and in the z's where the standard error is 0 (infinitely many of them)."""
    doc = comp.to_json()
    for key in ("theory", "z", "z_corrected"):
        if isinstance(doc[key], list):  # else a note such as "measured only"
            doc[key] = [v if math.isfinite(v) else None for v in doc[key]]
    return doc


def versions() -> dict[str, str]:
    """Versions of Python and of the packages a result depends on."""
    import platform
    from importlib import metadata

    out = {"python": platform.python_version()}
    for package in ("activation-theory", "numpy", "scipy", "jax", "jaxlib"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def _save(path: str, doc: dict, fwd, grads) -> None:
    """.json: the document printed by --json; .npz: also every network's raw statistics (Forward and,
    after a backward run, Gradients arrays) with the document as a JSON string under "document"."""
    import numpy as np

    if path.endswith(".json"):
        with open(path, "w") as fh:
            fh.write(json_text(doc))
    elif path.endswith(".npz"):
        arrays = {"gram": fwd.gram, "fourth": fwd.fourth, "outputs": fwd.outputs}
        if grads is not None:
            arrays.update(grad_norms=grads.norms, ntk=grads.ntk)
        np.savez(path, document=json_text(doc), **arrays)
    else:
        raise CLIError(f"--save writes .json or .npz, got {path!r}")


def cmd_mc(args: argparse.Namespace) -> int:
    import numpy as np

    from .montecarlo import (BACKWARD, JACOBIAN, NetworkSpec, device_name, forward, gradients, jacobians, kernel_deviation_sweep,
                             measure, plot_comparisons, width_sweep)
    from .montecarlo.backend import JaxMissingError

    act = resolve_layer_activation(args)
    names = _measures(args.measure)
    if args.residual is not None:
        return _residual_mc(args, act, names)
    residual_network(args, act, 0, False)  # refuses --norm without --residual
    if {"nngp", "ntk"} & set(names):  # refuse before the ensemble runs what has no infinite-width kernel yet
        from signalprop.laws import UnsupportedLayerError, layer_law

        try:
            layer_law(act).dual(1.0, 1.0, 0.5)
        except UnsupportedLayerError as err:
            raise CLIError(str(err)) from None
    try:
        spec = NetworkSpec(act, args.width, args.depth, args.sigma_w2, args.sigma_b2, ensemble=args.ensemble,
                           weights="orthogonal" if args.orthogonal else "gaussian", dtype=args.dtype, seed=args.seed,
                           parameterization=args.parameterization,
                           outputs=args.width)  # a readout as wide as the hidden layers: its statistics compare like theirs
        X = two_inputs(args.input_correlation)
        fwd = forward(spec, X, progress=not args.json, fast=not args.explicit)
        grads = gradients(spec, X, progress=not args.json) if BACKWARD & set(names) else None
        jac = jacobians(spec, progress=not args.json) if "jacobian" in names else None
        names = [n for n in names if n != "jacobian"] + (sorted(JACOBIAN) if jac is not None else [])
        runs = {**{n: grads for n in BACKWARD}, **{n: jac for n in JACOBIAN}}
        comparisons = {name: measure(name, spec, X, runs.get(name, fwd)) for name in names}
        if args.widths:
            if args.orthogonal:
                raise CLIError("--widths fits the 1/N theory of Gaussian weights; drop --orthogonal")
            comparisons.update(width_sweep(act, _widths(args.widths), args.depth, args.sigma_w2, args.sigma_b2, X,
                                           ensemble=args.ensemble, seed=args.seed, progress=not args.json))
            if {"nngp", "ntk"} & set(names):
                comparisons.update(kernel_deviation_sweep(act, _widths(args.widths), args.depth, args.sigma_w2, args.sigma_b2, X,
                                                          ensemble=args.ensemble, seed=args.seed,
                                                          parameterization=args.parameterization, progress=not args.json))
    except (ValueError, MemoryError, JaxMissingError) as err:
        raise CLIError(str(err)) from err
    doc = {"config": {**spec.config(), "inputs": X.tolist(), "device": device_name(), "networks_completed": fwd.networks,
                      "sampling": "explicit weights" if args.explicit else f"exact {spec.weights} conditional (fast path)",
                      "interrupted": fwd.interrupted, "versions": versions()},
           **{name: comparison_json(comp) for name, comp in comparisons.items()}}
    if args.save:
        _save(args.save, doc, fwd, grads)
        print(f"results written to {args.save}", file=sys.stderr)
    if args.output:
        print(f"figure written to {plot_comparisons(list(comparisons.values()), args.output, act.label)}", file=sys.stderr)
    if args.json:
        print_json(doc)
        return 0
    print(f"{act.label}: {fwd.networks} networks of width {args.width}, depth {args.depth}, sigma_w2 = {args.sigma_w2:g}, "
          f"sigma_b2 = {args.sigma_b2:g}, {spec.weights} weights ({doc['config']['sampling']}), {spec.dtype} on {doc['config']['device']}"
          + (" (interrupted)" if fwd.interrupted else ""))
    print("layer l: pre-activations of hidden layer l + 1 (l = depth: the readout); measured +- standard error vs infinite-width theory;\n"
          "z* = z corrected for the skewness of the per-network values (Hall 1992), the one judged")
    return _print_comparisons(comparisons)


def _print_comparisons(comparisons: dict) -> int:
    import numpy as np

    for name, comp in comparisons.items():
        verdict = (("agrees" if comp.passed else "DISAGREES") + f" within {comp.n_sigma:g} standard errors"
                   if np.isfinite(comp.theory).any() else "measured (no theory here)")
        print(f"\n{comp.label}: {verdict}")
        names = ([f"x{a + 1},x{b + 1}" for a, b in comp.notes["pairs"]] if "pairs" in comp.notes
                 else [str(int(i)) for i in comp.index])
        z_text = lambda z: f"{float(z):+.2f}" if np.isfinite(z) else "-"  # noqa: E731
        rows = [(i, _fmt(float(m)), _fmt(float(s)), _fmt(float(t)) if np.isfinite(t) else "-", z_text(z), z_text(zc))
                for i, m, s, t, z, zc in zip(names, comp.measured, comp.stderr, comp.theory, comp.z, comp.z_corrected)]
        print(_table((comp.index_name, "measured", "stderr", "theory", "z", "z*"), rows))
    return 0 if all(c.passed for c in comparisons.values()) else 1


def _residual_mc(args: argparse.Namespace, act, names: list[str]) -> int:
    """``mc --residual``: an embedding Dense(σ_w², σ_b²) of width N, ``depth`` residual blocks (``residual_network``) and a
    readout Dense(σ_w², σ_b²); the stream's length and covariance after every top-level layer, (``ntk`` in --measure)
    the mean empirical NTK and (``grad``) the squared gradient length after every top-level layer, against
    ``signalprop.architecture`` / ``ntk.network_kernels`` / ``block_chis``. Explicit weights when the NTK or gradients
    are measured or --explicit is given, else the Gram fast path (``networks`` docstring)."""
    from signalprop.architecture import Dense, Serial

    from .montecarlo import device_name
    from .montecarlo.backend import JaxMissingError
    from .montecarlo.networks import compare_network

    unsupported = set(names) - {"q", "c", "nngp", "ntk", "grad"}
    if unsupported or args.widths or args.orthogonal:
        raise CLIError("a residual network measures q, c (the stream after every layer), nngp (the same at the readout), "
                       "ntk and grad (the squared gradient length after every layer), with Gaussian weights and one "
                       f"width; not {', '.join(sorted(unsupported)) or '--widths/--orthogonal'}")
    net = Serial(Dense(args.sigma_w2, args.sigma_b2), *residual_network(args, act, args.depth, True).layers)
    fast = not args.explicit and "ntk" not in names and "grad" not in names
    sampling = "exact Gaussian conditional given the Gram (fast path)" if fast else "explicit weights"
    try:
        comparisons = compare_network(net, two_inputs(args.input_correlation), args.width, args.ensemble, args.seed,
                                      args.parameterization, "ntk" in names, args.dtype, fast=fast,
                                      gradients="grad" in names)
    except (ValueError, MemoryError, JaxMissingError) as err:
        raise CLIError(str(err)) from err
    doc = {"config": {"activation": act.label, "width": args.width, "depth": args.depth, "ensemble": args.ensemble,
                      "residual": args.residual, "sigma_w2": args.sigma_w2, "sigma_b2": args.sigma_b2,
                      "sigma_v2": args.sigma_v2, "sigma_a2": args.sigma_a2, "norm": args.norm,
                      "placement": (args.placement or "pre") if args.norm else None,
                      "parameterization": args.parameterization, "dtype": args.dtype, "seed": args.seed,
                      "sampling": sampling, "device": device_name(), "versions": versions()},
           **{name: comparison_json(comp) for name, comp in comparisons.items()}}
    if args.json:
        print_json(doc)
        return 0 if all(c.passed for c in comparisons.values()) else 1
    print(f"residual network of {act.label}: embedding Dense, {args.depth} blocks x <- x + {args.residual:g} F(x), readout; "
          f"{args.ensemble} networks of width {args.width}, {sampling}, {args.dtype}\n"
          "layer l: the stream after top-level layer l (1: the embedding, last: the readout)")
    return _print_comparisons(comparisons)


def add_mc_command(sub) -> None:
    m = sub.add_parser("mc", help="Monte-Carlo measurements on finite random networks vs the infinite-width theory (needs JAX: the mc extra)")
    _add_activation_args(m)
    _add_mixture_arg(m)
    add_number(m, "--width", Bounds(1, integer=True, what="a hidden width"), required=True, help="hidden width N >= 1")
    add_number(m, "--depth", Bounds(1, integer=True, what="hidden layers"), required=True, help="number of hidden layers L >= 1")
    add_number(m, "--ensemble", Bounds(2, integer=True, what="networks: error bars need two"), default=100,
               help="number of independent networks >= 2 (default 100)")
    _add_variance_args(m)
    m.add_argument("--orthogonal", action="store_true", help="Haar orthogonal weights (default Gaussian)")
    m.add_argument("--explicit", action="store_true",
                   help="draw explicit weight matrices (default: the exact law of each layer given the previous one, Gaussian or orthogonal, O(N) per input pair instead of O(N^2))")
    m.add_argument("--measure", default="q,c", help=f"comma-separated: {','.join(MEASURES)} (default q,c)")
    m.add_argument("--widths", help="width sweep, e.g. 64,128,256,512: slopes in 1/N of the kurtosis and of the shift of q (Gaussian weights)")
    m.add_argument("--parameterization", choices=("ntk", "standard"), default="ntk", help="of the measured NTK (default ntk)")
    add_number(m, "--input-correlation", CORRELATION, default=0.5, help="cosine in [-1, 1] between the two inputs (default 0.5)")
    m.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="of the simulation (default float32)")
    add_number(m, "--seed", SEED, default=0, help="seed of every random number (default 0)")
    m.add_argument("-o", "--output", metavar="PNG", help="figure: theory curves and measured points with error bars")
    m.add_argument("--save", metavar="FILE", help="results with the full configuration and versions: .json, or .npz with every network's raw statistics")
    _add_residual_args(m)
    m.set_defaults(func=cmd_mc)
