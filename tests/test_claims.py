"""Every registered claim passes, has a stated provenance, and rejects a mutant of its computation (the
same computation with one input perturbed: the activation, σ_w² by 1 %, a sign …), which shows that the
claim can fail."""

from functools import cache

import numpy as np
import pytest

from theory.claims import PROVENANCES, claims
from theory.claims.check import judge

ALL = claims()
BY_ID = {c.id: c for c in ALL}


@cache
def computed(claim_id: str):
    """Each claim is computed once per test session."""
    return BY_ID[claim_id].compute()


@pytest.mark.parametrize("claim", ALL, ids=[c.id for c in ALL])
def test_claim_passes(claim):
    result = judge(claim, computed(claim.id))
    assert result.failure is None, result.failure
    assert result.passed, (f"{claim.id}: computed {result.computed} ± {result.stderr}, reference {result.reference}, "
                           f"error {result.error} > {claim.tolerance.value} ({claim.tolerance.mode})")


@pytest.mark.parametrize("claim", ALL, ids=[c.id for c in ALL])
def test_the_mutant_is_rejected(claim):
    """The perturbed computation gives a finite value that the claim rejects (not an exception)."""
    assert claim.mutant is not None, f"{claim.id} has no mutant"
    result = judge(claim, claim.mutant())
    assert result.failure is None, f"{claim.id}: the mutant ({claim.mutation}) raised: {result.failure}"
    assert not result.passed, (f"{claim.id} accepts its mutant ({claim.mutation}): computed {result.computed}, "
                               f"reference {result.reference}, error {result.error}")


@pytest.mark.parametrize("claim", ALL, ids=[c.id for c in ALL])
def test_provenance_is_stated(claim):
    assert claim.provenance in PROVENANCES, f"{claim.id}: provenance {claim.provenance!r}"
    if claim.kind == "mc":
        assert claim.seeded is not None, f"{claim.id}: a Monte-Carlo claim gives seeded(seed)"
    if claim.same_as is not None:
        assert claim.same_as in BY_ID and claim.same_as != claim.id


def test_mc_claims_compute_seed_zero():
    """``compute`` of a Monte-Carlo claim is ``seeded(0)``; another seed gives other draws."""
    claim = next(c for c in ALL if c.kind == "mc" and c.seeded is not None)
    first, again = computed(claim.id), claim.seeded(0)
    np.testing.assert_array_equal(np.asarray(first.value), np.asarray(again.value))


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


def test_readme_provenance_counts_are_the_registry_s():
    """The README's provenance table states the counts the registry has (claims, distinct results)."""
    import re
    from pathlib import Path

    from theory.claims import provenance_counts

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name, n in provenance_counts(ALL).items():
        row = re.search(rf"^\| `{name}` \| (\d+) \| (\d+) \|", text, re.M)
        assert row, f"README has no provenance row for {name}"
        assert (int(row[1]), int(row[2])) == (n["claims"], n["distinct"]), name
    assert f"({len(ALL)} claims;" in text
