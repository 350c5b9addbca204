"""Kernels block by block on disk (``ntk.blocked``): zarr and .npy stores against the in-memory route, a resumed
interrupted run, a multi-process Dask cluster against local threads, the memory limit, the CLI, and bad input."""

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("dask.distributed")
pytest.importorskip("zarr")

from ntk import final_kernels, network_kernels  # noqa: E402
from ntk.blocked import (BlockedKernelError, KernelJob, block_for_memory, blocked_kernels, open_kernels,  # noqa: E402
                         parse_memory)
from signalprop import Attention, Serial, resnet  # noqa: E402
from symbolic import get_activation  # noqa: E402
from symbolic.normalizers import get_normalizer  # noqa: E402
from theory.cli import main  # noqa: E402


def _inputs(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)) * rng.uniform(0.6, 1.6, size=(n, 1))  # spread norms: Mehler's series, bands


def _assert_same(store, nngp, ntk, tol):
    k = open_kernels(store)
    assert np.array_equal(k["done"], np.triu(np.ones_like(k["done"])))
    for name, ref in (("nngp", nngp), ("ntk", ntk)):
        got = np.asarray(k[name][:])
        assert np.max(np.abs(got - ref)) <= tol * np.max(np.abs(ref)), name
        assert np.array_equal(got, got.T)


@pytest.mark.parametrize("name,depth,tol", [("relu", 5, 1e-15), ("swish", 5, 1e-14), ("tanh", 10, 1e-14)])
@pytest.mark.parametrize("suffix", [".zarr", ".npy"])
def test_blocks_equal_the_in_memory_route(tmp_path, name, depth, tol, suffix):
    """150 inputs in blocks of 64 (ragged last block), NNGP and NTK: relu's closed forms to rounding, the Mehler series
    of swish and of tanh at depth 10 to 1e-14 of the largest entry (measured ~1e-15: every pair gets its own terms in
    either route, the sums differ only in fused multiply-adds; module docstring of ntk.blocked)."""
    X = _inputs(150)
    act = get_activation(name)
    job = KernelJob(act, depth=depth, sigma_w2=1.6, sigma_b2=0.1)
    out = tmp_path / f"k{suffix}"
    r = blocked_kernels(job, X, out, block=64, workers=2, progress=False)
    assert (r.blocks, r.computed, r.skipped, r.block) == (6, 6, 0, 64)
    _assert_same(out, *final_kernels(act, X, depth=depth, sigma_w2=1.6, sigma_b2=0.1), tol)


def test_network_job_equals_network_kernels(tmp_path):
    """A pre-norm residual GELU network (``signalprop.architecture``) through ``network_kernels``."""
    X = _inputs(100, 1)
    net = resnet(get_activation("gelu"), 3, 0.7, 1.2, 0.05, norm="layer", placement="pre")
    blocked_kernels(KernelJob(net=net), X, tmp_path / "net.zarr", block=64, workers=2, progress=False)
    _assert_same(tmp_path / "net.zarr", *network_kernels(net, X), 1e-13)


def test_interrupted_run_resumes(tmp_path, monkeypatch):
    """Ctrl-C after two blocks were marked done (raised where the main process waits for the blocks): the run
    returns as interrupted and keeps those two; the same call then computes only the others, and the result equals
    an uninterrupted run's."""
    import ntk.blocked as blocked

    X = _inputs(200, 2)
    act = get_activation("tanh")
    out = tmp_path / "k.zarr"
    mark, marked = blocked._Store.mark, []

    def mark_then_stop(self, i, j):
        if len(marked) == 2:
            raise KeyboardInterrupt
        marked.append((i, j))
        mark(self, i, j)

    monkeypatch.setattr(blocked._Store, "mark", mark_then_stop)
    first = blocked_kernels(KernelJob(act, depth=3), X, out, block=64, workers=1, progress=False)
    monkeypatch.setattr(blocked._Store, "mark", mark)
    assert first.interrupted and first.computed == 2 and int(np.sum(open_kernels(out)["done"])) == 2
    second = blocked_kernels(KernelJob(act, depth=3), X, out, block=64, workers=2, progress=False)
    assert not second.interrupted and second.skipped == 2 and second.computed == second.blocks - 2
    _assert_same(out, *final_kernels(act, X, depth=3), 1e-13)
    again = blocked_kernels(KernelJob(act, depth=3), X, out, block=64, progress=False)
    assert again.computed == 0 and again.skipped == again.blocks


def test_process_cluster_equals_local_threads(tmp_path):
    """The same job on a two-process dask.distributed LocalCluster (by its scheduler address: the cluster code path,
    the job and inputs pickled to other processes) equals the local threaded run."""
    from dask.distributed import LocalCluster

    X = _inputs(140, 3)
    job = KernelJob(get_activation("gelu"), depth=4, sigma_w2=1.4, sigma_b2=0.2)
    blocked_kernels(job, X, tmp_path / "threads.zarr", block=64, workers=2, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        r = blocked_kernels(job, X, tmp_path / "cluster.zarr", block=64, scheduler=cluster.scheduler_address,
                            progress=False)
    assert r.computed == r.blocks == 6
    a, b = open_kernels(tmp_path / "threads.zarr"), open_kernels(tmp_path / "cluster.zarr")
    for name in ("nngp", "ntk"):
        assert np.allclose(np.asarray(a[name][:]), np.asarray(b[name][:]), rtol=1e-14, atol=0)


def test_memory_limit_sets_the_block():
    """b = the largest multiple of 64 with in_flight · MEMORY_FACTOR · 8 b² bytes under the limit less what the
    process holds; a block that would not fit is refused with the largest that would."""
    from ntk.blocked import MEMORY_FACTOR

    b = block_for_memory(100_000, parse_memory("2GB"), 2, True, held=parse_memory("500MB"))
    assert b % 64 == 0 and 2 * MEMORY_FACTOR * 8 * b**2 <= 1.5e9 < 2 * MEMORY_FACTOR * 8 * (b + 64) ** 2
    assert parse_memory("512 MiB") == 512 * 2**20 and parse_memory("1.5G") == 1_500_000_000
    from ntk.blocked import held_memory

    with pytest.raises(BlockedKernelError, match="give a block of at most"):  # 50 MB beyond what the process holds
        blocked_kernels(KernelJob(get_activation("relu")), _inputs(5000), "/tmp/never.zarr", block=4096,
                        memory=held_memory() + 50_000_000, workers=1, progress=False)
    with pytest.raises(BlockedKernelError, match="cannot hold"):
        blocked_kernels(KernelJob(get_activation("relu")), _inputs(5000), "/tmp/never.zarr", memory="10MB",
                        workers=1, progress=False)
    with pytest.raises(BlockedKernelError, match="a memory size"):
        parse_memory("lots")


def test_bad_input(tmp_path):
    X = _inputs(100)
    relu = KernelJob(get_activation("relu"), depth=2)
    with pytest.raises(BlockedKernelError, match="zarr store"):
        blocked_kernels(relu, X, tmp_path / "k.h5", progress=False)
    blocked_kernels(relu, X, tmp_path / "k.zarr", block=64, progress=False)
    with pytest.raises(BlockedKernelError, match="holds another job"):
        blocked_kernels(KernelJob(get_activation("relu"), depth=3), X, tmp_path / "k.zarr", block=64, progress=False)
    with pytest.raises(BlockedKernelError, match="holds another job"):
        blocked_kernels(relu, X + 1e-9, tmp_path / "k.zarr", block=64, progress=False)
    with pytest.raises(BlockedKernelError, match="does not split into blocks"):
        KernelJob(net=Serial(Attention(get_normalizer("softmax"))))
    with pytest.raises(BlockedKernelError, match="exactly one"):
        KernelJob()


def test_cli_blocked_kernel(tmp_path, capsys):
    """`acttheory kernel relu --depth 3 --inputs X.npy --ntk --out K.zarr --block 64 --json`: the summary, and the
    store equals the API's in-memory kernels; a rerun resumes nothing; --block without --out is refused."""
    X = _inputs(130, 4)
    np.save(tmp_path / "X.npy", X)
    args = ["kernel", "relu", "--depth", "3", "--inputs", str(tmp_path / "X.npy"), "--ntk", "--block", "64",
            "--workers", "2"]
    assert main([*args, "--out", str(tmp_path / "K.zarr"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["blocks"] == 6 and doc["computed"] == 6 and doc["arrays"] == ["nngp", "ntk"]
    _assert_same(tmp_path / "K.zarr", *final_kernels(get_activation("relu"), X, depth=3), 1e-15)
    assert main([*args, "--out", str(tmp_path / "K.zarr"), "--no-progress"]) == 0
    assert "complete" in capsys.readouterr().out
    assert main(args) == 2
    assert "--block belongs to a kernel written block by block" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "K.zarr")
