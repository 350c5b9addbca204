"""The measured false-failure rates of the Monte-Carlo claims: ``benchmarks/bench_claims_mc.py --record``
reruns each claim's simulation (``Claim.seeded``) over many seeds, judges every run with the claim's own
tolerance and stores the counts in ``false_failures.json`` beside this module; the report, ``verify --json``
and the claims' notes read them from there. A record made at another tolerance than the claim's present
one, or by another judge (``JUDGE``), is reported as stale, not as a measurement of the present claim."""

from __future__ import annotations

import json
from pathlib import Path

from .claim import Claim

PATH = Path(__file__).with_name("false_failures.json")
MIN_SEEDS = 200
JUDGE = "max |z| over components, Student t + Bonferroni, z corrected for skewness where that shrinks it (Hall 1992)"


def recorded() -> dict[str, dict]:
    """Claim id → its record (``seeds``, ``first_seed``, ``failures``, ``rate_95``, ``max_z``, ``z_p99``,
    ``tolerance``, ``date``); empty when nothing is recorded."""
    if not PATH.exists():
        return {}
    return {row["claim"]: row for row in json.loads(PATH.read_text())}


def record(rows: list[dict]) -> None:
    """Merge benchmark rows into ``false_failures.json`` (a claim's new row replaces its old one)."""
    merged = recorded() | {row["claim"]: row for row in rows}
    PATH.write_text(json.dumps([merged[k] for k in sorted(merged)], indent=1) + "\n")


def current(claim: Claim, records: dict[str, dict] | None = None) -> dict | None:
    """The claim's record if it was made at the claim's present tolerance by the present judge, else None."""
    row = (recorded() if records is None else records).get(claim.id)
    fresh = row is not None and abs(row["tolerance"] - claim.tolerance.value) < 1e-9 and row.get("judge") == JUDGE
    return row if fresh else None


def describe(claim: Claim, records: dict[str, dict] | None = None) -> str:
    """One sentence for a Monte-Carlo claim's notes: its measured false-failure rate, or that it is not
    measured (yet, or again since its tolerance changed)."""
    records = recorded() if records is None else records
    row = current(claim, records)
    if row is None:
        stale = " again since its tolerance or judge changed" if claim.id in records else ""
        return (f"False-failure rate: not measured{stale} over ≥ {MIN_SEEDS} seeds "
                f"(benchmarks/bench_claims_mc.py --claim {claim.id} --record).")
    last = row["first_seed"] + row["seeds"] - 1
    lo, hi = row["rate_95"]
    return (f"False-failure rate: {row['failures']} of {row['seeds']} seeds ({row['first_seed']} … {last}; 95 % interval "
            f"[{lo:.2g}, {hi:.2g}]), largest |z| {row['max_z']:.2f}, 99th percentile {row['z_p99']:.2f}, at the tolerance "
            f"{row['tolerance']:.2f} (benchmarks/bench_claims_mc.py, {row['date']}).")
