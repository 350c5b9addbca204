"""Every registered claim passes; a deliberately wrong published value makes every claim fail."""

from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from theory.claims import claims
from theory.claims.check import judge

ALL = claims()
BY_ID = {c.id: c for c in ALL}


@cache
def computed(claim_id: str):
    """Each claim is computed once per test session and judged against several published values."""
    return BY_ID[claim_id].compute()


@pytest.mark.parametrize("claim", ALL, ids=[c.id for c in ALL])
def test_claim_passes(claim):
    result = judge(claim, computed(claim.id))
    assert result.failure is None, result.failure
    assert result.passed, (f"{claim.id}: computed {result.computed} ± {result.stderr}, published {result.published}, "
                           f"error {result.error} > {claim.tolerance.value} ({claim.tolerance.mode})")


def wrong_published(claim, result) -> np.ndarray:
    """The published value moved outside the tolerance: by 3 tolerances and at least 1 % (relative),
    1e-3 (absolute), 10 standard errors and 1 % (Monte Carlo), or to the far side of the computed value
    (bounds)."""
    published, tol = result.published, claim.tolerance
    if tol.mode == "relative":
        step = max(3 * tol.value, 0.01)
        return np.where(published == 0, step, published * (1 + step))
    if tol.mode == "absolute":
        return published + max(3 * tol.value, 1e-3)
    if tol.mode == "sigmas":
        return published + np.maximum(10 * result.stderr, 0.01 * np.abs(published))
    gap = np.abs(result.computed - published) + tol.value + 1.0
    return result.computed + gap if tol.mode == "at_least" else result.computed - gap


@pytest.mark.parametrize("claim", ALL, ids=[c.id for c in ALL])
def test_a_wrong_published_value_fails(claim):
    value = computed(claim.id)
    result = judge(claim, value)
    wrong = replace(claim, published=wrong_published(claim, result))
    assert not judge(wrong, value).passed, f"{claim.id} passes against a wrong published value"


def test_every_kind_and_paper_is_covered():
    from theory.claims import PAPER_MODULES

    assert {c.paper.id for c in ALL} == set(PAPER_MODULES)
    assert {c.kind for c in ALL} == {"analytic", "numerical", "mc"}


def test_every_paper_has_a_notebook_that_runs_its_claims():
    """notebooks/<paper>.ipynb exists for every registered paper and ends by running that paper's claims."""
    import json
    from pathlib import Path

    from theory.claims import PAPER_MODULES

    root = Path(__file__).resolve().parent.parent / "notebooks"
    for paper_id in PAPER_MODULES:
        path = root / f"{paper_id}.ipynb"
        assert path.exists(), f"no notebook for {paper_id}"
        cells = json.loads(path.read_text())["cells"]
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert f"theory.claims import {paper_id}" in code and "run_claims" in code, f"{path.name} does not run its claims"
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), f"{path.name} is stored with outputs"
