"""Monte-Carlo ensembles: throughput of the forward pass (explicit weights and the exact fast path)
against its floor, on whatever device JAX sees (CPU here; a GPU when there is one).

run: .venv/bin/python benchmarks/bench_mc.py [--widths 512,1024,2048] [--ensemble 16] [--depth 8]

Work: E networks × L hidden layers of width N (plus the readout), B = 2 inputs, float32: E·L·N²
weights drawn and used. The floor of the explicit path is the larger of
- memory: each weight written once by the generator and read once by the matrix product, 8 bytes in
  float32, at the bandwidth of a large on-device copy measured in the same run;
- generation: the time JAX takes to draw the same normals alone (per layer one jitted call drawing
  every network's matrix, as the ensemble does);
the matrix products themselves are 2·B·N² flops per network-layer, far below either. "fraction" is
floor/time (1 = at the floor).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from symbolic import get_activation
from theory.mc_cli import two_inputs
from theory.montecarlo import NetworkSpec, device_name, forward
from theory.montecarlo.backend import jax_modules


def _best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _bandwidth() -> float:
    """Bytes per second of a large on-device copy (read + write counted)."""
    jax, jnp = jax_modules()
    x = jnp.ones((1 << 26,), jnp.float32)  # 256 MiB
    copy = jax.jit(lambda a: a + 1.0)
    copy(x).block_until_ready()
    return 2 * x.nbytes / _best(lambda: copy(x).block_until_ready())


def _generation(n: int, ensemble: int, layers: int) -> float:
    """Seconds to draw, per layer, the ``ensemble`` N × N standard normal matrices (float32) in one
    jitted call, as the ensemble does when one chunk holds every network."""
    jax, jnp = jax_modules()
    draw = jax.jit(jax.vmap(lambda k: jax.random.normal(k, (n, n), jnp.float32)))
    keys = jax.vmap(lambda i: jax.random.fold_in(jax.random.key(0), i))(jnp.arange(ensemble))
    draw(keys).block_until_ready()

    def run():
        for layer in range(layers):
            draw(jax.vmap(lambda k: jax.random.fold_in(k, layer))(keys)).block_until_ready()  # noqa: B023

    return _best(run)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="512,1024,2048")
    ap.add_argument("--ensemble", type=int, default=16)
    ap.add_argument("--depth", type=int, default=8)
    args = ap.parse_args()
    act = get_activation("tanh")
    X = two_inputs(0.5)
    bw = _bandwidth()
    print(f"device: {device_name()}; copy bandwidth {bw / 1e9:.1f} GB/s; E = {args.ensemble}, L = {args.depth}, B = 2, float32")
    print(f"{'N':>6} {'explicit s':>10} {'weights/s':>10} {'floor s':>8} {'(memory':>8} {'generate)':>9} {'fraction':>8} "
          f"{'fast s':>7} {'fast speed-up':>13}")
    for n in (int(v) for v in args.widths.split(",")):
        spec = NetworkSpec(act, n, args.depth, 1.5, 0.05, ensemble=args.ensemble, outputs=n)
        forward(spec, X, progress=False)  # compile
        t_explicit = _best(lambda: forward(spec, X, progress=False))  # noqa: B023
        forward(spec, X, progress=False, fast=True)
        t_fast = _best(lambda: forward(spec, X, progress=False, fast=True))  # noqa: B023
        weights = args.ensemble * (args.depth + 1) * n * n
        t_mem = 8 * weights / bw
        t_gen = _generation(n, args.ensemble, args.depth + 1)
        floor = max(t_mem, t_gen)
        print(f"{n:6d} {t_explicit:10.3f} {weights / t_explicit:10.3g} {floor:8.3f} {t_mem:8.3f} {t_gen:9.3f} "
              f"{floor / t_explicit:8.2f} {t_fast:7.3f} {t_explicit / t_fast:13.1f}", flush=True)


if __name__ == "__main__":
    main()
