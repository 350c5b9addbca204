"""JAX, imported on first use, with a clear error when it is missing, and the float64 switch that
both JAX 0.4.38 (the ``nt`` extra's pin) and current JAX understand."""

from __future__ import annotations

import contextlib
from functools import cache


class JaxMissingError(ImportError):
    """JAX is not installed."""


@cache
def jax_modules():
    """(jax, jax.numpy), or JaxMissingError naming the extra to install."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as err:
        raise JaxMissingError("the Monte-Carlo measurements need JAX: pip install 'activation-theory[mc]'") from err
    return jax, jnp


def precision(dtype: str):
    """Context in which JAX computes in ``dtype`` ("float32" or "float64"). float64 needs JAX's x64
    mode, switched on only inside the context (``jax.enable_x64`` in current JAX,
    ``jax.experimental.enable_x64`` in 0.4.x)."""
    if dtype == "float32":
        return contextlib.nullcontext()
    jax, _ = jax_modules()
    switch = getattr(jax, "enable_x64", None)
    if switch is not None:
        return switch(True)
    from jax.experimental import enable_x64

    return enable_x64()


def device_name() -> str:
    """The device JAX computes on (e.g. "cpu" or "NVIDIA H100 80GB HBM3")."""
    jax, _ = jax_modules()
    dev = jax.devices()[0]
    return getattr(dev, "device_kind", None) or dev.platform
