"""``acttheory attention``: statistics of attention weights at initialization for a normalizer (softmax, Scalable-
Softmax, sparsemax, softpick, sigmoid/ReLU/|·| or a formula's element-wise attention) on rows of n logits; and
``acttheory show`` for a normalizer (formula, Jacobian, Lipschitz constant)."""

from __future__ import annotations

import argparse
import math

from .cli import Bounds, CLIError, _fmt, _parse_params, _table, add_number, load_npy, print_json

TOKENS = Bounds(1, integer=True, what="the number of tokens n")


def resolve_normalizer(args: argparse.Namespace):
    """The normalizer MECHANISM (a name, with --param k=v) or the element-wise attention of --expr FORMULA."""
    from symbolic.normalizers import elementwise_attention, get_normalizer

    values = _parse_params(args.param)
    if args.expr is not None:
        if args.mechanism is not None:
            raise CLIError("give either MECHANISM or --expr, not both")
        bias = values.pop("bias", None)
        return elementwise_attention(args.expr, bias, values)
    if args.mechanism is None:
        raise CLIError("an attention MECHANISM (softmax, scalable_softmax, sparsemax, softpick, sigmoid, relu, abs) or "
                       "--expr FORMULA is required")
    return get_normalizer(args.mechanism, values)


def _limits(normalizer, n: int, q: float | None, mean: float | None) -> dict:
    """The large-n limits that apply (``signalprop.attention_limits``)."""
    from signalprop import attention_limits as lim
    from symbolic.normalizers import ElementwiseAttention, Softmax

    if q is None or q <= 0 or n < 2:
        return {}
    if isinstance(normalizer, Softmax):
        tau = normalizer.temperature
        return {"freezing_q": lim.freezing_variance(n, tau), "rem_entropy": lim.rem_entropy(n, q, tau),
                "rem_sum_sq": lim.rem_sum_sq(n, q, tau)}
    if isinstance(normalizer, ElementwiseAttention) and normalizer.name == "sigmoid_attention" and normalizer.bias is None:
        limit, correction = lim.sigmoid_row_sum(n, q, mean or 0.0)
        return {"row_sum_limit": limit, "row_sum_correction": correction}
    return {}


def cmd_attention(args: argparse.Namespace) -> int:
    normalizer = resolve_normalizer(args)
    if args.phase:
        return _phase(args, normalizer)
    if args.blocks is not None:
        return _token_maps(args, normalizer)
    if args.input_kernel is not None:
        return _kernel(args, normalizer)
    for flag, value in (("--sigma-qk2", args.sigma_qk2), ("--sigma-ov2", args.sigma_ov2), ("--scaling", args.scaling)):
        if value is not None:
            raise CLIError(f"{flag} belongs to the kernel of an attention layer: give --input-kernel K.npy with it")
    return _statistics(args, normalizer)


def _kernel(args: argparse.Namespace, normalizer) -> int:
    from signalprop.attention_kernel import Attention, attention_kernel

    if args.q is not None or args.logit_cov is not None:
        raise CLIError("--q/--logit-cov set the statistics' logits; the kernel's logits follow from --input-kernel")
    K = load_npy(args.input_kernel, "--input-kernel")
    layer = Attention(normalizer, 1.0 if args.sigma_qk2 is None else args.sigma_qk2,
                      1.0 if args.sigma_ov2 is None else args.sigma_ov2, args.scaling or "sqrt", args.causal)
    result = attention_kernel(layer, K, None, args.tokens, args.ntk, args.points, args.scrambles, args.seed)
    doc = {"layer": layer.label, "tokens": args.tokens or int(K.shape[0]), "nngp": result.nngp.tolist(),
           "error": {"nngp": result.error.tolist()}, "method": result.method,
           "parameterization": "ntk (weights N(0, 1) times sigma/sqrt(fan-in)); inputs untrained (their tangent kernel 0)"}
    if args.ntk:
        doc["ntk"] = result.ntk.tolist()
        doc["error"]["ntk"] = result.ntk_error.tolist()
    if args.json:
        print_json(doc)
        return 0
    import numpy as np

    print(f"{layer.label}: output token kernel ({result.method})")
    with np.printoptions(precision=6, suppress=True, linewidth=120):
        print("nngp:")
        print(result.nngp)
        if args.ntk:
            print("ntk:")
            print(result.ntk)
    print(f"largest error bound: {float(np.max(result.error)):.2g}")
    return 0


def _token_maps(args: argparse.Namespace, normalizer) -> int:
    """Token lengths and correlations of one sequence through ``--blocks`` transformer blocks."""
    from signalprop import exchangeable_kernel, token_maps, transformer
    from symbolic import get_activation

    if args.tokens is None or args.tokens < 2:
        raise CLIError("--blocks needs --tokens T >= 2 (the sequence's length)")
    if args.q is not None or args.logit_cov is not None:
        raise CLIError("--q/--logit-cov set the statistics' logits; with --blocks the tokens start at --q0 and --rho0")
    alpha = None if args.norm == "none" and args.alpha is None else (1.0 if args.alpha is None else args.alpha)
    norm = None if args.norm == "none" else "layer"
    unit = None if args.mlp is None else get_activation(args.mlp)
    net = transformer(normalizer, unit, args.blocks, alpha, norm, args.placement,
                      1.0 if args.sigma_qk2 is None else args.sigma_qk2, 1.0 if args.sigma_ov2 is None else args.sigma_ov2,
                      scaling=args.scaling or "sqrt", causal=args.causal, mlp=unit is not None)
    if args.input_kernel is None:
        K0 = exchangeable_kernel(args.tokens, args.q0, args.rho0)
    else:
        K0 = load_npy(args.input_kernel, "--input-kernel")
    maps = token_maps(net, K0)
    doc = {"mechanism": normalizer.label, "tokens": int(K0.shape[0]), "blocks": args.blocks, "alpha": alpha,
           "norm": args.norm, "placement": args.placement, "mlp": args.mlp, "p": maps.p.tolist(), "rho": maps.rho.tolist(),
           "layers": "one entry per sub-block: attention, then MLP (when --mlp is given), per block"}
    if args.json:
        print_json(doc)
        return 0
    print(f"{normalizer.label}: {args.blocks} block(s) on {K0.shape[0]} tokens (mean length, mean correlation)")
    print(_table(("layer", "p", "rho"), [(str(i + 1), _fmt(float(p), 10), _fmt(float(r), 10))
                                          for i, (p, r) in enumerate(zip(maps.p, maps.rho))]))
    return 0


def _phase(args: argparse.Namespace, normalizer) -> int:
    """The rank-collapse / entropy-collapse diagram over (σ_QK², α)."""
    import numpy as np

    from signalprop.attention_phase import attention_phase_diagram
    from symbolic import get_activation

    if args.tokens is None or args.tokens < 2:
        raise CLIError("--phase needs --tokens T >= 2 (the sequence's length)")
    grid = args.grid or 8
    diagram = attention_phase_diagram(normalizer, args.tokens, args.blocks or 8,
                                      np.geomspace(args.sigma_qk2_min, args.sigma_qk2_max, grid),
                                      np.geomspace(args.alpha_min, args.alpha_max, grid), args.rho0, args.placement,
                                      None if args.mlp is None else get_activation(args.mlp),
                                      progress=not args.no_progress, scaling=args.scaling or "sqrt")
    if args.output:
        from signalprop.figures import plot_attention_phase

        plot_attention_phase(diagram, args.output)
    doc = diagram.as_dict()
    if args.json:
        print_json(doc)
    else:
        length = "T -> infinity (scaling long; sigma_qk2 is beta^2)" if args.scaling == "long" else f"{doc['tokens']} tokens"
        print(f"{doc['mechanism']}: {doc['blocks']} {args.placement}-norm blocks on {length}; {doc['convention']}")
        head = ("alpha \\ sigma_qk2", *(_fmt(float(s), 4) for s in diagram.sigma_qk2))
        short = {"signal": "signal", "rank collapse": "rank", "entropy collapse": "entropy", None: "-"}
        print(_table(head, [(_fmt(float(a), 4), *(short[p] for p in row)) for a, row in zip(diagram.alpha, doc["phase"])]))
    return 130 if diagram.interrupted else 0


def _statistics(args: argparse.Namespace, normalizer) -> int:
    from signalprop.attention_stats import STATISTICS, row_statistics

    if args.tokens is None:
        raise CLIError("--tokens N (the row length, an integer >= 1) is required")
    cov = None
    if args.logit_cov is not None:
        if args.q is not None:
            raise CLIError("give --q (i.i.d. logits) or --logit-cov FILE.npy, not both")
        cov = load_npy(args.logit_cov, "--logit-cov")
    elif args.q is None:
        raise CLIError("give the logits' variance --q Q (i.i.d. N(mean, Q) logits) or --logit-cov FILE.npy")
    stats = row_statistics(normalizer, args.tokens, args.q, args.mean, cov=cov, points=args.points,
                           scrambles=args.scrambles, seed=args.seed)
    doc = {**stats.as_dict(), "normalized": normalizer.normalized,
           "lipschitz": normalizer.lipschitz(args.tokens).as_dict(),
           "limits": _limits(normalizer, args.tokens, stats.q, stats.mean)}
    if args.json:
        print_json(doc, indent=1)
        return 0
    what = f"i.i.d. N({stats.mean:g}, {stats.q:g}) logits" if cov is None else f"N(0, K) logits, K from {args.logit_cov}"
    print(f"{normalizer.label} on rows of {args.tokens} tokens, {what} ({stats.method})")
    print(_table(("statistic", "value", "error bound"), [(k, _fmt(doc[k], 12), f"{doc['error'][k]:.2g}") for k in STATISTICS]))
    lip = doc["lipschitz"]
    print(f"l2 Lipschitz constant: {_fmt(lip['value'], 8)}" + ("" if lip["exact"] else f" (bound; >= {_fmt(lip['lower'], 8)})"))
    for k, v in doc["limits"].items():
        print(f"limit {k}: {_fmt(v, 10)}")
    print("sum_sq = E[sum p^2] (1/sum_sq: effective tokens), entropy of p/sum(p), row_sum = E[sum p]")
    return 0


def show_normalizer(args: argparse.Namespace) -> int:
    """``acttheory show`` for an attention normalizer."""
    normalizer = resolve_normalizer(argparse.Namespace(mechanism=args.name, expr=None, param=args.param))
    doc = normalizer.describe(args.tokens)
    if args.json:
        print_json(doc, indent=1)
        return 0
    lip = doc["lipschitz"]
    rows = [("formula", doc["formula"]), ("rows sum to 1", _fmt(doc["normalized"])), ("Jacobian", doc["jacobian"]),
            (f"l2 Lipschitz (n = {doc['tokens']})", _fmt(lip["value"], 10) + ("" if lip["exact"] else
                                                                                 f" (bound; >= {_fmt(lip['lower'], 10)})")),
            ("why", lip["how"]), ("source", doc["source"])]
    print(f"attention normalizer {doc['label']}")
    print(_table(("property", "value"), rows))
    return 0


def add_attention_command(sub) -> None:
    a = sub.add_parser("attention", help="statistics of attention weights at initialization (softmax, sigmoid, ...)")
    a.add_argument("mechanism", nargs="?", help="softmax, scalable_softmax (ssmax), sparsemax, softpick, sigmoid, relu, abs")
    a.add_argument("--expr", metavar="FORMULA", help="element-wise attention p_j = phi(z_j + bias) with phi a formula in x")
    a.add_argument("--param", action="append", metavar="k=v",
                   help="temperature (softmax), s (scalable_softmax), eps (softpick), bias (element-wise; sigmoid's "
                        "default -log n)")
    add_number(a, "--tokens", TOKENS, metavar="N", help="row length n >= 1")
    add_number(a, "--q", Bounds(0, what="the logits' variance"), help="logits i.i.d. N(mean, Q), Q >= 0")
    add_number(a, "--mean", Bounds(-math.inf, what="the logits' mean"), default=0.0, help="the logits' mean (default 0)")
    a.add_argument("--logit-cov", metavar="FILE.npy", help="an n x n covariance of the logits instead of --q (QMC)")
    add_number(a, "--points", Bounds(2, 2**22, integer=True), default=8192, help="QMC points per scrambling (default 8192)")
    add_number(a, "--scrambles", Bounds(2, 1000, integer=True), default=16, help="QMC scramblings (default 16)")
    add_number(a, "--seed", Bounds(0, integer=True), default=0, help="QMC seed (default 0)")
    k = a.add_argument_group("kernel of one attention layer at infinite width (Hron et al. 2020)")
    k.add_argument("--input-kernel", metavar="K.npy", help="the inputs' token kernel (S sequences x --tokens T rows)")
    add_number(k, "--sigma-qk2", Bounds(0, what="sigma_Q^2 sigma_K^2"), help="query-key variance product (default 1)")
    add_number(k, "--sigma-ov2", Bounds(0, what="sigma_O^2 sigma_V^2"), help="output-value variance product (default 1)")
    k.add_argument("--scaling", choices=("sqrt", "linear", "long"),
                   help="logits q.k/sqrt(d_k) (Gaussian, default), q.k/d_k with tied query/key weights, or long: "
                        "T -> infinity with logit variance sigma_qk2 log T (Giorlandino & Goldt 2025; softmax and "
                        "centred_softmax, exchangeable tokens, NNGP only)")
    k.add_argument("--causal", action="store_true", help="token i attends to j <= i only")
    k.add_argument("--ntk", action="store_true", help="also the NTK (NTK parameterization, untrained inputs)")
    b = a.add_argument_group("token maps through transformer blocks (one sequence, infinite width)")
    add_number(b, "--blocks", Bounds(1, 1000, integer=True), help="number of blocks (attention, then --mlp) up to 1000")
    add_number(b, "--alpha", Bounds(0, low_open=True, what="the residual branch scale"), help="branch scale (default 1)")
    b.add_argument("--norm", choices=("layer", "none"), default="layer",
                   help="LayerNorm placed by --placement (default), or none (no skip either unless --alpha)")
    b.add_argument("--placement", choices=("pre", "post"), default="pre", help="pre-norm (default) or post-norm")
    b.add_argument("--mlp", metavar="NAME", help="an MLP sub-block Dense -> NAME -> Dense after each attention")
    add_number(b, "--q0", Bounds(0, low_open=True, what="the tokens' length"), default=1.0, help="tokens' length (1)")
    add_number(b, "--rho0", Bounds(-1, 1, what="the tokens' correlation"), default=0.5, help="tokens' correlation (0.5)")
    ph = a.add_argument_group("rank collapse against entropy collapse over (sigma_qk2, alpha): --phase")
    ph.add_argument("--phase", action="store_true", help="the phase diagram of --blocks (default 8) blocks on --tokens")
    add_number(ph, "--grid", Bounds(2, 40, integer=True), help="grid points per axis, 2 to 40 (default 8)")
    add_number(ph, "--sigma-qk2-min", Bounds(0, low_open=True), default=0.1, help="default 0.1")
    add_number(ph, "--sigma-qk2-max", Bounds(0, low_open=True), default=100.0, help="default 100")
    add_number(ph, "--alpha-min", Bounds(0, low_open=True), default=0.1, help="default 0.1")
    add_number(ph, "--alpha-max", Bounds(0, low_open=True), default=3.0, help="default 3")
    ph.add_argument("-o", "--output", help="write the figure (PNG/PDF/SVG by extension)")
    ph.add_argument("--no-progress", action="store_true", help="no progress bar")
    a.add_argument("--json", action="store_true", help="print one JSON document")
    a.set_defaults(func=cmd_attention)
