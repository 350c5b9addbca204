"""Matplotlib figures for signal propagation (written to files; the Agg backend, no display)."""

from __future__ import annotations

from pathlib import Path


def plot_edge_of_chaos(curve, label: str, path: str | Path) -> Path:
    """σ_w² against σ_b² along the edge of chaos, coloured by q* (log scale); ordered below, chaotic above."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    fig, ax = plt.subplots(figsize=(5.5, 4.2), constrained_layout=True)
    ax.plot(curve.sigma_b2, curve.sigma_w2, color="0.3", lw=1)
    sc = ax.scatter(curve.sigma_b2, curve.sigma_w2, c=curve.q_star, norm=LogNorm(), s=10, cmap="viridis", zorder=3)
    fig.colorbar(sc, ax=ax, label=r"$q^*$")
    repels = ~curve.stable
    if repels.any():
        ax.plot(curve.sigma_b2[repels], curve.sigma_w2[repels], "x", color="tab:red", ms=5, zorder=4,
                label=r"$q^*$ repels ($V'(q^*) > 1$)")
        ax.legend(loc="center right", fontsize=8)
    ax.set_xlabel(r"$\sigma_b^2$ (bias variance)")
    ax.set_ylabel(r"$\sigma_w^2$ (weight variance)")
    ax.set_title(f"edge of chaos: {label}")
    top = ax.get_ylim()[1]
    ax.text(0.03, 0.95, "chaotic ($\\chi_1 > 1$)", transform=ax.transAxes, ha="left", va="top")
    ax.text(0.97, 0.05, "ordered ($\\chi_1 < 1$)", transform=ax.transAxes, ha="right", va="bottom")
    ax.set_ylim(top=top)
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_phase_diagram(diagram, path: str | Path) -> Path:
    """ξ_c as a heat map (log colour scale) over (σ_w², σ_b²), the edge of chaos χ_1 = 1 as a line,
    ordered / chaotic labels, and the region where the variance grows without bound in grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import LogNorm

    w, b = diagram.sigma_w2, diagram.sigma_b2
    xi = np.where(np.isfinite(diagram.xi_c), diagram.xi_c, np.nan)
    fig, ax = plt.subplots(figsize=(6.0, 4.6), constrained_layout=True)
    finite = xi[np.isfinite(xi) & (xi > 0)]
    norm = LogNorm(vmin=max(finite.min(), 1e-2), vmax=min(finite.max(), 1e4)) if finite.size else None
    mesh = ax.pcolormesh(w, b, xi, norm=norm, cmap="magma", shading="nearest")
    fig.colorbar(mesh, ax=ax, label=r"$\xi_c$ (correlation depth scale, layers)")
    unbounded = (diagram.phase == 3).astype(float)
    if unbounded.any():
        ax.contourf(w, b, np.where(unbounded > 0, 1.0, np.nan), levels=[0.5, 1.5], colors=["0.75"])
        ax.contour(w, b, unbounded, levels=[0.5], colors="0.4", linewidths=0.8)
    chi = np.where(np.isfinite(diagram.chi1), diagram.chi1, np.nan)
    if np.nanmin(chi) < 1 < np.nanmax(chi):
        ax.contour(w, b, chi, levels=[1.0], colors="cyan", linewidths=1.5)
    ax.set_xlabel(r"$\sigma_w^2$ (weight variance)")
    ax.set_ylabel(r"$\sigma_b^2$ (bias variance)")
    title = f"order-to-chaos phase diagram: {diagram.activation}"
    ax.set_title(title, fontsize="medium" if len(title) > 48 else None)
    ax.text(0.02, 0.97, "ordered ($\\chi_1 < 1$)", transform=ax.transAxes, ha="left", va="top", color="w")
    ax.text(0.98, 0.03, "chaotic ($\\chi_1 > 1$) / grey: unbounded", transform=ax.transAxes, ha="right", va="bottom", color="w")
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_attention_phase(diagram, path: str | Path) -> Path:
    """Two panels over (σ_QK², α): log10(1 − ρ_L) (rank collapse) and H/log T (entropy collapse)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), constrained_layout=True)
    for ax, data, title in ((axes[0], np.log10(np.maximum(diagram.deficit, 1e-16)), "log10(1 - rho_L): rank collapse"),
                            (axes[1], diagram.entropy, "H / log T: entropy collapse")):
        mesh = ax.pcolormesh(diagram.sigma_qk2, diagram.alpha, data, shading="nearest")
        fig.colorbar(mesh, ax=ax)
        ax.set(xscale="log", yscale="log", xlabel=r"$\sigma_{QK}^2$", ylabel=r"$\alpha$ (branch scale)", title=title)
    length = "T → ∞ (σ_QK² = β²)" if diagram.scaling == "long" else f"T = {diagram.tokens}"
    fig.suptitle(f"{diagram.mechanism}, {length}, {diagram.blocks} blocks", fontsize=10)
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def plot_edge_of_chaos_curves(curves: dict, path: str | Path) -> Path:
    """The edge-of-chaos curves σ_w²(σ_b²) of several activations on one axes (label → EdgeOfChaos): solid
    where q* attracts, dotted where it repels (V'(q*) > 1); a curve that is a single point (scale-invariant
    φ) is a marker."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5), constrained_layout=True)
    for k, (label, curve) in enumerate(curves.items()):
        color = f"C{k % 10}"
        if len(curve.sigma_b2) <= 1 or float(curve.sigma_b2.max()) == 0.0:
            ax.plot(curve.sigma_b2[:1], curve.sigma_w2[:1], "o", color=color, label=f"{label} (single point)")
            continue
        stable = curve.stable
        ax.plot(curve.sigma_b2, curve.sigma_w2, ":", color=color, lw=1)
        ax.plot(curve.sigma_b2[stable], curve.sigma_w2[stable], "-", color=color, lw=1.8, label=label)
    ax.set_xlabel(r"$\sigma_b^2$ (bias variance)")
    ax.set_ylabel(r"$\sigma_w^2$ (weight variance)")
    ax.set_title("edge of chaos ($\\chi_1 = 1$); dotted: $q^*$ repels")
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_yscale("log")
    ax.legend(fontsize=8, loc="upper left", framealpha=0.9)
    path = Path(path)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
