"""Every registered activation, gated unit and group activation through every command of ``acttheory`` (issues 21,
17).

Each run ends with exit status 0 (a result) or 2 (an error that says what is wrong: "error: ..."),
never an exception (``mc`` may also exit 1, its verdict that a measurement disagrees with the
theory: two networks of width 2 measure little). Its --json document holds finite numbers only
(null where a value is infinite or undefined, as each command documents): never NaN or ±inf, nor
"nan"/"inf" inside a string (±inf named as a place or a limit, "x -> +inf", is not a number), and an
error message never cites one either (the inputs here are finite). The commands run in-process at
the smallest sizes their options allow, one test per (activation, command); the commands are split over
two test files (test_cli_sweep_maps.py, test_cli_sweep_kernels.py) so that pytest-xdist, which gives each
file to one worker (--dist loadfile), runs them on both.
"""

import json
import re
from collections.abc import Iterator

import pytest

from symbolic import gated_names, group_names, registered_names
from theory.cli import main

COMMANDS = {
    "show": [],
    "critical": ["--sigma-b2", "0.05"],
    "maps": ["--sigma-w2", "2", "--sigma-b2", "0.05", "--depth", "3"],
    "eoc": ["--q-min", "0.1", "--q-max", "10", "--points", "3"],
    "phase": ["--grid", "2", "--no-progress"],
    "kernel": ["--random", "4,3", "--depth", "2", "--ntk"],
    "mc": ["--width", "2", "--depth", "1", "--ensemble", "2"],
}
NOT_FINITE = re.compile(r"\b(nan|inf)\b", re.IGNORECASE)  # how Python writes a NaN or an infinity
NAMED_INFINITY = re.compile(r"^[+-]inf$|->\s*[+-]?inf\b")  # ±∞ as a place or a limit: "where": "+inf", "x -> +inf"


def _leaks(text: str) -> bool:
    """Whether ``text`` holds a NaN or an infinity written as a number."""
    return bool(NOT_FINITE.search(NAMED_INFINITY.sub("", text)))


def _refuse(token: str):
    raise AssertionError(f"--json printed {token}")


def _strings(doc) -> Iterator[str]:
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield key
            yield from _strings(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _strings(value)


def sweep(commands: tuple[str, ...]):
    """The parametrization (activation or gated unit × command) of one sweep file."""
    names = registered_names() + gated_names() + group_names()
    return pytest.mark.parametrize("name, command", [(n, c) for c in commands for n in names])


def check_command(name: str, command: str, capsys) -> None:
    """Run ``acttheory COMMAND NAME ... --json`` and check its exit status, stderr and JSON (module docstring)."""
    status = main([command, name, *COMMANDS[command], "--json"])
    out, err = capsys.readouterr()
    assert status in ((0, 1, 2) if command == "mc" else (0, 2)), err
    if status == 2:  # nothing on stdout, the reason on stderr
        message = err.strip().splitlines()[-1]
        assert message.startswith("error: ") and not out
        assert not _leaks(message), message
        return
    doc = json.loads(out, parse_constant=_refuse)  # NaN, Infinity, -Infinity
    leaked = [s for s in _strings(doc) if _leaks(s)]
    assert not leaked, leaked
