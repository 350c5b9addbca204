"""The Monte-Carlo ensemble sharded over every local device (``theory.montecarlo.networks``, JAX's sharding API):
bit for bit the single-device run for the same seed, on 4 virtual CPU devices (a fresh process: XLA's device count is
fixed when JAX starts): the architecture networks and the chain engine of ``acttheory mc`` (forward, fast forward,
gradients, Jacobians), with chunks that do not divide by the devices."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("jax")

SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=" + sys.argv[1]
    import jax
    import numpy as np
    from signalprop import Attention, Dense, Nonlinear, Norm, Residual, Serial
    from symbolic import get_activation
    from symbolic.normalizers import get_normalizer
    from theory.montecarlo.networks import AttentionShape, run_networks

    assert jax.device_count() == int(sys.argv[1])
    X = np.random.default_rng(0).normal(size=(5, 7))
    net = Serial(Dense(1.5, 0.1), Nonlinear(get_activation("tanh")),
                 Residual((Norm("layer"), Dense(1.0, 0.0), Nonlinear(get_activation("gelu")), Dense(1.0, 0.0)), 0.7),
                 Dense(1.0, 0.0))
    plain = run_networks(net, X, 32, 30, seed=3, chunk=25, gradients=True)  # 30 = 25 + 5: the last chunk padded
    S = np.random.default_rng(1).normal(size=(2, 3, 6))
    att = Serial(Dense(1.0, 0.0), Residual((Norm("layer"), Attention(get_normalizer("softmax"), 0.8, 1.0)), 0.8))
    seq = run_networks(att, S, 16, 6, seed=5, attention=AttentionShape(heads=2, key_dim=8, value_dim=8))
    from theory.montecarlo import NetworkSpec, forward, gradients, jacobians
    chain = NetworkSpec(get_activation("swish"), depth=3, width=24, sigma_w2=1.7, sigma_b2=0.05, ensemble=7, seed=2,
                        dtype="float64")
    fwd = forward(chain, X, progress=False, chunk=4)  # chunks 4 + 3: both padded to the 4 devices
    fast = forward(chain, X, progress=False, chunk=5, fast=True)
    back = gradients(chain, X[:2], progress=False, chunk=3)
    jac = jacobians(chain, progress=False, chunk=3)
    np.savez(sys.argv[2], grams=plain.grams, ntk=plain.ntk, gradients=plain.gradients, seq_grams=seq.grams,
             seq_ntk=seq.ntk, chain_gram=fwd.gram, chain_fourth=fwd.fourth, chain_out=fwd.outputs, fast_gram=fast.gram,
             **{f"{name}_{k}": v for name, run in (("back", back), ("jac", jac)) for k, v in vars(run).items()
                if isinstance(v, np.ndarray)})
""")


def _run(devices: int, out: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    subprocess.run([sys.executable, "-c", SCRIPT, str(devices), out], check=True, env=env, capture_output=True)
    return dict(np.load(out))


def test_sharded_ensemble_equals_single_device(tmp_path):
    one, four = _run(1, str(tmp_path / "one.npz")), _run(4, str(tmp_path / "four.npz"))
    for name in one:
        assert np.array_equal(one[name], four[name]), name
