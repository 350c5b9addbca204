"""Monte-Carlo measurements on finite random networks (JAX; the ``mc`` extra), each against the
infinite-width theory with a standard error. JAX is imported only when a run starts."""

from .backend import JaxMissingError, device_name
from .backward import Gradients, gradients
from .compare import Comparison, mean_and_error, plot_comparisons
from .ensemble import Forward, forward
from .measure import (gradient_theory, kurtosis_theory, layer_variances, mean_shift_theory, measure_c, measure_grad,
                      measure_kurtosis, measure_nngp, measure_ntk, measure_q, vertex)
from .spec import NetworkSpec, chunk_size, memory_bytes
from .sweep import fit_slope, width_sweep

MEASUREMENTS = {"q": measure_q, "c": measure_c, "kurtosis": measure_kurtosis, "nngp": measure_nngp, "grad": measure_grad,
                "ntk": measure_ntk}
BACKWARD = {"grad", "ntk"}  # measured on a backward pass (``gradients``), the others on ``forward``


def measure(name: str, spec: NetworkSpec, X, run: Forward | Gradients) -> Comparison:
    """The measurement ``name`` (one of MEASUREMENTS) on its run (forward or backward: BACKWARD)."""
    if name not in MEASUREMENTS:
        raise ValueError(f"unknown measurement {name!r}; choose from {sorted(MEASUREMENTS)}")
    return MEASUREMENTS[name](spec, X, run)


__all__ = ["BACKWARD", "Comparison", "Forward", "Gradients", "JaxMissingError", "MEASUREMENTS", "NetworkSpec", "chunk_size",
           "device_name", "forward", "gradients", "gradient_theory", "kurtosis_theory", "layer_variances", "mean_and_error",
           "mean_shift_theory", "measure", "measure_c", "measure_grad", "measure_kurtosis", "measure_nngp", "measure_ntk", "measure_q", "memory_bytes",
           "plot_comparisons", "fit_slope", "vertex", "width_sweep"]
