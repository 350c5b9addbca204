"""The verification report: a Markdown page (``report.md``) with one section per paper (its claims as a
table and its figure re-drawn with this toolkit), the JSON of every result (``results.json``), and the
figures as PNG files beside them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import numpy as np

from .check import ClaimResult, Run
from .claim import PROVENANCES, Claim
from .false_failures import describe, recorded
from .registry import paper_module


def fmt(value: np.ndarray | None, digits: int = 6) -> str:
    """A value for a table: scalars with ``digits`` significant digits, short arrays in brackets."""
    if value is None:
        return "-"
    flat = np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel()
    cells = [f"{v:.{digits}g}" for v in flat[:4]] + (["…"] if flat.size > 4 else [])
    return cells[0] if np.ndim(value) == 0 else "[" + ", ".join(cells) + "]"


def fmt_error(result: ClaimResult) -> str:
    if not np.isfinite(result.error):
        return "-"
    mode = result.claim.tolerance.mode
    if mode == "sigmas":
        return f"{result.error:.2f} σ"
    if mode in ("at_least", "at_most"):
        return "holds" if result.error <= 0 else f"violated by {result.error:.3g}"
    return f"{result.error:.2g}"


def fmt_tolerance(result: ClaimResult) -> str:
    tol = result.claim.tolerance
    return {"relative": f"{tol.value:.0e} rel", "absolute": f"{tol.value:.0e} abs", "sigmas": f"{tol.value:g} σ",
            "at_least": "≥ reference", "at_most": "≤ reference"}[tol.mode]


def rows(results: list[ClaimResult]) -> list[tuple[str, ...]]:
    """Table rows: claim, kind, provenance, reference, computed (± stderr), error, tolerance, pass."""
    out = []
    for r in results:
        computed = fmt(r.computed) + (f" ± {fmt(r.stderr, 2)}" if r.stderr is not None else "")
        out.append((r.claim.id, r.claim.kind, r.claim.provenance or "-", fmt(r.reference), computed, fmt_error(r),
                    fmt_tolerance(r), "pass" if r.passed else "FAIL"))
    return out


HEADER = ("claim", "kind", "provenance", "reference", "computed", "error", "tolerance", "pass")


def provenance_counts(claims: Iterable[Claim]) -> dict[str, dict[str, int]]:
    """Per provenance (``PROVENANCES``): how many claims, and how many distinct results (a claim that
    checks the same value as an earlier one, ``same_as``, is counted once)."""
    claims = list(claims)
    return {p: {"claims": sum(c.provenance == p for c in claims),
                "distinct": sum(c.provenance == p and c.same_as is None for c in claims)} for p in PROVENANCES}


def provenance_table(claims: Iterable[Claim]) -> str:
    """The provenance counts as a Markdown table, with what each provenance means."""
    counts = provenance_counts(claims)
    body = [(p, str(n["claims"]), str(n["distinct"]), PROVENANCES[p]) for p, n in counts.items()]
    return _markdown_table(("provenance", "claims", "distinct results", "the reference is"), body)


def _markdown_table(header: tuple[str, ...], body: list[tuple[str, ...]]) -> str:
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(esc(c) for c in row) + " |" for row in body])


def write_report(run: Run, directory: str | Path, figures: bool = True, progress: bool = False) -> Path:
    """Write ``report.md``, ``results.json`` and one PNG per paper (if ``figures``, with a progress bar
    if ``progress``) into ``directory``; returns the path of ``report.md``."""
    from ..progress import progress as bar
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    by_paper: dict[str, list[ClaimResult]] = {}
    for r in run.results:
        by_paper.setdefault(r.claim.paper.id, []).append(r)
    passed = sum(r.passed for r in run.results)
    lines = ["# Verification report", "",
             f"{passed} of {len(run.results)} claims pass" + (" (run interrupted: the claims after the last one were not run)"
                                                              if run.interrupted else "") + ".", "",
             "Each claim is judged against a reference whose provenance the table below counts: only `printed` "
             "references are numbers printed in the papers; the others evaluate a formula (the paper's or one derived "
             "here) independently of the toolkit, or compare a simulation with theory.", "",
             provenance_table(r.claim for r in run.results), "",
             "Errors are in the tolerance's unit: relative or absolute difference from the reference, standard "
             "errors for Monte-Carlo claims, or the violation of a stated bound.", "",
             _markdown_table(("paper", "claims", "passed"), [(p, str(len(rs)), str(sum(r.passed for r in rs)))
                                                               for p, rs in by_paper.items()]), ""]
    records = recorded()
    for paper_id, results in bar(by_paper.items(), desc="report", disable=not progress):
        paper = results[0].claim.paper
        lines += [f"## {paper.title}", "", f"{paper.citation}" + (f" — <{paper.url}>" if paper.url else ""), "",
                  _markdown_table(HEADER, rows(results)), ""]
        for r in results:
            c = r.claim
            lines.append(f"- **{c.id}** ({c.where}): {c.statement} Reference ({c.provenance}): {c.reference_text}. "
                         f"Tolerance: {c.tolerance.reason}." + (f" {c.notes}" if c.notes else "")
                         + (f" **Failure:** `{r.failure}`" if r.failure else ""))
            if c.mutation:
                lines[-1] += f" Mutant rejected: {c.mutation}."
            if c.kind == "mc":
                lines[-1] += " " + describe(c, records)
        lines.append("")
        if figures:
            path = paper_module(paper_id).figure(directory / f"{paper_id}.png")
            lines += [f"![{paper.title}]({Path(path).name})", ""]
    report = directory / "report.md"
    report.write_text("\n".join(lines))
    (directory / "results.json").write_text(json.dumps([r.to_json(records) for r in run.results], indent=1))
    return report
