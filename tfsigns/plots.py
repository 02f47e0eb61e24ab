"""Pictures, written as PNG files with matplotlib's Agg backend (never a window)."""
from pathlib import Path

import numpy as np

# The plot's x label changed between the editions (REFERENCE.md).
X_LABELS = {"v3": "iterations (per tens)", "v3b": "iterations (per fives)"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_costs(costs, learning_rate, path, edition="v3"):
    """The notebook's cost curve: cost every 5 epochs, titled with the learning rate.

    Args:
        costs: sequence of epoch costs, one every 5 epochs.
        learning_rate: shown in the title as the notebook did ("Learning rate =0.0001").
        path: PNG file to write.
        edition: "v3" or "v3b" (the x label differs).

    Returns:
        The path written.
    """
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.8))
    axes.plot(np.squeeze(np.asarray(costs, dtype=np.float64)))
    axes.set_ylabel("cost")
    axes.set_xlabel(X_LABELS[edition])
    axes.set_title("Learning rate =" + str(learning_rate))
    path = Path(path)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
