"""Progress bars on stderr (tqdm), off when not wanted."""

from __future__ import annotations

from typing import Iterable, TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], desc: str = "", disable: bool = False, total: int | None = None) -> Iterable[T]:
    """Wrap ``items`` in a tqdm progress bar written to stderr."""
    import sys

    from tqdm import tqdm

    return tqdm(items, desc=desc, disable=disable, file=sys.stderr, leave=False, total=total)


def map_names(func, names: list[str], jobs: int, show_progress: bool, desc: str) -> tuple[list, bool]:
    """``[func(n) for n in names]`` (in order) over ``jobs`` worker processes (``func`` picklable: a module-level
    function or a partial of one), with a progress bar; Ctrl-C stops and keeps what is done: returns
    (the results of the names finished, in order; whether it was interrupted)."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor, as_completed

    done: dict[str, object] = {}
    interrupted = False
    if jobs <= 1:
        try:
            for name in progress(names, desc=desc, disable=not show_progress):
                done[name] = func(name)
        except KeyboardInterrupt:
            interrupted = True
    else:
        # spawn: a clean interpreter per worker (forking a process that runs JAX threads can deadlock)
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_one_thread)
        futures = {pool.submit(func, n): n for n in names}
        try:
            for fut in progress(as_completed(futures), desc=desc, disable=not show_progress, total=len(names)):
                done[futures[fut]] = fut.result()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            pool.shutdown(wait=not interrupted, cancel_futures=True)
    if interrupted:
        print(f"interrupted: {len(done)} of {len(names)} done", file=sys.stderr)
    return [done[n] for n in names if n in done], interrupted


def _one_thread() -> None:
    """In a worker process: the workers already fill the cores, so no threads of its own (``signalprop.threads``)."""
    import os

    os.environ["ACTTHEORY_THREADS"] = "1"
