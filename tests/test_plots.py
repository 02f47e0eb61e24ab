"""The pictures: cost curve, samples grid, prediction plot, and the `samples` command."""
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from tfsigns import cli, plots
from tfsigns.images import load_image
from tfsigns.params import PARAMETER_SHAPES
from tfsigns.prediction import predict_images


def _labels_and_images(per_label=3, seed=0):
    labels = np.repeat(np.arange(6), per_label)
    np.random.default_rng(seed).shuffle(labels)
    images = np.random.default_rng(seed + 1).integers(0, 256, (labels.size, 64, 64, 3), dtype=np.uint8)
    return images, labels


def test_cost_curve_is_titled_with_the_learning_rate_as_the_notebook(tmp_path):
    costs = [1.85, 1.2, 0.9, 0.7]
    figure = plots.costs_figure(costs, 0.0001)
    axes = figure.axes[0]
    assert axes.get_title() == "Learning rate =0.0001"
    assert axes.get_ylabel() == "cost"
    assert axes.get_xlabel() == "iterations (per tens)"
    np.testing.assert_array_equal(axes.lines[0].get_ydata(), costs)
    assert plots.costs_figure(costs, 0.0001, edition="v3b").axes[0].get_xlabel() == "iterations (per fives)"

    path = plots.plot_costs(costs, 0.0001, tmp_path / "cost.png")
    with Image.open(path) as picture:
        assert (picture.format, picture.mode) == ("PNG", "RGB")


def test_samples_grid_shows_the_first_images_of_each_class_at_their_own_pixels(tmp_path):
    images, labels = _labels_and_images()
    figure = plots.samples_figure(images, labels, per_class=2, title="samples")
    panels = figure.axes
    assert len(panels) == 12  # 6 rows x 2 columns
    for row in range(6):
        first_two = np.flatnonzero(labels == row)[:2]
        for column in range(2):
            np.testing.assert_array_equal(panels[2 * row + column].images[0].get_array(), images[first_two[column]])
    assert [text.get_text() for text in figure.texts] == [f"y = {c}" for c in range(6)] + ["samples"]

    path = plots.plot_samples(images, labels, tmp_path / "grid.png", per_class=2, title="samples")
    with Image.open(path) as picture:
        grid = np.asarray(picture)
    # Drawn at 1 figure pixel per image pixel: the first image appears unchanged somewhere.
    first = images[np.flatnonzero(labels == 0)[0]]
    rows, columns = np.nonzero(np.all(grid == first[0, 0], axis=-1))
    assert any(np.array_equal(grid[r:r + 64, c:c + 64], first) for r, c in zip(rows, columns))


def test_samples_grid_leaves_empty_cells_when_a_class_has_fewer_images():
    images, labels = _labels_and_images(per_label=1)
    figure = plots.samples_figure(images, labels, per_class=3)
    assert len(figure.axes) == 18
    assert [len(axis.images) for axis in figure.axes[:3]] == [1, 0, 0]
    assert figure.get_suptitle() == "SIGNS: 3 images per class"


def test_prediction_plot_shows_photo_input_and_the_six_probabilities(tmp_path):
    rng = np.random.default_rng(2)
    parameters = {name: rng.standard_normal(shape).astype(np.float32) * 0.05 for name, shape in PARAMETER_SHAPES.items()}
    paths = []
    for i, size in enumerate([(64, 64), (300, 200)]):
        paths.append(tmp_path / f"photo_{i}.png")
        Image.fromarray(rng.integers(0, 256, size + (3,), dtype=np.uint8)).save(paths[-1])
    predictions = predict_images([load_image(path) for path in paths], parameters)

    figure = plots.prediction_figure(predictions)
    assert len(figure.axes) == 6  # two rows of photo, network input, bars
    for row, prediction in enumerate(predictions):
        photo, network_input, bars = figure.axes[3 * row:3 * row + 3]
        assert photo.get_title() == paths[row].name
        np.testing.assert_array_equal(network_input.images[0].get_array(), prediction.image.pixels)
        heights = [patch.get_height() for patch in bars.patches]
        np.testing.assert_allclose(heights, prediction.probabilities, rtol=0, atol=0)
        colours = [patch.get_facecolor() for patch in bars.patches]
        assert [i for i, colour in enumerate(colours) if colour == to_rgba("tab:orange")] == [prediction.label]
        assert bars.get_title() == f"y = {prediction.label} (probability {prediction.probability:.3f})"
        assert [label.get_text() for label in bars.texts] == [f"{p:.3f}" for p in prediction.probabilities]

    path = plots.plot_prediction(predictions, tmp_path / "prediction.png")
    with Image.open(path) as picture:
        assert picture.format == "PNG" and picture.size == (768, 464)  # 9.6 x 5.8 inches at 80 dpi


def test_samples_command_draws_the_data_in_use(nearcopy_dir, tmp_path, capsys):
    out = tmp_path / "samples.png"
    code = cli.main(["samples", "--out", str(out), "--data-dir", str(nearcopy_dir), "--per-class", "3"])
    stdout, stderr = capsys.readouterr()
    assert code == 0 and stderr == ""
    lines = stdout.splitlines()
    assert lines[0].startswith(f"data: {nearcopy_dir}")
    assert lines[1] == f"samples saved to {out}"
    with Image.open(out) as picture:
        assert picture.format == "PNG"
        assert picture.height == 46 + 6 * 64 + 5 * 4 + 8  # title, six rows of 64 pixels, gaps, margin


def test_samples_command_refuses_a_missing_output_folder(tmp_path, capsys):
    out = tmp_path / "nowhere" / "samples.png"
    code = cli.main(["samples", "--out", str(out)])
    assert code == 2
    assert capsys.readouterr().err == f"error: --out: folder {tmp_path / 'nowhere'} does not exist (received {str(out)!r})\n"


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs Linux's /sys")
def test_samples_command_refuses_an_unwritable_output_folder_before_reading_data(capsys):
    code = cli.main(["samples", "--out", "/sys/x.png"])
    assert code == 2
    assert capsys.readouterr() == ("", "error: --out: folder /sys is not writable (Permission denied; received '/sys/x.png')\n")


@pytest.mark.parametrize("value", ["0", "31", "many"])
def test_samples_command_rejects_bad_per_class(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["samples", "--out", str(tmp_path / "s.png"), "--per-class", value])
    assert caught.value.code == 2
    assert f"argument --per-class: expected an integer 1..30, received '{value}'" in capsys.readouterr().err
