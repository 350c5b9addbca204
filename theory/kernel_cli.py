"""``acttheory kernel``: infinite-width NNGP (and NTK) matrices of a deep fully connected network for
given or random inputs (conventions: ntk/kernels.py)."""

from __future__ import annotations

import argparse
import sys

from .cli import (SEED, Bounds, CLIError, _add_activation_args, _add_mixture_arg, _add_residual_args, _add_variance_args, _fmt,
                  _table, add_number, load_npy, residual_network,
                  print_json, resolve_layer_activation)

KERNEL_DEPTH = Bounds(0, 10_000, integer=True, what="nonlinear layers")


def _inputs(args: argparse.Namespace):
    import numpy as np

    if (args.inputs is None) == (args.random is None):
        raise CLIError("give exactly one of --inputs FILE.npy or --random N,D")
    if args.inputs is not None:
        X = load_npy(args.inputs, "--inputs")
        if X.ndim == 1:
            X = X[None, :]
        return X
    try:
        n, d = (int(v) for v in args.random.split(","))
    except ValueError:
        raise CLIError(f"--random takes N,D (two positive integers), got {args.random!r}") from None
    top = 1_000_000 if getattr(args, "out", None) else 20000  # in memory: 20,000; block by block to disk: more
    if not (1 <= n <= top and 1 <= d <= 100000):
        raise CLIError(f"--random N,D needs 1 <= N <= {top} and 1 <= D <= 100000, got {n},{d}"
                       + ("" if top > 20000 else " (more inputs: write the kernel block by block with --out K.zarr)"))
    X = np.random.default_rng(args.seed).normal(size=(n, d))
    return X * np.sqrt(d) / np.linalg.norm(X, axis=1, keepdims=True) if args.sphere else X


def _plot(path: str, mats: dict) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(mats), figsize=(5 * len(mats), 4.2), squeeze=False)
    for ax, (name, mat) in zip(axes[0], mats.items()):
        im = ax.imshow(mat, cmap="viridis")
        ax.set_title(name)
        ax.set_xlabel("input j")
        ax.set_ylabel("input i")
        fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def cmd_kernel(args: argparse.Namespace) -> int:
    import numpy as np

    from ntk import final_kernels, method, network_kernels

    act = resolve_layer_activation(args)
    X = _inputs(args)
    net = residual_network(args, act, args.depth, True)
    if args.out is not None:
        return _blocked(args, act, net, X)
    for flag in ("block", "memory", "scheduler", "workers"):
        if getattr(args, flag) is not None:
            raise CLIError(f"--{flag} belongs to a kernel written block by block: give --out K.zarr (or K.npy) with it")
    try:
        if net is None:
            sigma, theta = final_kernels(act, X, depth=args.depth, sigma_w2=args.sigma_w2, sigma_b2=args.sigma_b2,
                                         ntk=args.ntk, parameterization=args.parameterization, width=args.width,
                                         progress=not args.json)
        else:
            sigma, theta = network_kernels(net, X, ntk=args.ntk, parameterization=args.parameterization, width=args.width,
                                           progress=not args.json)
    except (ValueError, OverflowError) as err:
        raise CLIError(str(err)) from err
    mats = {"nngp": sigma}
    if args.ntk:
        mats["ntk"] = theta
    if args.output:
        if args.output.endswith(".npz"):
            np.savez(args.output, **mats)
        else:
            np.save(args.output, mats["ntk" if args.ntk else "nngp"])
        print(f"kernel written to {args.output}", file=sys.stderr)
    if args.plot:
        print(f"figure written to {_plot(args.plot, mats)}", file=sys.stderr)
    doc = {"activation": act.label, "depth": args.depth, "sigma_w2": args.sigma_w2, "sigma_b2": args.sigma_b2,
           "parameterization": args.parameterization, "method": method(act)}
    if net is not None:
        doc.update(residual=args.residual, sigma_v2=args.sigma_v2, sigma_a2=args.sigma_a2, norm=args.norm,
                   placement=(args.placement or "pre") if args.norm else None)
    if args.json:
        doc.update({k: v.tolist() for k, v in mats.items()})
        print_json(doc)
        return 0
    print(f"{act.label}: {X.shape[0]} inputs of dimension {X.shape[1]}, depth {args.depth}, sigma_w2 = {args.sigma_w2:g}, "
          f"sigma_b2 = {args.sigma_b2:g}, {args.parameterization} parameterization; dual kernel: {doc['method']}")
    rows = []
    for name, mat in mats.items():
        eig = np.linalg.eigvalsh(mat)
        rows.append((name, _fmt(float(np.min(np.diag(mat)))), _fmt(float(np.max(np.diag(mat)))), _fmt(float(eig[0])),
                     _fmt(float(eig[-1])), _fmt(float(eig[-1] / eig[0])) if eig[0] > 0 else "-"))
    print(_table(("kernel", "min diag", "max diag", "min eig", "max eig", "condition"), rows))
    corner = min(4, X.shape[0])
    for name, mat in mats.items():
        print(f"{name}[:{corner}, :{corner}]")
        print(_table([""] + [str(j) for j in range(corner)], [[str(i)] + [_fmt(float(mat[i, j])) for j in range(corner)] for i in range(corner)]))
    return 0


def _blocked(args: argparse.Namespace, act, net, X) -> int:
    """The kernels block by block into --out (``ntk.blocked``)."""
    from ntk.blocked import BlockedKernelError, KernelJob, blocked_kernels

    if args.output or args.plot:
        raise CLIError("--out writes the kernels to disk block by block; -o/--output and --plot hold them in memory: "
                       "give one or the other")
    try:
        job = KernelJob(act, args.depth, args.sigma_w2, args.sigma_b2, net, args.ntk, args.parameterization, args.width)
        result = blocked_kernels(job, X, args.out, args.block, args.memory, args.scheduler, args.workers,
                                 args.processes, progress=not (args.json or args.no_progress))
    except (BlockedKernelError, ValueError, OverflowError) as err:
        raise CLIError(str(err)) from err
    doc = {"activation": act.label, "depth": args.depth, "sigma_w2": args.sigma_w2, "sigma_b2": args.sigma_b2,
           "parameterization": args.parameterization, "arrays": ["nngp", "ntk"] if args.ntk else ["nngp"],
           **result.as_dict()}
    if args.json:
        print_json(doc)
    else:
        state = "interrupted: rerun the same command to resume" if result.interrupted else "complete"
        print(f"{act.label}: {result.n} inputs, depth {args.depth}, blocks of {result.block} -> {result.path} ({state})")
        print(_table(("blocks", "computed now", "done before", "seconds", "workers"),
                     [(str(result.blocks), str(result.computed), str(result.skipped), _fmt(result.seconds, 4),
                       str(result.workers))]))
    return 130 if result.interrupted else 0


def add_kernel_command(sub) -> None:
    k = sub.add_parser("kernel", help="infinite-width NNGP (and NTK) matrices of a deep fully connected network")
    _add_activation_args(k)
    _add_mixture_arg(k)
    add_number(k, "--depth", KERNEL_DEPTH, required=True,
               help="number of nonlinear layers L, 0 to 10000 (kernel of the readout after them)")
    k.add_argument("--inputs", help="inputs as a .npy array (N x D)")
    k.add_argument("--random", metavar="N,D", help="N random Gaussian inputs of dimension D instead")
    k.add_argument("--sphere", action="store_true", help="with --random: scale the inputs to |x|^2 = D")
    add_number(k, "--seed", SEED, default=0, help="seed of --random (default 0)")
    k.add_argument("--ntk", action="store_true", help="also the neural tangent kernel")
    _add_variance_args(k)
    k.add_argument("--parameterization", choices=("ntk", "standard"), default="ntk", help="of the NTK (default ntk)")
    add_number(k, "--width", Bounds(0, low_open=True, what="a hidden width"),
               help="hidden width N > 0 (the standard-parameterization NTK depends on it)")
    k.add_argument("-o", "--output", help="write the kernel: .npy (the NTK with --ntk, else the NNGP) or .npz (both)")
    k.add_argument("--plot", metavar="PNG", help="heat map(s) of the kernel(s)")
    _add_residual_args(k)
    big = k.add_argument_group("many inputs: block by block to disk, in parallel on Dask (ntk.blocked)")
    big.add_argument("--out", metavar="K.zarr", help="write the kernels block by block: a zarr store (arrays nngp, ntk) "
                     "or K.npy (the NNGP; the NTK in K.ntk.npy); an interrupted run resumes")
    add_number(big, "--block", Bounds(1, integer=True, what="inputs per block"),
               help="inputs per block (default: from --memory, else 2048)")
    big.add_argument("--memory", metavar="SIZE", help="limit on the blocks in flight, e.g. 2GB (sets the block size)")
    big.add_argument("--scheduler", metavar="ADDR", help="a dask.distributed scheduler, e.g. tcp://host:8786 (default: "
                     "a local cluster)")
    add_number(big, "--workers", Bounds(1, 4096, integer=True, what="workers"),
               help="local threads (or processes) computing blocks (default: the CPU count)")
    big.add_argument("--processes", action="store_true", help="local worker processes instead of threads")
    big.add_argument("--no-progress", action="store_true", help="no progress bar")
    k.set_defaults(func=cmd_kernel)


def cmd_spectrum(args: argparse.Namespace) -> int:
    from ntk.spectral import sphere_spectrum

    act = resolve_layer_activation(args)
    try:
        sp = sphere_spectrum(act, args.dim, args.depth, args.sigma_w2, args.sigma_b2, k_max=args.k_max, ntk=True)
    except (ValueError, OverflowError) as err:
        raise CLIError(str(err)) from err
    if args.output:
        print(f"figure written to {_plot_spectrum(args.output, sp, act.label)}", file=sys.stderr)
    doc = {"activation": act.label, "sigma_w2": args.sigma_w2, "sigma_b2": args.sigma_b2, **sp.as_dict()}
    if args.json:
        print_json(doc)
        return 0
    print(f"{act.label}: eigenvalues on S^{args.dim - 1} (Funk-Hecke) of the depth-{args.depth} kernels, sigma_w2 = {args.sigma_w2:g}, "
          f"sigma_b2 = {args.sigma_b2:g}; Mercer: sum N(d,k) mu_k -> kernel(1) = {sp.trace_nngp:.6g} (NNGP), {sp.trace_ntk:.6g} (NTK)")
    print(_table(("k", "multiplicity", "mu_k NNGP", "mu_k NTK"),
                 [(str(k), str(m), _fmt(float(a)), _fmt(float(b))) for k, m, a, b in zip(sp.k, sp.multiplicity, sp.nngp, sp.ntk)]))
    return 0


def _plot_spectrum(path: str, sp, label: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name, mu in (("NNGP", sp.nngp), ("NTK", sp.ntk)):
        keep = np.abs(mu) > 1e-15 * max(abs(sp.trace_nngp), 1e-300)
        ax.semilogy(sp.k[keep], np.abs(mu[keep]), "o-", label=name)
    ax.set_xlabel("degree k of the spherical harmonic")
    ax.set_ylabel(r"eigenvalue $\mu_k$")
    ax.set_title(f"{label}, depth {sp.depth}, S^{sp.d - 1}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def add_spectrum_command(sub) -> None:
    s = sub.add_parser("spectrum", help="eigenvalues of the NNGP and NTK on the sphere S^(D-1) (Funk-Hecke): spectral bias")
    _add_activation_args(s)
    _add_mixture_arg(s)
    add_number(s, "--dim", Bounds(2, integer=True, what="an input dimension"), required=True,
               help="input dimension D >= 2 (inputs on the sphere |x|^2 = D)")
    add_number(s, "--depth", KERNEL_DEPTH, required=True, help="number of nonlinear layers L, 0 to 10000")
    add_number(s, "--k-max", Bounds(0, 500, integer=True), default=20, help="largest degree k, 0 to 500 (default 20)")
    _add_variance_args(s)
    s.add_argument("-o", "--output", help="write the spectrum plot (PNG/PDF/SVG)")
    s.set_defaults(func=cmd_spectrum)
