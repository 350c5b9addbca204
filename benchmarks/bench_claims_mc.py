"""False-failure rates of the Monte-Carlo claims: each claim's simulation rerun over many seeds
(``Claim.seeded``) and judged against its reference with its own tolerance. A correct claim should fail
in no more than the rate its tolerance states (``mc_sigmas``: 1e-4 by default); with S seeds, F failures
give the rate F/S with a 95 % Clopper–Pearson interval, and the distribution of the largest |z| per run
shows whether the tolerance leaves room (its 99th percentile) or not.

run: .venv/bin/python benchmarks/bench_claims_mc.py [--seeds 200] [--start 1] [--claim ID ...] [--json OUT] [--record]
(seed 0 is the one CI runs; the default starts at 1). Ctrl-C stops after the seed in flight and prints what is done.
``--record`` merges the rows into theory/claims/false_failures.json, which the claims' notes and the report read;
``--json`` rows also hold every run's largest |z| (``z``), so that runs over disjoint seed ranges can be merged.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time

import numpy as np
from scipy.stats import beta

from theory.claims import claims
from theory.claims.check import judge
from theory.claims.false_failures import JUDGE
from theory.progress import progress


def clopper_pearson(failures: int, runs: int, level: float = 0.95) -> tuple[float, float]:
    """The exact binomial confidence interval for a rate observed as ``failures`` of ``runs``."""
    alpha = 1 - level
    lo = 0.0 if failures == 0 else float(beta.ppf(alpha / 2, failures, runs - failures + 1))
    hi = 1.0 if failures == runs else float(beta.ppf(1 - alpha / 2, failures + 1, runs - failures))
    return lo, hi


def measure(claim, seeds: range) -> dict:
    """Run ``claim.seeded`` at every seed; the largest |z| of each run, failures, seconds."""
    errors, failures, start = [], [], time.perf_counter()
    bar = progress(seeds, desc=claim.id)
    try:
        for seed in bar:
            result = judge(claim, claim.seeded(seed))
            errors.append(result.error)
            if not result.passed:
                failures.append(seed)
    except KeyboardInterrupt:
        print(f"\ninterrupted after {len(errors)} seeds of {claim.id}", file=sys.stderr)
    errors = np.asarray(errors)
    lo, hi = clopper_pearson(len(failures), max(len(errors), 1))
    return {"claim": claim.id, "seeds": len(errors), "first_seed": seeds.start, "tolerance": claim.tolerance.value,
            "failures": len(failures), "failing_seeds": failures, "rate": len(failures) / max(len(errors), 1),
            "rate_95": [lo, hi], "max_z": float(np.nanmax(errors)) if errors.size else None,
            "z_p99": float(np.nanpercentile(errors, 99)) if errors.size else None,
            "seconds_per_run": (time.perf_counter() - start) / max(len(errors), 1),
            "judge": JUDGE, "date": datetime.date.today().isoformat(), "z": errors.tolist()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="runs per claim (default 200)")
    parser.add_argument("--start", type=int, default=1, help="first seed (default 1; CI runs seed 0)")
    parser.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    parser.add_argument("--json", metavar="OUT", help="also write the rows as JSON to OUT (rewritten after every claim)")
    parser.add_argument("--record", action="store_true",
                        help="merge claims measured over >= 200 seeds into theory/claims/false_failures.json")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be >= 1")
    selected = claims(kinds=["mc"], claim_ids=args.claim)
    rows = []
    for claim in selected:
        rows.append(measure(claim, range(args.start, args.start + args.seeds)))
        if args.json:  # after every claim: a long run stopped half-way keeps what it measured
            with open(args.json, "w") as fh:
                json.dump(rows, fh, indent=1)
    header = ("claim", "seeds", "tol σ", "failures", "rate (95 %)", "max |z|", "p99 |z|", "s/run")
    body = [(r["claim"], str(r["seeds"]), f"{r['tolerance']:.2f}", str(r["failures"]),
             f"{r['rate']:.3g} [{r['rate_95'][0]:.2g}, {r['rate_95'][1]:.2g}]", f"{r['max_z']:.2f}", f"{r['z_p99']:.2f}",
             f"{r['seconds_per_run']:.2f}") for r in rows if r["seeds"]]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for b in body:
        print("  ".join(c.ljust(w) for c, w in zip(b, widths)))
    if args.record:
        from theory.claims.false_failures import MIN_SEEDS, record

        record([{k: v for k, v in r.items() if k != "z"} for r in rows if r["seeds"] >= MIN_SEEDS])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
