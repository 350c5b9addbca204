"""The papers' results as executable claims (one module per paper), their checks and the report.

``claims()`` lists them (filter by paper, kind, id), ``run_claims`` checks them, ``write_report``
writes the Markdown report with the papers' figures re-drawn.
"""

from .check import ClaimResult, Run, check, run_claims
from .claim import (KINDS, PROVENANCES, Claim, Measured, Paper, Tolerance, absolute, at_least, at_most, mc_sigmas, relative,
                    sigmas)
from .registry import PAPER_MODULES, UnknownClaimError, claims, paper_module, papers
from .report import provenance_counts, write_report

__all__ = ["KINDS", "PAPER_MODULES", "PROVENANCES", "Claim", "ClaimResult", "Measured", "Paper", "Run", "Tolerance", "UnknownClaimError",
           "absolute", "at_least", "at_most", "check", "claims", "mc_sigmas", "paper_module", "papers", "relative", "run_claims", "sigmas",
           "provenance_counts", "write_report"]
