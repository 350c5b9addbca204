"""Monte-Carlo measurements on finite random networks (JAX; the ``mc`` extra), each against the
infinite-width theory with a standard error. JAX is imported only when a run starts."""

from .backend import JaxMissingError, device_name
from .compare import Comparison, mean_and_error, plot_comparisons
from .ensemble import Forward, forward
from .measure import kurtosis_theory, layer_variances, measure_c, measure_kurtosis, measure_q
from .spec import NetworkSpec, chunk_size, memory_bytes

MEASUREMENTS = {"q": measure_q, "c": measure_c, "kurtosis": measure_kurtosis}


def measure(name: str, spec: NetworkSpec, X, fwd: Forward) -> Comparison:
    """The measurement ``name`` (one of MEASUREMENTS) on a forward run."""
    if name not in MEASUREMENTS:
        raise ValueError(f"unknown measurement {name!r}; choose from {sorted(MEASUREMENTS)}")
    return MEASUREMENTS[name](spec, X, fwd)


__all__ = ["Comparison", "Forward", "JaxMissingError", "MEASUREMENTS", "NetworkSpec", "chunk_size", "device_name", "forward",
           "kurtosis_theory", "layer_variances", "mean_and_error", "measure", "measure_c", "measure_kurtosis", "measure_q",
           "memory_bytes", "plot_comparisons"]
