"""Kernel shaping: DKS (Martens et al. 2021) and TAT (Zhang et al. 2022) for every element-wise activation.

``dks(act, depth, zeta)`` and ``tat(act, depth, tau | eta)`` return a ``Shaping``: the transformation's parameters
under the ``dks`` package's names and the transformed activation φ̂ (an Activation). ``chain(depth)`` is the
subnetwork maximizing function of a chain; ``net=`` takes it from a ``signalprop.architecture`` network of Dense(1, 0),
Nonlinear and ``normalized_sum`` layers (``from_architecture``), ``Shaping.network(net)`` puts φ̂ into it; other
architectures pass their own ``subnet_max``.
"""

from .local import LocalValues, local_values
from .solve import PARAMETERS, Shaping, ShapingError, dks, tat, transformed
from .subnet import ShapingTargetError, chain, from_architecture, leaky_relu_cmap, leaky_relu_slope, local_c_curvature, local_c_slope

__all__ = ["LocalValues", "PARAMETERS", "Shaping", "ShapingError", "ShapingTargetError", "chain", "dks", "from_architecture",
           "leaky_relu_cmap", "leaky_relu_slope", "local_c_curvature", "local_c_slope", "local_values", "tat",
           "transformed"]
