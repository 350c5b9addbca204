"""NNGP and NTK matrices of many inputs, block by block, on disk, with bounded memory, resumable, in parallel on Dask.

The kernel recursion of every element-wise, gated, group, residual or normalized network (``final_kernels`` for the
plain chain, ``network_kernels`` for ``signalprop.architecture`` networks) acts entry by entry once each input's own
variance trajectory q_l(x) is known, and that trajectory is O(L) per input. So the n × n matrices split into b × b
blocks (I, J) that need only X_I and X_J: each block is computed by the in-memory route on (X_I, X_J) — the diagonal
blocks on X_I alone, so their diagonal is exactly the variances — and written to its own chunk of the store. Only the
blocks I <= J are computed; (J, I) is the transpose. The blocks take Mehler's coefficients from the interpolants the
whole matrix uses, and his series' variance classes lie on a fixed lattice in ln q (``ntk.mehler``), so each pair gets
the terms it gets in memory, summed in the same order whatever the other pairs of its band: the values agree with the
in-memory route to rounding (measured at depth 10 on 400 inputs of spread norms in blocks of 128, relative to the
largest entry: relu 5e-16, swish 2.6e-16, gelu 3.9e-16, ELU 6.9e-16, tanh 1.1e-15; the routes differ only in which
terms go through fused multiply-adds). Every block
holds up to MEMORY_FACTOR b² float64 values while it runs, so ``block_for_memory`` picks b from the user's limit, the
memory this process already holds and the number of blocks in flight (a given b that would not fit is refused).

Stores: a zarr group (``*.zarr``: arrays ``nngp`` and ``ntk``, rows = inputs, chunks b × b, and ``done``, one byte per
block) or memory-mapped ``.npy`` files (``K.npy`` holds the NNGP, ``K.ntk.npy`` the NTK, ``K.npy.blocks.json`` the
finished blocks). The store's attributes name the job (network, inputs' SHA-256, n, b, toolkit version): a rerun of
the same job computes only the blocks not yet done (an interrupted run resumes), a different job is refused.

Parallelism: Dask's ``distributed`` scheduler, the same code path everywhere — a local cluster of threads (default)
or processes in this machine, or the cluster at ``scheduler`` ("tcp://host:8786"; its workers must import this
package and reach the store's path: a shared file system). The inputs are scattered to the workers once; the main
process marks a block done when its task has written it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signalprop.architecture import has_attention
from symbolic import disk_cache

from . import mehler

MEMORY_FACTOR = 20  # float64 b × b arrays alive per block task at its peak (Σ, Θ, their duals, the engines'
# temporaries): measured 10 (relu), 13 (swish, tanh, gelu), 17.8 (elu) with the NTK at depth 10 (tracemalloc)
MIN_BLOCK = 64


class BlockedKernelError(ValueError):
    """A bad request for a blocked kernel: the message names the problem and what is valid."""


@dataclass(frozen=True)
class KernelJob:
    """One kernel computation, picklable for process and cluster workers: the plain chain ``act``, ``depth``, σ_w²,
    σ_b² (``ntk.final_kernels``) or a ``signalprop.architecture`` network ``net`` (``ntk.network_kernels``)."""

    act: object = None
    depth: int = 1
    sigma_w2: float = 1.0
    sigma_b2: float = 0.0
    net: object = None
    ntk: bool = True
    parameterization: str = "ntk"
    width: float | None = None

    def __post_init__(self):
        if (self.act is None) == (self.net is None):
            raise BlockedKernelError("give exactly one of an activation (the plain chain) and a network")
        if self.net is not None and has_attention(self.net):
            raise BlockedKernelError("attention mixes the tokens of each sequence, so its kernel does not split into "
                                     "blocks of inputs: compute it in memory (signalprop.propagate)")

    def __call__(self, XI: np.ndarray, XJ: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        from .architecture import network_kernels
        from .kernels import final_kernels

        if self.net is not None:
            return network_kernels(self.net, XI, XJ, self.ntk, self.parameterization, self.width)
        return final_kernels(self.act, XI, XJ, depth=self.depth, sigma_w2=self.sigma_w2, sigma_b2=self.sigma_b2,
                             ntk=self.ntk, parameterization=self.parameterization, width=self.width)

    def describe(self) -> str:
        """What the job computes, as text (part of the store's identity)."""
        what = repr(self.net) if self.net is not None else (f"{self.act!r} depth={self.depth} sigma_w2={self.sigma_w2!r} "
                                                            f"sigma_b2={self.sigma_b2!r}")
        return f"{what} ntk={self.ntk} parameterization={self.parameterization} width={self.width!r}"


@dataclass(frozen=True)
class BlockedKernels:
    """Where the kernels went and what this run did: ``path``, ``n`` inputs, ``block`` b, ``blocks`` (I <= J pairs in
    all), ``computed`` now, ``skipped`` (done by an earlier run), ``seconds``, ``workers`` and ``interrupted``."""

    path: str
    n: int
    block: int
    blocks: int
    computed: int
    skipped: int
    seconds: float
    workers: int
    interrupted: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def parse_memory(text) -> int:
    """Bytes from "2GB", "512 MiB", "1.5G" or a number of bytes."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kmgt]?)(i?b?)\s*", str(text), re.IGNORECASE)
        if m is None:
            raise BlockedKernelError(f"a memory size is a number with an optional unit (KB, MB, GB, TB; MiB, GiB), got "
                                     f"{text!r}")
        base = 1024 if m.group(3).lower().startswith("i") else 1000
        value = float(m.group(1)) * base ** "_kmgt".index(m.group(2).lower() or "_")
    if not (math.isfinite(value) and value > 0):
        raise BlockedKernelError(f"the memory limit must be > 0 bytes, got {text!r}")
    return int(value)


def _per_entry(ntk: bool) -> float:
    return MEMORY_FACTOR * (1 if ntk else 0.6) * 8


def held_memory() -> int:
    """The peak resident memory of this process so far, in bytes (what the limit must leave room for)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def block_for_memory(n: int, memory: int, in_flight: int, ntk: bool = True, held: int = 0) -> int:
    """The largest block b (a multiple of 64, at most n) whose ``in_flight`` tasks fit in ``memory`` − ``held`` bytes."""
    per = _per_entry(ntk) * in_flight
    b = int(math.sqrt(max(memory - held, 0) / per)) // MIN_BLOCK * MIN_BLOCK
    if b < MIN_BLOCK:
        raise BlockedKernelError(f"{memory / 1e9:.3g} GB (this process already holds {held / 1e9:.3g} GB) cannot hold "
                                 f"{in_flight} block(s) of {MIN_BLOCK} inputs ({per * MIN_BLOCK**2 / 1e9:.3g} GB): give "
                                 "more memory or fewer workers")
    return min(b, n)


def _check_block(n: int, block: int, memory: int | None, in_flight: int, ntk: bool, held: int) -> int:
    if not isinstance(block, (int, np.integer)) or block < 1:
        raise BlockedKernelError(f"the block size must be an integer >= 1, got {block!r}")
    need = _per_entry(ntk) * in_flight * min(block, n) ** 2
    if memory is not None and need + held > memory:
        raise BlockedKernelError(f"blocks of {block} inputs need about {need / 1e9:.3g} GB with {in_flight} in flight "
                                 f"(and this process holds {held / 1e9:.3g} GB), over the limit of {memory / 1e9:.3g} GB: "
                                 f"give a block of at most {block_for_memory(n, memory, in_flight, ntk, held)} (or no "
                                 "block: it is chosen from the limit)")
    return min(int(block), n)


@dataclass(frozen=True)
class _Writer:
    """What a worker needs to write a block: plain fields only (it travels to process and cluster workers)."""

    path: str
    n: int
    block: int
    names: tuple
    zarr: bool

    def npy(self, name: str) -> str:
        return self.path if name == "nngp" else self.path[:-4] + ".ntk.npy"

    def write(self, i: int, j: int, mats: tuple) -> None:
        """Block (i, j) and its transpose (j, i) of every matrix."""
        b = self.block
        rows, cols = slice(i * b, min((i + 1) * b, self.n)), slice(j * b, min((j + 1) * b, self.n))
        for name, m in zip(self.names, mats):
            if self.zarr:
                import zarr

                arr = zarr.open_array(f"{self.path}/{name}", mode="r+")
            else:
                arr = np.lib.format.open_memmap(self.npy(name), mode="r+")
            arr[rows, cols] = m
            if i != j:
                arr[cols, rows] = m.T
            if not self.zarr:
                arr.flush()
            del arr


class _Store:
    """The on-disk arrays of one job: a zarr group or .npy memory maps (module docstring), opened or created."""

    def __init__(self, path: str, n: int, block: int, ntk: bool, identity: dict):
        path = str(path)
        self.nb = -(-n // block)
        is_zarr = path.rstrip("/").endswith(".zarr")
        if not is_zarr and not path.endswith(".npy"):
            raise BlockedKernelError(f"the output must be a zarr store (*.zarr) or a .npy file, got {path!r}")
        self.writer = _Writer(path, n, block, ("nngp", "ntk") if ntk else ("nngp",), is_zarr)
        self.path, self.n, self.block, self.names, self.zarr = path, n, block, self.writer.names, is_zarr
        self.done = self._open(identity)

    def _npy(self, name: str) -> str:
        return self.writer.npy(name)

    def _open(self, identity: dict) -> np.ndarray:
        if self.zarr:
            try:
                import zarr
            except ImportError:
                _scale_extra("a zarr store")
            group = zarr.open_group(self.path, mode="a")
            if "identity" in group.attrs:
                self._check(dict(group.attrs["identity"]), identity)
            else:
                for name in self.names:
                    group.create_array(name, shape=(self.n, self.n), chunks=(self.block, self.block), dtype="f8",
                                       fill_value=np.nan, compressors=None, overwrite=True)
                group.create_array("done", shape=(self.nb, self.nb), chunks=(self.nb, self.nb), dtype="u1",
                                   fill_value=0, overwrite=True)
                group.attrs["identity"] = identity
            self.group = group
            return np.asarray(group["done"][:])
        sidecar = Path(self.path + ".blocks.json")
        if sidecar.exists():
            try:
                doc = json.loads(sidecar.read_text())
            except ValueError:
                raise BlockedKernelError(f"{sidecar} is not valid JSON: delete it and the .npy files to start over") from None
            self._check(doc.get("identity", {}), identity)
            done = np.zeros((self.nb, self.nb), dtype=np.uint8)
            for i, j in doc.get("done", []):
                done[i, j] = 1
            return done
        for name in self.names:
            np.lib.format.open_memmap(self._npy(name), mode="w+", dtype=np.float64, shape=(self.n, self.n)).flush()
        self.identity = identity
        self._save_sidecar(np.zeros((self.nb, self.nb), dtype=np.uint8), identity)
        return np.zeros((self.nb, self.nb), dtype=np.uint8)

    def _check(self, found: dict, wanted: dict) -> None:
        diff = [k for k in wanted if found.get(k) != wanted[k]]
        if diff:
            raise BlockedKernelError(f"{self.path} holds another job (its {', '.join(diff)} differ): give another "
                                     "output path, or delete it to start over")
        self.identity = found

    def _save_sidecar(self, done: np.ndarray, identity: dict) -> None:
        sidecar = Path(self.path + ".blocks.json")
        tmp = sidecar.with_suffix(".tmp")
        tmp.write_text(json.dumps({"identity": identity, "done": np.argwhere(done).tolist()}))
        os.replace(tmp, sidecar)

    def mark(self, i: int, j: int) -> None:
        self.done[i, j] = 1
        if self.zarr:
            self.group["done"][i, j] = 1
        else:
            self._save_sidecar(self.done, self.identity)


_JOBS: dict[str, KernelJob] = {}  # per worker process: the first copy of each job (module docstring)


def _block_task(job: KernelJob, X: np.ndarray, writer: _Writer, i: int, j: int) -> tuple[int, int]:
    job = _JOBS.setdefault(job.describe(), job)  # tasks arrive as copies: keep one, so its caches serve every block
    b = writer.block
    XI = X[i * b:(i + 1) * b]
    with mehler.interpolated() if len(X) > mehler.DIRECT_MAX else nullcontext():  # the whole matrix's coefficients
        nngp, ntk = job(XI) if i == j else job(XI, X[j * b:(j + 1) * b])
    writer.write(i, j, (nngp,) if ntk is None else (nngp, ntk))
    return i, j


def inputs_digest(X: np.ndarray) -> str:
    """SHA-256 of the inputs' float64 bytes and shape."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    return hashlib.sha256(repr(X.shape).encode() + X.tobytes()).hexdigest()


def blocked_kernels(job: KernelJob, X, out: str | Path, block: int | None = None, memory=None,
                    scheduler: str | None = None, workers: int | None = None, processes: bool = False,
                    progress: bool = True) -> BlockedKernels:
    """The job's NNGP (and NTK) on the rows of X into ``out`` (module docstring). ``block``: inputs per block (default
    from ``memory``, else 2048); ``memory``: a limit ("2GB") on the blocks in flight; ``scheduler``: a dask.distributed
    address (default: a local cluster of ``workers`` threads, or processes with ``processes``); Ctrl-C stops after
    marking the blocks finished so far (``interrupted``), and the same call resumes."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or not np.all(np.isfinite(X)):
        raise BlockedKernelError(f"inputs must be a finite 2-D array (n x d), got shape {X.shape}")
    n = X.shape[0]
    workers = workers or os.cpu_count() or 1
    limit = None if memory is None else parse_memory(memory)
    held = 0 if scheduler is not None else held_memory()  # a cluster's workers: the limit is per worker process
    if n <= mehler.DIRECT_MAX:
        block = n  # one block: the in-memory route itself (its coefficients come from the 1-D engine directly)
    elif block is None:
        block = block_for_memory(n, limit, workers, job.ntk, held) if limit is not None else min(2048, n)
    block = _check_block(n, block, limit, workers, job.ntk, held)
    identity = {"job": job.describe(), "inputs_sha256": inputs_digest(X), "n": n, "block": block, "ntk": job.ntk,
                "version": disk_cache.package_version()}
    store = _Store(str(out), n, block, job.ntk, identity)
    pairs = [(i, j) for i in range(store.nb) for j in range(i, store.nb)]
    todo = [(i, j) for i, j in pairs if not store.done[i, j]]
    start = time.perf_counter()
    computed, interrupted = 0, False
    if todo:
        computed, interrupted = _run(job, X, store, todo, scheduler, workers, processes, progress)
    return BlockedKernels(str(out), n, block, len(pairs), computed, len(pairs) - len(todo),
                          time.perf_counter() - start, workers, interrupted)


def _scale_extra(what: str) -> None:
    raise BlockedKernelError(f"{what} needs the scale extra (Dask, distributed, zarr): pip install "
                             "'activation-theory[scale]'")


def _run(job, X, store, todo, scheduler, workers, processes, progress) -> tuple[int, bool]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        _scale_extra("computing blocks in parallel")
    from tqdm import tqdm

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers if processes else 1, threads_per_worker=1 if processes else workers,
                               processes=processes, dashboard_address=None, silence_logs=40)
    client = Client(cluster if cluster is not None else scheduler)
    computed, interrupted = 0, False
    bar = tqdm(total=len(todo), desc=f"kernel blocks of {store.block}", disable=not progress, file=sys.stderr,
               leave=False)
    futures = []
    try:
        shared = client.scatter(X, broadcast=True)
        futures = [client.submit(_block_task, job, shared, store.writer, i, j, pure=False) for i, j in todo]
        for fut in as_completed(futures):
            i, j = fut.result()
            store.mark(i, j)
            computed += 1
            bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
        client.cancel(futures)
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    return computed, interrupted


def open_kernels(path: str | Path) -> dict:
    """The arrays of a finished (or partial) store: {"nngp": …, "ntk": …} as zarr arrays or read-only memory maps,
    with "done" (nb × nb, 1 where block (I, J), I <= J, is finished) and "identity" (the job)."""
    path = str(path)
    if path.rstrip("/").endswith(".zarr"):
        import zarr

        group = zarr.open_group(path, mode="r")
        out = {name: group[name] for name in ("nngp", "ntk") if name in group}
        return {**out, "done": np.asarray(group["done"][:]), "identity": dict(group.attrs["identity"])}
    doc = json.loads(Path(path + ".blocks.json").read_text())
    out = {"nngp": np.load(path, mmap_mode="r")}
    if doc["identity"].get("ntk"):
        out["ntk"] = np.load(path[:-4] + ".ntk.npy", mmap_mode="r")
    nb = -(-doc["identity"]["n"] // doc["identity"]["block"])
    done = np.zeros((nb, nb), dtype=np.uint8)
    for i, j in doc["done"]:
        done[i, j] = 1
    return {**out, "done": done, "identity": doc["identity"]}
