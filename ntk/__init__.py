"""ntk: NNGP and NTK kernels of deep fully connected networks at infinite width, for every activation:
dual activations (closed forms where they exist, a θ-series, Mehler's series or the 2-D engine
elsewhere), the layer recursions (see kernels.py for the conventions), spectra on the sphere and the
infinite-depth limit (spectral.py), and a neural-tangents bridge (bridge.py, imported on demand)."""

from .architecture import network_kernels
from .closed_forms import closed_form
from .dual import NoTangentKernelError, dual, dual_matrices, method
from .kernels import PARAMETERIZATIONS, KernelLayers, final_kernels, kernel_layers, nngp, ntk
from .reference import engine_pair
from .spectral import (
    REGIMES,
    DepthLimit,
    DepthProfile,
    SphereSpectrum,
    depth_profile,
    dual_coefficients,
    infinite_depth_limit,
    multiplicity,
    sphere_kernel,
    sphere_spectrum,
)

__all__ = ["NoTangentKernelError", "PARAMETERIZATIONS", "KernelLayers", "closed_form", "dual", "dual_matrices", "engine_pair", "final_kernels", "kernel_layers",
           "method", "nngp", "ntk", "REGIMES", "DepthLimit", "DepthProfile", "SphereSpectrum", "depth_profile", "dual_coefficients", "infinite_depth_limit",
           "multiplicity", "sphere_kernel", "sphere_spectrum", "network_kernels"]
