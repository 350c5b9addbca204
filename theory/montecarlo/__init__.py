"""Monte-Carlo measurements on finite random networks (JAX; the ``mc`` extra), each against the
infinite-width theory with a standard error. JAX is imported only when a run starts."""

from .backend import JaxMissingError, device_name
from .backward import Gradients, gradients
from .jacobian import Jacobians, jacobians, square_input
from .compare import Comparison, hall_z, mean_and_error, plot_comparisons, skew_of_mean
from .ensemble import Forward, forward
from .measure import (gradient_theory, kurtosis_theory, layer_variances, mean_shift_theory, measure_c, measure_grad,
                      measure_jacobian, measure_jacobian_spread, measure_kurtosis, measure_nngp, measure_ntk, measure_q,
                      measure_qvar, vertex)
from .networks import NetworkRun, compare_network, run_networks
from .spec import NetworkSpec, chunk_size, memory_bytes
from .sweep import fit_power, fit_slope, kernel_deviation_sweep, width_sweep

MEASUREMENTS = {"q": measure_q, "c": measure_c, "qvar": measure_qvar, "kurtosis": measure_kurtosis, "nngp": measure_nngp, "grad": measure_grad,
                "ntk": measure_ntk, "jacobian": measure_jacobian, "jacobian_spread": measure_jacobian_spread}
BACKWARD = {"grad", "ntk"}  # measured on a backward pass (``gradients``)
JACOBIAN = {"jacobian", "jacobian_spread"}  # on square networks (``jacobians``); the others on ``forward``


def measure(name: str, spec: NetworkSpec, X, run: Forward | Gradients | Jacobians) -> Comparison:
    """The measurement ``name`` (one of MEASUREMENTS) on its run (forward; backward: BACKWARD;
    Jacobians: JACOBIAN)."""
    if name not in MEASUREMENTS:
        raise ValueError(f"unknown measurement {name!r}; choose from {sorted(MEASUREMENTS)}")
    return MEASUREMENTS[name](spec, X, run)


__all__ = ["JACOBIAN", "Jacobians", "jacobians", "square_input", "measure_jacobian", "measure_jacobian_spread", "BACKWARD", "Comparison", "Forward", "Gradients", "JaxMissingError", "MEASUREMENTS", "NetworkSpec", "chunk_size",
           "device_name", "forward", "gradients", "gradient_theory", "hall_z", "kurtosis_theory", "layer_variances", "mean_and_error",
           "mean_shift_theory", "measure", "measure_c", "measure_grad", "measure_kurtosis", "measure_nngp", "measure_ntk", "measure_q", "measure_qvar", "memory_bytes",
           "plot_comparisons", "NetworkRun", "compare_network", "run_networks", "fit_power", "fit_slope", "kernel_deviation_sweep", "skew_of_mean", "vertex", "width_sweep"]
