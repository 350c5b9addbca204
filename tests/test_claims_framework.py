"""The claim machinery itself: judging in each tolerance mode, failures that carry their reason,
interruption, the registry's filters and errors, the report and the CLI's JSON."""

import json
from dataclasses import replace

import numpy as np
import pytest

from theory.claims import (Claim, Measured, Paper, UnknownClaimError, absolute, at_least, at_most, check, claims, relative,
                           run_claims, sigmas, write_report)
from theory.claims.check import Run
from theory.cli import main

PAPER = Paper("toy2000", "A toy paper", "A. Author", 2000, arxiv="0000.00000")


def toy(compute, published, tolerance, kind="analytic", name="x"):
    return Claim(f"toy2000.{name}", PAPER, "eq. (1)", "a toy statement.", compute, published, "as printed", tolerance, kind)


@pytest.mark.parametrize("tolerance, computed, published, passed", [
    (relative(1e-3, "4 digits"), 1.0005, 1.0, True),
    (relative(1e-3, "4 digits"), 1.002, 1.0, False),
    (relative(1e-3, "4 digits"), [1.0, 2.003], [1.0, 2.0], False),  # the worst entry decides
    (absolute(1e-6, "exact zero"), 5e-7, 0.0, True),
    (absolute(1e-6, "exact zero"), -2e-6, 0.0, False),
    (at_least("positive"), 1e-9, 0.0, True),
    (at_least("positive"), -1e-9, 0.0, False),
    (at_most("below one"), 0.7877, 1.0, True),
    (at_most("below one"), 1.01, 1.0, False),
])
def test_modes_judge_as_stated(tolerance, computed, published, passed):
    result = check(toy(lambda: computed, published, tolerance))
    assert result.passed is passed
    assert result.failure is None


def test_mc_claims_are_judged_in_standard_errors():
    ok = check(toy(lambda: Measured(1.03, 0.01), 1.0, sigmas(4), kind="mc"))
    assert ok.passed and ok.error == pytest.approx(3.0)
    bad = check(toy(lambda: Measured(1.05, 0.01), 1.0, sigmas(4), kind="mc"))
    assert not bad.passed and bad.error == pytest.approx(5.0)
    # a Monte-Carlo claim without an error bar is refused, not judged
    naked = check(toy(lambda: 1.0, 1.0, sigmas(4), kind="mc"))
    assert not naked.passed and "Measured" in naked.failure


def test_published_formula_is_evaluated():
    result = check(toy(lambda: np.pi, lambda: 4 * np.arctan(1.0), relative(1e-15, "exact")))
    assert result.passed and float(result.reference) == pytest.approx(np.pi)


def test_failures_carry_their_reason_and_never_pass():
    def boom():
        raise ValueError("no fixed point")

    result = check(toy(boom, 1.0, relative(1e-3, "r")))
    assert not result.passed and "no fixed point" in result.failure
    nan = check(toy(lambda: float("nan"), 1.0, relative(1e-3, "r")))
    assert not nan.passed and "non-finite" in nan.failure
    shape = check(toy(lambda: [1.0, 2.0], [1.0, 2.0, 3.0], relative(1e-3, "r")))
    assert not shape.passed and "shape" in shape.failure


def test_malformed_claims_are_refused():
    with pytest.raises(ValueError, match="judged in standard errors"):
        toy(lambda: 1.0, 1.0, relative(1e-3, "r"), kind="mc")
    with pytest.raises(ValueError, match="kind"):
        toy(lambda: 1.0, 1.0, relative(1e-3, "r"), kind="measured")
    with pytest.raises(ValueError, match="starts with its paper's id"):
        Claim("other.x", PAPER, "", "", lambda: 1.0, 1.0, "", relative(1e-3, "r"), "analytic")
    with pytest.raises(ValueError, match="non-negative"):
        relative(-1.0, "r")


def test_interrupt_keeps_the_claims_done():
    def interrupt():
        raise KeyboardInterrupt

    run = run_claims([toy(lambda: 1.0, 1.0, relative(0, "exact"), name="a"),
                      toy(interrupt, 1.0, relative(0, "exact"), name="b"),
                      toy(lambda: 1.0, 1.0, relative(0, "exact"), name="c")])
    assert run.interrupted and not run.passed
    assert [r.claim.id for r in run.results] == ["toy2000.a"]


def test_registry_filters_and_errors():
    every = claims()
    assert len({c.id for c in every}) == len(every), "claim ids are unique"
    assert {c.kind for c in claims(kinds=["numerical"])} == {"numerical"}
    one = every[0]
    assert claims(claim_ids=[one.id]) == [one]
    assert {c.paper.id for c in claims(["cho_saul2009"])} == {"cho_saul2009"}
    with pytest.raises(UnknownClaimError, match="did you mean cho_saul2009"):
        claims(["cho_saul"])
    with pytest.raises(UnknownClaimError, match="claim kind"):
        claims(kinds=["symbolic"])


def test_report_has_tables_json_and_figures(tmp_path):
    selected = claims(["cho_saul2009"])
    run = Run([check(c) for c in selected[:2]] + [check(replace(selected[0], reference=-1.0))])
    path = write_report(run, tmp_path)
    text = path.read_text()
    assert "2 of 3 claims pass" in text and "FAIL" in text and "cho_saul2009.png" in text
    assert (tmp_path / "cho_saul2009.png").stat().st_size > 10_000
    doc = json.loads((tmp_path / "results.json").read_text())
    assert [d["passed"] for d in doc] == [True, True, False]


def test_verify_cli_json_and_exit_status(capsys, tmp_path):
    first = claims(["cho_saul2009"])[0].id
    assert main(["verify", "--claim", first, "--json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert {"id", "paper", "where", "kind", "provenance", "reference", "computed", "tolerance", "passed"} <= set(doc)
    assert doc["id"] == first and doc["passed"] is True and doc["paper"] == "cho_saul2009"
    assert main(["verify", "--paper", "cho_saul2009", "--list"]) == 0
    assert first in capsys.readouterr().out
    assert main(["verify", "--paper", "cho_saul2009", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert all({"id", "provenance", "same_as", "reference_text"} <= set(d) for d in listed)
    assert main(["verify", "--paper", "nosuchpaper"]) == 2
    assert "unknown paper" in capsys.readouterr().err


def test_verify_cli_fails_on_a_wrong_published_value(monkeypatch, capsys):
    import theory.claims.registry as registry

    original = registry.claims

    def doctored(*args, **kwargs):
        out = original(*args, **kwargs)
        return [replace(out[0], reference=out[0].reference_value() * 1.01)] + out[1:]

    monkeypatch.setattr(registry, "claims", doctored)
    import theory.claims as package

    monkeypatch.setattr(package, "claims", doctored)
    first = original(["cho_saul2009"])[0].id
    assert main(["verify", "--claim", first, "--no-progress"]) == 1
    assert "FAILED " + first in capsys.readouterr().out


def test_mc_sigmas_is_student_t_with_bonferroni():
    """One component and many samples: the two-sided normal quantile (3.89 at 1e-4); few samples and many
    components widen it (Student t, Bonferroni)."""
    from scipy.stats import norm, t

    from theory.claims import mc_sigmas

    assert mc_sigmas(1, 10**6).value == pytest.approx(norm.isf(0.5e-4), abs=0.01)
    assert mc_sigmas(32, 40).value == pytest.approx(t.isf(1e-4 / 64, 39), abs=0.01)
    assert mc_sigmas(32, 40).value > mc_sigmas(32, 400).value > mc_sigmas(1, 400).value
    with pytest.raises(ValueError, match="two samples"):
        mc_sigmas(3, 1)


def test_provenance_is_validated_and_counted():
    from theory.claims import provenance_counts

    with pytest.raises(ValueError, match="provenance must be one of"):
        replace(toy(lambda: 1.0, 1.0, relative(1e-3, "r")), provenance="read somewhere")
    with pytest.raises(ValueError, match="simulation provenance"):
        replace(toy(lambda: 1.0, 1.0, relative(1e-3, "r")), provenance="simulation_vs_theory")
    with pytest.raises(ValueError, match="mutant comes with its description"):
        replace(toy(lambda: 1.0, 1.0, relative(1e-3, "r")), mutant=lambda: 2.0)
    a = replace(toy(lambda: 1.0, 1.0, relative(1e-3, "r"), name="a"), provenance="printed")
    b = replace(toy(lambda: 1.0, 1.0, relative(1e-3, "r"), name="b"), provenance="printed", same_as="toy2000.a")
    c = replace(toy(lambda: 1.0, 1.0, relative(1e-3, "r"), name="c"), provenance="formula")
    counts = provenance_counts([a, b, c])
    assert counts["printed"] == {"claims": 2, "distinct": 1}
    assert counts["formula"] == {"claims": 1, "distinct": 1}
    assert counts["derived"] == {"claims": 0, "distinct": 0}


def test_false_failure_records_are_described_and_go_stale(tmp_path, monkeypatch):
    """A record at the claim's tolerance by the present judge is reported with its counts; one made at another
    tolerance, or by another judge, is stale."""
    from theory.claims import false_failures as ff

    monkeypatch.setattr(ff, "PATH", tmp_path / "ff.json")
    claim = replace(toy(lambda: Measured(1.0, 0.1), 1.0, sigmas(4.5, "r"), kind="mc"), provenance="simulation_vs_theory")
    assert "not measured over ≥ 200 seeds" in ff.describe(claim)
    row = {"claim": claim.id, "seeds": 200, "first_seed": 1, "tolerance": 4.5, "failures": 1, "rate_95": [1e-4, 0.03],
           "max_z": 4.7, "z_p99": 3.1, "judge": ff.JUDGE, "date": "2026-12-04"}
    ff.record([row, {**row, "claim": "toy2000.other", "judge": "plain Student t"}])
    text = ff.describe(claim)
    assert "1 of 200 seeds (1 … 200" in text and "largest |z| 4.70" in text
    assert ff.current(claim) == row
    moved = replace(claim, tolerance=sigmas(5.0, "r"))
    assert ff.current(moved) is None and "again since its tolerance or judge changed" in ff.describe(moved)
    assert ff.current(replace(claim, id="toy2000.other")) is None
