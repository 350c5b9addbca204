"""The registry covers the whole zoo; bad names and parameters get clear errors."""

import re
from pathlib import Path

import pytest

from symbolic import ParameterError, UnknownActivationError, all_activations, get_activation, get_spec, registered_names
from symbolic.zoo import NOT_POINTWISE

ZOO = Path(__file__).resolve().parents[2] / "shared" / "activation_zoo.md"


def test_every_zoo_entry_is_registered_or_listed_with_a_reason():
    from symbolic.gated import gated_zoo_ids
    from symbolic.group import group_zoo_ids

    registered = ({get_spec(n).zoo_id for n in registered_names()} - {None}) | gated_zoo_ids() | group_zoo_ids()
    listed = {e.zoo_id for e in NOT_POINTWISE}
    assert gated_zoo_ids() == {17, 82, 83} and group_zoo_ids() == {84, 85}
    assert registered | listed == set(range(1, 87))
    assert all(e.reason and e.handled for e in NOT_POINTWISE)
    assert not registered & listed


@pytest.mark.skipif(not ZOO.exists(), reason="shared/ is beside the repository only in the workplace")
def test_zoo_file_has_86_entries():
    rows = re.findall(r"^\| (\d+) \|", ZOO.read_text(), flags=re.M)
    assert sorted(map(int, rows)) == list(range(1, 87))


def test_classics_are_registered():
    for name in ["identity", "relu", "leaky_relu", "prelu", "relu6", "hard_tanh", "hard_sigmoid", "step", "sign", "abs",
                 "sigmoid", "tanh", "erf", "softsign", "softplus", "elu", "celu", "selu", "gelu", "gelu_tanh", "swish",
                 "silu", "mish", "sin", "cos", "siren", "gaussian", "rbf", "monomial", "rectified_monomial"]:
        assert get_activation(name).name


def test_every_entry_has_source_and_valid_defaults():
    for act in all_activations():
        assert act.spec.source and act.spec.family
        assert act.expr.free_symbols <= {__import__("symbolic").X}


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownActivationError, match="did you mean.*relu"):
        get_activation("rellu")
    with pytest.raises(UnknownActivationError, match="swish"):
        get_activation("swishh")


def test_aliases_and_normalisation():
    assert get_activation("SiLU") is get_activation("swish")
    assert get_activation("Leaky-ReLU").name == "leaky_relu"


def test_parameter_errors_name_the_parameter_and_range():
    with pytest.raises(ParameterError, match=r"alpha=-1 is invalid: alpha must be a number in \(0, inf\)"):
        get_activation("elu", alpha=-1)
    with pytest.raises(ParameterError, match="no parameter beta.*alpha"):
        get_activation("elu", beta=1)
    with pytest.raises(ParameterError, match="integer"):
        get_activation("gem", N="1.5")
    with pytest.raises(ParameterError, match="not a number"):
        get_activation("swish", beta="1+os.system('x')")
    with pytest.raises(ParameterError, match="takes no parameters"):
        get_activation("relu", a=1)


def test_numpy_scalar_parameters_are_accepted_as_their_python_values():
    import numpy as np
    import sympy as sp

    from symbolic.parameters import to_exact

    # numpy 2 writes repr(np.float64(x)) as "np.float64(x)": it used to be rejected as "invalid input"
    tau = np.float64(1.0364333894937898)
    act = get_activation("shifted_relu", tau=tau)
    assert act is get_activation("shifted_relu", tau=float(tau))
    assert float(act.params["tau"]) == float(tau)
    assert to_exact(np.float64(0.1)) == sp.Rational(1, 10)
    assert to_exact(np.float32(0.5)) == sp.Rational(1, 2)
    assert to_exact(np.int64(3)) == 3 and to_exact(np.array(2.5)) == sp.Rational(5, 2)
    assert get_activation("gem", N=np.int32(3)) is get_activation("gem", N=3)
    assert get_activation("elu", alpha=np.array(0.5)) is get_activation("elu", alpha="0.5")
    for bad, msg in ((np.float64("nan"), "finite"), (np.float32("inf"), "finite"), (np.array([1.0, 2.0]), "array of shape"),
                     (np.bool_(True), "boolean"), (np.str_("x1"), "not a number"), (object(), "expected a number")):
        with pytest.raises(ParameterError, match=msg):
            to_exact(bad, "tau")
    with pytest.raises(ParameterError, match="tau=-1.0 is invalid"):
        get_activation("shifted_relu", tau=np.float64(-1.0))
    for beyond in ("1e400", "-1e309", 10**400, sp.oo, sp.nan, sp.zoo):  # exact, but not a float64 the numerics can use
        with pytest.raises(ParameterError, match="finite number within float64 range"):
            get_activation("elu", alpha=beyond)
    assert float(get_activation("elu", alpha="1e300").params["alpha"]) == 1e300


def test_unconfirmed_entries_say_so_in_notes():
    for act in all_activations():
        if not act.spec.confirmed:
            assert act.spec.notes, act.name


def test_equal_activations_hash_alike_after_pickling():
    """The key and hash are computed once per activation (every cached-table lookup hashes it) but are not pickled:
    in another process the build function's identity, hence the hash, differs, and is computed anew there."""
    import pickle

    act = get_activation("elu", alpha=0.5)
    hash(act)
    state = act.__getstate__()
    assert "_key" not in state
    copy = pickle.loads(pickle.dumps(act))
    assert copy == act and hash(copy) == hash(act) == hash(get_activation("elu", alpha=0.5))
    assert copy != get_activation("elu") and {act: 1}.get(copy) == 1
