"""``acttheory cache info|clear``: the persistent cache of per-activation tables (``symbolic.disk_cache``)."""

from __future__ import annotations

import argparse

from .cli import _table, print_json


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def cmd_cache(args: argparse.Namespace) -> int:
    from symbolic import disk_cache

    if args.action == "clear":
        removed = disk_cache.clear(stale_only=args.stale)
        doc = {"path": str(disk_cache.cache_dir()), "removed": removed, "stale_only": args.stale}
        if args.json:
            print_json(doc)
        else:
            print(f"removed {removed} {'stale ' if args.stale else ''}entries from {doc['path']}")
        return 0
    doc = disk_cache.info()
    if args.json:
        print_json(doc)
        return 0
    print(f"cache: {doc['path']} ({'on' if doc['enabled'] else 'off: ACTTHEORY_CACHE'}), toolkit version {doc['version']}")
    rows = [(kind, str(r["entries"]), str(r["stale"]), _size(r["bytes"])) for kind, r in sorted(doc["kinds"].items())]
    rows.append(("total", str(doc["entries"]), str(doc["stale"]), _size(doc["bytes"])))
    print(_table(("kind", "entries", "stale (other versions)", "size"), rows))
    return 0


def add_cache_command(sub) -> None:
    c = sub.add_parser("cache", help="the persistent cache of per-activation tables: where it is, what it holds; clear it")
    c.add_argument("action", choices=("info", "clear"), help="info: location, entries and size; clear: remove entries")
    c.add_argument("--stale", action="store_true", help="with clear: only entries of other toolkit versions (or unreadable)")
    c.add_argument("--json", action="store_true", help="print one JSON document")
    c.set_defaults(func=cmd_cache)
