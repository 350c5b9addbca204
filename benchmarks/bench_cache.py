"""Cold against warm CLI calls with the persistent cache (``symbolic.disk_cache``), side by side in one run:
each command in a new process, with an empty cache directory (cold: every table built) and with the cache
its first call filled (warm: the tables read from disk); best of ``--repeats`` calls each (timings on a
shared 2-core machine vary by ±30 % from call to call).

run: .venv/bin/python benchmarks/bench_cache.py [--repeats 3] [--sample 6] [--skip-zoo] [--against REV] [--no-bytecode]

The calls run as an installed package runs: Python may keep the modules' compiled bytecode (``__pycache__``, which pip
writes at install time), even where the environment sets PYTHONDONTWRITEBYTECODE (as this sandbox does: every call
then recompiles the toolkit's ~80 modules, 0.08 s); ``--no-bytecode`` keeps that setting. Each command's first call
(not timed) writes the bytecode.

``--against REV`` times the cold calls of an earlier revision too, in the same run (a temporary git worktree
whose packages are imported through PYTHONPATH): the side-by-side comparison for a speed change.

Rows:
  - ``acttheory phase NAME --grid 400`` for tanh, GELU, ELU (σ_w² ∈ [0.1, 5], σ_b² ∈ [0, 0.4]), with the
    per-point route for scale: scipy.integrate.quad for E[φ²] inside the fixed-point iteration q ← V(q) and quad
    for χ_1 (benchmarks/bench_phase.py ``_straightforward``) on ``--sample`` random grid points, its time per
    point × 160,000;
  - ``acttheory kernel swish --depth 10 --random 1024,16`` (NNGP on 1,024 inputs): the whole call, and its
    start-up alone (``python -c``: import the CLI and ntk, the activation's numpy callables ready), timed from the
    process's launch to that point (the wall time of the whole process, which adds the interpreter's teardown of
    the imported modules, ~0.1 s, is printed beside it);
  - ``acttheory zoo --critical --sigma-b2 0,0.05,0.1`` (every activation), one process against two.
The issue's anchors (2 cores, before the cache): ``phase tanh --grid 400`` 6.1 s, ``kernel swish`` start-up 1.3 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bench_phase import _straightforward  # noqa: E402

from symbolic import get_activation  # noqa: E402

STARTUP = ("import theory.cli, ntk; from symbolic import get_activation; "
           "a = get_activation('swish'); a.numpy(0); a.numpy(1); import time; print(time.time())")
BYTECODE = True  # the calls may keep compiled bytecode, as an installed package does (--no-bytecode: not)


def _run(args: list[str], cache: str, source: str | None = None) -> tuple[float, str]:
    """(wall time, standard output) of one process; ``source``: a checkout whose packages are imported instead of
    this one's."""
    env = {**os.environ, "ACTTHEORY_CACHE_DIR": cache}
    if BYTECODE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source is not None:
        env["PYTHONPATH"] = source
    t = time.perf_counter()
    out = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=source)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {out.stderr[-2000:]}")
    return wall, out.stdout


def _timed(args: list[str], cache: str, source: str | None = None) -> float:
    """Wall time of one process; for the start-up snippet (which prints the clock when the activation is ready),
    the time from the launch to that point."""
    launched = time.time()
    wall, stdout = _run(args, cache, source)
    return float(stdout.split()[-1]) - launched if args[-1] is STARTUP else wall


def _cold(args: list[str], repeats: int, source: str | None = None) -> float:
    """Best of ``repeats`` cold calls, each with a new, empty cache (after one untimed call: bytecode written)."""
    with tempfile.TemporaryDirectory() as cache:
        _run(args, cache, source)
    colds = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            colds.append(_timed(args, cache, source))
    return min(colds)


def _cold_warm(args: list[str], repeats: int) -> tuple[float, float]:
    """Best of ``repeats`` cold calls (each with a new, empty cache) and of ``repeats`` warm calls."""
    cold = _cold(args, repeats)
    with tempfile.TemporaryDirectory() as cache:
        _run(args, cache)
        warm = min(_timed(args, cache) for _ in range(repeats))
    return cold, warm


def _per_point(name: str, sample: int) -> float:
    act = get_activation(name)
    rng = np.random.default_rng(0)
    points = zip(rng.uniform(0.1, 5.0, sample), rng.uniform(0.0, 0.4, sample))
    t = time.perf_counter()
    for w2, b2 in points:
        _straightforward(act, float(w2), float(b2))
    return (time.perf_counter() - t) / sample


@contextmanager
def _checkout(rev: str | None):
    """A temporary detached worktree of this repository at ``rev`` (None: nothing)."""
    if rev is None:
        yield None
        return
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as parent:
        tree = os.path.join(parent, "tree")
        subprocess.run(["git", "-C", repo, "worktree", "add", "--detach", "--quiet", tree, rev], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", repo, "worktree", "remove", "--force", tree], check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sample", type=int, default=6, help="grid points timed for the per-point route")
    ap.add_argument("--skip-zoo", action="store_true")
    ap.add_argument("--against", metavar="REV", help="also time the cold calls of this git revision, side by side")
    ap.add_argument("--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE (recompile every call)")
    args = ap.parse_args()
    global BYTECODE
    BYTECODE = not args.no_bytecode
    cli = [sys.executable, "-m", "theory"]
    with _checkout(args.against) as tree:
        other = f"cold @{args.against}" if tree else ""
        print(f"{'command':52} {'cold (s)':>8} {'warm (s)':>8} {'cold/warm':>9} {other:>14} {'per-point (s)':>13} "
              f"{'per-point/warm':>14}")

        def then(command: list[str]) -> str:
            return f"{_cold(command, args.repeats, tree):14.2f}" if tree else f"{'':14}"

        for name in ("tanh", "gelu", "elu"):
            command = [*cli, "phase", name, "--grid", "400", "--no-progress"]
            cold, warm = _cold_warm(command, args.repeats)
            full = _per_point(name, args.sample) * 400 * 400
            print(f"{'phase ' + name + ' --grid 400':52} {cold:8.2f} {warm:8.2f} {cold / warm:8.1f}x {then(command)} "
                  f"{full:13.0f} {full / warm:13.0f}x")
        command = [*cli, "kernel", "swish", "--depth", "10", "--random", "1024,16"]
        cold, warm = _cold_warm(command, args.repeats)
        print(f"{'kernel swish --depth 10 --random 1024,16':52} {cold:8.2f} {warm:8.2f} {cold / warm:8.1f}x {then(command)}")
        command = [sys.executable, "-c", STARTUP]
        cold, warm = _cold_warm(command, args.repeats)
        with tempfile.TemporaryDirectory() as cache:
            whole = min(_run(command, cache)[0] for _ in range(args.repeats + 1))
        print(f"{'kernel start-up (launch to swish callables ready)':52} {cold:8.2f} {warm:8.2f} {cold / warm:8.1f}x "
              f"{then(command)}   (anchor 1.3 s: {warm / 1.3:.2f} of it; whole process {whole:.2f} s)")
    if args.skip_zoo:
        return
    zoo = [*cli, "zoo", "--critical", "--sigma-b2", "0,0.05,0.1", "--no-progress"]
    with tempfile.TemporaryDirectory() as cache:
        serial = _timed([*zoo, "--jobs", "1"], cache)
    with tempfile.TemporaryDirectory() as cache:
        parallel = _timed([*zoo, "--jobs", "2"], cache)
    print(f"{'zoo --critical (84 activations x 3 sigma_b2), 1 process':52} {serial:8.2f}")
    print(f"{'zoo --critical, 2 processes':52} {parallel:8.2f}   serial/parallel {serial / parallel:.2f}x")


if __name__ == "__main__":
    main()
