"""Writing a paper module's figure: every module's ``figure(path)`` ends here."""

from __future__ import annotations

from pathlib import Path


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:
    """Write the matplotlib figure ``fig`` to ``path`` (format from the suffix), close it, return the path."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def curves_figure(curves, xlabel: str, ylabel: str, title: str, xscale: str = "linear", yscale: str = "linear",
                  size: tuple = (5, 3.4)):
    """A figure of ``curves``: (label, x, y, matplotlib format) tuples on one axis (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    for label, x, y, fmt in curves:
        ax.plot(x, y, fmt, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, xscale=xscale, yscale=yscale)
    if any(label for label, *_ in curves):
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
