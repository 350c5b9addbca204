"""NNGP and NTK of any network described by ``signalprop.architecture`` (dense layers, nonlinearities of every layer
law, residual blocks, LayerNorm/RMSNorm, pre-/post-norm blocks): the architecture's recursion with this package's
blocked dual matrices (closed forms, θ-series, Mehler's series, the 2-D engine: the accuracy of ``kernels``).

For the plain chain ``mlp(φ, L, σ_w², σ_b²)`` the result is ``kernels.kernel_layers``' Σ^L, Θ^L (same parameterizations:
standard needs the hidden width)."""

from __future__ import annotations

import numpy as np

from signalprop.architecture import Serial, Trace, input_state, propagate, units

from .dual import check_derivative, dual_matrices

def network_kernels(net: Serial, X, X2=None, ntk: bool = True, parameterization: str = "ntk", width: float | None = None,
                    block: int = 1024, progress: bool = False, trace: Trace | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """(NNGP, NTK or None) of the network's output between the rows of X and of X2 (default X); ``trace`` collects the
    kernel state after every top-level layer (``propagate``)."""
    if not isinstance(net, Serial):
        raise TypeError(f"give a network built with signalprop.architecture (Serial, mlp, resnet), got {type(net).__name__}")
    if ntk:
        for unit in units(net):
            check_derivative(unit)
    state = input_state(X, X2, ntk)

    def dual(unit, qa, qb, sigma, derivative):
        return dual_matrices(unit, qa, qb, sigma, state.symmetric, derivative, block, progress)

    out = propagate(net, state, dual, parameterization, width, trace)
    return out.sigma, out.theta
