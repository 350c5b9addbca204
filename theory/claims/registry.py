"""The registry of claims: one module per paper in this package, each with ``PAPER``, ``CLAIMS`` and a
``figure(path)`` that re-draws the paper's main figure with this toolkit."""

from __future__ import annotations

import difflib
import importlib
from types import ModuleType
from typing import Iterable

from .claim import KINDS, Claim, Paper

PAPER_MODULES = ("cho_saul2009", "poole2016", "schoenholz2017", "hayou2019", "klambauer2017", "roberts2022", "jacot2018",
                 "lee2018", "pennington2017", "price2024", "lesser2026", "khalfaoui2025", "antognini2019", "day2023",
                 "shazeer2020", "anil2019", "singla2022", "tseran2023", "dauphin2017", "hayou2021",
                 "martens2021", "zhang2022", "yang2017", "ba2016", "martins2016", "milakov2018", "nakanishi2025",
                 "ramapuram2024", "zuhri2025", "hron2020", "dong2021", "noci2022", "giorlandino2025", "prieto2025", "qiu2025", "zheng2025")


class UnknownClaimError(KeyError):
    """An unknown paper or claim id; the message suggests close names."""

    def __str__(self) -> str:
        return str(self.args[0])


def _unknown(what: str, name: str, known: Iterable[str]) -> UnknownClaimError:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UnknownClaimError(f"unknown {what} {name!r}{hint} (known: {', '.join(known)})")


def paper_module(paper_id: str) -> ModuleType:
    """The module of one paper (``poole2016`` …)."""
    if paper_id not in PAPER_MODULES:
        raise _unknown("paper", paper_id, PAPER_MODULES)
    return importlib.import_module(f"{__package__}.{paper_id}")


def papers() -> list[Paper]:
    return [paper_module(p).PAPER for p in PAPER_MODULES]


def claims(paper_ids: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
           claim_ids: Iterable[str] | None = None) -> list[Claim]:
    """The registered claims, in registry order, filtered by paper, kind and claim id (None: all)."""
    kinds = list(kinds or ())
    for kind in kinds:
        if kind not in KINDS:
            raise _unknown("claim kind", kind, KINDS)
    modules = [paper_module(p) for p in (paper_ids or PAPER_MODULES)]
    selected = [c for m in modules for c in m.CLAIMS if not kinds or c.kind in kinds]
    if claim_ids:
        by_id = {c.id: c for m in modules for c in m.CLAIMS}
        for cid in claim_ids:
            if cid not in by_id:
                raise _unknown("claim", cid, by_id)
        selected = [c for c in selected if c.id in set(claim_ids)]
    return selected
