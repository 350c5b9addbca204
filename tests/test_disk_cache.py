"""The persistent cache (symbolic.disk_cache): identical results from a stored entry, rebuilt after
corruption, a foreign entry or a version change, never unpickled; its location; ``acttheory cache``."""

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from signalprop import dual_table as dual_table_module
from signalprop import phase
from symbolic import disk_cache, get_activation


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache directory, with the in-memory caches in front of it emptied."""
    monkeypatch.setenv("ACTTHEORY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTTHEORY_CACHE", raising=False)
    phase.q_tables.cache_clear()
    dual_table_module._CACHE.clear()
    yield tmp_path / "cache"
    phase.q_tables.cache_clear()
    dual_table_module._CACHE.clear()


def _entries(root, kind):
    return sorted((root / kind).glob("*.npz"))


def _rebuild_q_tables(act):
    phase.q_tables.cache_clear()
    return phase.q_tables(act)


def _same_tables(a, b):
    assert a.domain == b.domain and a.origin == b.origin
    for name in ("log_h", "log_g", "b"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None and y is None) or np.array_equal(x, y), name


def test_stored_tables_give_identical_phase_diagrams(cache):
    """A warm run (tables read from disk, memory caches empty) equals the cold run bit for bit."""
    act = get_activation("tanh")
    w2, b2 = np.linspace(0.5, 3.0, 80), np.linspace(0.0, 0.3, 20)  # enough points near the edge for the dual table
    cold = phase.phase_diagram(act, w2, b2)
    assert len(_entries(cache, "q_tables")) == 1 and len(_entries(cache, "dual_table")) == 1
    phase.q_tables.cache_clear()
    dual_table_module._CACHE.clear()
    built = []
    original = phase._build_q_tables
    phase._build_q_tables = lambda a: built.append(a) or original(a)
    try:
        warm = phase.phase_diagram(act, w2, b2)
    finally:
        phase._build_q_tables = original
    assert not built  # read from disk, not rebuilt
    for field in ("q_star", "chi1", "xi_q", "c_star", "chi_c", "xi_c", "phase"):
        assert np.array_equal(getattr(cold, field), getattr(warm, field), equal_nan=True), field


def test_discontinuous_activation_round_trips(cache):
    """The Dq form (no log_g, no mean slope) of a discontinuous φ survives the round trip."""
    act = get_activation("heaviside")
    cold = phase.q_tables(act)
    assert cold.log_g is None
    _same_tables(cold, _rebuild_q_tables(act))


def test_corrupted_entry_is_rebuilt(cache):
    act = get_activation("gelu")
    cold = phase.q_tables(act)
    (path,) = _entries(cache, "q_tables")
    path.write_bytes(b"not a zip file at all")
    _same_tables(cold, _rebuild_q_tables(act))
    assert np.load(path, allow_pickle=False)["log_h"].shape == cold.log_h.shape  # rewritten, readable again


def test_inconsistent_arrays_are_rejected_and_rebuilt(cache):
    """A readable entry whose arrays fail the checks (wrong shape, NaN) is never used."""
    act = get_activation("tanh")
    cold = phase.q_tables(act)
    (path,) = _entries(cache, "q_tables")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["log_h"] = arrays["log_h"].copy()
    arrays["log_h"][3] = np.nan
    np.savez(path, **arrays)
    _same_tables(cold, _rebuild_q_tables(act))


def test_foreign_entry_is_not_trusted(cache):
    """A well-formed file that names another key (a collision, a copied file) is replaced."""
    tanh, gelu = get_activation("tanh"), get_activation("gelu")
    cold = phase.q_tables(tanh)
    phase.q_tables(gelu)
    path_tanh = disk_cache._path("q_tables", disk_cache.expression_key(tanh))
    path_gelu = disk_cache._path("q_tables", disk_cache.expression_key(gelu))
    path_tanh.write_bytes(path_gelu.read_bytes())
    _same_tables(cold, _rebuild_q_tables(tanh))


def test_entries_are_never_unpickled(cache, monkeypatch):
    """An entry holding an object array (which only unpickling could read) is rejected, and pickle is
    never called while reading the cache."""
    act = get_activation("tanh")
    cold = phase.q_tables(act)
    (path,) = _entries(cache, "q_tables")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["b"] = np.array([object()], dtype=object)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)  # np.savez pickles object arrays
    calls = []
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: calls.append(a) or pytest.fail("pickle.loads called"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: calls.append(a) or pytest.fail("pickle.load called"))
    assert disk_cache.load("q_tables", disk_cache.expression_key(act)) is None
    assert not path.exists()
    _same_tables(cold, _rebuild_q_tables(act))
    assert not calls


def test_version_change_rebuilds_and_marks_old_entries_stale(cache, monkeypatch):
    act = get_activation("tanh")
    cold = phase.q_tables(act)
    monkeypatch.setattr(disk_cache, "toolkit_version", lambda: "9.9.9+feedfacecafe")
    built = []
    original = phase._build_q_tables
    monkeypatch.setattr(phase, "_build_q_tables", lambda a: built.append(a) or original(a))
    _same_tables(cold, _rebuild_q_tables(act))
    assert built == [act]  # the old version's entry was not read
    doc = disk_cache.info()
    assert doc["kinds"]["q_tables"] == {"entries": 1, "stale": 1, "bytes": doc["kinds"]["q_tables"]["bytes"]}
    assert disk_cache.clear(stale_only=True) == 1
    assert disk_cache.info()["entries"] == 1


def test_version_names_the_source():
    """The version changes with any source file of the three lower layers (here: simulated by the digest
    of a different file set)."""
    v = disk_cache.toolkit_version()
    assert "+" in v and len(v.split("+")[1]) == 12


def test_disabled_cache_writes_nothing(cache, monkeypatch):
    monkeypatch.setenv("ACTTHEORY_CACHE", "off")
    phase.q_tables(get_activation("tanh"))
    assert not cache.exists()


def test_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("ACTTHEORY_CACHE_DIR", str(blocker / "cache"))
    phase.q_tables.cache_clear()
    tables = phase.q_tables(get_activation("tanh"))
    phase.q_tables.cache_clear()
    assert tables.b.shape[0] == phase.N_MEHLER


def test_location_follows_the_platform(monkeypatch, tmp_path):
    """Without an override, the directory is platformdirs' user cache: XDG_CACHE_HOME moves it on Linux."""
    monkeypatch.delenv("ACTTHEORY_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert disk_cache.cache_dir() == tmp_path / "xdg" / "activation-theory"
    import platformdirs

    assert disk_cache.cache_dir() == platformdirs.user_cache_path("activation-theory", appauthor=False)


def test_non_numeric_arrays_are_refused(cache):
    with pytest.raises(TypeError, match="numeric"):
        disk_cache.store("test", "key", {"a": np.array(["text"])})


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "theory", *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_info_and_clear(tmp_path):
    env = {**os.environ, "ACTTHEORY_CACHE_DIR": str(tmp_path / "c")}
    cold = _cli("phase", "tanh", "--grid", "12", "--json", "--no-progress", env=env)
    assert cold.returncode == 0, cold.stderr
    info = json.loads(_cli("cache", "info", "--json", env=env).stdout)
    assert info["path"] == str(tmp_path / "c") and info["kinds"]["q_tables"]["entries"] == 1
    # tanh's q tables, its values at the origin, the 2-D engine's three half-range Gauss rules (10, 16, 24 points) and
    # the note of which activation the request "tanh" gave
    assert {k: v["entries"] for k, v in info["kinds"].items()} == {"q_tables": 1, "origin": 1, "half_range_gauss": 3,
                                                                   "activation": 1}
    assert info["entries"] == 6 and info["bytes"] > 0
    warm = _cli("phase", "tanh", "--grid", "12", "--json", "--no-progress", env=env)
    assert json.loads(warm.stdout) == json.loads(cold.stdout)
    table = _cli("cache", "info", env=env).stdout
    assert "q_tables" in table and "total" in table
    cleared = json.loads(_cli("cache", "clear", "--json", env=env).stdout)
    assert cleared["removed"] == 6
    assert json.loads(_cli("cache", "info", "--json", env=env).stdout)["entries"] == 0


def test_derivation_documents_are_cached(cache, monkeypatch):
    """``acttheory zoo``/``show --json`` read the derivation's JSON form from the cache: equal to a fresh
    ``derive(act).as_dict()`` (through JSON), and read without deriving again."""
    import importlib

    derive_module = importlib.import_module("symbolic.derive")  # the module (symbolic.derive is also a function)

    act = get_activation("elu", {"alpha": "1/2"})
    fresh = json.loads(json.dumps(derive_module.derive(act).as_dict()))
    assert derive_module.derivation_document(act) == fresh
    monkeypatch.setattr(derive_module, "derive", lambda a: pytest.fail("derived again instead of reading the cache"))
    assert derive_module.derivation_document(act) == fresh


def test_cli_zoo_warm_equals_cold(tmp_path):
    env = {**os.environ, "ACTTHEORY_CACHE_DIR": str(tmp_path / "c")}
    cold = _cli("zoo", "--family", "piecewise linear", "--json", "--no-progress", "--jobs", "1", env=env)
    warm = _cli("zoo", "--family", "piecewise linear", "--json", "--no-progress", "--jobs", "1", env=env)
    assert cold.returncode == 0, cold.stderr
    assert warm.stdout == cold.stdout and len(json.loads(warm.stdout)) >= 3
    assert json.loads(_cli("cache", "info", "--json", env=env).stdout)["kinds"]["derivation"]["entries"] == len(json.loads(cold.stdout))


def test_mehler_pieces_are_read_back(cache, monkeypatch):
    """The Hermite-coefficient interpolants of the kernels (ntk.mehler pieces) come back from disk bit for bit,
    without the 1-D engine, in a new process's place (memory cache emptied)."""
    from ntk import mehler

    act = get_activation("swish")
    mehler._piece.cache_clear()
    cold = mehler._piece(act, True, 0.0, mehler.SEGMENT)
    mehler._piece.cache_clear()
    monkeypatch.setattr(mehler, "_build_piece", lambda *a: pytest.fail("rebuilt instead of read"))
    warm = mehler._piece(act, True, 0.0, mehler.SEGMENT)
    mehler._piece.cache_clear()
    assert cold is not None and np.array_equal(cold, warm)


def test_half_range_rules_and_origin_values_are_read_back(cache, monkeypatch):
    """The half-range Gauss rules of the 2-D engine and φ's values at the origin come back from disk unchanged,
    without their 50-digit / symbolic computations; a rule that is not one (nodes out of order) is rebuilt."""
    from signalprop import bivariate_rule, laws

    rule = bivariate_rule.half_range_gauss.__wrapped__(10)
    with monkeypatch.context() as patched:
        patched.setattr(bivariate_rule, "_half_range_gauss", lambda n: pytest.fail("rebuilt instead of read"))
        again = bivariate_rule.half_range_gauss.__wrapped__(10)
    assert all(np.array_equal(a, b) for a, b in zip(rule, again))
    (path,) = _entries(cache, "half_range_gauss")
    with np.load(path) as stored:
        arrays = dict(stored)
    disk_cache.store("half_range_gauss", "10", {**arrays, "nodes": arrays["nodes"][::-1].copy()})
    rebuilt = bivariate_rule.half_range_gauss.__wrapped__(10)
    assert all(np.array_equal(a, b) for a, b in zip(rule, rebuilt))

    act = get_activation("elu", alpha="0.5")  # φ(0) = 0, φ'(0−) = 1/2, φ'(0+) = 1
    assert laws._origin_values.__wrapped__(act) == (0.0, 0.5, 1.0)
    monkeypatch.setattr(laws, "at_origin", lambda a: pytest.fail("derived instead of read"))
    assert laws._origin_values.__wrapped__(act) == (0.0, 0.5, 1.0)


def _same_diagrams(a, b):
    assert a.activation == b.activation
    for name in ("sigma_w2", "sigma_b2", "q_star", "chi1", "xi_q", "c_star", "chi_c", "xi_c", "phase"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name


def test_warm_diagram_from_the_cache_alone(cache):
    """``warm_phase_diagram`` (label and key only) equals ``phase_diagram`` bit for bit: ordered points below the table
    (q* = 0 at sigma_b2 = 0, from the stored limits at the origin) and chaotic points next to the edge of chaos
    (dual table) included; the activation is asked for only where the cache cannot answer."""
    act = get_activation("tanh")
    key = disk_cache.expression_key(act)
    w2, b2 = np.linspace(0.5, 3.0, 80), np.linspace(0.0, 0.3, 20)
    asked = []

    def activation():
        asked.append(1)
        return act

    assert phase.warm_phase_diagram(act.label, key, activation, w2, b2) is None  # nothing cached yet
    cold = phase.phase_diagram(act, w2, b2)
    assert (cold.q_star[0] == 0).any() and len(_entries(cache, "dual_table")) == 1
    phase.q_tables.cache_clear()
    dual_table_module._CACHE.clear()
    _same_diagrams(phase.warm_phase_diagram(act.label, key, activation, w2, b2), cold)
    assert not asked
    # 0 < q* < the table's lower end (tiny sigma_b2): those points are solved one by one, from the activation
    tiny = np.array([0.0, 1e-8])
    _same_diagrams(phase.warm_phase_diagram(act.label, key, activation, w2[:5], tiny), phase.phase_diagram(act, w2[:5], tiny))
    assert asked


def test_activation_notes(cache):
    act = get_activation("elu", alpha="1/2")
    assert disk_cache.remembered_activation("elu alpha=1/2") is None
    disk_cache.remember_activation("elu alpha=1/2", act)
    assert disk_cache.remembered_activation("elu alpha=1/2") == (act.label, disk_cache.expression_key(act))
    (path,) = _entries(cache, "activation")
    disk_cache.store("activation", "elu alpha=1/2", {"json": np.frombuffer(b"[1, 2]", dtype=np.uint8)})  # not a note
    assert disk_cache.remembered_activation("elu alpha=1/2") is None and not path.exists()


def test_warm_cli_call_needs_no_sympy(tmp_path):
    """The second ``phase`` call reads everything from the cache: same output, and neither sympy nor the engines are
    imported (the first call imports them). A 100 x 100 grid has enough points next to the edge of chaos for the dual
    table (a few are solved one by one, from the activation)."""
    env = {**os.environ, "ACTTHEORY_CACHE_DIR": str(tmp_path / "c")}
    script = ("import sys, contextlib, io\nfrom theory.cli import main\nout = io.StringIO()\n"
              "with contextlib.redirect_stdout(out):\n    code = main(['phase', 'elu', '--param', 'alpha=0.5', '--grid', '100', "
              "'--json', '--no-progress'])\nprint(out.getvalue().strip())\n"
              "print(code, 'sympy' in sys.modules, 'signalprop.gaussian' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    (cold, cold_flags), (warm, warm_flags) = (run.stdout.strip().rsplit("\n", 1) for run in runs)
    assert cold_flags == "0 True True" and warm_flags == "0 False False"
    assert json.loads(warm) == json.loads(cold) and json.loads(cold)["name"] == "elu(alpha=1/2)"
    assert "read from the cache" in runs[1].stderr


def test_phase_notes_follow_the_parameters_as_resolved():
    """A repeated --param resolves to its last value; the note's request must say so (else the other order would be
    served this one's cached diagram)."""
    from theory.cli import _phase_request, build_parser

    parse = build_parser().parse_args
    first, second = (parse(["phase", "elu", "--param", a, "--param", b]) for a, b in (("alpha=1", "alpha=0.5"),
                                                                                        ("alpha=0.5", "alpha=1")))
    assert _phase_request(first) != _phase_request(second)
    assert _phase_request(first) == _phase_request(parse(["phase", "elu", "--param", "alpha = 0.5"]))
    assert _phase_request(parse(["phase", "--expr", "x*sigmoid(x)"])) is None
