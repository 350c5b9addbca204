"""ntk: NNGP and NTK kernels of deep fully connected networks at infinite width, for every activation:
dual activations (closed forms where they exist, the 2-D engine or a θ-series elsewhere) and the
layer recursions (see kernels.py for the conventions)."""

from .closed_forms import closed_form
from .dual import NoTangentKernelError, dual, method
from .kernels import PARAMETERIZATIONS, KernelLayers, kernel_layers, nngp, ntk

__all__ = ["NoTangentKernelError", "PARAMETERIZATIONS", "KernelLayers", "closed_form", "dual", "kernel_layers", "method", "nngp", "ntk"]
