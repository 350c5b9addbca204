"""The persistent cache: per-activation tables that do not depend on the request (Chebyshev tables of
Gaussian moments and Hermite coefficients, dual tables, derivation summaries) kept on disk between
processes, so that a second ``acttheory phase tanh`` starts from them instead of rebuilding them.

Where: ``platformdirs.user_cache_path("activation-theory")`` (``$XDG_CACHE_HOME/activation-theory``
on Linux, ``~/Library/Caches/activation-theory`` on macOS, ``%LOCALAPPDATA%`` on Windows), or
``$ACTTHEORY_CACHE_DIR``; ``ACTTHEORY_CACHE=off`` turns it off.

Key: the entry's kind, the exact expression (``sympy.srepr``, parameters substituted) and whatever
else the table depends on (domains), and the toolkit's version: the package version and a digest of
the source of ``symbolic``, ``signalprop`` and ``ntk``, so an edited algorithm never reads an older
table. The file name is a SHA-256 of the key; the key itself is stored in the entry and compared on
reading, so a foreign or colliding file is never taken for the entry.

Format: NumPy ``.npz`` of float64/int64 arrays plus the key as a JSON string (a uint8 array), read with
``allow_pickle=False`` (an object array, i.e. anything that would need unpickling, fails to load); no
pickle, no code. A file that cannot be read, names another key, or whose arrays fail the caller's
checks is deleted and rebuilt, never trusted. Writes go to a temporary file renamed into place, so
concurrent processes and interrupted writes never leave half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

APP = "activation-theory"
FORMAT = 1  # bump when the entry layout changes
SOURCE_PACKAGES = ("symbolic", "signalprop", "ntk")
_META = "__key__"


class CacheEntryError(ValueError):
    """A cache entry that cannot be used (unreadable, foreign, or failing its checks)."""


def enabled() -> bool:
    """False when ``ACTTHEORY_CACHE`` is 0/off/false/no."""
    return os.environ.get("ACTTHEORY_CACHE", "on").strip().lower() not in {"0", "off", "false", "no"}


def cache_dir() -> Path:
    """The cache's directory (not created): ``$ACTTHEORY_CACHE_DIR`` or the platform's user cache."""
    override = os.environ.get("ACTTHEORY_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_cache_path(APP, appauthor=False)


@lru_cache(maxsize=1)
def toolkit_version() -> str:
    """``<package version>+<12 hex digits of the SHA-256 of the layers' source files>``."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return f"{package_version()}+{digest.hexdigest()[:12]}"


def package_version() -> str:
    """The toolkit's version (``symbolic.version``, which the installed package's metadata also gives)."""
    from .version import __version__

    return __version__


def expression_key(act) -> str:
    """The exact identity of an activation for the cache: ``srepr`` of its expression (parameters
    substituted), or of every component with its probability (exact, ``float.hex``) for a Mixture."""
    import sympy as sp

    if hasattr(act, "components") and not hasattr(act, "expr"):
        return "mixture[" + ";".join(f"{float(w).hex()}:{expression_key(a)}" for a, w in act.components()) + "]"
    return sp.srepr(act.expr)


def _path(kind: str, key: str) -> Path:
    digest = hashlib.sha256(f"{kind}\n{key}\n{toolkit_version()}".encode()).hexdigest()
    return cache_dir() / kind / f"{digest[:40]}.npz"


def _meta(kind: str, key: str) -> dict:
    return {"kind": kind, "key": key, "version": toolkit_version(), "format": FORMAT}


def load(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored for (kind, key) at this version, or None (absent, disabled, or unusable: then
    the file is removed)."""
    if not enabled():
        return None
    path = _path(kind, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        meta = json.loads(bytes(arrays.pop(_META)).decode())
        if meta != _meta(kind, key):
            raise CacheEntryError(f"{path} holds another entry")
        return arrays
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        discard(path)
        return None


def store(kind: str, key: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Write the entry atomically; a cache that cannot be written (read-only, full disk) is skipped."""
    if not enabled():
        return
    path = _path(kind, key)
    payload = {name: _plain(name, a) for name, a in arrays.items()}
    payload[_META] = np.frombuffer(json.dumps(_meta(kind, key), sort_keys=True).encode(), dtype=np.uint8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **payload)
            os.replace(tmp, path)
        except BaseException:
            discard(Path(tmp))
            raise
    except OSError:
        return


def _plain(name: str, a) -> np.ndarray:
    out = np.asarray(a)
    if out.dtype.kind not in "fiub":
        raise TypeError(f"cache arrays must be numeric, {name!r} has dtype {out.dtype}")
    return out


def discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


_MISSING = object()


def stored(kind: str, key: str, restore: Callable[[dict[str, np.ndarray]], object], default=None):
    """``restore(arrays)`` of the stored entry, or ``default`` when there is none or it is unusable. ``restore``
    validates: any exception it raises marks the entry unusable (removed)."""
    arrays = load(kind, key)
    if arrays is None:
        return default
    try:
        return restore(arrays)
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
        discard(_path(kind, key))
        return default


def cached(kind: str, key: str, build: Callable[[], dict[str, np.ndarray]],
           restore: Callable[[dict[str, np.ndarray]], object]):
    """``restore(arrays)`` of the stored entry (``stored``), or of ``build()`` (then stored): an unusable entry is
    removed and rebuilt."""
    value = stored(kind, key, restore, _MISSING)
    if value is not _MISSING:
        return value
    arrays = build()
    value = restore(arrays)
    store(kind, key, arrays)
    return value


def info() -> dict:
    """Location, version, and per kind the entries of this version and of others (stale), with bytes."""
    root = cache_dir()
    kinds: dict[str, dict] = {}
    current = toolkit_version()
    for path in sorted(root.glob("*/*.npz")) if root.is_dir() else []:
        row = kinds.setdefault(path.parent.name, {"entries": 0, "stale": 0, "bytes": 0})
        row["bytes"] += path.stat().st_size
        row["entries" if _version_of(path) == current else "stale"] += 1
    return {"path": str(root), "enabled": enabled(), "version": current, "kinds": kinds,
            "entries": sum(r["entries"] for r in kinds.values()), "stale": sum(r["stale"] for r in kinds.values()),
            "bytes": sum(r["bytes"] for r in kinds.values())}


def _version_of(path: Path) -> str | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return json.loads(bytes(data[_META]).decode()).get("version")
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, UnicodeDecodeError, AttributeError):
        return None


def clear(stale_only: bool = False) -> int:
    """Remove the cache's entries (only those of other versions or unreadable, with ``stale_only``);
    returns how many were removed."""
    root = cache_dir()
    if not root.is_dir():
        return 0
    current = toolkit_version()
    removed = 0
    for path in list(root.glob("*/*.npz")) + list(root.glob("*/*.tmp")):
        if stale_only and path.suffix == ".npz" and _version_of(path) == current:
            continue
        discard(path)
        removed += 1
    return removed


def checked(arrays: Mapping[str, np.ndarray], name: str, ndim: int, finite: bool = True) -> np.ndarray:
    """``arrays[name]`` if it is a float64 array of ``ndim`` dimensions (all finite when ``finite``),
    else ValueError: the check a ``restore`` applies to every array it reads."""
    a = arrays[name]
    if a.dtype != np.float64 or a.ndim != ndim or (finite and not np.all(np.isfinite(a))):
        raise ValueError(f"cache array {name!r}: expected finite float64 of {ndim} dimensions, got {a.dtype} {a.shape}")
    return a


def cached_json(kind: str, key: str, build: Callable[[], object]):
    """A JSON document (dicts, lists, strings, finite numbers, None) stored as UTF-8 bytes in an entry: the
    stored one, or ``build()``'s (then stored). Parsed with ``json.loads`` only: no code, no objects."""
    return cached(kind, key, lambda: _json_arrays(build()), _json_document)


def _json_arrays(document) -> dict[str, np.ndarray]:
    return {"json": np.frombuffer(json.dumps(document, allow_nan=False).encode(), dtype=np.uint8)}


def _json_document(arrays):
    raw = arrays["json"]
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ValueError("cache entry 'json' must be a 1-D uint8 array")
    return json.loads(bytes(raw).decode())


def remember_activation(request: str, act) -> None:
    """Note which activation a registry request (its name and parameter texts, as ``request``) gave: its label and
    ``expression_key``, so that ``remembered_activation`` can find its tables later without building it."""
    store("activation", request, _json_arrays({"label": act.label, "key": expression_key(act)}))


def remembered_activation(request: str) -> tuple[str, str] | None:
    """(label, expression key) noted for ``request`` by ``remember_activation`` at this version, or None. The key
    names the built-in registry's activation at this version's source, so ``request`` must hold what the registry
    resolves (the name and the parameter values as parsed, not the raw command line); a process that registers its
    own names should not rely on it."""
    return stored("activation", request, _activation_note)


def _activation_note(arrays) -> tuple[str, str]:
    document = _json_document(arrays)
    if not (isinstance(document, dict) and set(document) == {"label", "key"}
            and all(isinstance(v, str) for v in document.values())):
        raise ValueError("not an activation note")
    return document["label"], document["key"]
