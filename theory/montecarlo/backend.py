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


def ensemble_sharding():
    """(the networks' sharding over every local device, their number, a replicated sharding) with JAX's sharding
    API (``Mesh``/``NamedSharding``, in 0.4.38 and current JAX alike), or None on one device. Each network is
    computed whole on one device from its own key, so a sharded ensemble equals the single-device run. Several
    hosts: start each with ``jax.distributed.initialize()``; the mesh then spans ``jax.devices()`` of all of them."""
    import numpy as np

    jax, _ = jax_modules()
    devices = jax.devices()
    if len(devices) < 2:
        return None
    from jax.sharding import Mesh, NamedSharding, PartitionSpec

    mesh = Mesh(np.array(devices), ("networks",))
    return NamedSharding(mesh, PartitionSpec("networks")), len(devices), NamedSharding(mesh, PartitionSpec())


def padded_keys(base, start: int, stop: int, shard, at_least: int = 2):
    """The keys fold_in(base, e) of networks e = start … stop − 1, padded (networks stop, stop + 1, …) so that every
    device (all local devices with ``shard`` from ``ensemble_sharding``, else one) computes the same number of
    networks, at least ``at_least`` (2 unless memory fits only one): XLA rounds a batch of one network differently
    (~1e-16) from a batch of several, so the padding makes the numbers independent of the chunking and of the device
    count. The keys are placed on the devices with ``shard``; the caller keeps the first stop − start rows of every
    result."""
    jax, jnp = jax_modules()
    devices = 1 if shard is None else shard[1]
    per_device = max(at_least, -(-(stop - start) // devices))
    keys = jax.vmap(lambda e: jax.random.fold_in(base, e))(jnp.arange(start, start + per_device * devices))
    return keys if shard is None else jax.device_put(keys, shard[0])
