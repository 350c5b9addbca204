"""The papers' results as executable claims (one module per paper), their checks and the report.

``claims()`` lists them (filter by paper, kind, id), ``run_claims`` checks them, ``write_report``
writes the Markdown report with the papers' figures re-drawn.
"""

from .check import ClaimResult, Run, check, run_claims
from .claim import KINDS, Claim, Measured, Paper, Tolerance, absolute, at_least, at_most, relative, sigmas
from .registry import PAPER_MODULES, UnknownClaimError, claims, paper_module, papers
from .report import write_report

__all__ = ["KINDS", "PAPER_MODULES", "Claim", "ClaimResult", "Measured", "Paper", "Run", "Tolerance", "UnknownClaimError",
           "absolute", "at_least", "at_most", "check", "claims", "paper_module", "papers", "relative", "run_claims", "sigmas",
           "write_report"]
