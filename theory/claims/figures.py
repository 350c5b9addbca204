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
