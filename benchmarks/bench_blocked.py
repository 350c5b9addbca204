"""NNGP + NTK of depth-10 networks for many inputs, block by block to zarr (``ntk.blocked``), against the in-memory
route, side by side in one run.

run: .venv/bin/python benchmarks/bench_blocked.py [--n 20000] [--memory 2GB] [--small 2048] [--acts relu,swish]
     [--cluster-n 6000] [--dir /tmp/bench_blocked]

For each activation (inputs: n × 16 Gaussian vectors of unequal norms, σ_w² = 2, σ_b² = 0.05, NTK parameterization):
- in memory: ``final_kernels`` on ``--small`` inputs (all cores: its own threads), entries per second per core;
- blocked: the same route block by block into a zarr store, the block chosen from ``--memory`` for local threads on
  every core; each run is a fresh process (``--child``) so that its peak resident memory (getrusage) is its own and
  comparable with the limit, while the output (2 n² float64) is far larger;
- the agreement of the blocked kernels with the in-memory ones on the first ``--small`` inputs (a separate small
  blocked run, blocks of 512, so that several blocks meet);
- the same job on a 2-worker local process cluster (``LocalCluster``, by its address), on ``--cluster-n`` inputs.
Prints one table; the ratio "per core vs in memory" is blocked entries/s/core over in-memory entries/s/core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DEPTH, D_IN, W2, B2 = 10, 16, 2.0, 0.05


def _inputs(n: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, D_IN))


def _job(name: str):
    from ntk.blocked import KernelJob
    from symbolic import get_activation

    return KernelJob(get_activation(name), depth=DEPTH, sigma_w2=W2, sigma_b2=B2)


def child(args) -> None:
    """One blocked run in this fresh process; prints a JSON line."""
    from ntk.blocked import blocked_kernels

    X = _inputs(args.n)
    scheduler = None
    cluster = None
    if args.cluster:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
        scheduler = cluster.scheduler_address
    start = time.perf_counter()
    r = blocked_kernels(_job(args.act), X, args.out, block=args.block, memory=args.memory, scheduler=scheduler,
                        progress=False)
    wall = time.perf_counter() - start
    if cluster is not None:
        cluster.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"wall": wall, "peak": peak, "block": r.block, "blocks": r.blocks, "workers": r.workers}))


def _spawn(act: str, n: int, out: Path, memory: str | None, block: int | None = None, cluster: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", "--act", act, "--n", str(n), "--out", str(out)]
    if memory:
        cmd += ["--memory", memory]
    if block:
        cmd += ["--block", str(block)]
    if cluster:
        cmd += ["--cluster"]
    shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--small", type=int, default=2048)
    p.add_argument("--cluster-n", type=int, default=6000)
    p.add_argument("--memory", default="2GB")
    p.add_argument("--acts", default="relu,swish")
    p.add_argument("--dir", default="/tmp/bench_blocked")
    p.add_argument("--child", action="store_true")
    p.add_argument("--act")
    p.add_argument("--out")
    p.add_argument("--block", type=int)
    p.add_argument("--cluster", action="store_true")
    args = p.parse_args()
    if args.child:
        child(args)
        return
    from ntk import final_kernels
    from ntk.blocked import open_kernels
    from symbolic import get_activation

    cores = os.cpu_count() or 1
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.acts.split(","):
        act = get_activation(name)
        Xs = _inputs(args.small)
        final_kernels(act, Xs[:300], depth=DEPTH, sigma_w2=W2, sigma_b2=B2)  # the activation's one-time analysis
        t = time.perf_counter()
        ref = final_kernels(act, Xs, depth=DEPTH, sigma_w2=W2, sigma_b2=B2)
        mem_rate = args.small**2 / (time.perf_counter() - t) / cores
        small = _spawn(name, args.small, root / f"{name}_small.zarr", None, block=512)
        got = open_kernels(root / f"{name}_small.zarr")
        err = max(float(np.max(np.abs(np.asarray(got[k][:]) - r)) / np.max(np.abs(r)))
                  for k, r in zip(("nngp", "ntk"), ref))
        big = _spawn(name, args.n, root / f"{name}.zarr", args.memory)
        rate = args.n**2 / big["wall"] / cores
        clus = _spawn(name, args.cluster_n, root / f"{name}_cluster.zarr", args.memory, cluster=True)
        rows.append((name, args.n, big["block"], big["wall"], big["peak"] / 1e9, 2 * 8 * args.n**2 / 1e9, rate, mem_rate,
                     rate / mem_rate, err, args.cluster_n, clus["wall"], args.cluster_n**2 / clus["wall"] / cores))
        shutil.rmtree(root / f"{name}.zarr", ignore_errors=True)
    head = ("act", "n", "block", "wall s", "peak GB", "output GB", "entries/s/core", "in-memory /s/core",
            "blocked/in-memory", "max rel. diff", "cluster n", "cluster wall s", "cluster /s/core")
    print(f"depth {DEPTH}, NNGP + NTK, {cores} cores, memory limit {args.memory}, in-memory reference on {args.small} "
          "inputs")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join([r[0], str(r[1]), str(r[2]), f"{r[3]:.1f}", f"{r[4]:.2f}", f"{r[5]:.2f}", f"{r[6]:.3g}",
                          f"{r[7]:.3g}", f"{r[8]:.2f}", f"{r[9]:.1e}", str(r[10]), f"{r[11]:.1f}", f"{r[12]:.3g}"]))


if __name__ == "__main__":
    main()
