"""signalprop.threads: chunks of quadrature in parallel threads give the values the serial route gives."""

import numpy as np
import pytest

from signalprop import gaussian_moment
from signalprop.dual_table import _build
from signalprop.threads import split_rows, thread_map, workers
from symbolic import get_activation


def test_workers_follow_the_environment(monkeypatch):
    monkeypatch.setenv("ACTTHEORY_THREADS", "3")
    assert workers() == 3
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("ACTTHEORY_THREADS", bad)
        with pytest.raises(ValueError, match="ACTTHEORY_THREADS must be a whole number of threads >= 1"):
            workers()
    monkeypatch.delenv("ACTTHEORY_THREADS")
    assert workers() >= 1


def test_thread_map_keeps_order_and_stops_on_error(monkeypatch):
    monkeypatch.setenv("ACTTHEORY_THREADS", "4")
    assert list(thread_map(lambda v: v * v, range(20))) == [v * v for v in range(20)]

    def fails_at_seven(v):
        if v == 7:
            raise RuntimeError("seven")
        return v

    with pytest.raises(RuntimeError, match="seven"):
        list(thread_map(fails_at_seven, range(40)))


def test_split_rows_gives_the_moments_of_one_call(monkeypatch):
    act = get_activation("elu")
    q = np.geomspace(1e-3, 1e3, 37)
    monkeypatch.setenv("ACTTHEORY_THREADS", "3")
    parts = split_rows(lambda qq: gaussian_moment(act, qq), q)
    # the same to rounding (an adaptive quadrature's first panels follow the widest row of its part)
    np.testing.assert_allclose(parts, gaussian_moment(act, q), rtol=1e-14, atol=0)


def test_dual_table_is_the_same_on_one_thread_and_on_several(monkeypatch):
    """Each chunk of table values is computed on its own: one thread or two give identical tables."""
    act = get_activation("tanh")
    monkeypatch.setenv("ACTTHEORY_THREADS", "1")
    serial = _build(act, (-1.0, 1.0), (0.0, 0.7), False)
    monkeypatch.setenv("ACTTHEORY_THREADS", "2")
    threaded = _build(act, (-1.0, 1.0), (0.0, 0.7), False)
    assert np.array_equal(serial.main, threaded.main) and np.array_equal(serial.mean_slope, threaded.mean_slope)


def test_first_item_runs_in_the_calling_thread(monkeypatch):
    """What a chunk builds lazily (an activation's derivatives, its callables) is built by the first item, in the
    calling thread, before other threads start: building it from two threads at once is not safe."""
    import threading

    monkeypatch.setenv("ACTTHEORY_THREADS", "2")
    idents = list(thread_map(lambda _: threading.get_ident(), range(6)))
    assert idents[0] == threading.get_ident()
    seen = []
    split_rows(lambda part: seen.append((threading.get_ident(), len(part))) or part, np.arange(10.0))
    assert seen[0] == (threading.get_ident(), 1)  # the one-element warm-up, here
