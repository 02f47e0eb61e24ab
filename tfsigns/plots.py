"""Pictures, written as PNG files with matplotlib's Agg renderer (never a window).

Figures are `matplotlib.figure.Figure` objects made directly, not through
pyplot: nothing is registered globally, no backend is switched (a notebook
that imports tfsigns keeps its own), and nothing needs closing.
"""
import io
from pathlib import Path

import numpy as np

# The plot's x label changed between the editions (REFERENCE.md).
X_LABELS = {"v3": "iterations (per tens)", "v3b": "iterations (per fives)"}
SAMPLES_DPI = 80  # the samples grid is laid out in pixels at this resolution


def _figure(**options):
    from matplotlib.figure import Figure

    return Figure(**options)


def _save(figure, path, **options):
    """Write a figure as an RGB PNG (savefig on a bare Figure renders with Agg).

    Matplotlib writes RGBA; the figures are opaque, so the alpha channel is
    dropped and the PNG optimised: about 10% smaller for photo-like pictures.
    """
    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **options)
    buffer.seek(0)
    with Image.open(buffer) as rendered:
        picture = rendered.convert("RGB")
    path = Path(path)
    picture.save(path, format="PNG", optimize=True)
    return path


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
    return _save(costs_figure(costs, learning_rate, edition), path, dpi=100, bbox_inches="tight")


def costs_figure(costs, learning_rate, edition="v3"):
    """The figure `plot_costs` writes (a matplotlib Figure, not yet saved)."""
    figure = _figure(figsize=(6.4, 4.8))
    axes = figure.subplots()
    axes.plot(np.squeeze(np.asarray(costs, dtype=np.float64)))
    axes.set_ylabel("cost")
    axes.set_xlabel(X_LABELS[edition])
    axes.set_title("Learning rate =" + str(learning_rate))
    return figure


def plot_samples(images, labels, path, per_class=6, title=None):
    """A grid of sample images: one row per class, the first `per_class` of each.

    Args:
        images: uint8 (m, 64, 64, 3).
        labels: integer labels, (m,) or (1, m), in 0..5.
        path: PNG file to write.
        per_class: images per row. Defaults to `6`.
        title: figure title. Defaults to "SIGNS: <per_class> images per class".

    Returns:
        The path written.
    """
    return _save(samples_figure(images, labels, per_class, title), path, dpi=SAMPLES_DPI)


def samples_figure(images, labels, per_class=6, title=None):
    """The figure `plot_samples` writes.

    Laid out in pixels at `SAMPLES_DPI`, so each image is drawn at its own
    64x64 pixels (no resampling blur, a small PNG). `figure.axes` lists the
    image panels row by row: one row per class, `per_class` columns.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    classes = np.unique(labels)
    size = images.shape[1]  # 64
    gap, left, right, top, bottom = 4, 56, 8, 46, 8  # pixels
    grid_width = per_class * size + (per_class - 1) * gap
    width = max(left + grid_width + right, 420)  # room for the two-line title
    height = top + len(classes) * size + (len(classes) - 1) * gap + bottom
    x0 = left + (width - left - grid_width - right) // 2
    figure = _figure(figsize=(width / SAMPLES_DPI, height / SAMPLES_DPI), dpi=SAMPLES_DPI)
    for row, label in enumerate(classes):
        indices = np.flatnonzero(labels == label)[:per_class]  # first in file order
        y = height - top - row * (size + gap) - size  # from the bottom, in pixels
        for column in range(per_class):
            x = x0 + column * (size + gap)
            axis = figure.add_axes((x / width, y / height, size / width, size / height))
            axis.set_axis_off()
            if column < len(indices):
                axis.imshow(images[indices[column]], interpolation="nearest", aspect="auto")
            if column == 0:
                figure.text((x - 6) / width, (y + size / 2) / height, f"y = {label}", ha="right", va="center", fontsize=11)
    figure.suptitle(title or f"SIGNS: {per_class} images per class", fontsize=11, y=1 - 4 / height, va="top")
    return figure


def plot_prediction(predictions, path):
    """Each photo beside what the network saw and a bar chart of the six class probabilities.

    Args:
        predictions: list of `tfsigns.prediction.Prediction` made from image files
            (each with `.image.display`, `.image.pixels` uint8 (64, 64, 3),
            `.probabilities` (6,), `.label`).
        path: PNG file to write.

    Returns:
        The path written.
    """
    return _save(prediction_figure(predictions), path, dpi=80)


def prediction_figure(predictions):
    """The figure `plot_prediction` writes: per row, photo, network input, bar chart."""
    rows = len(predictions)
    figure = _figure(figsize=(9.6, 2.9 * rows))
    axes = figure.subplots(rows, 3, squeeze=False, gridspec_kw={"width_ratios": [1.0, 1.0, 1.5]})
    classes = np.arange(6)
    for row, prediction in enumerate(predictions):
        photo_axis, input_axis, bar_axis = axes[row]
        image = prediction.image
        photo_axis.imshow(np.asarray(image.display))
        photo_axis.set_title(_shorten(Path(image.name).name), fontsize=10)
        input_axis.imshow(image.pixels, interpolation="nearest")
        input_axis.set_title("network input (64x64)", fontsize=10)
        for axis in (photo_axis, input_axis):
            axis.set_xticks([])
            axis.set_yticks([])
        colours = ["tab:orange" if c == prediction.label else "tab:blue" for c in classes]
        bars = bar_axis.bar(classes, prediction.probabilities, color=colours)
        bar_axis.bar_label(bars, labels=[f"{p:.3f}" for p in prediction.probabilities], fontsize=8, padding=1)
        bar_axis.set_ylim(0, 1.12)  # room for the labels above a bar of 1.0
        bar_axis.set_xticks(classes)
        bar_axis.set_xlabel("class (fingers raised)")
        bar_axis.set_ylabel("probability")
        bar_axis.set_title(f"y = {prediction.label} (probability {prediction.probability:.3f})", fontsize=10)
        bar_axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def _shorten(text, limit=36):
    """A file name short enough for a panel title."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
