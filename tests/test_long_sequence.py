"""Centred attention and the long-sequence limit (``symbolic.normalizers.Centred``, ``Attention(scaling="long")``,
``signalprop.attention_limits.long_sequence_block``): the centred kernel against the softmax kernel through an exact
identity, the limit's entries against their closed forms and against finite T, the phase diagram in the limit, the
CLI, and bad input."""

import json
import math

import numpy as np
import pytest

from signalprop import Attention, attention_kernel, attention_nngp, exchangeable_kernel, row_statistics
from signalprop.attention_limits import long_sequence_entropy, long_sequence_y2
from signalprop.attention_phase import attention_phase_diagram
from symbolic.normalizers import AttentionError, Centred, get_normalizer
from theory.cli import main

SOFT = get_normalizer("softmax")


def test_centred_weights_and_registry():
    """Centred softmax is softmax − 1/n over the unmasked positions: rows sum to 0, masked positions stay 0."""
    z = np.array([[0.3, -1.0, 2.0, -np.inf], [1.0, 1.0, 1.0, 1.0]])
    c = get_normalizer("centred_softmax", temperature=0.7)
    s = get_normalizer("softmax", temperature=0.7)(z)
    assert np.allclose(c(z)[0, :3], s[0, :3] - 1 / 3, atol=1e-16) and c(z)[0, 3] == 0
    assert np.allclose(c(z)[1], 0, atol=1e-16) and np.allclose(c(z).sum(axis=1), 0, atol=1e-15)
    assert get_normalizer("shaped_softmax").label == "centred(softmax)"
    assert c.lipschitz(4).value == pytest.approx(1 / 1.4)
    with pytest.raises(AttentionError, match="normalized mechanism"):
        Centred(get_normalizer("sigmoid"))


def test_centred_kernel_is_the_softmax_kernel_minus_uniform_attention():
    """For K = a I + b 11ᵀ, (p − 1/T)ᵀ K (p' − 1/T) = pᵀ K p' − a/T − b exactly (Σ p = 1): with the same QMC points
    the off-diagonal entries agree to rounding; the diagonal (softmax's from the exact quadrature, the centred one
    from QMC) within the QMC error bar."""
    t, q, rho = 5, 1.2, 0.3
    K = exchangeable_kernel(t, q, rho)
    a, b = q * (1 - rho), q * rho
    soft = attention_nngp(Attention(SOFT, 2.0, 1.5), K)
    cent = attention_nngp(Attention(get_normalizer("centred_softmax"), 2.0, 1.5), K)
    off = ~np.eye(t, dtype=bool)
    assert np.allclose(cent.nngp[off], soft.nngp[off] - 1.5 * (a / t + b), rtol=0, atol=1e-13)
    assert np.all(np.abs(np.diag(cent.nngp) - np.diag(soft.nngp) + 1.5 * (a / t + b)) <= np.diag(cent.error) + 1e-13)


@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0, 8.0])
def test_long_sequence_entries_are_their_closed_forms(beta):
    """Σ'_ii = σ_OV² (b + a Y²), Σ'_ij = σ_OV² b with Y² = max(0, 1 − β_c/β), β_c = τ√(2/(q a)); centred: σ_OV² a Y²
    and 0; two sequences with a constant cross kernel c: σ_OV² c (centred 0)."""
    q, rho, tau, v2 = 1.3, 0.25, 0.8, 0.7
    a, b = q * (1 - rho), q * rho
    y2 = max(0.0, 1 - tau * math.sqrt(2 / (q * a)) / beta)
    assert long_sequence_y2(beta**2, q, a, tau) == pytest.approx(y2, rel=1e-15)
    K = np.kron(np.eye(2), exchangeable_kernel(3, q, rho)) + np.kron(np.ones((2, 2)) - np.eye(2), 0.2 * np.ones((3, 3)))
    for name, diag, off, cross in [("softmax", b + a * y2, b, 0.2), ("centred_softmax", a * y2, 0.0, 0.0)]:
        r = attention_nngp(Attention(get_normalizer(name, temperature=tau), beta**2, v2, "long"), K, tokens=3)
        assert r.method == "long-sequence limit" and not np.any(r.error)
        assert np.allclose(np.diag(r.nngp), v2 * diag, rtol=1e-14)
        assert r.nngp[0, 1] == pytest.approx(v2 * off, rel=1e-14, abs=1e-15)
        assert np.allclose(r.nngp[:3, 3:], v2 * cross, rtol=1e-14, atol=1e-15)


def test_long_sequence_diagonal_is_the_limit_of_finite_sequences():
    """The exact finite-T E[Σp²] at logit variance β² log T q a (the statistics engine) approaches Y² from above, the
    excess falling with T (β = 2 near β_c = 1.83, ρ = 0.4: 0.165, 0.094, 0.045 at T = 10^4, 10^10, 10^30) — the layer's diagonal is its limit."""
    beta, rho = 2.0, 0.4
    y2 = long_sequence_y2(beta**2, 1.0, 1 - rho)
    gaps = [row_statistics(SOFT, t, beta**2 * math.log(t) * (1 - rho)).sum_sq - y2 for t in (10**4, 10**10, 10**30)]
    assert 0 < gaps[2] < gaps[1] < gaps[0] and gaps[2] < 0.05
    r = attention_nngp(Attention(SOFT, beta**2, 1.0, "long"), exchangeable_kernel(4, 1.0, rho))
    assert r.nngp[0, 0] == pytest.approx(rho + (1 - rho) * y2, rel=1e-14)
    assert long_sequence_entropy(1.0, 1.0, 1 - rho) == pytest.approx(0.7, rel=1e-15)
    assert long_sequence_entropy(9.0, 1.0, 1 - rho) == 0


def test_phase_diagram_in_the_long_sequence_limit(capsys):
    """Post-norm blocks as T → ∞: small β² keeps the entropy (H/log T = 1 − β²(1 − ρ)/2), large β² freezes it
    (exactly 0), a strong branch with small β² collapses the rank; the CLI gives the same diagram."""
    d = attention_phase_diagram(SOFT, 4, 6, [0.5, 50.0], [0.2, 4.0], rho0=0.2, scaling="long")
    assert d.entropy[0, 0] == pytest.approx(1 - 0.5 * d.deficit[0, 0] / 2, rel=1e-12)
    assert d.entropy[0, 1] == 0 and d.phase[0, 1] == 2 and d.phase[1, 0] == 1 and d.phase[0, 0] == 0
    assert d.as_dict()["tokens"] is None and d.as_dict()["scaling"] == "long"
    assert main(["attention", "softmax", "--phase", "--scaling", "long", "--tokens", "4", "--blocks", "6", "--grid", "2",
                 "--sigma-qk2-min", "0.5", "--sigma-qk2-max", "50", "--alpha-min", "0.2", "--alpha-max", "4",
                 "--rho0", "0.2", "--placement", "post", "--no-progress", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert np.allclose(np.array(doc["deficit"]), d.deficit, rtol=1e-12)


def test_long_sequence_bad_input(capsys, tmp_path):
    long = Attention(SOFT, 4.0, 1.0, "long")
    with pytest.raises(AttentionError, match="exchangeable tokens"):
        attention_nngp(long, np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.3], [0.1, 0.3, 1.0]]))
    with pytest.raises(AttentionError, match="constant kernel c 11"):
        K = np.kron(np.eye(2), exchangeable_kernel(2, 1.0, 0.2))
        K[0, 2] = K[2, 0] = 0.1
        attention_nngp(long, K, tokens=2)
    with pytest.raises(AttentionError, match="NTK of the long-sequence limit"):
        attention_kernel(long, exchangeable_kernel(3, 1.0, 0.2))
    with pytest.raises(AttentionError, match="softmax and centred softmax"):
        attention_nngp(Attention(get_normalizer("sparsemax"), 4.0, 1.0, "long"), exchangeable_kernel(3, 1.0, 0.2))
    with pytest.raises(AttentionError, match="without a causal mask"):
        Attention(SOFT, 4.0, 1.0, "long", causal=True)
    path = tmp_path / "K.npy"
    np.save(path, exchangeable_kernel(3, 1.0, 0.2))
    assert main(["attention", "softmax", "--input-kernel", str(path), "--scaling", "long", "--ntk"]) == 2
    assert "not derived" in capsys.readouterr().err
    from ntk.bridge import stax_attention

    assert stax_attention(Attention(SOFT, 1.0, 1.0, "long")) is None


def test_long_sequence_has_no_finite_network():
    pytest.importorskip("jax")
    from signalprop.architecture import Serial
    from theory.montecarlo.networks import AttentionShape, run_networks

    X = np.random.default_rng(0).normal(size=(1, 3, 4))
    with pytest.raises(ValueError, match="no finite network"):
        run_networks(Serial(Attention(SOFT, 1.0, 1.0, "long")), X, 8, 2, attention=AttentionShape(tokens=3))
