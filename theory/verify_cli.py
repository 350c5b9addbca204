"""``acttheory verify``: run the papers' claims, print reference against computed, write the report."""

from __future__ import annotations

import argparse
import json
import sys

from .cli import CLIError, _table

DEFAULT_REPORT = "verify-report"


def cmd_verify(args: argparse.Namespace) -> int:
    from .claims import UnknownClaimError, claims, run_claims, write_report
    from .claims.false_failures import recorded
    from .claims.report import HEADER, rows

    try:
        selected = claims(args.paper, args.kind, args.claim)
    except UnknownClaimError as err:
        raise CLIError(str(err)) from None
    if not selected:
        raise CLIError("no claim matches these filters (see `acttheory verify --list`)")
    if args.list:
        if args.json:
            json.dump([{"id": c.id, "paper": c.paper.id, "where": c.where, "kind": c.kind, "provenance": c.provenance,
                        "same_as": c.same_as, "reference_text": c.reference_text, "statement": c.statement}
                       for c in selected], sys.stdout, indent=1)
            sys.stdout.write("\n")
        else:
            print(_table(("claim", "kind", "provenance", "where"), [(c.id, c.kind, c.provenance or "-", c.where)
                                                                 for c in selected]))
        return 0
    show = not args.json and not args.no_progress
    run = run_claims(selected, progress=show)
    if args.json:
        records = recorded()
        json.dump([r.to_json(records) for r in run.results], sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(_table(HEADER, rows(run.results)))
        failed = [r for r in run.results if not r.passed]
        for r in failed:
            print(f"\nFAILED {r.claim.id} ({r.claim.where}): {r.failure or r.claim.statement}")
        print(f"\n{sum(r.passed for r in run.results)} of {len(run.results)} claims pass"
              + (" (interrupted)" if run.interrupted else ""))
    if args.report:
        path = write_report(run, args.report, figures=not args.no_figures, progress=show)
        print(f"report written to {path}", file=sys.stderr)
    return 0 if run.passed else 1


def add_verify_command(sub) -> None:
    v = sub.add_parser("verify", help="check the papers' results (claims) with this toolkit; table, JSON and a report with figures")
    v.add_argument("--paper", action="append", metavar="ID", help="only this paper's claims (repeatable; see --list)")
    v.add_argument("--kind", action="append", choices=("analytic", "numerical", "mc"), help="only claims of this kind (repeatable)")
    v.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    v.add_argument("--list", action="store_true", help="list the selected claims without running them")
    v.add_argument("--report", metavar="DIR", nargs="?", const=DEFAULT_REPORT,
                   help=f"write DIR/report.md, DIR/results.json and the papers' figures (DIR default: {DEFAULT_REPORT})")
    v.add_argument("--no-figures", action="store_true", help="a report without figures")
    v.add_argument("--no-progress", action="store_true", help="no progress bar")
    v.add_argument("--json", action="store_true", help="print the results as a JSON list")
    v.set_defaults(func=cmd_verify)
